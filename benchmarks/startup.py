"""Benchmark: how long a command takes from a fresh process, beside what it cannot go below.

    python benchmarks/startup.py [--data-dir DIR] [--repeat 7]

Each figure is the median wall time of --repeat fresh processes (the machine is noisy: the range is
printed too). Targets (issue 17, point 4): `hamkor --help` and `hamkor trade summary …` < 0.5 s whole
process; a PDF brief from a fresh process < 2 s. Baselines, in the same run:

- the interpreter alone, and the interpreter with the CLI framework (typer, rich): the floor of any
  command;
- every domain module a command used to import up front (what each command paid before this issue);
- the same brief composed and printed a second time in one process: the brief's own work, with no
  start-up in it.

Uses the demo data (built in a temporary folder unless --data-dir names one already built).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import demo_data_dir  # noqa: E402 - the benchmarks folder is not a package

HAMKOR = [sys.executable, "-m", "hamkor"]
# The modules the CLI's command modules imported at their top before they imported on use.
UP_FRONT = ("hamkor.cli", "hamkor.context", "hamkor.briefing.compose", "hamkor.briefing.render",
            "hamkor.opportunities.analysis", "hamkor.companies.service", "hamkor.companies.transfer",
            "hamkor.missions.service", "hamkor.missions.scheduler", "hamkor.missions.agenda",
            "hamkor.cooperation.service", "hamkor.trade.service", "hamkor.trade.stats", "hamkor.demo.build",
            "hamkor.accounts.service")

WARM_BRIEF = """
import sys, time
from pathlib import Path
from hamkor.briefing.compose import compose_brief
from hamkor.briefing.render import render
from hamkor.config import Settings
from hamkor.context import AppContext
from hamkor.cooperation.digest import digest
from hamkor.trade.periods import Period

context = AppContext(Settings(data_dir=Path(sys.argv[1])))
def one():
    found = digest(context.cooperation, "UZ", context.today(), "ru")
    with context.warehouse.reader() as con:
        brief = compose_brief(con, "RU-ALT", "UZ", Period.parse(sys.argv[2]), "ru", cooperation=found)
    return render(brief, "pdf")
one()
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    one()
    times.append(time.perf_counter() - started)
print(sorted(times)[len(times) // 2])
"""


def wall(command: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return times


def line(label: str, times: list[float], target: float | None = None) -> float:
    median = statistics.median(times)
    verdict = "" if target is None else f"  target < {target:g} s: {'met' if median < target else 'NOT met'}"
    print(f"  {label:58s} {median:6.2f} s  (range {min(times):.2f}–{max(times):.2f}){verdict}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="a data folder with the demo already built")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hamkor-startup-") as folder:
        data_dir = demo_data_dir(args.data_dir, folder)
        period = "2025-01..2025-09"
        data = ["--data-dir", data_dir]
        summary = [*HAMKOR, *data, "trade", "summary", "-r", "RU-ALT", "-p", "UZ", "--period", period]
        brief = [*HAMKOR, *data, "brief", "-r", "RU-ALT", "-p", "UZ", "--period", period, "-f", "pdf", "-o",
                 str(Path(folder) / "brief.pdf")]
        repeat = args.repeat
        print(f"Whole process, median of {repeat} fresh processes:")
        interpreter = line("interpreter alone (python -c pass)", wall([sys.executable, "-c", "pass"], repeat))
        framework = line("interpreter + typer + rich (the CLI's floor)",
                         wall([sys.executable, "-c", "import typer, rich.console, rich.table"], repeat))
        up_front = line("every command's domain imported up front (before)",
                        wall([sys.executable, "-c", "import " + ", ".join(UP_FRONT)], repeat))
        help_time = line("hamkor --help", wall([*HAMKOR, "--help"], repeat), 0.5)
        summary_time = line("hamkor trade summary (RU-ALT, UZ, nine months)", wall(summary, repeat), 0.5)
        brief_time = line("hamkor brief as PDF (three charts, three pages)", wall(brief, repeat), 2.0)
        warm = subprocess.run([sys.executable, "-c", WARM_BRIEF, data_dir, period, str(repeat)], capture_output=True,
                              text=True, check=False)
        if warm.returncode != 0:
            raise SystemExit(f"warm brief failed:\n{warm.stderr[-3000:]}")
        warm_time = float(warm.stdout.strip().splitlines()[-1])
        print(f"  {'the same brief again in a warm process (its own work)':58s} {warm_time:6.2f} s")
        print(f"\n  --help: {help_time / framework:.1f}x the CLI framework's floor; the up-front imports alone took "
              f"{up_front / help_time:.1f}x the whole --help now")
        print(f"  brief: start-up adds {brief_time - warm_time:.2f} s to its {warm_time:.2f} s of work "
              f"(interpreter {interpreter:.2f} s)")
        print(json.dumps({"help": help_time, "summary": summary_time, "brief": brief_time, "warm_brief": warm_time,
                          "framework": framework, "up_front": up_front}))


if __name__ == "__main__":
    main()
