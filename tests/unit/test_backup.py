"""Backups (issue 15, point 13): the demo goes through `hamkor backup` and `hamkor restore` and comes
back the same — every table row by row, the warehouse's totals, the documents — on SQLite and on
PostgreSQL, and an archive is refused where it would overwrite something."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hamkor.cli import app as cli
from hamkor.config import Settings
from hamkor.cooperation.service import Cooperation
from hamkor.store.backup import BackupError, backup, restore, warehouse_totals
from hamkor.store.db import Database, make_engine
from hamkor.store.models import Base
from tests.helpers import copy_of_demo

runner = CliRunner()


def _normal(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def database_rows(settings: Settings) -> dict[str, list[tuple]]:
    """Every table's rows in key order, times in UTC: what two databases are compared by."""
    db = Database(settings)
    try:
        with db.engine.connect() as connection:
            return {table.name: [tuple(_normal(v) for v in row) for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns))]
                    for table in Base.metadata.sorted_tables}
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def source(demo_settings, tmp_path_factory):
    """The demo with an agreement's signed document, so the archive holds a file too."""
    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "backup-source"))
    db = Database(settings)
    db.upgrade()
    coop = Cooperation(db, settings.documents_dir)
    agreement = coop.create("agreements", {"kind": "memorandum", "title": "Меморандум (тест)", "status": "signed"})
    coop.attach_document(agreement.id, "меморандум.pdf", b"%PDF-1.4 signed memorandum")
    db.dispose()
    return settings


def _backup(settings: Settings, archive) -> None:
    made = runner.invoke(cli, ["--data-dir", str(settings.data_dir), "backup", "-o", str(archive)])
    assert made.exit_code == 0, made.output
    assert "trade rows" in made.output and "1 documents" in made.output


def test_the_demo_comes_back_the_same_on_sqlite(source, tmp_path):
    archive = tmp_path / "hamkor.tar.gz"
    _backup(source, archive)
    target = Settings(data_dir=tmp_path / "restored")
    restored = runner.invoke(cli, ["--data-dir", str(target.data_dir), "restore", str(archive)])
    assert restored.exit_code == 0 and "checked" in restored.output, restored.output
    assert database_rows(target) == database_rows(source)
    assert warehouse_totals(target.resolved_warehouse_path) == warehouse_totals(source.resolved_warehouse_path)
    assert warehouse_totals(target.resolved_warehouse_path)["rows"] > 800_000
    [document] = [p for p in target.documents_dir.rglob("*") if p.is_file()]
    assert document.read_bytes() == b"%PDF-1.4 signed memorandum"
    # never over something: a second restore into the same place is refused and changes nothing
    again = runner.invoke(cli, ["--data-dir", str(target.data_dir), "restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in again.output
    assert database_rows(target) == database_rows(source)


def test_the_demo_comes_back_the_same_through_postgresql(source, tmp_path, pg_schema_url):
    """SQLite -> archive -> PostgreSQL -> archive -> SQLite: the same rows at every step."""
    url, schema = pg_schema_url
    engine = make_engine(url)  # the session's schema is shared: start from an empty one, as restore demands
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    first = tmp_path / "from-sqlite.tar.gz"
    _backup(source, first)
    on_postgres = Settings(data_dir=tmp_path / "pg", database_url=url)
    restore(first, on_postgres)
    assert database_rows(on_postgres) == database_rows(source)
    second = tmp_path / "from-postgres.tar.gz"
    assert backup(on_postgres, second)["tables"] == {name: len(rows) for name, rows in database_rows(source).items()}
    back = Settings(data_dir=tmp_path / "back")
    restore(second, back)
    assert database_rows(back) == database_rows(source)
    assert warehouse_totals(back.resolved_warehouse_path) == warehouse_totals(source.resolved_warehouse_path)
    db = Database(on_postgres)  # ids go on after the restored ones
    try:
        assert Cooperation(db).list("agreements")
        from hamkor.accounts.service import Accounts

        made = Accounts(db).create_user("after-restore@example.org", "a long enough one", "viewer")
        assert made.id > max((row[0] for row in database_rows(source)["app_user"]), default=0)
    finally:
        db.dispose()


def test_what_is_not_a_backup_is_refused(tmp_path):
    fake = tmp_path / "notes.tar.gz"
    fake.write_bytes(b"not an archive")
    with pytest.raises(BackupError, match="not a hamkor backup"):
        restore(fake, Settings(data_dir=tmp_path / "x"))
