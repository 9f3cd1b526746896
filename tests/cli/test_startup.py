"""What a command loads when it starts: only what it needs (issue 17, point 4). The time itself is
measured in benchmarks/startup.py; here, in a fresh interpreter each, which heavy libraries a command
pulls in — a new top-level import in a CLI module fails these."""

import json
import subprocess
import sys

import pytest

from tests.helpers import copy_of_demo

HEAVY = ("duckdb", "sqlalchemy", "alembic", "weasyprint", "scipy", "numpy", "pyarrow", "pydantic", "vl_convert",
         "openpyxl", "fastapi", "ortools", "babel")

PROBE = """
import json, sys
sys.argv = ["hamkor", *json.loads(sys.argv[1])]
from hamkor.cli import app
try:
    app()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted({m.split('.')[0] for m in sys.modules} & set(%s))}))
"""


def loaded_by(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE % repr(list(HEAVY)), json.dumps(args)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cli_demo_dir(demo_settings, tmp_path_factory):
    return copy_of_demo(demo_settings, tmp_path_factory, "startup")


@pytest.mark.parametrize("args", [["--help"], ["trade", "--help"], ["import", "--help"], ["missions", "--help"],
                                  ["cooperation", "--help"], ["users", "--help"], ["brief", "--help"]])
def test_help_loads_no_domain_library(args):
    outcome = loaded_by(*args)
    assert outcome["code"] == 0 and outcome["loaded"] == []


def test_trade_summary_loads_the_warehouse_and_nothing_of_the_database_or_the_documents(cli_demo_dir):
    outcome = loaded_by("--data-dir", str(cli_demo_dir), "trade", "summary", "-r", "RU-ALT", "-p", "UZ",
                        "--period", "2025-01..2025-09")
    assert outcome["code"] == 0
    assert "duckdb" in outcome["loaded"]
    assert not {"sqlalchemy", "alembic", "weasyprint", "scipy", "pydantic", "vl_convert"} & set(outcome["loaded"])


def test_a_brief_draws_its_charts_without_the_javascript_engine(cli_demo_dir, tmp_path):
    target = tmp_path / "brief.html"
    outcome = loaded_by("--data-dir", str(cli_demo_dir), "brief", "-r", "RU-ALT", "-p", "UZ", "--period",
                        "2025-01..2025-09", "-f", "html", "-o", str(target))
    assert outcome["code"] == 0
    assert "vl_convert" not in outcome["loaded"] and "scipy" not in outcome["loaded"]
    assert target.read_text(encoding="utf-8").count("<svg") == 3


def test_the_process_ends_with_the_commands_exit_code_and_all_its_output(cli_demo_dir, tmp_path):
    """main() ends the process without Python's teardown: the exit code and everything written must
    survive that (stdout piped, stderr, the file a command writes)."""
    target = tmp_path / "summary.csv"
    ok = subprocess.run([sys.executable, "-m", "hamkor", "--data-dir", str(cli_demo_dir), "trade", "summary", "-r",
                         "RU-ALT", "-p", "UZ", "--period", "2025-01..2025-09", "-f", "csv", "-o", str(target)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert target.read_text(encoding="utf-8").startswith("measure,") and "SYNTHETIC" in ok.stderr
    piped = subprocess.run([sys.executable, "-m", "hamkor", "ref", "countries", "--format", "csv"],
                           capture_output=True, text=True, check=False)
    assert piped.returncode == 0 and piped.stdout.count("\n") > 200  # the whole table, flushed
    refused = subprocess.run([sys.executable, "-m", "hamkor", "--data-dir", str(cli_demo_dir), "brief", "-r",
                              "RU-ALT", "-p", "UZ", "--period", "2025", "--lang", "xx"],
                             capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and "--lang must be one of" in refused.stderr


def test_the_kinds_written_in_the_cli_are_the_registrys():
    from hamkor.cli.cooperation import KIND_NAMES
    from hamkor.cooperation.records import KINDS

    assert KIND_NAMES == tuple(KINDS)


def test_the_file_formats_listed_without_the_importers_are_the_importers():
    from hamkor.trade.formats import FILE_FORMATS
    from hamkor.trade.importers import IMPORTERS

    assert list(FILE_FORMATS) == list(IMPORTERS)
    assert all(IMPORTERS[kind].title == f.title for kind, f in FILE_FORMATS.items())


def test_the_pdf_process_renders_and_reports_its_failure():
    from hamkor.render.pdf_process import PdfEngineError, PdfProcess

    with PdfProcess() as engine:
        data = engine.render("<!DOCTYPE html><meta charset='utf-8'><p>Справка</p>")
    assert data.startswith(b"%PDF-")
    engine = PdfProcess()
    engine._child.kill()
    with pytest.raises(PdfEngineError, match="the PDF engine failed"):
        engine.render("<p>x</p>")
    engine.close()
