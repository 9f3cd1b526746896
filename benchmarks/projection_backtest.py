"""Backtest: how well the year-end projection from seasonality foresees the full year, on real data.

    python benchmarks/projection_backtest.py [--raw ../shared/data/raw] [--through 9] [--years-back 5]

Russia's monthly trade with its main partners, 2006–2021 (FTS, `96stran.xlsx`), loaded through the
fts-partners importer. For every partner and every year with enough complete earlier years, the
turnover of January..--through is carried to the full year (hamkor.trade.projection.project) and set
against the year as published. Printed: the mean and median absolute percentage error (MAPE, MdAPE),
the share of years inside the projected interval, beside the baseline measured in the same run — the
months so far scaled to twelve.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=REPO.parent / "shared" / "data" / "raw")
    parser.add_argument("--through", type=int, default=9, help="the last month known (1..11)")
    parser.add_argument("--years-back", type=int, default=5)
    args = parser.parse_args()

    from hamkor.config import Settings
    from hamkor.store.db import Database
    from hamkor.trade.projection import COVERAGE, naive, project
    from hamkor.trade.service import ImportService
    from hamkor.trade.warehouse import Warehouse

    workbook = args.raw / "fts-russia-publications" / "96stran.xlsx"
    if not workbook.exists():
        print(f"not found: {workbook}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hamkor-backtest-") as folder:
        settings = Settings(data_dir=Path(folder))
        db = Database(settings)
        db.upgrade()
        outcome = ImportService(db, Warehouse(settings)).import_file("fts-partners", workbook)
        db.dispose()
        if outcome.status != "loaded":
            print(outcome.report.summary() if outcome.report else outcome.status, file=sys.stderr)
            return 1
        with Warehouse(settings).reader() as con:
            rows = con.execute("SELECT partner, CAST(year AS INTEGER), month, sum(value_usd) FROM trade_flow "
                               "WHERE reporter = 'RU' AND month IS NOT NULL GROUP BY ALL").fetchall()
    series: dict[str, dict[tuple[int, int], float]] = {}
    for partner, year, month, value in rows:
        series.setdefault(partner, {})[(year, month)] = value
    errors, baseline, inside = [], [], 0
    for _partner, monthly in sorted(series.items()):
        years = sorted({y for y, _ in monthly})
        for year in years:
            if any((year, m) not in monthly for m in range(1, 13)):
                continue
            actual = sum(monthly[(year, m)] for m in range(1, 13))
            known = {k: v for k, v in monthly.items() if k[0] < year or (k[0] == year and k[1] <= args.through)}
            found = project(known, year, args.through, args.years_back)
            if found is None or actual <= 0:
                continue
            errors.append(abs(found.value - actual) / actual * 100)
            baseline.append(abs(naive(found.year_to_date, args.through) - actual) / actual * 100)
            inside += found.low <= actual <= found.high
    if not errors:
        print("no partner-year with enough complete earlier years", file=sys.stderr)
        return 1
    n = len(errors)
    print(f"Year-end projection from January..{args.through}, {args.years_back} earlier years at most; "
          f"{n} partner-years of Russia's trade (FTS 2006-2021)")
    print(f"  seasonality (hamkor):     MAPE {statistics.fmean(errors):6.2f} %   "
          f"MdAPE {statistics.median(errors):6.2f} %   inside the interval: {inside / n * 100:5.1f} % "
          f"(nominal {COVERAGE * 100:.0f} %)")
    print(f"  baseline (x 12/{args.through}):       MAPE {statistics.fmean(baseline):6.2f} %   "
          f"MdAPE {statistics.median(baseline):6.2f} %")
    print(f"  ratio baseline / seasonality (MdAPE): {statistics.median(baseline) / statistics.median(errors):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
