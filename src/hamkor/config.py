"""One Settings object, built once (CLI root callback, create_app) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if self.mode == "production" and not self.secret_key:
            raise ValueError("HAMKOR_SECRET_KEY must be set in production mode")
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
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * (1 << 20)

    @property
    def effective_secret_key(self) -> str:
        # Development only: a fixed key is fine where nothing is exposed.
        return self.secret_key or "hamkor-development-key-not-for-production"

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.resolved_warehouse_path.parent.mkdir(parents=True, exist_ok=True)
