"""Benchmark: what the warehouse's read-only snapshots cost (issue 28.3), each figure beside its baseline.

    python benchmarks/warehouse_snapshots.py [--rows 5000000]

Imports an FTS file of --rows rows, then measures: the import's time and the part of it that publishing the
snapshot took (copying the master file); a reader's cursor through `SharedWarehouse.reader()` (it reads the
pointer file each time, to move to a newer snapshot) beside a cursor from a connection held open (what one
process holding the file did before); a query on the snapshot beside the same query on the master; and a read
from another process while an import writes (before: refused, "Could not set lock").
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_fts_regional import generate  # noqa: E402 - the benchmarks folder is not a package

QUERY = "SELECT partner, flow, sum(value_usd) FROM trade_flow GROUP BY ALL ORDER BY 3 DESC LIMIT 10"


def median_of(work, times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    from hamkor.config import Settings
    from hamkor.store.db import Database
    from hamkor.trade.service import ImportService
    from hamkor.trade.warehouse import SharedWarehouse, Warehouse

    with tempfile.TemporaryDirectory(prefix="hamkor-snapshots-") as folder:
        settings = Settings(data_dir=Path(folder))
        source = Path(folder) / "DATTSVT.csv"
        generate(source, args.rows)
        db = Database(settings)
        db.upgrade()
        warehouse = Warehouse(settings)
        published = []
        publish = warehouse._publish

        def timed_publish() -> None:
            started = time.perf_counter()
            publish()
            published.append(time.perf_counter() - started)

        warehouse._publish = timed_publish
        started = time.perf_counter()
        outcome = ImportService(db, warehouse).import_file("fts-regional", source)
        took = time.perf_counter() - started
        size = warehouse.path.stat().st_size / 2**20
        print(f"import of {outcome.rows_loaded:,} rows: {took:.1f} s, of which publishing the snapshot "
              f"({size:.0f} MiB copied) {published[-1]:.2f} s ({published[-1] / took:.1%})")

        shared = SharedWarehouse(settings)

        def through_shared() -> None:
            with shared.reader() as cursor:
                cursor.execute("SELECT 1").fetchone()

        held = duckdb.connect(str(warehouse.snapshot_path(warehouse.generation)), read_only=True)

        def held_open() -> None:
            cursor = held.cursor()
            cursor.execute("SELECT 1").fetchone()
            cursor.close()

        ours, baseline = median_of(through_shared, 2000), median_of(held_open, 2000)
        print(f"a reader's cursor: {ours * 1e6:.0f} µs through SharedWarehouse.reader() (pointer checked) beside "
              f"{baseline * 1e6:.0f} µs from a connection held open ({ours / baseline:.2f}x)")

        def on_snapshot() -> None:
            with shared.reader() as cursor:
                cursor.execute(QUERY).fetchall()

        shared.close()
        held.close()
        shared = SharedWarehouse(settings)
        snapshot = median_of(on_snapshot, 20)
        master = duckdb.connect(str(warehouse.path), read_only=True)
        on_master = median_of(lambda: master.execute(QUERY).fetchall(), 20)
        master.close()
        print(f"a grouped query over every row: {snapshot * 1000:.1f} ms on the snapshot beside "
              f"{on_master * 1000:.1f} ms on the master ({snapshot / on_master:.2f}x)")

        # another process reads while an import writes
        writing = subprocess.Popen([sys.executable, "-c", (
            "import sys, time; from pathlib import Path; from hamkor.config import Settings; "
            "from hamkor.trade.warehouse import Warehouse; "
            f"w = Warehouse(Settings(data_dir=Path({folder!r}))); c = w.writer(); c.__enter__(); "
            "print('writing', flush=True); time.sleep(5); c.__exit__(None, None, None)")], stdout=subprocess.PIPE,
            text=True)
        assert writing.stdout.readline().strip() == "writing"
        reader = Warehouse(settings)
        started = time.perf_counter()
        with reader.reader() as con:
            rows = con.execute("SELECT count(*) FROM trade_flow").fetchone()[0]
        waited = (time.perf_counter() - started) * 1000
        print(f"another process reads {rows:,} rows while an import writes: {waited:.0f} ms "
              "(before: refused, the file was locked)")
        writing.wait()
        shared.close()
        db.dispose()


if __name__ == "__main__":
    main()
