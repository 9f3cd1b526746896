"""One archive of everything a department would lose: the operational database, the trade warehouse and
the documents, taken while the server runs, restored into an empty data directory and checked.

The database goes in as a logical snapshot (every table's rows, read in one transaction: a consistent
moment on SQLite and PostgreSQL alike), so an archive restores into either — the way to move from the
embedded database to PostgreSQL. The warehouse file is copied under its writers' lock (no import can
change it meanwhile). The secret key is left out: a restored instance makes its own, and sessions end.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from sqlalchemy import Date, DateTime, LargeBinary, func, select, text

from hamkor import __version__
from hamkor.config import Settings
from hamkor.errors import Problem
from hamkor.store.db import Database, as_utc
from hamkor.store.models import Base
from hamkor.trade.warehouse import warehouse_lock

FORMAT = 1


class BackupError(Problem):
    """An archive that cannot be made or restored as asked; nothing is half-done."""


def _json_value(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _column_value(column, value):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def warehouse_totals(path: Path) -> dict:
    """What the warehouse holds, to check a copy by: rows, and the sum of values, per batch."""
    if not path.exists():
        return {"rows": 0, "value_usd": 0.0, "batches": {}}
    con = duckdb.connect(str(path))
    try:
        rows, value = con.execute("SELECT count(*), coalesce(sum(value_usd), 0) FROM trade_flow").fetchone()
        batches = {str(b): [n, round(v, 2)] for b, n, v in con.execute(
            "SELECT batch_id, count(*), coalesce(sum(value_usd), 0) FROM trade_flow GROUP BY batch_id").fetchall()}
    except duckdb.CatalogException:
        rows, value, batches = 0, 0.0, {}
    finally:
        con.close()
    return {"rows": rows, "value_usd": round(value, 2), "batches": batches}


def backup(settings: Settings, output: Path, progress=None) -> dict:
    """Write the archive; return its manifest (what it holds, to be checked on restore)."""
    tell = progress or (lambda fraction, what: None)
    db = Database(settings)
    try:
        revision = db.current_revision()
        tables, counts = {}, {}
        tell(0.05, "database")
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "postgresql":  # one snapshot for every table
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():  # every table from one moment
                for table in Base.metadata.sorted_tables:
                    rows = [[_json_value(v) for v in row] for row in connection.execute(select(table))]
                    tables[table.name] = {"columns": [c.name for c in table.columns], "rows": rows}
                    counts[table.name] = len(rows)
    finally:
        db.dispose()
    documents = sorted(p for p in settings.documents_dir.rglob("*") if p.is_file()) \
        if settings.documents_dir.exists() else []
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent) as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        source = settings.resolved_warehouse_path
        tell(0.3, "warehouse")
        with warehouse_lock(source):  # imports wait; reading goes on
            if source.exists():
                shutil.copy2(source, copy)
                wal = source.with_name(source.name + ".wal")
                if wal.exists():
                    shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
        totals = warehouse_totals(copy)  # opening the copy folds its log in: the file alone is enough now
        manifest = {"format": FORMAT, "hamkor": __version__, "created_at": datetime.now(UTC).isoformat(),
                    "revision": revision, "tables": counts, "warehouse": totals,
                    "documents": {p.relative_to(settings.documents_dir).as_posix(): _sha256(p) for p in documents}}
        tell(0.6, "archive")
        with tarfile.open(partial, "w:gz", compresslevel=1) as archive:
            def add_bytes(name: str, data: bytes) -> None:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))

            add_bytes("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            add_bytes("database.json", json.dumps(tables, ensure_ascii=False).encode("utf-8"))
            if copy.exists():
                archive.add(copy, "warehouse.duckdb")
            for path in documents:
                archive.add(path, "documents/" + path.relative_to(settings.documents_dir).as_posix())
    partial.replace(output)  # never a half-written archive under the name asked for
    tell(1.0, "done")
    return manifest


def restore(archive_path: Path, settings: Settings, progress=None) -> dict:
    """Restore into an empty data directory (and an empty database when it is PostgreSQL), then check
    every table's row count, the warehouse's totals and every document's sha256 against the manifest."""
    tell = progress or (lambda fraction, what: None)
    target = settings.data_dir
    if target.exists() and any(p.name != "secret.key" for p in target.iterdir()):
        raise BackupError([("data_dir", f"{target} is not empty: restore into a new, empty directory")])
    try:
        archive = tarfile.open(archive_path, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise BackupError([("archive", f"{archive_path.name} is not a hamkor backup ({error})")]) from None
    with archive:
        names = set(archive.getnames())
        if not {"manifest.json", "database.json"} <= names:
            raise BackupError([("archive", f"{archive_path.name} is not a hamkor backup (no manifest)")])
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError([("archive", f"backup format {manifest.get('format')} is not {FORMAT}")])
        db = Database(settings)
        try:
            with db.engine.connect() as connection:
                existing = [t for t in Base.metadata.sorted_tables if db.engine.dialect.has_table(connection, t.name)]
            if existing:
                raise BackupError([("database", "the database is not empty: restore into an empty one")])
            tell(0.1, "database")
            db.upgrade(manifest["revision"] or "head")
            tables = json.load(archive.extractfile("database.json"))
            with db.engine.begin() as connection:
                for table in Base.metadata.sorted_tables:
                    saved = tables.get(table.name)
                    if not saved or not saved["rows"]:
                        continue
                    columns = {c.name: c for c in table.columns}
                    rows = [{name: _column_value(columns[name], value) for name, value in zip(saved["columns"], row,
                                                                                              strict=True)}
                            for row in saved["rows"]]
                    connection.execute(table.insert(), rows)
                if db.engine.dialect.name == "postgresql":  # ids continue after the restored ones
                    for table in Base.metadata.sorted_tables:
                        key = table.primary_key.columns.values()
                        if len(key) == 1 and key[0].autoincrement is not False and key[0].type.python_type is int:
                            connection.execute(text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                                f"coalesce((SELECT max({key[0].name}) FROM {table.name}), 0) + 1, false)"))
            db.upgrade("head")
            tell(0.5, "files")
            target.mkdir(parents=True, exist_ok=True)
            for member in archive.getmembers():
                if member.name == "warehouse.duckdb":
                    archive.extract(member, target, filter="data")
                    (target / "warehouse.duckdb").replace(settings.resolved_warehouse_path)
                elif member.name.startswith("documents/") and member.isfile():
                    archive.extract(member, target, filter="data")
            tell(0.8, "checking")
            problems = _check(db, settings, manifest)
        finally:
            db.dispose()
    if problems:
        raise BackupError([("archive", problem) for problem in problems])
    tell(1.0, "done")
    return manifest


def _check(db: Database, settings: Settings, manifest: dict) -> list[str]:
    problems = []
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            count = connection.execute(select(func.count()).select_from(table)).scalar()
            expected = manifest["tables"].get(table.name, 0)
            if count != expected:
                problems.append(f"table {table.name}: {count} rows restored, {expected} backed up")
    if db.current_revision() is None:
        problems.append("the database has no migration revision")
    totals = warehouse_totals(settings.resolved_warehouse_path)
    if totals != manifest["warehouse"]:
        problems.append(f"warehouse: {totals['rows']} rows restored, {manifest['warehouse']['rows']} backed up")
    for name, digest in manifest["documents"].items():
        path = settings.documents_dir / name
        if not path.exists() or _sha256(path) != digest:
            problems.append(f"document {name}: missing or changed")
    return problems


def check_head(settings: Settings) -> bool:
    """The restored database is at the newest migration (after `restore` upgraded it)."""
    from alembic.script import ScriptDirectory

    from hamkor.store.db import alembic_config

    db = Database(settings)
    try:
        return db.current_revision() == ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    finally:
        db.dispose()


