"""The trade warehouse: one DuckDB file. One writer at a time (a lock file); readers read-only."""

from __future__ import annotations

import fcntl
import os
import shutil
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
    # The rows of batches a newer file replaced, kept aside so that undoing the newer one brings them back (an
    # analyst's undo of a replacing batch left its months empty: the outsider's find). Never read by a figure.
    "CREATE TABLE IF NOT EXISTS replaced_flow ("
    + ", ".join(f"{name} {kind}" for name, kind in FACT_COLUMNS) + ")",
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
    """The warehouse's files: the *master* (`trade.duckdb`), opened read-write only by a writer holding the
    writers' lock, and read-only *snapshots* of it (`trade.snapshots/NNNNNN.duckdb`), one published after each
    write, named by `trade.current`. DuckDB lets a file be open read-write in one process or read-only in many,
    never both; so readers — every web process, the worker, the CLI — open the current snapshot and never the
    master, and a writer never waits for them nor they for it. ARCHITECTURE.md says why this and not the others.
    """

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.resolved_warehouse_path
        self.snapshots: Path = self.path.with_name(self.path.stem + ".snapshots")
        self.pointer: Path = self.path.with_name(self.path.stem + ".current")
        self.memory_limit = settings.warehouse_memory_limit
        self.threads = settings.warehouse_threads
        # called once when a writer must wait for another (the CLI says so rather than seeming to hang)
        self.on_wait: Callable[[], None] | None = None

    def _configure(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET memory_limit = '{self.memory_limit}'")
        con.execute(f"SET threads = {int(self.threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # progress is ours to show, on stderr

    @property
    def generation(self) -> int:
        """The published snapshot's number (0 before the first): it changes when, and only when, the data did,
        in whichever process wrote them."""
        try:
            return int(self.pointer.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def snapshot_path(self, generation: int) -> Path:
        return self.snapshots / f"{generation:06d}.duckdb"

    @contextmanager
    def writer(self, wait: bool = True, on_wait: Callable[[], None] | None = None
               ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The master, read-write, for one writer at a time across processes (a lock file); when it closes, its
        state is published as the next snapshot. `wait=False`: WarehouseBusy at once if another writer holds it;
        `on_wait` is called once before waiting (the CLI says that an import in the server goes first)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise WarehouseBusy(f"another import is writing the warehouse {self.path}") from None
                if (on_wait or self.on_wait) is not None:
                    (on_wait or self.on_wait)()
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                try:
                    con = duckdb.connect(str(self.path))
                except duckdb.IOException as error:
                    raise WarehouseBusy(f"the warehouse {self.path} is open in another process (a server of an "
                                        "older version?): stop it first") from error
                try:
                    self._configure(con)
                    for statement in SCHEMA:
                        con.execute(statement)
                    con.execute(BACKFILL_COVERAGE)
                    yield con
                    con.execute("CHECKPOINT")  # the master file alone holds everything: it is copied next
                finally:
                    con.close()
                self._publish()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _publish(self) -> None:
        """Copy the master into the next snapshot and point readers at it (the writers' lock is held). A reader
        still on an older snapshot keeps reading it (an open file outlives its name on POSIX); the one before
        the new is kept for a reader between reading the pointer and opening the file."""
        self.snapshots.mkdir(parents=True, exist_ok=True)
        generation = self.generation + 1
        target = self.snapshot_path(generation)
        partial = target.with_suffix(".partial")
        shutil.copyfile(self.path, partial)  # copy_file_range: a reflink where the file system has them
        os.replace(partial, target)
        pointer = self.pointer.with_suffix(".partial")
        pointer.write_text(f"{generation}\n")
        os.replace(pointer, self.pointer)
        for old in self.snapshots.glob("*.duckdb"):
            if old.stem.isdigit() and int(old.stem) < generation - 1:
                old.unlink(missing_ok=True)

    def _open_snapshot(self) -> tuple[int, duckdb.DuckDBPyConnection]:
        for _ in range(5):
            generation = self.generation
            if generation == 0 or not self.snapshot_path(generation).exists():
                with self.writer():  # the first reader of a new (or older-version) warehouse publishes it
                    pass
                continue
            try:
                con = duckdb.connect(str(self.snapshot_path(generation)), read_only=True)
            except duckdb.IOException:
                continue  # a newer snapshot replaced it between the pointer and the open: read the pointer again
            self._configure(con)
            return generation, con
        raise WarehouseBusy(f"no snapshot of the warehouse {self.path} could be opened")

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the current snapshot: it never waits for a writer, nor a writer for it."""
        _, con = self._open_snapshot()
        try:
            yield con
        finally:
            con.close()


def run_with_progress(con: duckdb.DuckDBPyConnection, sql: str, params: list | None,
                      on_fraction: Callable[[float], None] | None) -> list[tuple]:
    """Execute a long statement while reporting DuckDB's own progress estimate (0..1); its rows."""
    if on_fraction is None:
        return con.execute(sql, params or []).fetchall()
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            try:
                fraction = con.query_progress()
            except duckdb.Error:
                continue
            if fraction is not None and fraction >= 0:
                on_fraction(min(fraction / 100.0, 1.0))

    # DuckDB keeps a statement's progress only while its progress bar is on (query_progress() answers -1
    # otherwise, and an import's job jumped from 0 to 1); it is turned on unprinted, for this statement only
    con.execute("SET enable_progress_bar_print = false")
    con.execute("SET enable_progress_bar = true")
    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        rows = con.execute(sql, params or []).fetchall()
    finally:
        done.set()
        watcher.join()
        con.execute("SET enable_progress_bar = false")
    on_fraction(1.0)
    return rows




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


class _Held:
    """One snapshot's connection in a long-lived process, counted while cursors read it."""

    def __init__(self, generation: int, con: duckdb.DuckDBPyConnection) -> None:
        self.generation, self.con, self.readers, self.retired = generation, con, 0, False


class SharedWarehouse(Warehouse):
    """The warehouse for a long-lived process (a web process, the worker): one read-only connection to the
    current snapshot, handing out cheap cursors.

    Opening a DuckDB file costs tens of milliseconds: far too much per request. Each reader checks the pointer
    (a small file read) and moves to a newer snapshot when another process (or this one) published one; the
    connection to the older one is closed once its last cursor is done. Caches keyed on `generation` know when
    the data changed, in every process alike.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._lock = threading.Lock()
        self._held: _Held | None = None
        self._take(*self._open_snapshot())

    def _take(self, generation: int, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            old, self._held = self._held, _Held(generation, con)
        if old is not None:
            self._retire(old)

    def _retire(self, held: _Held) -> None:
        with self._lock:
            held.retired = True
            idle = held.readers == 0
        if idle:
            held.con.close()

    def _acquire(self) -> _Held:
        if self._held is None or self._held.generation != self.generation:
            self._take(*self._open_snapshot())
        with self._lock:
            held = self._held
            held.readers += 1
            return held

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        held = self._acquire()
        cursor = held.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                held.readers -= 1
                done = held.retired and held.readers == 0
            if done:
                held.con.close()

    def close(self) -> None:
        if self._held is not None:
            self._retire(self._held)
            self._held = None
