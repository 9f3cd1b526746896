"""Operational database on SQLite and PostgreSQL: migrations and the batch table."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from hamkor.config import Settings
from hamkor.store.db import HEAD_REVISION, Database, alembic_config
from hamkor.store.models import ImportBatch


def make_db(tmp_path, url) -> Database:
    return Database(Settings(data_dir=tmp_path / "d", database_url=url))


def test_upgrade_downgrade_and_batches(tmp_path, database_url):
    db = make_db(tmp_path, database_url)
    try:
        db.upgrade()
        assert db.current_revision() == HEAD_REVISION
        tables = set(inspect(db.engine).get_table_names())
        assert {"import_batch", "company", "company_contact", "meeting_request", "mission", "mission_meeting",
                "coop_event", "coop_commitment", "audit_entry"} <= tables
        with db.session() as session:
            session.add(ImportBatch(source_kind="fts-regional", source_label="fts-regional", file_name="a.csv",
                                    file_size=10, sha256="ab" * 32, rows_read=3, rows_loaded=3, rows_rejected=0,
                                    rows_skipped=0, periods=["2025-01"], reporters=["RU-ALT"], status="loaded",
                                    started_at=datetime.now(UTC)))
        with db.session() as session:
            batch = session.scalars(select(ImportBatch)).one()
            assert batch.periods == ["2025-01"] and batch.reporters == ["RU-ALT"]
        db.downgrade("base")
        assert "import_batch" not in inspect(db.engine).get_table_names()
        db.upgrade()
        assert db.current_revision() == HEAD_REVISION
    finally:
        db.dispose()


def test_head_revision_is_the_migrations_head_and_a_behind_database_is_brought_to_it(tmp_path, database_url):
    from alembic.script import ScriptDirectory

    db = make_db(tmp_path, database_url)
    try:
        assert ScriptDirectory.from_config(alembic_config(db.engine)).get_heads() == [HEAD_REVISION]
        assert db.stored_revision() is None  # a new database: not even the version table
        db.upgrade_to_head()
        assert db.stored_revision() == db.current_revision() == HEAD_REVISION
        db.downgrade("0006")
        assert "outbox" not in inspect(db.engine).get_table_names()
        db.upgrade_to_head()  # one behind: the quick check must not take it for current
        assert db.current_revision() == HEAD_REVISION
        assert "outbox" in inspect(db.engine).get_table_names()
    finally:
        db.downgrade("base")
        db.dispose()


def test_session_rolls_back_on_error(tmp_path, database_url):
    db = make_db(tmp_path, database_url)
    db.upgrade()
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(ImportBatch(source_kind="x", source_label="x", file_name="x", file_size=0, sha256="",
                                rows_read=0, rows_loaded=0, rows_rejected=0, rows_skipped=0, status="loading",
                                started_at=datetime.now(UTC)))
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalars(select(ImportBatch)).all() == []
    db.dispose()


def test_sqlite_pragmas(tmp_path):
    db = make_db(tmp_path, None)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    db.dispose()


def test_settings_defaults_and_production_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("HAMKOR_DATA_DIR", str(tmp_path / "x"))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'x' / 'hamkor.sqlite3').resolve()}"
    assert settings.resolved_warehouse_path == tmp_path / "x" / "warehouse.duckdb"
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(mode="production")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(mode="production", secret_key="short-and-guessable")
    strong = "k" * 40
    assert Settings(mode="production", secret_key=strong).effective_secret_key == strong


def test_without_a_key_each_data_directory_makes_its_own(tmp_path):
    """No HAMKOR_SECRET_KEY: a random key per data directory, kept readable by its owner only, the
    same on the next start, different elsewhere, and never the constant an older version used."""
    first = Settings(data_dir=tmp_path / "a").effective_secret_key
    assert len(first) >= 32 and first != "hamkor-development-key-not-for-production"
    key_file = tmp_path / "a" / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path / "a").effective_secret_key == first
    assert Settings(data_dir=tmp_path / "b").effective_secret_key != first


def test_import_service_on_postgres_records_batches(tmp_path, database_url, fixtures):
    from hamkor.trade.service import ImportService
    from hamkor.trade.warehouse import Warehouse

    settings = Settings(data_dir=tmp_path / "d", database_url=database_url)
    db = Database(settings)
    db.upgrade()
    service = ImportService(db, Warehouse(settings))
    outcome = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    assert outcome.status == "loaded"
    again = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    assert again.status == "duplicate"
    assert [b.status for b in service.batches()] == ["duplicate", "loaded"]
    db.dispose()


def test_settings_read_the_environment_under_explicit_values_and_name_what_does_not_fit(monkeypatch):
    """Settings without a framework: HAMKOR_<NAME> is read and converted to the field's type, an argument
    wins over it, and a value that does not fit names the variable."""
    monkeypatch.setenv("HAMKOR_PORT", "9001")
    monkeypatch.setenv("HAMKOR_SMTP_STARTTLS", "no")
    monkeypatch.setenv("HAMKOR_SESSION_IDLE_HOURS", "1.5")
    monkeypatch.setenv("HAMKOR_WAREHOUSE_PATH", "/srv/w.duckdb")
    settings = Settings()
    assert settings.port == 9001 and settings.smtp_starttls is False and settings.session_idle_hours == 1.5
    assert settings.warehouse_path == Path("/srv/w.duckdb") and settings.smtp_host is None
    assert Settings(port=8123).port == 8123
    assert settings.replace(port=1).port == 1 and settings.port == 9001
    monkeypatch.setenv("HAMKOR_PORT", "eighty")
    with pytest.raises(ValueError, match="HAMKOR_PORT: 'eighty' is not a whole number"):
        Settings()
    monkeypatch.delenv("HAMKOR_PORT")
    with pytest.raises(ValueError, match="HAMKOR_MODE: 'prod' is not one of development, production"):
        Settings(mode="prod")
    with pytest.raises(ValueError, match="HAMKOR_SMTP_STARTTLS"):
        Settings(smtp_starttls="perhaps")
    with pytest.raises(TypeError, match="unknown settings: colour"):
        Settings(colour="red")
    assert "x" * 40 not in repr(Settings(secret_key="x" * 40))  # a settings object ends up in logs


def test_a_pooled_connection_the_server_dropped_is_replaced_after_a_rest(tmp_path, pg_schema_url, monkeypatch):
    """A year of running meets a restarted PostgreSQL: a connection that rested in the pool is tried before it is
    used and replaced if dead; one used a moment ago is not tried (a round trip saved in every unit of work)."""
    from sqlalchemy import exc

    import hamkor.store.db as store

    url, _ = pg_schema_url
    db = Database(Settings(data_dir=tmp_path, database_url=url))
    killer = Database(Settings(data_dir=tmp_path / "other", database_url=url))

    def backend() -> int:
        with db.session() as session:
            return session.execute(text("SELECT pg_backend_pid()")).scalar()

    def terminate(pid: int) -> None:
        with killer.session() as session:
            assert session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

    monkeypatch.setattr(store, "PING_AFTER_IDLE_SECONDS", 3600.0)  # used a moment ago: handed out untried
    terminate(backend())
    with pytest.raises(exc.DBAPIError):
        backend()
    first = backend()  # the pool noticed and connects anew
    monkeypatch.setattr(store, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had rested: tried first
    terminate(first)
    assert backend() not in (first, None)  # replaced, and no error reached the caller
    killer.dispose()
    db.dispose()
