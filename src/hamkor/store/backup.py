"""One archive of everything a department would lose: the operational database, the trade warehouse and
the documents, taken while the server runs, restored into an empty data directory and checked.

The database goes in as a logical snapshot (every table's rows, read in one transaction: a consistent
moment on SQLite and PostgreSQL alike), so an archive restores into either — the way to move from the
embedded database to PostgreSQL. The snapshot is read and the warehouse file copied under the warehouse's
writers' lock: an import writes its rows and its history row under that lock, so the archive's import
history and its warehouse are of the same moment.

The manifest (the archive's first member) lists every other member with its size and sha256, and what
the restored data must add up to: each table's rows and an order-free checksum of them, the warehouse's
rows and checksum per batch. Its second member signs it: an HMAC keyed with the instance's secret key
(`HAMKOR_SECRET_KEY`, else the data directory's `secret.key`, which is not in the archive). A restore on
an instance with that key refuses an archive changed after it was written.

A restore reads and checks the whole archive, and checks every row against the target database's
columns, before it writes anything; it builds the new data directory beside the target and moves it in
only once all of it is checked, and on PostgreSQL it writes in one transaction. A restore that fails
leaves the target as it was, so it can simply be tried again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import shutil
import tarfile
import tempfile
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

import duckdb
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hamkor import __version__
from hamkor.config import MIN_SECRET_BYTES, SECRET_FILE, Settings
from hamkor.errors import Problem
from hamkor.i18n import Msg
from hamkor.store.db import Database, as_utc, refuse_a_stray_database
from hamkor.store.models import Base, ImportBatch
from hamkor.trade.warehouse import warehouse_lock

FORMAT = 2
READABLE_FORMATS = (1, 2)  # 1: written before archives were signed; restored only when trusted as unsigned
MANIFEST, SIGNATURE, DATABASE, WAREHOUSE, DOCUMENTS = (
    "manifest.json", "manifest.sig", "database.json", "warehouse.duckdb", "documents/")
# The manifest and its signature are read whole before anything else is trusted: bounded.
MANIFEST_LIMIT = 64 << 20
SIGNATURE_LIMIT = 4096
SHOWN_PROBLEMS = 5  # a reason stays one line: the first few problems, then how many more
WAREHOUSE_TABLES = ("trade_flow", "warehouse_batch", "batch_coverage")


class BackupError(Problem):
    """An archive that cannot be made or restored as asked; nothing is half-done."""


def _refuse(reason: Msg, field: str = "archive") -> BackupError:
    return BackupError([(field, reason)])


# -- the instance's key ------------------------------------------------------------------------------------

def instance_key(settings: Settings, create: bool = False) -> tuple[str | None, str]:
    """The secret key archives are signed with, and where it is kept. A backup makes the data directory's
    key if there is none yet (as the web server would); a restore only reads it."""
    if settings.secret_key:
        return settings.secret_key, "HAMKOR_SECRET_KEY"
    path = settings.data_dir / SECRET_FILE
    if create:
        return settings.effective_secret_key, str(path)
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= MIN_SECRET_BYTES:
            return key, str(path)
    return None, str(path)


def key_id(secret: str) -> str:
    """A short name of a key that gives nothing of it away: it tells which key signed an archive."""
    return hmac.new(secret.encode("utf-8"), b"hamkor backup key id", hashlib.sha256).hexdigest()[:12]


def _mac(secret: str, manifest: bytes) -> str:
    # Its own key, derived from the secret: a signed session cookie can never pass for a signed archive.
    key = hmac.new(secret.encode("utf-8"), b"hamkor backup signature", hashlib.sha256).digest()
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def _signature(secret: str, manifest: bytes) -> bytes:
    return json.dumps({"algorithm": "HMAC-SHA256", "key_id": key_id(secret), "mac": _mac(secret, manifest)}
                      ).encode("utf-8")


def _verify(manifest: bytes, signature: bytes | None, secret: str | None, kept_at: str, unsigned: bool) -> str:
    """'checked' when the signature holds under this instance's key, 'unchecked' when it cannot be checked
    and the caller trusts the archive anyway. An archive signed with this very key that does not verify was
    changed: refused whatever the caller says."""
    fields = None
    if signature is not None:
        try:
            fields = json.loads(signature)
            fields = (str(fields["key_id"]), str(fields["mac"]))
        except (ValueError, TypeError, KeyError):
            fields = None
    if fields is not None and secret is not None and fields[0] == key_id(secret):
        if hmac.compare_digest(fields[1].encode("utf-8"), _mac(secret, manifest).encode("utf-8")):
            return "checked"
        raise _refuse(Msg("the archive was changed after it was written: its signature does not match"))
    if unsigned:
        return "unchecked"
    if signature is None:
        raise _refuse(Msg("the archive carries no signature: restore it with --unsigned only if you trust it"))
    if fields is None:
        raise _refuse(Msg("the archive was changed after it was written: its signature does not match"))
    if secret is None:
        raise _refuse(Msg("this instance has no secret key to check the archive with: put the secret.key of the "
                          "instance that wrote it in %(folder)s or set HAMKOR_SECRET_KEY to it, or restore "
                          "with --unsigned only if you trust the archive", folder=str(Path(kept_at).parent)))
    raise _refuse(Msg("the archive was signed with another key (%(theirs)s; this instance's is %(ours)s): use "
                      "the key of the instance that wrote it (HAMKOR_SECRET_KEY or %(where)s), or restore with "
                      "--unsigned only if you trust the archive", theirs=_plain(fields[0], 40), ours=key_id(secret),
                      where=kept_at if kept_at != "HAMKOR_SECRET_KEY" else "secret.key"))


# -- what the archive's data must add up to ----------------------------------------------------------------

def _json_value(value):
    if isinstance(value, datetime):
        return as_utc(value).astimezone(UTC).isoformat()
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


def _row_digest(values: list) -> int:
    """A row's share of its table's checksum. The checksum is the sum of these: exact (integers) and the
    same in whatever order the rows are read."""
    canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest()[:8], "big")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _row_hash(con, table: str) -> str:
    """SQL for a row's hash, over all its columns."""
    columns = [name for (name,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                "table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
    return "hash(" + ", ".join(f'"{name}"' for name in columns) + ")"


def warehouse_totals(path: Path) -> dict:
    """What the warehouse holds, to check a copy by, per batch: its rows, the sum of their values as an exact
    decimal, and a checksum (the sum of each row's hash); the other tables' rows and checksums. Sums of
    integers and decimals are the same in whatever order DuckDB adds them: the floating-point sum was not,
    and its last digits moved from one run to the next. DuckDB's hash may change with its version, so the
    version is noted and the checksums compared only under the same one."""
    empty = {"duckdb": duckdb.__version__, "rows": 0, "value_usd": "0", "checksum": "0", "batches": {},
             "tables": {}}
    if not path.exists():
        return empty
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")
        present = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "trade_flow" not in present:
            return empty
        batches = {str(batch): {"rows": rows, "value_usd": str(value), "checksum": str(checksum)}
                   for batch, rows, value, checksum in con.execute(
                       f"SELECT batch_id, count(*), sum(TRY_CAST(value_usd AS DECIMAL(38, 6))), "
                       f"sum({_row_hash(con, 'trade_flow')}) FROM trade_flow GROUP BY batch_id ORDER BY batch_id"
                   ).fetchall()}
        tables = {}
        for table in WAREHOUSE_TABLES[1:]:
            if table in present:
                rows, checksum = con.execute(
                    f"SELECT count(*), coalesce(sum({_row_hash(con, table)}), 0) FROM {table}").fetchone()
                tables[table] = {"rows": rows, "checksum": str(checksum)}
    finally:
        con.close()
    return {"duckdb": duckdb.__version__, "rows": sum(b["rows"] for b in batches.values()),
            "value_usd": str(sum(Decimal(b["value_usd"]) for b in batches.values())),
            "checksum": str(sum(int(b["checksum"]) for b in batches.values())), "batches": batches, "tables": tables}


def _comparable(totals: dict, hashes: bool) -> dict:
    """Warehouse totals as two DuckDB versions can compare them: without the hashes when versions differ."""
    if hashes:
        return {key: value for key, value in totals.items() if key != "duckdb"}
    return {"rows": totals["rows"], "value_usd": totals["value_usd"],
            "batches": {b: {"rows": t["rows"], "value_usd": t["value_usd"]} for b, t in totals["batches"].items()},
            "tables": {name: {"rows": t["rows"]} for name, t in totals["tables"].items()}}


# -- backup ------------------------------------------------------------------------------------------------

def _snapshot(settings: Settings) -> tuple[str | None, dict, dict]:
    """Every table's rows from one moment, and each table's rows and checksum."""
    db = Database(settings)
    try:
        revision = db.current_revision()
        tables, sums = {}, {}
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "postgresql":  # one snapshot for every table
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():  # every table from one moment
                for table in Base.metadata.sorted_tables:
                    rows = [[_json_value(v) for v in row] for row in connection.execute(select(table))]
                    tables[table.name] = {"columns": [c.name for c in table.columns], "rows": rows}
                    sums[table.name] = {"rows": len(rows), "checksum": str(sum(map(_row_digest, rows)))}
    finally:
        db.dispose()
    return revision, tables, sums


def _copy_hashing(source: Path, target: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reading, open(target, "wb") as writing:
        for block in iter(lambda: reading.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            writing.write(block)
    return {"sha256": digest.hexdigest(), "size": size}


def backup(settings: Settings, output: Path, progress=None) -> dict:
    """Write the archive; return its manifest (what it holds, to be checked on restore)."""
    refuse_a_stray_database(settings)  # before the key or a database file is made: a cron line without the URL
    tell = progress or (lambda fraction, what: None)
    secret, _ = instance_key(settings, create=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    source = settings.resolved_warehouse_path
    with tempfile.TemporaryDirectory(dir=output.parent) as folder:
        scratch = Path(folder)
        copy = scratch / WAREHOUSE
        # Imports wait while the history is read and the warehouse copied; reading goes on.
        with warehouse_lock(source):
            tell(0.05, "database")
            revision, tables, sums = _snapshot(settings)
            tell(0.3, "warehouse")
            if source.exists():
                shutil.copy2(source, copy)
                wal = source.with_name(source.name + ".wal")
                if wal.exists():
                    shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
        totals = warehouse_totals(copy)  # opening the copy folds its log in: the file alone is enough now
        batches = tables["import_batch"]
        at = {name: batches["columns"].index(name) for name in ("id", "status", "rows_loaded")}
        history = history_disagreements({row[at["id"]]: (row[at["status"]], row[at["rows_loaded"]])
                                         for row in batches["rows"]}, totals)
        database = json.dumps(tables, ensure_ascii=False).encode("utf-8")
        members = {DATABASE: {"sha256": hashlib.sha256(database).hexdigest(), "size": len(database)}}
        if copy.exists():
            members[WAREHOUSE] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
        # Documents are copied first, so that what the manifest says of each is what the archive holds.
        documents = {}
        if settings.documents_dir.exists():
            for path in sorted(p for p in settings.documents_dir.rglob("*") if p.is_file()):
                name = path.relative_to(settings.documents_dir).as_posix()
                member = _copy_hashing(path, scratch / "documents" / name)
                members[DOCUMENTS + name] = member
                documents[name] = member["sha256"]
        manifest = {"format": FORMAT, "hamkor": __version__, "created_at": datetime.now(UTC).isoformat(),
                    "revision": revision, "tables": sums, "warehouse": totals, "documents": documents,
                    "history": history, "members": members, "key_id": key_id(secret)}
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        tell(0.6, "archive")
        with tarfile.open(partial, "w:gz", compresslevel=1) as archive:
            def add_bytes(name: str, data: bytes) -> None:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))

            # The manifest and its signature first: a restore checks them before it reads anything else.
            add_bytes(MANIFEST, manifest_bytes)
            add_bytes(SIGNATURE, _signature(secret, manifest_bytes))
            add_bytes(DATABASE, database)
            if copy.exists():
                archive.add(copy, WAREHOUSE)
            for name in documents:
                archive.add(scratch / "documents" / name, DOCUMENTS + name)
    partial.replace(output)  # never a half-written archive under the name asked for
    tell(1.0, "done")
    return manifest


# -- restore -----------------------------------------------------------------------------------------------

def restore(archive_path: Path, settings: Settings, progress=None, *, unsigned: bool = False) -> dict:
    """Restore into an empty data directory (and an empty database), or change nothing.

    The archive is read whole and checked first (its signature under this instance's key unless
    `unsigned`, every member's size and sha256 against the manifest, nothing missing and nothing more), and
    every row against the target database's columns. The data directory is built beside the target and
    checked there (every table's rows and checksum, the warehouse's rows and checksum per batch, the import
    history against the warehouse), then moved in. The manifest comes back with `signature` set to
    'checked' or 'unchecked'."""
    tell = progress or (lambda fraction, what: None)
    target = settings.data_dir
    if target.exists() and any(p.name != SECRET_FILE for p in target.iterdir()):
        raise _refuse(Msg("%(folder)s is not empty: restore into a new, empty directory", folder=str(target)),
                      "data_dir")
    sqlite_file = _sqlite_file(settings)
    for path in (settings.warehouse_path, sqlite_file):
        if path is not None and path.exists() and path.stat().st_size > 0:
            raise _refuse(Msg("%(path)s exists: restore where nothing is yet", path=str(path)), "data_dir")
    secret, kept_at = instance_key(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
    # The database is built in the staging folder too, unless it is PostgreSQL: then in one transaction.
    staged = settings.replace(data_dir=staging / "data", warehouse_path=None,
                              database_url=None if sqlite_file is not None else settings.database_url)
    placed: list[Path] = []
    made_target = not target.exists()
    try:
        db = Database(staged)
        try:
            with db.engine.connect() as connection:
                if any(db.engine.dialect.has_table(connection, name)
                       for name in [*Base.metadata.tables, "alembic_version"]):
                    raise _refuse(Msg("the database is not empty: restore into an empty one"), "database")
            tell(0.05, "archive")
            manifest, tables = _unpack(archive_path, staging, staged.data_dir, secret, kept_at, unsigned)
            _check_fits(tables, manifest, db.engine.dialect.name)  # before anything is written
            tell(0.4, "database")
            with db.engine.connect() as connection:
                transaction = connection.begin()
                try:
                    _fill(db, connection, manifest, tables)
                    tell(0.7, "checking")
                    problems = _check_database(connection, manifest)
                    problems += _check_warehouse(staged.resolved_warehouse_path, manifest, connection)
                    if problems:
                        raise BackupError([("archive", p) for p in _shown(problems)])
                    if sqlite_file is None:  # PostgreSQL: the files go in, then the rows are committed
                        _place(staged, settings, None, placed)
                    transaction.commit()
                except SQLAlchemyError as error:
                    raise _refuse(Msg("the database refused the archive's rows (%(reason)s); nothing was "
                                      "restored", reason=_first_line(error)), "database") from None
                finally:
                    if transaction.is_active:
                        transaction.rollback()
        finally:
            db.dispose()
        if sqlite_file is not None:
            _place(staged, settings, sqlite_file, placed)
    except BaseException as error:
        for path in reversed(placed):  # whatever was moved in goes: the target is as it was
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        if made_target and target.exists() and not any(target.iterdir()):
            target.rmdir()
        if isinstance(error, OSError):  # a disk full or a folder not writable: said in one line
            raise _refuse(Msg("the restore stopped (%(reason)s); nothing was restored",
                              reason=_first_line(error)), "data_dir") from None
        if isinstance(error, SQLAlchemyError):  # the database could not be reached or read, before any row
            raise _refuse(Msg("the database could not be used (%(reason)s); nothing was restored",
                              reason=_first_line(error)), "database") from None
        if isinstance(error, duckdb.Error):
            raise _refuse(Msg("the archive's warehouse cannot be read (%(reason)s); nothing was restored",
                              reason=_first_line(error))) from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tell(1.0, "done")
    return manifest


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return _plain((str(original).strip().splitlines() or [type(original).__name__])[0], 300)


def _plain(value, limit: int = 200) -> str:
    """A value from the archive as a reason may quote it: on one line, printable, not too long."""
    return "".join(c if c.isprintable() else "?" for c in str(value)[:limit])


def _shown(problems: list) -> list:
    if len(problems) <= SHOWN_PROBLEMS:
        return problems
    return problems[:SHOWN_PROBLEMS] + [Msg("and %(count)s more", count=len(problems) - SHOWN_PROBLEMS)]


def _sqlite_file(settings: Settings) -> Path | None:
    """Where a SQLite database lives (None for PostgreSQL)."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise _refuse(Msg("a restore needs a database file or PostgreSQL"), "database")
    return Path(url.database)


def _place(staged: Settings, settings: Settings, sqlite_file: Path | None, placed: list[Path]) -> None:
    """Move the checked data directory into the target, each part by a rename; `placed` records what went
    in, for the caller to take it out again should a later step fail."""
    moves = [(staged.resolved_warehouse_path, settings.resolved_warehouse_path),
             (staged.documents_dir, settings.documents_dir)]
    if sqlite_file is not None:
        database = Path(make_url(staged.resolved_database_url).database)
        moves += [(database.with_name(database.name + suffix), sqlite_file.with_name(sqlite_file.name + suffix))
                  for suffix in ("", "-wal", "-shm")]
    for source, destination in moves:
        if not source.exists():
            continue
        if destination.exists() and (destination.is_dir() or destination.stat().st_size > 0):
            raise _refuse(Msg("%(path)s exists: restore where nothing is yet", path=str(destination)), "data_dir")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, destination)
        placed.append(destination)


def _member_name(name: str) -> str | None:
    """A member name the archive may hold, in its one spelling; None for anything else (an absolute path,
    '..', a link's target)."""
    if name in (DATABASE, WAREHOUSE):
        return name
    if not name.startswith(DOCUMENTS) or "\\" in name or "\x00" in name:
        return None
    parts = PurePosixPath(name[len(DOCUMENTS):]).parts
    if not parts or any(p in ("", ".", "..") or p.startswith("/") or len(p.encode("utf-8")) > 255 for p in parts):
        return None
    return DOCUMENTS + "/".join(parts) if DOCUMENTS + "/".join(parts) == name else None


def _expected_members(manifest: dict) -> tuple[dict[str, tuple[str | None, int | None]], set[str]]:
    """name -> (sha256, size) of every member the manifest promises (None where a format-1 manifest did not
    say), and the names that must be there."""
    expected: dict[str, tuple[str | None, int | None]] = {}
    if manifest["format"] == 1:
        expected[DATABASE] = expected[WAREHOUSE] = (None, None)
        for name, digest in manifest["documents"].items():
            expected[DOCUMENTS + name] = (digest, None)
        return expected, set(expected) - {WAREHOUSE}
    for name, member in manifest["members"].items():
        digest, size = member["sha256"], member["size"]
        if not (isinstance(digest, str) and len(digest) == 64 and isinstance(size, int) and size >= 0):
            raise ValueError(f"member {name} is described wrongly")
        expected[name] = (digest, size)
    if DATABASE not in expected:
        raise ValueError("no database member")
    return expected, set(expected)


def _read_manifest(data: bytes) -> dict:
    """The manifest, its shape checked: what is read from it later is known to be there and of its kind."""
    try:
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
        if manifest.get("format") not in READABLE_FORMATS:
            raise _refuse(Msg("backup format %(found)s is not one this version reads (%(known)s)",
                              found=_plain(manifest.get("format"), 20), known=", ".join(map(str, READABLE_FORMATS))))
        _expect(manifest.get("revision") is None or isinstance(manifest["revision"], str), "revision")
        documents, tables, warehouse = manifest["documents"], manifest["tables"], manifest["warehouse"]
        _expect(isinstance(documents, dict) and all(isinstance(d, str) and _member_name(DOCUMENTS + n)
                                                    for n, d in documents.items()), "documents")
        _expect(isinstance(tables, dict) and isinstance(warehouse, dict) and _count(warehouse.get("rows"))
                and isinstance(warehouse.get("batches"), dict), "tables or warehouse")
        if manifest["format"] == 1:
            _expect(all(_count(n) for n in tables.values()), "tables")
            _expect(all(isinstance(b, list) and b and _count(b[0]) for b in warehouse["batches"].values()),
                    "warehouse batches")
        else:
            _expect(all(_summed(t) for t in tables.values()), "tables")
            _expect(isinstance(warehouse.get("duckdb"), str) and isinstance(warehouse.get("value_usd"), str)
                    and isinstance(warehouse.get("tables"), dict) and all(
                        _summed(b) and isinstance(b.get("value_usd"), str) for b in warehouse["batches"].values())
                    and all(_summed(t) for t in warehouse["tables"].values()), "warehouse")
            _expect(isinstance(manifest["members"], dict) and all(
                isinstance(n, str) and _member_name(n) for n in manifest["members"]), "members")
            _expect(isinstance(manifest["history"], list) and all(
                isinstance(h, list) and len(h) == 4 for h in manifest["history"]), "history")
        _expected_members(manifest)
    except BackupError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise _refuse(Msg("the archive's manifest is not valid (%(reason)s)", reason=_first_line(error))) from None
    return manifest


def _expect(holds: bool, what: str) -> None:
    if not holds:
        raise ValueError(what)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _summed(value) -> bool:
    return isinstance(value, dict) and _count(value.get("rows")) and isinstance(value.get("checksum"), str)


def _unpack(archive_path: Path, staging: Path, data_dir: Path, secret: str | None, kept_at: str,
            unsigned: bool) -> tuple[dict, dict]:
    """Read the archive once, front to back: the manifest and its signature first and checked, then each
    member written where it belongs in the staging folder while its sha256 is taken. Returns the manifest
    (with `signature`) and the database's tables."""
    try:
        with tarfile.open(archive_path, "r|*") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile() or first.size > MANIFEST_LIMIT:
                raise _refuse(Msg("%(name)s is not a hamkor backup (no manifest)", name=archive_path.name))
            manifest_bytes = archive.extractfile(first).read()
            member = archive.next()
            signature = None
            if member is not None and member.name == SIGNATURE:
                if not member.isfile() or member.size > SIGNATURE_LIMIT:
                    raise _refuse(Msg("the archive was changed after it was written: its signature does not match"))
                signature = archive.extractfile(member).read()
                member = archive.next()
            # The signature before the manifest is even parsed: what is trusted is read only once checked.
            checked = _verify(manifest_bytes, signature, secret, kept_at, unsigned)
            manifest = _read_manifest(manifest_bytes)
            manifest["signature"] = checked
            expected, required = _expected_members(manifest)
            seen: set[str] = set()
            while member is not None:
                name = _member_name(member.name)
                if name in seen:
                    raise _refuse(Msg("the archive holds %(name)s twice", name=name))
                if name is None or name not in expected:
                    raise _refuse(Msg("the archive holds %(name)s, which its manifest does not list",
                                      name=_plain(member.name)))
                digest, size = expected[name]
                if not member.isfile() or (size is not None and member.size != size):
                    raise _refuse(Msg("the archive's %(name)s differs from its manifest", name=name))
                destination = (staging / DATABASE if name == DATABASE else data_dir / WAREHOUSE
                               if name == WAREHOUSE else data_dir / "documents" / name[len(DOCUMENTS):])
                found = _write_member(archive.extractfile(member), destination)
                if digest is not None and found != digest:
                    raise _refuse(Msg("the archive's %(name)s differs from its manifest", name=name))
                seen.add(name)
                member = archive.next()
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise _refuse(Msg("%(name)s is not a hamkor backup, or is damaged or cut short (%(reason)s)",
                          name=archive_path.name, reason=_first_line(error))) from None
    missing = sorted(required - seen)
    if missing:
        raise _refuse(Msg("the archive lacks %(name)s, which its manifest lists", name=missing[0]))
    try:
        tables = json.loads((staging / DATABASE).read_bytes())
        if not isinstance(tables, dict):
            raise ValueError("not an object")
    except ValueError as error:
        raise _refuse(Msg("the archive's database is not valid (%(reason)s)", reason=_first_line(error))) from None
    return manifest, tables


def _write_member(source, destination: Path) -> str:
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(destination, "wb") as writing:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            writing.write(block)
    return digest.hexdigest()


# What the target's whole-number columns hold: PostgreSQL by the column's type, SQLite 64 bits for all.
_INTEGER_BITS = {SmallInteger: 16, BigInteger: 64, Integer: 32}


def _misfit(column, value, dialect: str) -> Msg | None:
    """Why a value from the archive would not go into the target's column as it is, or None."""
    kind = column.type
    if value is None:
        return None if column.nullable else Msg("empty, where a value is required")
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else Msg("not true or false")
    if isinstance(kind, Integer):
        bits = 64 if dialect != "postgresql" else next(b for t, b in _INTEGER_BITS.items() if isinstance(kind, t))
        if isinstance(value, bool) or not isinstance(value, int):
            return Msg("not a whole number")
        return None if -(1 << bits - 1) <= value < 1 << bits - 1 else Msg(
            "%(value)s does not fit a whole-number column of the target", value=str(value))
    if isinstance(kind, Float):
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else Msg("not a number")
    if isinstance(kind, (DateTime, Date)):
        try:
            (datetime if isinstance(kind, DateTime) else date).fromisoformat(value)
        except (TypeError, ValueError):
            return Msg("not a date")
        return None
    if isinstance(kind, LargeBinary):
        try:
            base64.b64decode(value, validate=True)
        except (TypeError, ValueError):
            return Msg("not binary data")
        return None
    if isinstance(kind, String):
        if not isinstance(value, str):
            return Msg("not text")
        if dialect == "postgresql":
            if kind.length is not None and len(value) > kind.length:
                return Msg("%(length)s characters, where the target holds %(limit)s",
                           length=len(value), limit=kind.length)
            if "\x00" in value:
                return Msg("a NUL character, which PostgreSQL cannot store")
    return None


def _check_fits(tables: dict, manifest: dict, dialect: str) -> None:
    """Every table, column and value of the archive fits the target database: checked before anything is
    written, as a database that refuses a row half-way would leave the restore half-done."""
    from alembic.script import ScriptDirectory

    from hamkor.store.db import alembic_config

    revision = manifest.get("revision")
    if revision is not None:
        try:
            ScriptDirectory.from_config(alembic_config(None)).get_revision(revision)
        except Exception:  # noqa: BLE001 - Alembic says "unknown" in several ways
            raise _refuse(Msg("the archive was written at database revision %(revision)s, which this version "
                              "does not know: restore it with the hamkor that wrote it, or a newer one",
                              revision=_plain(revision, 40))) from None
    known = Base.metadata.tables
    problems: list = []
    for name, saved in tables.items():
        table = known.get(name)
        if table is None:
            problems.append(Msg("table %(table)s is not one this version knows", table=_plain(name, 100)))
            continue
        columns, rows = (saved.get("columns"), saved.get("rows")) if isinstance(saved, dict) else (None, None)
        if not isinstance(columns, list) or not isinstance(rows, list):
            problems.append(Msg("table %(table)s is not valid in the archive", table=name))
            continue
        unknown = [c for c in columns if c not in table.columns]
        if unknown:
            problems.append(Msg("table %(table)s has a column %(column)s this version does not know", table=name,
                                column=_plain(unknown[0], 100)))
            continue
        key = columns.index("id") if "id" in columns else None
        for number, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != len(columns):
                problems.append(Msg("table %(table)s, row %(row)s is not valid in the archive", table=name,
                                    row=number))
                continue
            for column, value in zip(columns, row, strict=True):
                reason = _misfit(table.columns[column], value, dialect)
                if reason is not None:
                    where = Msg("record %(id)s", id=_plain(row[key], 40)) if key is not None else Msg(
                        "row %(number)s", number=number)
                    problems.append(Msg("table %(table)s, %(row)s, column %(column)s: %(reason)s", table=name,
                                        row=where, column=column, reason=reason))
            if len(problems) > SHOWN_PROBLEMS:
                break
    if problems:
        raise BackupError([("archive", p) for p in _shown(problems)])


def _fill(db: Database, connection, manifest: dict, tables: dict) -> None:
    db.upgrade(manifest.get("revision") or "head", connection)
    for table in Base.metadata.sorted_tables:
        saved = tables.get(table.name)
        if not saved or not saved["rows"]:
            continue
        columns = [table.columns[name] for name in saved["columns"]]
        connection.execute(table.insert(), [{column.name: _column_value(column, value)
                                             for column, value in zip(columns, row, strict=True)}
                                            for row in saved["rows"]])
    if db.engine.dialect.name == "postgresql":  # ids continue after the restored ones
        for table in Base.metadata.sorted_tables:
            key = table.primary_key.columns.values()
            if len(key) == 1 and key[0].autoincrement is not False and key[0].type.python_type is int:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                    f"coalesce((SELECT max({key[0].name}) FROM {table.name}), 0) + 1, false)"))
    db.upgrade("head", connection)


def _check_database(connection, manifest: dict) -> list:
    """Every table as the backup counted it: its rows, and (from format 2) their checksum."""
    from alembic.runtime.migration import MigrationContext

    problems = []
    for table in Base.metadata.sorted_tables:
        expected = manifest["tables"].get(table.name, 0)
        expected_rows = expected["rows"] if isinstance(expected, dict) else expected
        rows = [[_json_value(v) for v in row] for row in connection.execute(select(table))]
        if len(rows) != expected_rows:
            problems.append(Msg("table %(table)s: %(restored)s rows restored, %(expected)s backed up",
                                table=table.name, restored=len(rows), expected=expected_rows))
        elif isinstance(expected, dict) and str(sum(map(_row_digest, rows))) != expected["checksum"]:
            problems.append(Msg("table %(table)s: the restored rows differ from the backed-up ones",
                                table=table.name))
    if MigrationContext.configure(connection).get_current_revision() is None:
        problems.append(Msg("the database has no migration revision"))
    return problems


def _check_warehouse(path: Path, manifest: dict, connection) -> list:
    """The warehouse as the backup summed it up, and the import history in agreement with it: a batch
    'loaded' holds its rows, and rows belong to a batch the history has."""
    totals, expected = warehouse_totals(path), manifest["warehouse"]
    problems = []
    if manifest["format"] == 1:  # its float sums cannot be compared exactly: rows per batch only
        found = {batch: counts["rows"] for batch, counts in totals["batches"].items()}
        if found != {batch: counts[0] for batch, counts in expected.get("batches", {}).items()}:
            problems.append(Msg("warehouse: %(restored)s rows restored, %(expected)s backed up",
                                restored=totals["rows"], expected=expected.get("rows")))
    else:
        same_engine = totals["duckdb"] == expected["duckdb"]
        found, wanted = _comparable(totals, same_engine), _comparable(expected, same_engine)
        if found != wanted:
            changed = sorted(set(found["batches"]) ^ set(wanted["batches"])
                             | {b for b in found["batches"] if found["batches"][b] != wanted["batches"].get(b)})
            problems.append(Msg("warehouse: %(restored)s rows restored, %(expected)s backed up; batches that "
                                "differ: %(batches)s", restored=totals["rows"], expected=expected["rows"],
                                batches=", ".join(changed) or "—"))
    history = {batch: (status, rows) for batch, status, rows in connection.execute(
        select(ImportBatch.id, ImportBatch.status, ImportBatch.rows_loaded))}
    found = history_disagreements(history, totals)
    if found != manifest.get("history", []):
        batch, status, rows, held = (found or manifest["history"])[0]
        problems.append(Msg("the import history does not match the warehouse: batch %(batch)s is %(status)s with "
                            "%(rows)s rows, the warehouse holds %(held)s",
                            batch=batch, status=status, rows=rows, held=held))
    return problems


def history_disagreements(history: dict[int, tuple[str, int]], totals: dict) -> list[list]:
    """[batch, status, rows in the history, rows in the warehouse] of each batch the import history and the
    warehouse disagree on: 'loaded' without its rows, or rows of a batch the history has as not loaded (an
    import stopped between the warehouse's commit and its history: the next import settles it)."""
    held = {int(batch): counts["rows"] for batch, counts in totals["batches"].items()}
    found = []
    for batch in sorted(set(history) | set(held)):
        status, rows = history.get(batch, ("absent", 0))
        if (status == "loaded" and held.get(batch, 0) != rows) or (status != "loaded" and batch in held):
            found.append([batch, status, rows, held.get(batch, 0)])
    return found


def check_head(settings: Settings) -> bool:
    """The restored database is at the newest migration (after `restore` upgraded it)."""
    from alembic.script import ScriptDirectory

    from hamkor.store.db import alembic_config

    db = Database(settings)
    try:
        return db.current_revision() == ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    finally:
        db.dispose()
