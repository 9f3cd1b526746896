"""Benchmark: every agenda of a mission at once, beside rendering them one by one (today's way before
issue 17) in the same run.

    python benchmarks/documents.py [--data-dir DIR] [--repeat 3]

Uses the demo's mission (85 participants; the demo is built in a temporary folder unless --data-dir
names one already built). Each run is a fresh process, so WeasyPrint's start-up and fonts are in
the figure as a user meets them. Target (issue 17): all agendas, the combined PDF and one per
participant, in < 10 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import demo_data_dir  # noqa: E402 - the benchmarks folder is not a package

RUN = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from hamkor.config import Settings
from hamkor.context import AppContext
from hamkor.missions import documents
context = AppContext(Settings(data_dir=Path(sys.argv[1])))
missions = context.missions
mission = next(m for m in missions.all() if missions.people(m.id))
people = list(missions.people(mission.id))
if sys.argv[2] == "bundle":
    bundle = documents.agenda_bundle(missions, mission)
    sizes = [len(bundle.combined), *map(len, bundle.each.values())]
elif sys.argv[2] == "one-by-one":
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else len(people)
    sizes = [len(documents.agenda_pdf(missions, mission, [pid])) for pid in people[:limit]]
else:
    sizes = [len(documents.table_sheets_pdf(missions, mission))]
print(json.dumps({"seconds": time.perf_counter() - started, "participants": len(people), "files": len(sizes),
                  "bytes": sum(sizes)}))
"""


def run(data_dir: str, how: str, *extra: str) -> dict:
    result = subprocess.run([sys.executable, "-c", RUN, data_dir, how, *extra], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise SystemExit(f"{how} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="a data folder with the demo already built")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="the baseline renders five participants only (CI's smoke run: it proves the script runs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hamkor-documents-") as folder:
        data_dir = demo_data_dir(args.data_dir, folder)
        ours = [run(data_dir, "bundle") for _ in range(args.repeat)]
        baseline = run(data_dir, "one-by-one", *(["5"] if args.smoke else []))
        sheets = run(data_dir, "tables")
    seconds = statistics.median(r["seconds"] for r in ours)
    people = ours[0]["participants"]
    print(f"\nAll agendas of a {people}-participant mission, whole process (start-up, fonts, data, layout, files), "
          f"median of {args.repeat}:")
    print(f"  hamkor, one rendering cut into files: {seconds:6.2f} s  ({ours[0]['files']} PDFs: the combined one "
          f"and one per participant; target < 10 s: {'met' if seconds < 10 else 'NOT met'})")
    print(f"  baseline, one rendering per participant: {baseline['seconds']:6.2f} s  ({baseline['files']} PDFs)"
          + (" — a smoke run: five participants only, no comparison" if args.smoke else ""))
    if not args.smoke:
        print(f"  speed-up {baseline['seconds'] / seconds:.1f}x, and the combined file comes with it")
    print(f"  table sheets (one PDF): {sheets['seconds']:.2f} s")


if __name__ == "__main__":
    main()
