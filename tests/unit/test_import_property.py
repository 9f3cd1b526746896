"""Corrupted input never escapes as an unhandled exception and never leaves a partial batch."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.trade.service import ImportService
from hamkor.trade.warehouse import Warehouse

GOOD_FILE = (
    "napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s\n"
    "ЭК\t01/2025\tUZ\t4407119300\t113\t125000,50\t98000,2\t150,5\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n"
    "ИМ\t02/2025\tKZ\t0805102200\t166\t3500,25\t7000\t\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n"
    "ЭК\t03/2025\tCN\tXXXXXXXXXX\t\t15000\t\t\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n"
).encode()

corruption = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, len(GOOD_FILE) - 1), st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("insert"), st.integers(0, len(GOOD_FILE)), st.sampled_from(
        [b"\t", b"\n", b"\xff", b",", b"XX", b"\r\n", b"-", b"\x00", b"\"", b"13/2025"])),
    st.tuples(st.just("truncate"), st.integers(0, len(GOOD_FILE)), st.just(b"")),
)


def corrupt(data: bytes, edits) -> bytes:
    for kind, at, chunk in edits:
        at = min(at, len(data))
        if kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk):]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        else:
            data = data[:at]
    return data


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(corruption, min_size=1, max_size=3))
@pytest.mark.slow  # a solver or renderer at work: seconds
def test_corrupted_fts_file(edits):
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        db = Database(settings)
        db.upgrade()
        service = ImportService(db, Warehouse(settings))
        path = Path(folder) / "DATTSVT.csv"
        path.write_bytes(corrupt(GOOD_FILE, edits))
        outcome = service.import_file("fts-regional", path)  # must not raise
        with Warehouse(settings).reader() as con:
            stored = con.execute("SELECT count(*) FROM trade_flow").fetchone()[0]
            held = con.execute("SELECT count(*) FROM warehouse_batch").fetchone()[0]
        batches = service.batches()
        db.dispose()
        if outcome.status == "loaded":
            assert stored == outcome.rows_loaded > 0 and held == 1 and batches[0].status == "loaded"
        else:
            assert outcome.status == "rejected" and outcome.report.count > 0
            assert stored == 0 and held == 0
            assert all(b.status == "rejected" for b in batches)  # a file refused before any work has none
            assert all(p.reason for p in outcome.report.problems)
