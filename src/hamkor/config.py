"""One Settings object, built once (CLI root callback, create_app) and passed down.

Plain standard library on purpose: every command builds it, and a settings framework would cost each
`hamkor …` process more start-up time than the command's own work (pydantic-settings alone took 140 ms).
Values come from the keyword arguments, else from HAMKOR_<NAME> in the environment, else the default;
each is converted to its field's type, and a value that does not fit is a ValueError naming the setting.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SECRET_FILE = "secret.key"
MIN_SECRET_BYTES = 32
ENV_PREFIX = "HAMKOR_"
_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


def _convert(name: str, kind: Any, value: Any) -> Any:
    """value (from a caller or the environment's text) as the field's type, or a ValueError saying which."""
    optional = typing.get_origin(kind) in (typing.Union, types.UnionType)
    if optional:
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if typing.get_origin(kind) is Literal:
        allowed = typing.get_args(kind)
        if value not in allowed:
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not one of {', '.join(allowed)}")
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not true or false")
    if kind in (int, float):
        if isinstance(value, bool):
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not a number")
        try:
            number = kind(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not {'a whole' if kind is int else 'a'} "
                             "number") from None
        if kind is int and isinstance(value, float) and number != value:
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not a whole number")
        return number
    if kind is Path:
        return Path(value)
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{ENV_PREFIX}{name.upper()}: {value!r} is not text")
        return value
    raise TypeError(f"setting {name}: no conversion for {kind!r}")  # a new field's type: teach _convert


@dataclass(init=False, eq=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str | None = None  # default: SQLite file in data_dir
    warehouse_path: Path | None = None  # default: warehouse.duckdb in data_dir
    secret_key: str | None = field(default=None, repr=False)
    mode: Literal["development", "production"] = "development"
    log_level: str = "WARNING"
    # `/metrics` answers a scraper sending `Authorization: Bearer <this>`; unset, only this machine (loopback)
    metrics_token: str | None = field(default=None, repr=False)
    # DuckDB may use this much memory during an import; keeps peak RSS bounded on big files.
    warehouse_memory_limit: str = "1GB"
    warehouse_threads: int = 2
    upload_limit_mb: int = 512
    host: str = "127.0.0.1"
    port: int = 8000
    # Connections `hamkor serve` holds at once; past it a request is answered 503 at once (the server stays up).
    max_connections: int = 500
    # Where "today" is decided for due dates and reminders, and whose trade the cooperation views show.
    timezone: str = "UTC"
    home_territory: str = "RU-ALT"
    # The partner the pages open on (dashboard, brief, opportunities, matching, a new mission).
    main_partner: str = "UZ"
    # Reminders by e-mail: sent only when an SMTP host is set.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    smtp_from: str = "hamkor@localhost"
    smtp_timeout_seconds: float = 30.0  # one SMTP call at most; no transaction is open meanwhile
    reminders_to: str = ""  # comma-separated addresses
    # The address people reach the site at, for the links in mails (invitations, resets, confirmations).
    public_url: str | None = None
    # The video server online meetings are held on (a Jitsi Meet address, e.g. https://meet.example.org): each call
    # gets a room there whose name cannot be guessed. None: online meetings are listed without a link.
    video_url: str | None = None
    # How often the mail worker looks at the outbox (seconds).
    mail_interval_seconds: float = 10.0
    # whether `hamkor serve` runs a worker (jobs and mail) in each web process; off when `hamkor worker` runs apart
    run_worker: bool = True
    # a running job whose worker has not beaten for this long is taken back by another (the worker was killed)
    worker_stale_seconds: float = 60.0

    # Sessions end after this long without a request, and this long after sign-in whatever happens.
    session_idle_hours: float = 8.0
    session_max_days: float = 7.0
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated); none by default.
    trusted_proxies: str = ""
    # Generated files (briefs, kept uploads) are deleted this many hours after their job ends.
    job_file_retention_hours: float = 24.0

    def __init__(self, **values: Any) -> None:
        fields = {f.name: f for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        kinds = typing.get_type_hints(type(self))
        for name, spec in fields.items():
            if name in values:
                value = values[name]
            elif (ENV_PREFIX + name.upper()) in os.environ:
                value = os.environ[ENV_PREFIX + name.upper()]
            else:
                value = spec.default
            setattr(self, name, _convert(name, kinds[name], value))
        self._check()

    def _check(self) -> None:
        if self.mode == "production" and len((self.secret_key or "").encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"HAMKOR_SECRET_KEY must be set in production mode, at least {MIN_SECRET_BYTES} "
                             "bytes (python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"HAMKOR_TIMEZONE: unknown time zone {self.timezone!r} (an IANA name such as "
                             "Asia/Barnaul)") from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with these settings changed (the environment is not read again)."""
        return Settings(**{**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}, **changes})

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'hamkor.sqlite3').resolve()}"

    @property
    def resolved_warehouse_path(self) -> Path:
        return self.warehouse_path or self.data_dir / "warehouse.duckdb"

    @property
    def reminder_recipients(self) -> list[str]:
        return [a.strip() for a in self.reminders_to.split(",") if a.strip()]

    @property
    def site_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * (1 << 20)

    @property
    def trusted_proxy_addresses(self) -> set[str]:
        return {a.strip() for a in self.trusted_proxies.split(",") if a.strip()}

    @property
    def effective_secret_key(self) -> str:
        """HAMKOR_SECRET_KEY, else a random key made once for this data directory (`secret.key`, readable by
        its owner only). Never a constant: a key in the source would let anyone sign a session."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) >= MIN_SECRET_BYTES:
                return key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Created with mode 0600 from the start, never readable by others even for a moment.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        path.chmod(0o600)
        return key

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.resolved_warehouse_path.parent.mkdir(parents=True, exist_ok=True)
