"""FTS regional and national importers on small files with the format's real quirks."""

from pathlib import Path

import pytest

from hamkor.errors import NotFound, Problem
from hamkor.trade.importers import ImportOptions
from tests.helpers import batch_facts, warehouse_rows

HEADER = "napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s"
GOOD = "ЭК\t01/2025\tUZ\t4407119300\t113\t125000,50\t98000,2\t150,5\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО"


def write(tmp_path: Path, lines: list[str], name="DATTSVT.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def facts(settings, batch_id):
    return batch_facts(settings, batch_id)


def test_cp1251_with_quirks(service, settings, fixtures):
    outcome = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    assert outcome.status == "loaded", outcome.report and outcome.report.summary()
    assert (outcome.rows_read, outcome.rows_loaded) == (5, 5)  # blank lines are not rows
    assert outcome.reporters == ["RU-ALT"]
    assert outcome.periods == ["2025-01", "2025-02", "2025-03"]
    rows = facts(settings, outcome.batch_id)
    assert rows[0] == ("RU-ALT", "UZ", "export", 2025, 1, "4407119300", "TNVED2022", 125000.5, 98000.2, 150.5, "113")
    # the confidential code stays a bucket of its own, with its value in the totals
    assert ("RU-ALT", "UZ", "export", 2025, 2, "XXXXXXXXXX", "TNVED2022", 40000.0, None, None, None) in rows
    # a code that lost its leading zero in a spreadsheet gets it back
    assert any(r[5] == "0805102200" for r in rows)
    # "1 200,75": a space between thousands and a decimal comma
    assert any(r[7] == 1200.75 for r in rows)


def test_utf8_bom_upper_case_header_is_the_same_data(service, settings, fixtures):
    first = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    before = facts(settings, first.batch_id)
    second = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_utf8_bom.csv")
    assert second.status == "loaded"
    # same source, same periods: the second file is a corrected version and replaces the first
    assert second.replaced == [first.batch_id]
    assert warehouse_rows(settings) == 5
    statuses = {b.id: b.status for b in service.batches()}
    assert statuses[first.batch_id] == "replaced" and statuses[second.batch_id] == "loaded"
    # undoing the correction brings back what it replaced, as it was (the outsider's find: its months were left
    # empty, and the replaced batch could not be undone nor loaded again)
    service.undo(second.batch_id)
    statuses = {b.id: b.status for b in service.batches()}
    assert statuses[first.batch_id] == "loaded" and statuses[second.batch_id] == "undone"
    assert warehouse_rows(settings) == 5 and facts(settings, first.batch_id) == before
    service.undo(first.batch_id)  # and it can itself be undone now
    assert warehouse_rows(settings) == 0


def test_same_file_twice_is_recognised(service, settings, fixtures):
    first = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    again = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    assert again.status == "duplicate" and again.duplicate_of == first.batch_id
    assert warehouse_rows(settings) == 5


def test_partial_overlap_is_refused(service, settings, tmp_path):
    both = write(tmp_path, [HEADER, GOOD, GOOD.replace("01/2025", "02/2025")], "a.csv")
    assert service.import_file("fts-regional", both).status == "loaded"
    only_feb = write(tmp_path, [HEADER, GOOD.replace("01/2025", "02/2025").replace("125000,50", "1")], "b.csv")
    outcome = service.import_file("fts-regional", only_feb)
    assert outcome.status == "rejected"
    assert "only in part" in outcome.report.summary() and "hamkor import undo" in outcome.report.summary()
    assert warehouse_rows(settings) == 2


def test_undo_removes_the_batch(service, settings, fixtures):
    outcome = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    undone = service.undo(outcome.batch_id)
    assert undone.status == "undone" and warehouse_rows(settings) == 0
    with pytest.raises(Problem, match="not loaded"):
        service.undo(outcome.batch_id)
    with pytest.raises(NotFound, match="no import batch 9999"):
        service.undo(9999)


def test_an_import_stopped_after_the_warehouse_commit_is_settled_with_its_rows(service, settings, fixtures, tmp_path):
    """The history of a batch whose rows went in before the process stopped: the next import finds it
    "loading", and makes it "loaded" with the rows the warehouse counted, so history and warehouse agree."""
    from hamkor.store.models import ImportBatch

    stopped = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv")
    with service.db.session() as session:  # as it stood when the process stopped
        batch = session.get(ImportBatch, stopped.batch_id)
        batch.status, batch.rows_loaded = "loading", 0
    other = write(tmp_path, [HEADER, GOOD.replace("01/2025", "01/2024")], "other.csv")
    assert service.import_file("fts-regional", other).status == "loaded"
    settled = {b.id: b for b in service.batches()}[stopped.batch_id]
    assert (settled.status, settled.rows_loaded) == ("loaded", 5)


def test_national_file(service, settings, fixtures):
    outcome = service.import_file("fts-national", fixtures / "fts" / "national_sample.csv")
    assert outcome.status == "loaded"
    rows = facts(settings, outcome.batch_id)
    assert {r[0] for r in rows} == {"RU"} and {r[6] for r in rows} == {"TNVED2017"}
    assert sum(r[7] for r in rows) == pytest.approx(2_500_000 + 12_345.6 + 1_000)


def test_value_unit_override(service, settings, tmp_path):
    path = write(tmp_path, [HEADER, GOOD])
    outcome = service.import_file("fts-regional", path, ImportOptions(value_unit="thousand"))
    assert facts(settings, outcome.batch_id)[0][7] == pytest.approx(125_000_500.0)


@pytest.mark.parametrize(("line", "column", "reason"), [
    (GOOD.replace("01/2025", "13/2025"), "period", "MM/YYYY"),
    (GOOD.replace("01/2025", "2025-01"), "period", "MM/YYYY"),
    (GOOD.replace("\tUZ\t", "\tQQ\t"), "nastranapr", "unknown country"),
    (GOOD.replace("125000,50", "12abc"), "Stoim", "not a non-negative number"),
    (GOOD.replace("125000,50", "-5"), "Stoim", "not a non-negative number"),
    (GOOD.replace("98000,2", "n/a"), "Netto", "not a number"),
    (GOOD.replace("4407119300", "44071"), "tnved", "10 digits"),
    (GOOD.replace("ЭК", "XX"), "napr", "ЭК"),
    (GOOD.replace("01000 - АЛТАЙСКИЙ КРАЙ", "99999 - НЕТ"), "Region", "region"),
    (GOOD.replace("\tСФО", ""), None, "expected 10 columns, found 9"),
    (GOOD + "\textra", None, "expected 10 columns, found 11"),
])
def test_bad_row_is_reported_and_nothing_loaded(service, settings, tmp_path, line, column, reason):
    path = write(tmp_path, [HEADER, GOOD, "", line, GOOD.replace("01/2025", "02/2025")])
    outcome = service.import_file("fts-regional", path)
    assert outcome.status == "rejected"
    problem = outcome.report.problems[0]
    assert problem.line == 4  # blank line counted: the number a text editor shows
    assert problem.column == column
    assert reason in problem.reason
    assert f"{path.name}, line 4" in outcome.report.summary()
    assert warehouse_rows(settings) == 0
    batch = next(b for b in service.batches() if b.id == outcome.batch_id)
    assert batch.status == "rejected" and batch.rows_rejected == 1 and reason in batch.error_summary


def test_report_lists_first_50_and_counts_the_rest(service, tmp_path):
    bad = GOOD.replace("01/2025", "13/2025")
    outcome = service.import_file("fts-regional", write(tmp_path, [HEADER] + [bad] * 120))
    assert outcome.report.count == 120 and len(outcome.report.problems) == 50
    assert outcome.report.lines()[-1] == "… and 70 more problems"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (b"\n\n", "no header"),
    ((HEADER + "\n").encode(), "no data rows"),
    (b"a,b,c\n1,2,3\n", "not a FTS regional"),
])
def test_unusable_files(service, settings, tmp_path, content, reason):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    outcome = service.import_file("fts-regional", path)
    assert outcome.status == "rejected" and reason in outcome.report.summary()
    assert warehouse_rows(settings) == 0


def test_wrong_kind_is_named(service, fixtures):
    outcome = service.import_file("fts-national", fixtures / "fts" / "DATTSVT_cp1251.csv")
    assert outcome.status == "rejected" and "fts-regional" in outcome.report.summary()


def test_missing_file_and_bad_unit(service, tmp_path, fixtures):
    assert "no such file" in service.import_file("fts-regional", tmp_path / "nope.csv").report.summary()
    outcome = service.import_file("fts-regional", fixtures / "fts" / "DATTSVT_cp1251.csv",
                                  ImportOptions(value_unit="rubles"))
    assert outcome.status == "rejected" and "unknown value unit" in outcome.report.summary()
    with pytest.raises(ValueError):
        service.import_file("no-such-kind", fixtures / "fts" / "DATTSVT_cp1251.csv")


def test_invalid_utf8_after_a_valid_start_is_read_as_cp1251(service, settings, tmp_path):
    # The first megabyte is plain ASCII; Cyrillic in CP1251 appears only later in the file.
    filler = [GOOD.replace("ЭК", "EK").replace("01000 - АЛТАЙСКИЙ КРАЙ", "01000").replace("СФО", "S")] * 20000
    path = write(tmp_path, [HEADER, *filler, GOOD], encoding="cp1251")
    outcome = service.import_file("fts-regional", path)
    assert outcome.status == "loaded", outcome.report and outcome.report.summary()
    assert outcome.rows_loaded == 20001
