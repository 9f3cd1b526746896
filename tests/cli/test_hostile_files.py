"""Hostile files through `hamkor` (issue 25, point 3), at full size: each import runs in a child process whose
peak memory the kernel counts. The same command on a small valid file is the level at rest; a hostile file
is refused with its reason, changes nothing, and adds less than 300 MiB to that level.

Before the limits, the workbook reaching XFD1048576 and the zip bomb ran each child into its 4 GiB ceiling
(MemoryError), and the 100 MB line took some 0.7 GiB and stored its 100 MB 'header' as the batch's summary.
"""

import pytest

from hamkor.companies.registry import Registry
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.trade.service import ImportService
from hamkor.trade.warehouse import Warehouse
from tests.helpers import (
    hostile_files,
    run_measured,
    warehouse_rows,
)

pytestmark = pytest.mark.slow  # a child process per import, files that unpack to gigabytes or hold 100 MB

MAX_GROWTH_MIB = 300
REASONS = {
    "dimension": "1048576: the table goes on past row",  # row 1048576 or line 1048576; 20 000 or 100 000
    "bomb": "xl/worksheets/sheet1.xml unpacks to 3072 MB, more than the 64 MB a part may have",
    "line": "line 1: the line is 100.0 MB long",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return hostile_files(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("hostile", ["dimension", "bomb"])
def test_the_companies_import_refuses_a_hostile_workbook_in_bounded_memory(files, tmp_path, hostile):
    code, output, at_rest = run_measured("--data-dir", tmp_path, "companies", "import", files["companies", "valid"])
    assert code == 0, output
    code, output, peak = run_measured("--data-dir", tmp_path, "companies", "import", files["companies", hostile])
    assert code == 2 and "nothing imported (1 errors)" in output and REASONS[hostile] in output, output
    db = Database(Settings(data_dir=tmp_path))
    assert len(Registry(db).all()) == 1  # the valid file's one company
    db.dispose()
    assert peak - at_rest < MAX_GROWTH_MIB, (hostile, peak, at_rest)


@pytest.mark.parametrize(("kind", "hostile"), [("fts-partners", "dimension"), ("fts-partners", "bomb"),
                                               ("fts-national", "line")])
def test_a_trade_import_refuses_a_hostile_file_in_bounded_memory(files, fixtures, tmp_path, kind, hostile):
    valid = files.get((kind, "valid")) or fixtures / "fts" / "national_sample.csv"
    code, output, at_rest = run_measured("--data-dir", tmp_path, "import", kind, valid)
    assert code == 0, output
    settings = Settings(data_dir=tmp_path)
    loaded = warehouse_rows(settings)
    code, output, peak = run_measured("--data-dir", tmp_path, "import", kind, files[kind, hostile])
    assert code == 1 and "rejected" in output and REASONS[hostile] in output, output
    assert warehouse_rows(settings) == loaded
    db = Database(settings)
    refused = ImportService(db, Warehouse(settings)).batches(1)[0]
    db.dispose()
    assert refused.status == "rejected" and REASONS[hostile] in refused.error_summary
    assert len(refused.error_summary) < 500  # was the whole 100 MB line, as the header it found
    assert peak - at_rest < MAX_GROWTH_MIB, (hostile, peak, at_rest)
