"""The `hamkor` command, run in-process."""

import json
import re

import pytest
from typer.testing import CliRunner

from hamkor.cli import app
from hamkor.config import Settings
from hamkor.store.db import HEAD_REVISION
from hamkor.trade import stats
from hamkor.trade.periods import Period
from hamkor.trade.warehouse import Warehouse

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
    assert "+33,0\u00a0%" in output  # Altai Krai - Uzbekistan, Jan-Sep 2025 on Jan-Sep 2024
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
    assert result.exit_code == 0 and HEAD_REVISION in result.output
    assert run(tmp_path, "db", "current").output.strip() == HEAD_REVISION
    assert "fts-regional" in runner.invoke(app, ["import", "--help"]).output
    assert runner.invoke(app, ["--version"]).output.startswith("hamkor ")


def test_trade_commands(demo_dir):
    data_dir, _ = demo_dir
    result = run(data_dir, "trade", "summary", "-r", "RU-ALT", "-p", "UZ", "--period", "2025-01..2025-09",
                 "-f", "json")
    assert result.exit_code == 0, result.output
    rows = {r["measure"]: r for r in json.loads(result.stdout)}
    assert rows["turnover"]["growth, %"] == 33.0 and rows["turnover"]["period, mn USD"] == 135.66
    assert "SYNTHETIC" in result.stderr
    partners = json.loads(run(data_dir, "trade", "partners", "-r", "RU-ALT", "--period", "2025-01..2025-09",
                              "-f", "json").stdout)
    assert [p["code"] for p in partners[:3]] == ["KZ", "CN", "UZ"]
    structure = run(data_dir, "trade", "structure", "-r", "RU-ALT", "-p", "UZ", "--period", "2025-YTD-09",
                    "--flow", "import", "--level", "section", "--lang", "en")
    assert structure.exit_code == 0 and "Vegetable products" in structure.output
    assert "source demo-synthetic: 2024-01..2025-09, batches " in structure.stderr  # where the table comes from
    mirror = run(data_dir, "trade", "mirror", "-r", "RU", "-p", "UZ", "--years", "2021..2021", "-f", "csv")
    assert "2021,RU export,5205.129,5462.245" in mirror.stdout
    series = json.loads(run(data_dir, "trade", "series", "-r", "RU", "-p", "UZ", "--period", "2021-Q3",
                            "-f", "json").stdout)
    assert [s["month"] for s in series] == ["2020-07", "2020-08", "2020-09", "2021-07", "2021-08", "2021-09"]
    movers = run(data_dir, "trade", "movers", "-r", "RU-ALT", "--period", "2025-01..2025-09", "--by", "partner")
    assert movers.exit_code == 0 and "Китай" in movers.output and "source demo-synthetic" in movers.stderr
    indices = run(data_dir, "trade", "indices", "-r", "RU-ALT", "-p", "UZ", "--period", "2025-01..2025-09")
    assert indices.exit_code == 0 and "Grubel" in indices.output and "complementarity index n/a" in indices.stderr


def test_trade_errors_are_messages(demo_dir, tmp_path):
    data_dir, _ = demo_dir
    bad_period = run(data_dir, "trade", "summary", "-r", "RU-ALT", "-p", "UZ", "--period", "2025-13")
    assert bad_period.exit_code == 2 and "not a valid month" in bad_period.output
    bad_partner = run(data_dir, "trade", "summary", "-r", "RU-ALT", "-p", "ZZ", "--period", "2025")
    assert bad_partner.exit_code == 2 and "unknown partner" in bad_partner.output
    annual = run(data_dir, "trade", "summary", "-r", "UZ", "-p", "RU", "--period", "2023-01..2023-06")
    assert "annual figures only" in annual.stderr
    empty = run(tmp_path / "nothing", "trade", "summary", "-r", "RU", "--period", "2025")
    assert empty.exit_code == 1 and "hamkor demo" in empty.output
    assert "Traceback" not in bad_period.output + bad_partner.output + empty.output


def test_xlsx_trade_export(demo_dir, tmp_path):
    import openpyxl

    data_dir, _ = demo_dir
    out = tmp_path / "partners.xlsx"
    result = run(data_dir, "trade", "partners", "-r", "RU-ALT", "--period", "2025", "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet["B2"].value == "KZ" and sheet["D2"].number_format == "#,##0.0"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "md"])
def test_brief_command(demo_dir, tmp_path, fmt):
    data_dir, _ = demo_dir
    out = tmp_path / f"brief.{fmt}"
    result = run(data_dir, "brief", "-r", "RU-ALT", "-p", "UZ", "--period", "2025-01..2025-09", "--lang", "en",
                 "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000 and "third-largest" in result.stdout
    assert "synthetic demo data" in result.stderr


def test_brief_bad_options(demo_dir):
    data_dir, _ = demo_dir
    assert run(data_dir, "brief", "-r", "RU-ALT", "-p", "UZ", "--period", "2025", "--lang", "de").exit_code == 2
    assert run(data_dir, "brief", "-r", "RU-ALT", "-p", "UZ", "--period", "2025", "-f", "odt").exit_code == 2


def test_the_cli_reads_and_imports_beside_a_running_server_and_waits_for_its_import(tmp_path, fixtures):
    """Issue 28.4: the CLI refused even to read while the server held the warehouse. Now a server holds only a
    read-only snapshot: the CLI reads and imports beside it, and an import already writing is waited for,
    with a message, never a lock error."""
    import subprocess
    import sys
    import time

    assert run(tmp_path, "import", "fts-regional", str(fixtures / "fts" / "DATTSVT_cp1251.csv")).exit_code == 0
    server = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from hamkor.config import Settings; "
        "from hamkor.trade.warehouse import SharedWarehouse; "
        f"w = SharedWarehouse(Settings(data_dir=Path({str(tmp_path)!r}))); print('ready', flush=True); "
        "sys.stdin.readline(); reader = w.reader(); r = reader.__enter__(); "
        "print(w.generation, r.execute('SELECT count(*) FROM trade_flow').fetchone()[0], flush=True); "
        "time.sleep(60)")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"  # another process, as a web server would be
        read = run(tmp_path, "trade", "summary", "--reporter", "RU-ALT", "--period", "2024", "--format", "json")
        assert read.exit_code == 0, read.output
        loaded = run(tmp_path, "import", "fts-national", str(fixtures / "fts" / "national_sample.csv"))
        assert loaded.exit_code == 0 and "open in another process" not in loaded.output, loaded.output
        server.stdin.write("\n")
        server.stdin.flush()
        generation, rows = map(int, server.stdout.readline().split())  # the server reads the new data at once
        assert generation >= 2 and rows > 0
    finally:
        server.kill()
        server.wait()

    writer = subprocess.Popen([sys.executable, "-c", (
        "import time; from pathlib import Path; from hamkor.config import Settings; "
        "from hamkor.trade.warehouse import Warehouse; "
        f"w = Warehouse(Settings(data_dir=Path({str(tmp_path)!r}))); c = w.writer(); c.__enter__(); "
        "print('writing', flush=True); time.sleep(3); c.__exit__(None, None, None)")], stdout=subprocess.PIPE,
        text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"  # an import in the server, say
        started = time.monotonic()
        waited = run(tmp_path, "import", "fts-regional", str(fixtures / "fts" / "DATTSVT_cp1251.csv"),
                     "--source", "second")
        assert waited.exit_code in (0, 1) and "Traceback" not in waited.output, waited.output
        assert "waiting for it" in waited.output and time.monotonic() - started > 1.0
        assert "locked" not in waited.output.lower() and "open in another process" not in waited.output
    finally:
        writer.kill()
        writer.wait()


def test_opportunities_and_complexity(demo_dir):
    data_dir, _ = demo_dir
    result = run(data_dir, "opportunities", "--reporter", "RU-ALT", "--partner", "UZ", "--top", "5", "--lang", "en",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and rows[0]["#"] == 1
    assert rows[0]["explanation"].startswith("Uzbekistan imports") and json.loads(rows[0]["factors"])["supply"] > 0
    assert "SYNTHETIC" in result.stderr
    table = run(data_dir, "opportunities", "-r", "RU-ALT", "-p", "UZ", "-d", "import", "--top", "3")
    assert table.exit_code == 0 and "Узбекистан → Алтайский край" in table.stdout
    assert "1. Алтайский край" in table.stdout
    div = run(data_dir, "opportunities", "-r", "RU-ALT", "-p", "UZ", "--diversification", "-f", "csv")
    assert div.exit_code == 0 and div.stdout.splitlines()[0].startswith("#,code,product,density")
    bad = run(data_dir, "opportunities", "-r", "RU-ALT", "-p", "UZ", "--year", "2019")
    assert bad.exit_code == 2 and "has no 2019" in bad.stderr
    eci = run(data_dir, "complexity", "--year", "2024", "--region", "RU-ALT", "--format", "json")
    assert eci.exit_code == 0, eci.output
    locations = json.loads(eci.stdout)
    assert {"RU", "RU-ALT", "UZ"} <= {r["location"] for r in locations} and locations[0]["ECI"] > locations[-1]["ECI"]
    pci = run(data_dir, "complexity", "--products", "--format", "csv")
    assert pci.exit_code == 0 and pci.stdout.splitlines()[0] == "#,code,product,PCI,ubiquity"


def test_companies_and_hs_commands(demo_dir, fixtures, tmp_path):
    data_dir, _ = demo_dir
    listed = run(data_dir, "companies", "list", "--region", "UZ-SI", "-f", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert len(rows) == 35 and all(r["demo"] == "SYNTHETIC" for r in rows)
    hits = json.loads(run(data_dir, "hs", "search", "paxta ipi", "-f", "json").stdout)
    assert hits[0]["heading"] == "5205" and "trade term" in hits[0]["why"]
    matched = run(data_dir, "companies", "match", "--a-region", "RU-ALT", "--b-region", "UZ-SI", "--top", "1",
                  "--lang", "en", "-f", "json")
    assert matched.exit_code == 0, matched.output
    suggestions = json.loads(matched.stdout)
    assert suggestions and any("offers" in s["why"] for s in suggestions)
    refused = run(data_dir, "companies", "import", str(fixtures / "companies" / "companies_bad.csv"))
    assert refused.exit_code == 2 and "nothing imported" in refused.stderr and "check digit" in refused.stderr
    imported = run(data_dir, "companies", "import", str(fixtures / "companies" / "companies_ru.csv"))
    assert imported.exit_code == 0 and "3 created" in imported.stdout and "looks like" in imported.stderr
    assert len(json.loads(run(data_dir, "companies", "list", "-f", "json").stdout)) == 88
    target = tmp_path / "companies.xlsx"
    exported = run(data_dir, "companies", "export", "-o", str(target), "--region", "RU-ALT")
    assert exported.exit_code == 0 and target.stat().st_size > 5000 and "SYNTHETIC" in exported.stderr
    user = run(data_dir, "users", "create", "rep@example.org", "--role", "company", "--password", "long enough pw")
    assert user.exit_code == 1 and "needs the company" in user.stderr
    user = run(data_dir, "users", "create", "rep@example.org", "--role", "company", "--password", "long enough pw",
               "--company", "99999")
    assert user.exit_code == 1 and "no company #99999" in user.stderr
    user = run(data_dir, "users", "create", "rep@example.org", "--role", "company", "--password", "long enough pw",
               "--company", str(rows[0]["id"]))
    assert user.exit_code == 0, user.output
    # Accounts from the command line: a token named, read-only, with an expiry; listed without its secret;
    # revoked; a weak password refused; a user deactivated and back
    token = run(data_dir, "users", "token", "rep@example.org", "--name", "nightly export", "--days", "30")
    assert token.exit_code == 0 and token.stdout.strip().startswith("hk_")
    listed = run(data_dir, "users", "tokens", "rep@example.org").stdout
    assert re.search(r"nightly export\s+read\s+\S+\s+-\s+active", listed) and token.stdout.strip() not in listed
    token_id = listed.split()[0]
    assert run(data_dir, "users", "revoke-token", token_id).exit_code == 0
    assert run(data_dir, "users", "tokens", "rep@example.org").stdout.split()[-1] == "revoked"
    weak = run(data_dir, "users", "password", "rep@example.org", "--password", "qwerty")
    assert weak.exit_code == 1 and "at least 12" in weak.stderr
    assert run(data_dir, "users", "password", "rep@example.org", "--password", "a better long one").exit_code == 0
    assert run(data_dir, "users", "deactivate", "rep@example.org").exit_code == 0
    assert re.search(r"rep@example.org\s+company\s+ru\s+inactive", run(data_dir, "users", "list").stdout)
    assert run(data_dir, "users", "reactivate", "rep@example.org").exit_code == 0


def test_missions_schedule_an_instance_file(tmp_path):
    from tests.helpers import scheduler_event as event

    instance = tmp_path / "event.json"
    instance.write_text(json.dumps(event(4, visitors=8, hosts=8, requests=30, slots=4, tables=3)), encoding="utf-8")
    out = tmp_path / "solution.json"
    result = run(tmp_path, "missions", "schedule", "--instance", str(instance), "-o", str(out), "--seconds", "2",
                 "--workers", "1", "--seed", "1")
    assert result.exit_code == 0, result.output
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert solution["meetings"] and solution["value"] <= solution["upper_bound"] + 1e-6
    assert len(solution["meetings"]) + len(solution["unscheduled"]) == 30 and "meetings, value" in result.stderr
    undated = run(tmp_path, "missions", "schedule", "--instance", str(instance), "-o", str(out), "--seconds", "1",
                  "--ics", str(tmp_path / "ics"))
    assert undated.exit_code == 2 and "need date" in undated.stderr
    data = json.loads(instance.read_text(encoding="utf-8"))
    for n, slot in enumerate(data["slots"]):
        slot.update(date="2026-05-20", start=f"{10 + n}:00", end=f"{10 + n}:30")
    instance.write_text(json.dumps(data), encoding="utf-8")
    dated = run(tmp_path, "missions", "schedule", "--instance", str(instance), "-o", str(out), "--seconds", "1",
                "--ics", str(tmp_path / "ics"))
    assert dated.exit_code == 0, dated.output
    calendars = sorted((tmp_path / "ics").glob("*.ics"))
    assert len(calendars) == 16 and all(c.read_bytes().startswith(b"BEGIN:VCALENDAR") for c in calendars)
    broken = tmp_path / "broken.json"
    broken.write_text('{"slots": [', encoding="utf-8")
    refused = run(tmp_path, "missions", "schedule", "--instance", str(broken))
    assert refused.exit_code == 2 and "not JSON" in refused.stderr


def test_a_command_without_the_servers_database_url_refuses_rather_than_start_an_empty_database(tmp_path, fixtures):
    """The outsider's find: cron runs `hamkor backup` with HAMKOR_DATA_DIR only; on a PostgreSQL install that made
    a new, empty SQLite database beside the warehouse and reported a backup of 0 rows as done."""
    assert run(tmp_path, "import", "fts-regional", str(fixtures / "fts" / "DATTSVT_cp1251.csv")).exit_code == 0
    (tmp_path / "hamkor.sqlite3").unlink()  # as a data directory whose database lives in PostgreSQL
    result = run(tmp_path, "import", "list")
    assert result.exit_code != 0 and "HAMKOR_DATABASE_URL" in str(result.exception or result.output)
    assert not (tmp_path / "hamkor.sqlite3").exists()
