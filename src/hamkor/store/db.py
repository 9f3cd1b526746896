"""Operational database: SQLAlchemy engine and sessions, migrations through Alembic."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import wraps
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hamkor.config import Settings
from hamkor.errors import Problem, StrayDatabase
from hamkor.i18n import Msg

# The newest migration. Written here, and held equal to the migrations folder's head by
# tests/unit/test_db.py, so that opening a database that is up to date costs one SELECT, not Alembic's
# start-up (0.2 s of every command that touches the database).
HEAD_REVISION = "0014"


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time with its offset: SQLite hands back naive datetimes, and they were stored as UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # a web process runs up to 40 requests at once in its thread pool: 10 kept connections and 30 more when busy
    # (SQLAlchemy's 5 + 10 left a booking window's threads waiting on the pool); PostgreSQL's max_connections
    # must hold 40 per web process and per worker (README, "Running it for real")
    engine = create_engine(url, pool_size=10, max_overflow=30)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine) -> None:
    """A pooled connection that has rested a while is tried before it is handed out (the server may have
    restarted, or a firewall dropped it), and replaced if it is dead: SQLAlchemy's `pool_pre_ping`, but not for a
    connection used a moment ago. Pinging on every checkout was a round trip in each of the ten or so units of
    work a page runs (issue 28.8's booking window)."""
    from sqlalchemy import exc

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, proxy):  # noqa: ANN001
        rested = time.monotonic() - record.info.get("returned_at", 0.0)
        if rested < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()  # the ping's own transaction ends here, not in the caller's
        except Exception as error:  # noqa: BLE001 - any failure: the pool drops it and connects anew
            raise exc.DisconnectionError(str(error)) from error

    @event.listens_for(engine, "checkin")
    def _rested_from(dbapi_connection, record):  # noqa: ANN001
        record.info["returned_at"] = time.monotonic()


class Database:
    """The engine and a session factory for one Settings; nothing is created at import time.

    A unit of work is one transaction: the outermost `session()` opens it and commits it (or rolls it
    back); a `session()` opened inside it, in the same thread, is the same session, so the helpers a
    public operation calls check and write in its transaction, never in one of their own.
    """

    def __init__(self, settings: Settings) -> None:
        settings.ensure_dirs()
        self.url = settings.resolved_database_url
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _refuse_what_a_column_cannot_hold)
        self._active: ContextVar[Session | None] = ContextVar(f"hamkor-session-{id(self)}", default=None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        active = self._active.get()
        if active is not None:
            yield active
            return
        with self._sessions() as session:
            token = self._active.set(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                self._active.reset(token)

    @contextmanager
    def apart(self) -> Iterator[None]:
        """A block that runs outside the caller's unit of work: its sessions are its own, committed and closed within
        it. For records that outlive the caller's transaction (a cache shared by requests): a rollback of the
        caller's would expire them, and an expired record read after its session closed fails."""
        token = self._active.set(None)
        try:
            yield
        finally:
            self._active.reset(token)

    @property
    def in_unit_of_work(self) -> bool:
        return self._active.get() is not None

    def upgrade(self, revision: str = "head", connection=None) -> None:
        """`connection`: migrate in its transaction (a restore's), which the caller commits or rolls back."""
        from alembic import command

        command.upgrade(alembic_config(self.engine, connection), revision)

    def upgrade_to_head(self) -> None:
        """Migrate to the newest revision, unless the database is there already."""
        if self.stored_revision() != HEAD_REVISION:
            self.upgrade()

    def stored_revision(self) -> str | None:
        """The revision in alembic_version, read without Alembic; None for a new (empty) database."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None

    def downgrade(self, revision: str) -> None:
        from alembic import command

        command.downgrade(alembic_config(self.engine), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine, connection=None):
    from alembic.config import Config

    folder = Path(str(resources.files("hamkor.store").joinpath("migrations")))
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.attributes["engine"] = engine
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def unit_of_work(method: Callable) -> Callable:
    """A service method that runs whole in one transaction (its object has a `db`)."""

    @wraps(method)
    def run(self, *args, **kwargs):
        with self.db.session():
            return method(self, *args, **kwargs)

    return run


def _refuse_what_a_column_cannot_hold(session: Session, _context, _instances) -> None:
    """Text longer than its column, or holding a NUL, is refused before it is written, with the field
    named: PostgreSQL would otherwise fail the whole transaction with a driver error (a 500), and SQLite
    would store it silently. Every write goes through here, whichever face or service it comes from."""
    problems: list[tuple[str, Msg]] = []
    for record in (*session.new, *session.dirty):
        mapper = inspect(record).mapper
        for column in mapper.columns:
            value = getattr(record, mapper.get_property_by_column(column).key, None)
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                problems.append((column.key, Msg("the text holds a NUL character, which cannot be stored")))
            length = getattr(column.type, "length", None)
            if length is not None and len(value) > length:
                problems.append((column.key, Msg("at most %(max_length)s characters (this one has %(length)s)",
                                                 max_length=length, length=len(value))))
    if problems:
        raise Problem(problems)


def session_of(service) -> Session:
    """The session of the unit of work a service method runs in (it must run in one)."""
    active = service.db._active.get()
    if active is None:
        raise RuntimeError("no unit of work: decorate the method with @unit_of_work")
    return active


def skip_locked(query, session: Session):
    """`query` taking row locks that other workers step over (PostgreSQL's FOR UPDATE SKIP LOCKED), so several
    workers claiming at once each get rows of their own without waiting. SQLite has no row locks: its one
    writer at a time serialises the claims, and each claim is a conditional UPDATE that only one can win."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def default_worker_name() -> str:
    """Who holds a claimed job or message: the machine, the process and the thread, for an operator to read."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:80]


def refuse_a_stray_database(settings: Settings) -> None:
    """A command started without the server's HAMKOR_DATABASE_URL (cron gives it none) would make a new, empty
    SQLite database beside a warehouse full of data: a backup of nothing, signed and reported as done, or an
    import whose batch numbers clash with the warehouse's. Refused before anything is written."""
    if settings.database_url:
        return
    sqlite_file = settings.data_dir / "hamkor.sqlite3"
    warehouse = settings.resolved_warehouse_path
    if not sqlite_file.exists() and warehouse.exists() and warehouse.stat().st_size > 0:
        raise StrayDatabase(
            f"{settings.data_dir} holds a trade warehouse but no database: set HAMKOR_DATABASE_URL as the server "
            "has it (e.g. load its environment file), or this command would start a new, empty database")
