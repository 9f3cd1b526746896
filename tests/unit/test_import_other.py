"""Comtrade, BACI, stat.uz and FTS partners workbook importers."""

from pathlib import Path

import openpyxl
import pytest

from hamkor.trade.importers import ImportOptions
from tests.helpers import batch_facts, warehouse_rows


def rows_of(settings, batch_id):
    return batch_facts(settings, batch_id, order="reporter, partner, commodity_code", width=9)


def test_comtrade_keeps_totals_of_real_flows(service, settings, fixtures):
    outcome = service.import_file("comtrade", fixtures / "comtrade" / "comtrade_sample.csv")
    assert outcome.status == "loaded", outcome.report and outcome.report.summary()
    # World partner, re-exports and a by-transport-mode breakdown are read but not loaded
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_skipped) == (6, 3, 3)
    rows = rows_of(settings, outcome.batch_id)
    assert rows == [
        ("UZ", "RU", "export", 2021, None, "0806", "HS2017", 45_000_000.0, 30_000_000.0),
        ("UZ", "RU", "import", 2021, None, "4407", "HS2017", 210_000_000.5, 1_500_000.0),
        ("UZ", "XX", "export", 2021, None, "5201", "HS2017", 500.0, 100.0),  # "Areas, nes" stays in
    ]


def test_comtrade_restores_leading_zero_and_reports_bad_period(service, settings, tmp_path):
    header = "period,reporterCode,partnerCode,flowCode,cmdCode,primaryValue,classificationCode"
    path = tmp_path / "c.csv"
    path.write_text(f"{header}\n202103,860,643,X,806,100,H5\n")
    outcome = service.import_file("comtrade", path)
    assert rows_of(settings, outcome.batch_id)[0][4:6] == (3, "0806")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\n2021-03,860,643,X,806,100,H5\n202103,860,999,X,806,100,H5\n")
    outcome = service.import_file("comtrade", bad)
    assert outcome.status == "rejected"
    assert [(p.line, p.column) for p in outcome.report.problems] == [(2, "period"), (3, "partnerCode")]


def test_baci_uses_its_country_file_and_units(service, settings, fixtures):
    outcome = service.import_file("baci", fixtures / "baci" / "BACI_HS17_Y2021_V202401_sample.csv")
    assert outcome.status == "loaded", outcome.report and outcome.report.summary()
    rows = rows_of(settings, outcome.batch_id)
    ru_uz = [r for r in rows if r[:2] == ("RU", "UZ") and r[5] == "440711"][0]
    assert ru_uz[7] == pytest.approx(1_234_567.0)  # thousand USD -> USD
    assert ru_uz[8] == pytest.approx(5_000_100.0)  # tonnes -> kg
    assert any(r[:7] == ("UZ", "RU", "export", 2021, None, "080610", "HS2017") for r in rows)  # 80610: zero restored
    assert {r[0] for r in rows} == {"RU", "UZ", "US", "TW"}  # 842 -> US, 490 -> TW


def test_baci_unknown_country(service, tmp_path, fixtures):
    folder = tmp_path / "baci"
    folder.mkdir()
    (folder / "country_codes_V202401.csv").write_bytes((fixtures / "baci" / "country_codes_V202401.csv").read_bytes())
    path = folder / "BACI_HS17_Y2021_V202401.csv"
    path.write_text("t,i,j,k,v,q\n2021,643,860,440711,1,1\n2021,643,123,440711,1,1\n")
    outcome = service.import_file("baci", path)
    assert outcome.status == "rejected"
    assert (outcome.report.problems[0].line, outcome.report.problems[0].column) == (3, "j")


def test_uzstat_flow_from_table_number_and_units(service, settings, tmp_path):
    path = tmp_path / "sdmx_data_1105.csv"
    path.write_text("\ufeffCode,Klassifikator,Klassifikator_ru,Klassifikator_en,2022,2023\n"
                    "643,Rossiya,Россия,Russia,3151098.4,3495675.6\n"
                    "0,Boshqa mamlakatlar,Другие страны,Other countries,5.0,-\n", encoding="utf-8")
    outcome = service.import_file("uzstat", path)
    assert outcome.status == "loaded"
    rows = rows_of(settings, outcome.batch_id)
    assert rows[0][:7] == ("UZ", "RU", "export", 2022, None, "TOTAL", "TOTAL")
    assert rows[1][7] == pytest.approx(3_495_675_600.0)
    assert rows[-1][1] == "XX"  # "Other countries" is kept as the unallocated bucket
    assert outcome.rows_skipped == 1


def test_uzstat_needs_a_flow_and_reports_bad_cells(service, tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("Code,Klassifikator,2023\n643,Rossiya,1\n")
    assert "--flow" in service.import_file("uzstat", path).report.summary()
    outcome = service.import_file("uzstat", path, ImportOptions(flow="import"))
    assert outcome.status == "loaded"
    bad = tmp_path / "bad.csv"
    bad.write_text("Code,Klassifikator,2023\n643,Rossiya,abc\n999,Nowhere,1\n")
    outcome = service.import_file("uzstat", bad, ImportOptions(flow="import"))
    assert [(p.line, p.column) for p in outcome.report.problems] == [(2, "2023"), (3, "Code")]


def make_workbook(path: Path, cell_value=12.5) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Экспорт"
    sheet.append(["Экспорт Российской Федерации в основные страны"])
    sheet.append(["(млн долларов США)"])
    sheet.append([None, "Китaй", "Узбекистан"])
    sheet.append([2021])
    sheet.append(["  январь", 100.0, cell_value])
    sheet.append(["  февраль", 110.0, "…"])
    imports = book.create_sheet("Импорт")
    imports.append([None, "Китaй", "Узбекистан"])
    imports.append([2021])
    imports.append(["  январь", 50.0, 5.0])
    book.save(path)
    return path


def test_fts_partners_workbook(service, settings, tmp_path):
    outcome = service.import_file("fts-partners", make_workbook(tmp_path / "p.xlsx"))
    assert outcome.status == "loaded"
    rows = rows_of(settings, outcome.batch_id)
    assert ("RU", "UZ", "export", 2021, 1, "TOTAL", "TOTAL", 12_500_000.0, None) in rows
    assert outcome.rows_skipped == 1  # the "…" of an unreleased figure


def test_fts_partners_bad_cell_and_not_a_workbook(service, settings, tmp_path):
    outcome = service.import_file("fts-partners", make_workbook(tmp_path / "p.xlsx", cell_value="12,5 млн"))
    assert outcome.status == "rejected"
    assert (outcome.report.problems[0].line, outcome.report.problems[0].column) == (5, "Экспорт!C")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    assert "not an XLSX" in service.import_file("fts-partners", fake).report.summary()
    assert warehouse_rows(settings) == 0


def test_a_workbook_is_known_by_its_content_not_its_name(service, settings, tmp_path):
    """An FTS partners workbook saved as .dat is read; a CSV named .xlsx is refused for what it is."""
    renamed = make_workbook(tmp_path / "p.xlsx").rename(tmp_path / "96stran.dat")
    assert service.import_file("fts-partners", renamed).status == "loaded"
    table = tmp_path / "96stran.xlsx"
    table.write_text("napr;period\nЭК;01/2021\n", encoding="utf-8")
    refused = service.import_file("fts-partners", table)
    assert refused.status == "rejected" and "its content is not one, whatever its name" in refused.report.summary()


def test_a_line_the_reader_cannot_take_is_located_not_dumped(service, settings, tmp_path):
    """A 3 MB line: the report names the file, the line and why, in a few words; never the engine's
    message with its temporary path, its settings and the whole line."""
    header = "napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s\n"
    row = "ЭК\t10/2025\tUZ\t4407111000\t113\t1234567,00\t800000\t950\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n"
    damaged = tmp_path / "DATTSVT_damaged.csv"
    damaged.write_text(header + row + row.replace("СФО", "С" * (3 << 20)) + row, encoding="cp1251")
    outcome = service.import_file("fts-regional", damaged)
    assert outcome.status == "rejected" and warehouse_rows(settings) == 0
    [problem] = outcome.report.problems
    assert problem.line == 3 and "MB long" in problem.reason
    text = outcome.report.summary() + " ".join(outcome.report.lines())
    assert len(text) < 1000 and "tmp" not in text and "max_line_size" not in text


def test_what_the_exact_pass_misses_is_still_said_in_words(tmp_path):
    from hamkor.trade.importers import IMPORTERS

    importer = IMPORTERS["fts-regional"]
    clean = tmp_path / "DATTSVT.csv"
    clean.write_text("napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s\n"
                     "ЭК\t10/2025\tUZ\t4407111000\t113\t1,00\t1\t1\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n", encoding="utf-8")
    source = importer.open_source(clean, None)
    engine = "Invalid Input Error: CSV Error on Line: 2\nOriginal Line: ЭК… /tmp/x1f.csv max_line_size = 1048576"
    [problem] = importer.locate_problems(source, ImportOptions(), engine).problems
    assert problem.line == 2 and "tmp" not in str(problem.reason) and "max_line_size" not in str(problem.reason)


def test_batch_coverage_follows_loads_undos_and_reaches_an_older_warehouse(service, settings, fixtures):
    """Whole-warehouse questions (which source is a world matrix) read the batches' coverage, not the rows:
    it is written with the rows, leaves with an undo, and a warehouse written before it existed gets it."""
    import duckdb

    from hamkor.trade.warehouse import Warehouse

    outcome = service.import_file("baci", fixtures / "baci" / "BACI_HS17_Y2021_V202401_sample.csv")
    assert outcome.status == "loaded", outcome.report and outcome.report.summary()

    def coverage():
        with Warehouse(settings).reader() as con:
            return con.execute("SELECT reporter, year, month, itemised, rows FROM batch_coverage "
                               "ORDER BY ALL").fetchall(), con.execute(
                "SELECT reporter, year, NULL, true, count(*) FROM trade_flow GROUP BY ALL ORDER BY ALL").fetchall()

    written, from_rows = coverage()
    assert written == from_rows and written  # the same as counting the rows themselves
    with duckdb.connect(str(Warehouse(settings).path)) as con:  # as an older version left the file
        con.execute("DROP TABLE batch_coverage")
    written, from_rows = coverage()
    assert written == from_rows
    service.undo(outcome.batch_id)
    assert coverage() == ([], [])
