"""Hostile spreadsheets and files (issue 25, point 3): every file a user gives is read within limits, and a
file past one is refused with the limit it broke, changing nothing; what is kept of a refusal is short.

Each finding is replayed here in small (the limits are lowered where a full-size file would only be slower);
tests/cli/test_hostile_files.py and tests/web/test_hostile_uploads.py replay them at full size and measure
the memory they take.
"""

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from hamkor.companies.registry import Registry
from hamkor.companies.transfer import MAX_REPORTED, ImportRefused, import_companies, read_table
from hamkor.config import Settings
from hamkor.files import ArchiveLimits, FileRefused, TableLimits, check_xlsx, text_lines
from hamkor.store.db import Database
from hamkor.trade.facts import MAX_REPORTED_PROBLEMS
from hamkor.trade.importers import ImportOptions
from hamkor.trade.service import MAX_SUMMARY_CHARS
from tests.helpers import COMPANIES_SHEETS as COMPANIES
from tests.helpers import PARTNERS_SHEETS as PARTNERS
from tests.helpers import (
    declaring,
    one_line_file,
    warehouse_rows,
    workbook_with,
    zip_bomb_workbook,
)


@pytest.fixture
def registry(tmp_path):
    db = Database(Settings(data_dir=tmp_path / "registry"))
    db.upgrade()
    yield Registry(db)
    db.dispose()


def refusal(registry, path: Path, **options) -> list[str]:
    """The lines of the companies import's refusal; the registry is checked to be as it was."""
    before = len(registry.all())
    with pytest.raises(ImportRefused) as refused:
        import_companies(registry, path, **options)
    assert len(registry.all()) == before
    return refused.value.report.lines()


# -- a workbook declaring every cell of its sheet ---------------------------------------------------

def test_a_workbook_reaching_the_last_cell_of_a_sheet_is_refused_at_its_last_row(registry, service, settings,
                                                                                  tmp_path):
    """Finding: 1.6 KB declaring A1:XFD1048576 (a cell there) took the server to 20 GB. openpyxl padded every
    row to 16 384 columns and yielded all 1 048 576 rows; the file is now refused at the row past the limit."""
    for name, sheets in (("companies.xlsx", COMPANIES), ("partners.xlsx", PARTNERS)):
        workbook_with(tmp_path / name, sheets, {"XFD1048576": "x"})
    [line] = refusal(registry, tmp_path / "companies.xlsx")
    assert "row 1048576" in line and "past row 20000" in line  # a companies table's limit
    outcome = service.import_file("fts-partners", tmp_path / "partners.xlsx")
    assert outcome.status == "rejected" and warehouse_rows(settings) == 0
    [problem] = outcome.report.problems
    assert problem.line == 1048576 and "past row 100000" in problem.reason


def test_a_sheet_declaring_more_than_it_holds_is_read_for_what_it_holds(registry, service, tmp_path):
    """The declared dimension is not believed either way: openpyxl would pad to it, or stop short of it."""
    report = import_companies(registry, declaring(workbook_with(tmp_path / "c.xlsx", COMPANIES), "A1:XFD1048576"))
    assert report.created == 1
    partners = declaring(workbook_with(tmp_path / "p.xlsx", PARTNERS), "A1:B2")  # less than it holds
    assert service.import_file("fts-partners", partners).rows_loaded == 4  # openpyxl alone read rows 1-2


# -- a zip bomb ------------------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_from_the_archive_directory(registry, service, settings, tmp_path):
    """Finding: 7.5 MB adding 3.6 GiB on the companies and the fts-partners imports. The part's unpacked size
    is read from the archive's directory (zipfile stops at it), before openpyxl opens anything."""
    companies = zip_bomb_workbook(tmp_path / "companies.xlsx", workbook_with(tmp_path / "c.xlsx", COMPANIES), 100)
    [line] = refusal(registry, companies)
    assert "xl/worksheets/sheet1.xml unpacks to 100 MB, more than the 64 MB a part may have" in line
    partners = zip_bomb_workbook(tmp_path / "partners.xlsx", workbook_with(tmp_path / "p.xlsx", PARTNERS), 100)
    outcome = service.import_file("fts-partners", partners)
    assert outcome.status == "rejected" and "unpacks to 100 MB" in outcome.report.summary()
    assert warehouse_rows(settings) == 0


def test_a_part_packed_a_thousand_to_one_is_refused_below_the_size_limit(registry, tmp_path):
    bomb = zip_bomb_workbook(tmp_path / "bomb.xlsx", workbook_with(tmp_path / "c.xlsx", COMPANIES), 20)
    [line] = refusal(registry, bomb)
    assert "times larger than it is packed: an ordinary workbook packs far less tightly" in line


# -- what openpyxl would build from the XML -----------------------------------------------------------

SMALL = TableLimits(rows=10, columns=4, cells=12, cell_chars=50)
FEW = ArchiveLimits(members=12, elements=2_000, loose_elements=200, unit_elements=20)


def archive(sheet_data: str = "", strings: str | None = None, parts: int = 0, doctype: str = "") -> io.BytesIO:
    """A workbook's XML parts as openpyxl would meet them (stored, so that only the XML limits apply)."""
    out = io.BytesIO()
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("xl/worksheets/sheet1.xml", f'{doctype}<worksheet {main}><sheetData>{sheet_data}'
                                                    f'</sheetData></worksheet>')
        if strings is not None:
            zipped.writestr("xl/sharedStrings.xml", f"<sst {main}>{strings}</sst>")
        for number in range(parts):
            zipped.writestr(f"xl/media/image{number}.png", b"\x89PNG")
    out.seek(0)
    return out


@pytest.mark.parametrize(("book", "expected"), [
    (archive('<row r="11"><c r="A11"><v>1</v></c></row>'), "row 11: the table goes on past row 10"),
    (archive('<row r="99999999999999999999999"><c><v>1</v></c></row>'), "past row 10"),
    (archive('<row r="1"><c r="E1"><v>1</v></c></row>'), "cell in column 5; at most 4 columns"),
    (archive('<row>' + "<c/>" * 5 + "</row>"), "cell in column 5"),
    (archive('<row><c/><c/><c/></row>' * 5), "more than 12 cells"),
    (archive('<row><c t="inlineStr"><is><t>' + "Ж" * 51 + "</t></is></c></row>"), "longer than 50 characters"),
    (archive('<row><c t="inlineStr"><is>' + ("<r><t>" + "a" * 20 + "</t></r>") * 3 + "</is></c></row>"),
     "longer than 50 characters"),  # the runs of one cell's rich text count together
    (archive('<row><c t="inlineStr"><is>' + "<r><t/></r>" * 11 + "</is></c></row>"), "XML elements in one row"),
    (archive(strings="<si><t>a</t></si>" * 13), "more than 12 different texts"),
    (archive(strings="<si><t>" + "a" * 51 + "</t></si>"), "longer than 50 characters"),
    (archive("<x/>" * 201), "holds more than 200 XML elements"),
    (archive(parts=12), "lists 13 parts"),
    (archive('<row><c t="inlineStr"><is><t>&lol;</t></is></c></row>',
             doctype='<!DOCTYPE w [<!ENTITY lol "lol">]>'), "declares a DOCTYPE"),
    (archive('<row><c>'), "not well-formed XML"),
])
def test_the_xml_of_a_workbook_is_measured_before_openpyxl_builds_it(book, expected):
    with pytest.raises(FileRefused) as refused:
        check_xlsx(book, SMALL, FEW)
    assert expected in (f"row {refused.value.row}: " if refused.value.row else "") + str(refused.value.reason)


def test_a_part_packed_in_a_way_zipfile_lacks_is_refused_in_words():
    packed = archive('<row><c><v>1</v></c></row>').getvalue()
    # Deflate64 (method 9), which Excel never writes and zipfile cannot read, in both of the part's headers.
    for header in (b"PK\x03\x04\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x00\x00"):
        packed = packed.replace(header + b"\x00\x00", header + b"\x09\x00", 1)
    with pytest.raises(FileRefused, match="encrypted or packed in a way that is not read"):
        check_xlsx(io.BytesIO(packed), SMALL, FEW)


def test_a_workbook_within_the_limits_passes_them():
    check_xlsx(archive('<row r="10"><c r="D10" t="inlineStr"><is><t>' + "a" * 50 + "</t></is></c></row>",
                       "<si><t>a</t></si>" * 12), SMALL, FEW)


def test_the_real_fts_workbooks_are_within_the_limits(shared_raw):
    for path in sorted((shared_raw / "fts-russia-publications").glob("*.xlsx")):
        with open(path, "rb") as handle:
            check_xlsx(handle)


# -- one long line -------------------------------------------------------------------------------------

def test_a_line_is_read_within_its_limit_and_measured_as_it_is_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b\n" + "Ж" * 25 + "\r\n" + "x" * 10, encoding="utf-8")
    with open(path, encoding="utf-8", newline="") as handle:
        assert list(text_lines(handle, 20)) == [("a;b\n", 4), (None, 52), ("x" * 10, 10)]


def test_a_trade_file_of_one_100_mb_line_is_refused_after_its_first_megabyte(service, settings, tmp_path):
    """Finding: a 100 MB single-line CSV added 1.4-1.9 GiB and stored 525 MB of report (its 'header' quoted
    whole, in each language, in the batch and the job); `GET /api/v1/imports` then returned 210 MB."""
    outcome = service.import_file("fts-national", one_line_file(tmp_path / "national.csv"))
    assert outcome.status == "rejected" and warehouse_rows(settings) == 0
    [problem] = outcome.report.problems
    assert problem.line == 1 and "the line is 100.0 MB long" in problem.reason
    [batch] = service.batches()
    assert batch.status == "rejected" and len(batch.error_summary) < 300


def test_a_long_line_after_the_header_is_located_without_being_read_whole(service, settings, tmp_path):
    header = "NAPR;PERIOD;STRANA;TNVED;EDIZM;STOIM;NETTO;KOL\n"
    row = "ЭК;09/2021;UZ;8606990000;796;2500000,00;450000;10\n"
    middle = one_line_file(tmp_path / "middle.csv", 3, header + row)
    with open(middle, "a", encoding="utf-8") as out:
        out.write("\n" + row)
    outcome = service.import_file("fts-national", middle)
    assert [(p.line, p.reason) for p in outcome.report.problems] == [
        (3, "the line is 3.0 MB long: a line of a trade file is a few hundred bytes (the file is damaged, or not "
            "of this kind)")]
    assert warehouse_rows(settings) == 0


def test_a_last_line_longer_than_duckdbs_buffer_does_not_vanish(service, settings, tmp_path):
    """DuckDB (2.0) drops a last line over its 32 MB buffer without a word, and the rows before it went in."""
    row = "ЭК;09/2021;UZ;8606990000;796;2500000,00;450000;10\n"
    last = one_line_file(tmp_path / "last.csv", 40, "NAPR;PERIOD;STRANA;TNVED;EDIZM;STOIM;NETTO;KOL\n" + row)
    outcome = service.import_file("fts-national", last)
    assert outcome.status == "rejected" and warehouse_rows(settings) == 0
    assert [(p.line, "40.0 MB long" in p.reason) for p in outcome.report.problems] == [(3, True)]


def test_the_other_text_importers_read_within_the_limit(service, settings, tmp_path):
    uzstat = one_line_file(tmp_path / "uzstat_1105.csv", 3, "Code,Klassifikator,2023\n")
    outcome = service.import_file("uzstat", uzstat)
    assert [(p.line, "3.0 MB long" in p.reason) for p in outcome.report.problems] == [(2, True)]
    baci = tmp_path / "BACI_HS17_Y2021.csv"
    baci.write_text("t,i,j,k,v,q\n2021,643,860,440711,12.5,3\n", encoding="utf-8")
    codes = one_line_file(tmp_path / "country_codes.csv", 3, "country_code,country_iso2,country_iso3\n")
    outcome = service.import_file("baci", baci, ImportOptions(codes_file=codes))
    assert [(p.line, "3.0 MB long" in p.reason) for p in outcome.report.problems] == [(2, True)]
    assert warehouse_rows(settings) == 0


def test_a_companies_table_is_read_within_its_limits(registry, tmp_path):
    long_line = one_line_file(tmp_path / "line.csv", 2, "name_en,country\nAcme,UZ\n")
    assert "row 3: the line is 2.0 MB long, more than the 1 MB" in refusal(registry, long_line)[0]
    cell = tmp_path / "cell.csv"
    cell.write_text("name_en,country\n" + "A" * 60 + ",UZ\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        read_table(cell, SMALL)
    [problem] = refused.value.report.errors
    assert (problem.row, problem.column) == (2, "1") and "longer than 50 characters" in problem.reason
    rows = tmp_path / "rows.csv"
    rows.write_text("name_en,country\n" + "Acme,UZ\n" * 10, encoding="utf-8")
    with pytest.raises(ImportRefused, match="row 11: the table goes on past row 10"):
        read_table(rows, replace(SMALL, cells=100))
    registry_sized = tmp_path / "registry.csv"
    registry_sized.write_text("name_en,country\n" + "Acme,UZ\n" * 20_000, encoding="utf-8")
    assert "row 20001: the table goes on past row 20000" in refusal(registry, registry_sized)[0]
    big = tmp_path / "big.csv"
    with open(big, "wb") as out:
        out.truncate(65 << 20)  # a sparse file: 65 MB that take no disk
    assert "the file is 65 MB; a table of companies is read up to 64 MB" in refusal(registry, big)[0]


# -- what is kept of a refusal ---------------------------------------------------------------------

def test_a_companies_report_keeps_the_first_problems_and_counts_the_rest(registry, tmp_path):
    many = tmp_path / "many.csv"
    many.write_text("name_en,country\n" + "".join(f"Firm {n},{'Q' * 5000}\n" for n in range(1000)),
                    encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_companies(registry, many)
    report = refused.value.report
    assert (len(report.errors), report.error_count) == (MAX_REPORTED, 1000)  # the unknown country of each row
    lines = report.lines("ru")
    assert lines[MAX_REPORTED] == "… и ещё ошибок: 900" and max(map(len, lines)) < 700
    assert max(len(p.value or "") for p in report.errors) <= 200 and registry.all() == []


def test_names_alike_are_compared_in_blocks_and_the_warnings_counted(registry, tmp_path):
    """One name 300 times: each row looks like every row above it, 44 850 warnings, of which the first are
    kept. (The pairs were compared one by one in Python: hours for a file of 50 000 rows.)"""
    alike = tmp_path / "alike.csv"
    alike.write_text("name_ru,country\n" + "ООО «Акме Групп»,UZ\n" * 300, encoding="utf-8")
    report = import_companies(registry, alike)
    assert report.created == 300 and report.warning_count == 300 * 299 // 2
    assert len(report.warnings) == MAX_REPORTED
    assert [(p.row, p.reason) for p in report.warnings[:3]] == [
        (3, "looks like row 2 (акме групп), similarity 100"), (4, "looks like row 2 (акме групп), similarity 100"),
        (4, "looks like row 3 (акме групп), similarity 100")]
    assert report.lines()[-1] == f"… and {300 * 299 // 2 - MAX_REPORTED} more problems"


def test_a_trade_report_and_the_batch_keep_excerpts(service, tmp_path):
    bad = tmp_path / "uzstat_1105.csv"
    bad.write_text("Code,Klassifikator,2023\n" + "".join(f"643,Rossiya,{'x' * 20_000}\n" for _ in range(500)),
                   encoding="utf-8")
    outcome = service.import_file("uzstat", bad)
    report = outcome.report
    assert (len(report.problems), report.count) == (MAX_REPORTED_PROBLEMS, 500)
    assert max(len(p.value) for p in report.problems) <= 200
    [batch] = service.batches()
    assert len(batch.error_summary) <= MAX_SUMMARY_CHARS and batch.error_summary.endswith("450 more problems")


def test_a_failed_jobs_message_is_cut_short(tmp_path, monkeypatch):
    from hamkor.context import AppContext
    from hamkor.work import tasks
    from hamkor.work.queue import JobQueue
    from hamkor.work.worker import MAX_MESSAGE_CHARS, Worker

    services = AppContext(Settings(data_dir=tmp_path / "jobs"))

    def work(services, params, progress):
        raise ValueError("x" * 1_000_000)

    monkeypatch.setitem(tasks.TASKS, "import", work)
    job_id = JobQueue(services.db).enqueue("import", None, {})
    worker = Worker(services)
    job = worker.queue.claim("warehouse", "test")
    worker._run(job, "test")
    assert len(JobQueue(services.db).get(job_id).message) == MAX_MESSAGE_CHARS
    services.close()
