"""The benchmarks run (tiny sizes): the figures themselves come from `make bench`."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_import_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "import_fts_regional.py"), "--rows", "20000",
                             "--repeat", "1"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "hamkor (DuckDB)" in result.stdout and "baseline (pandas+Parquet)" in result.stdout
    assert "fastest parse (pyarrow" in result.stdout and "storage floor" in result.stdout
    assert "speed-up over baseline" in result.stdout and "targets:" in result.stdout


def test_trade_queries_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "trade_queries.py"), "--rows", "50000",
                             "--repeat", "3"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "chapter structure" in result.stdout and "pandas" in result.stdout and "PDF brief" in result.stdout


def test_web_load_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "web_load.py"), "--clients", "4", "--seconds", "2",
                             "--import-rows", "20000"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dashboard" in result.stdout and "api summary" in result.stdout and "requests/s" in result.stdout
    # the second half of each phase ran with imports going on in the same server, and they loaded
    assert "importing" in result.stdout and "an import ran" in result.stdout
    assert " 0 jobs ended" not in result.stdout and "rows loaded, 0 failed" in result.stdout


def test_opportunities_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "opportunities.py"), "--runs", "1", "--locations", "40",
                             "--products", "300"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "hamkor complexity" in result.stdout and "ecomplexity 0.5.3" in result.stdout
    correlation = float(result.stdout.split("ECI correlation ")[1].split()[0])
    assert correlation > 0.9999  # the same ECI as the reference implementation, at any size


def test_companies_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "companies.py"), "--companies", "300", "--runs", "1"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "matching 300 x 300" in result.stdout and "baseline pair by pair" in result.stdout
    assert "classification: index built" in result.stdout and "accuracy holdout" in result.stdout


def test_missions_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "missions.py"), "--skip-large"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "delegation 100 participants" in result.stdout and "first-fit baseline" in result.stdout
    assert "itinerary 60 sites" in result.stdout


def test_projection_backtest_smoke(shared_raw):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "projection_backtest.py"), "--raw", str(shared_raw),
                             "--through", "9"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "seasonality (hamkor)" in result.stdout and "baseline (x 12/9)" in result.stdout and "MAPE" in result.stdout


def test_upload_memory_benchmark_smoke():
    result = subprocess.run([sys.executable, str(BENCHMARKS / "upload_memory.py"), "--mb", "3"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "server idle RSS (baseline)" in result.stdout and "server peak RSS (VmHWM)" in result.stdout
    assert "import job done" in result.stdout


def test_baci_world_benchmark_smoke():
    """A small world (40 countries, 300 products, 2 years): every step of the real-scale run, including the page."""
    result = subprocess.run([sys.executable, str(BENCHMARKS / "baci_world.py"), "--countries", "40", "--products",
                             "300", "--rows-per-year", "110000", "--years", "2", "--repeat", "1", "--requests", "3",
                             "--ecomplexity-limit", "120"], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    for figure in ("hamkor, every check in", "baseline, fastest parse", "floor, DuckDB storing",
                   "complexity at HS6", "export potential RU-ALT <-> UZ", "Opportunities page", "ecomplexity"):
        assert figure in result.stdout, figure


def test_documents_benchmark_smoke(demo_settings):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "documents.py"), "--data-dir",
                             str(demo_settings.data_dir), "--repeat", "1", "--smoke"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "one rendering cut into files" in result.stdout
    assert "baseline, one rendering per participant" in result.stdout


def test_startup_benchmark_smoke(demo_settings):
    result = subprocess.run([sys.executable, str(BENCHMARKS / "startup.py"), "--data-dir",
                             str(demo_settings.data_dir), "--repeat", "1"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    for figure in ("hamkor --help", "hamkor trade summary", "hamkor brief as PDF", "interpreter + typer + rich",
                   "imported up front (before)", "warm process"):
        assert figure in result.stdout, figure
