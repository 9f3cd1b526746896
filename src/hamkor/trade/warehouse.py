"""The trade warehouse: one DuckDB file. One writer at a time (a lock file); readers read-only."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from hamkor.config import Settings
from hamkor.trade.facts import FACT_COLUMNS

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS trade_flow ("
    + ", ".join(f"{name} {kind}" for name, kind in FACT_COLUMNS) + ")",
    # The warehouse's own record of which batches it holds, written in the same transaction
    # as the rows: the truth when the operational database and the warehouse disagree.
    """CREATE TABLE IF NOT EXISTS warehouse_batch (
        batch_id INTEGER PRIMARY KEY, source VARCHAR, sha256 VARCHAR, rows BIGINT,
        loaded_at TIMESTAMP DEFAULT current_timestamp)""",
    # What each batch covers (reporter, year, month; itemised by product or not), written with its rows:
    # questions about the whole warehouse ("which source is a world matrix?") read this, not 55 M rows.
    """CREATE TABLE IF NOT EXISTS batch_coverage (
        batch_id INTEGER NOT NULL, source VARCHAR NOT NULL, reporter VARCHAR NOT NULL, year SMALLINT NOT NULL,
        month TINYINT, itemised BOOLEAN NOT NULL, rows BIGINT NOT NULL)""",
]
ITEMISED_SQL = "regexp_full_match(commodity_code, '[0-9]+')"


def coverage_sql(batch_filter: str) -> str:
    """The coverage rows of the batches the filter (over trade_flow) selects."""
    return (f"INSERT INTO batch_coverage SELECT batch_id, source, reporter, year, month, "
            f"bool_or(nomenclature <> 'TOTAL' AND {ITEMISED_SQL}), count(*) FROM trade_flow "
            f"WHERE {batch_filter} GROUP BY ALL")


# A warehouse written before batch_coverage existed gets it on its next writer (once).
BACKFILL_COVERAGE = coverage_sql(
    "batch_id IN (SELECT batch_id FROM warehouse_batch EXCEPT SELECT batch_id FROM batch_coverage)")


class Warehouse:
    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.resolved_warehouse_path
        self.memory_limit = settings.warehouse_memory_limit
        self.threads = settings.warehouse_threads

    def _configure(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET memory_limit = '{self.memory_limit}'")
        con.execute(f"SET threads = {int(self.threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # progress is ours to show, on stderr

    def _open_read_only(self) -> duckdb.DuckDBPyConnection:
        return _open_read_only_at(self.path)

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Exclusive read-write connection; other writers wait on the lock file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.IOException as error:
                fcntl.flock(lock, fcntl.LOCK_UN)
                raise WarehouseBusy(f"the warehouse {self.path} is open in another process (the web server?): "
                                    "import through its Imports page, or stop it first") from error
            try:
                self._configure(con)
                for statement in SCHEMA:
                    con.execute(statement)
                con.execute(BACKFILL_COVERAGE)
                yield con
            finally:
                con.close()
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.path.exists():
            with self.writer():
                pass
        con = self._open_read_only()
        if not _table_exists(con, "batch_coverage"):
            con.close()
            with self.writer():  # a file written by an older version: brought up to date once
                pass
            con = self._open_read_only()
        try:
            self._configure(con)
            yield con
        finally:
            con.close()


def _open_read_only_at(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise WarehouseBusy(f"the warehouse {path} is open in another process (the web server?); "
                            "use the web interface or its API while it runs") from error


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def run_with_progress(con: duckdb.DuckDBPyConnection, sql: str, params: list | None,
                      on_fraction: Callable[[float], None] | None) -> duckdb.DuckDBPyConnection:
    """Execute a long statement while reporting DuckDB's own progress estimate (0..1)."""
    if on_fraction is None:
        return con.execute(sql, params or [])
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            try:
                fraction = con.query_progress()
            except duckdb.Error:
                continue
            if fraction is not None and fraction >= 0:
                on_fraction(min(fraction / 100.0, 1.0))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        return con.execute(sql, params or [])
    finally:
        done.set()
        watcher.join()
        on_fraction(1.0)




@contextmanager
def warehouse_lock(path: Path) -> Iterator[None]:
    """The writers' lock of a warehouse file, across processes: the server's imports and a backup's copy
    take it, so a copy never catches the file half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class WarehouseBusy(Exception):
    """Another process holds the warehouse open for writing (the web server, usually)."""


class SharedWarehouse(Warehouse):
    """One connection for a long-lived process (the web server), handing out cheap cursors.

    Opening the DuckDB file costs tens of milliseconds: far too much per request. The server
    holds the file for its lifetime and is then its only writer; writes are serialised by a lock
    and counted, so caches keyed on `generation` know when the data changed.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as error:
            raise WarehouseBusy(f"the warehouse {self.path} is open in another process: {error}") from None
        self._configure(self._con)
        for statement in SCHEMA:
            self._con.execute(statement)
        self._con.execute(BACKFILL_COVERAGE)
        self._write_lock = threading.Lock()
        self.generation = 0

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self._con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._write_lock, warehouse_lock(self.path):
            cursor = self._con.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
                self.generation += 1

    def close(self) -> None:
        self._con.close()
