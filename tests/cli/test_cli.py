"""The `hamkor` command, run in-process."""

import json

import pytest
from typer.testing import CliRunner

from hamkor.cli import app
from hamkor.config import Settings
from hamkor.store.warehouse import Warehouse
from hamkor.trade import stats
from hamkor.trade.periods import Period

runner = CliRunner()


def run(data_dir, *args):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    result = run(data_dir, "demo", "--no-serve")
    assert result.exit_code == 0, result.output
    return data_dir, result.output


def test_demo_prints_a_summary_marked_synthetic(demo_dir):
    _, output = demo_dir
    assert "SYNTHETIC" in output and "Алтайский край" in output
    assert "+33,0%" in output  # Altai Krai - Uzbekistan, Jan-Sep 2025 on Jan-Sep 2024
    assert "3 of" in output


def test_demo_data_is_calibrated(demo_dir):
    data_dir, _ = demo_dir
    settings = Settings(data_dir=data_dir)
    with Warehouse(settings).reader() as con:
        period = Period.months(2025, 1, 9)
        ranking = stats.partner_ranking(con, "RU-ALT", period)
        now = stats.flows(con, "RU-ALT", "UZ", period)
        before = stats.flows(con, "RU-ALT", "UZ", period.previous_year())
        sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM trade_flow WHERE reporter = 'RU-ALT'")
                   .fetchall()}
        top_export_chapters = [c for (c,) in con.execute(
            "SELECT left(commodity_code, 2) c FROM trade_flow WHERE reporter = 'RU-ALT' AND partner = 'UZ' "
            "AND flow = 'export' AND year = 2025 GROUP BY c ORDER BY sum(value_usd) DESC LIMIT 3").fetchall()]
        import_chapters = {c for (c,) in con.execute(
            "SELECT left(commodity_code, 2) c FROM trade_flow WHERE reporter = 'RU-ALT' AND partner = 'UZ' "
            "AND flow = 'import' AND year = 2025 GROUP BY c ORDER BY sum(value_usd) DESC LIMIT 4").fetchall()}
    assert [r.partner for r in ranking[:3]] == ["KZ", "CN", "UZ"]
    assert round(stats.growth(now.turnover, before.turnover), 1) == 33.0
    assert now.synthetic and sources == {"demo-synthetic"}
    assert top_export_chapters[0] == "44"  # timber leads
    assert {"08", "07"} <= import_chapters


def test_demo_twice_changes_nothing(demo_dir):
    data_dir, _ = demo_dir
    result = run(data_dir, "demo", "--no-serve")
    assert result.exit_code == 0 and "already loaded" in result.output


def test_import_list_json_and_undo(demo_dir, fixtures, tmp_path):
    data_dir = tmp_path / "d"
    result = run(data_dir, "import", "fts-regional", str(fixtures / "fts" / "DATTSVT_cp1251.csv"))
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output and "DATTSVT_cp1251.csv" in result.output
    listed = run(data_dir, "import", "list", "--format", "json")
    batches = json.loads(listed.stdout)
    assert batches[0]["status"] == "loaded" and batches[0]["rows loaded"] == 5
    undone = run(data_dir, "import", "undo", str(batches[0]["batch"]))
    assert undone.exit_code == 0 and "5 rows removed" in undone.output
    again = run(data_dir, "import", "undo", str(batches[0]["batch"]))
    assert again.exit_code == 1 and "undone, not loaded" in again.output


def test_bad_file_exits_non_zero_with_a_report(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s\n"
                   "ЭК\t13/2025\tUZ\t4407119300\t113\t1\t1\t1\t01000\tS\n", encoding="utf-8")
    result = run(tmp_path / "d", "import", "fts-regional", str(bad))
    assert result.exit_code == 1
    assert "bad.csv, line 2, column period" in result.output and "nothing was loaded" in result.output
    assert "Traceback" not in result.output


def test_bad_unit_and_unknown_command(tmp_path, fixtures):
    result = run(tmp_path, "import", "fts-regional", "--value-unit", "rubles",
                 str(fixtures / "fts" / "DATTSVT_cp1251.csv"))
    assert result.exit_code == 2 and "--value-unit" in result.output
    assert run(tmp_path, "import", "nonsense").exit_code != 0


def test_xlsx_export(tmp_path, fixtures):
    import openpyxl

    run(tmp_path, "import", "fts-regional", str(fixtures / "fts" / "DATTSVT_cp1251.csv"))
    out = tmp_path / "batches.xlsx"
    assert run(tmp_path, "import", "list", "--format", "xlsx", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "batch" and sheet["A1"].font.bold and sheet["E2"].value == "loaded"


def test_reference_commands(tmp_path):
    shown = run(tmp_path, "ref", "code", "4011100003", "--lang", "ru")
    assert shown.exit_code == 0 and "Шины" in shown.output and "VII" in shown.output
    assert "Wood" in run(tmp_path, "ref", "code", "44", "--lang", "en").output
    found = run(tmp_path, "ref", "search", "мед натуральный")
    assert "0409" in found.output
    assert "030721" in run(tmp_path, "ref", "map", "030791").output
    regions = run(tmp_path, "ref", "regions", "--country", "UZ", "--format", "csv")
    assert "UZ-SI" in regions.output and regions.output.count("\n") == 15
    assert run(tmp_path, "ref", "code", "12345").exit_code == 1


def test_db_upgrade_and_help(tmp_path):
    result = run(tmp_path, "db", "upgrade")
    assert result.exit_code == 0 and "0001" in result.output
    assert run(tmp_path, "db", "current").output.strip() == "0001"
    assert "fts-regional" in runner.invoke(app, ["import", "--help"]).output
    assert runner.invoke(app, ["--version"]).output.startswith("hamkor ")
