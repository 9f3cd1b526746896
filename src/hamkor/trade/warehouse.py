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
]


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
                yield con
            finally:
                con.close()
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.path.exists():
            with self.writer():
                pass
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.IOException as error:
            raise WarehouseBusy(f"the warehouse {self.path} is open in another process (the web server?); "
                                "use the web interface or its API while it runs") from error
        try:
            self._configure(con)
            yield con
        finally:
            con.close()


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
