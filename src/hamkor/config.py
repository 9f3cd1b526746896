"""One Settings object, built once (CLI root callback, create_app) and passed down."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret.key"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAMKOR_", env_file=None, extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None  # default: SQLite file in data_dir
    warehouse_path: Path | None = None  # default: warehouse.duckdb in data_dir
    secret_key: str | None = None
    mode: Literal["development", "production"] = "development"
    log_level: str = "WARNING"
    # DuckDB may use this much memory during an import; keeps peak RSS bounded on big files.
    warehouse_memory_limit: str = "1GB"
    warehouse_threads: int = 2
    upload_limit_mb: int = 512
    host: str = "127.0.0.1"
    port: int = 8000
    # Where "today" is decided for due dates and reminders, and whose trade the cooperation views show.
    timezone: str = "UTC"
    home_territory: str = "RU-ALT"
    # The partner the pages open on (dashboard, brief, opportunities, matching, a new mission).
    main_partner: str = "UZ"
    # Reminders by e-mail: sent only when an SMTP host is set.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "hamkor@localhost"
    reminders_to: str = ""  # comma-separated addresses
    # The address people reach the site at, for the links in mails (invitations, resets, confirmations).
    public_url: str | None = None
    # How often the mail worker looks at the outbox (seconds).
    mail_interval_seconds: float = 10.0

    # Sessions end after this long without a request, and this long after sign-in whatever happens.
    session_idle_hours: float = 8.0
    session_max_days: float = 7.0
    # Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated); none by default.
    trusted_proxies: str = ""
    # Generated files (briefs, kept uploads) are deleted this many hours after their job ends.
    job_file_retention_hours: float = 24.0

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if self.mode == "production" and len((self.secret_key or "").encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"HAMKOR_SECRET_KEY must be set in production mode, at least {MIN_SECRET_BYTES} "
                             "bytes (python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"HAMKOR_TIMEZONE: unknown time zone {self.timezone!r} (an IANA name such as "
                             "Asia/Barnaul)") from None
        return self

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
