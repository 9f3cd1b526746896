"""How the year will end: the year-to-date figure carried to the full year by the partner's own
seasonality in earlier years. A pure module over a monthly series; `project` says what it rests on.

For each earlier year with all twelve months, the share of its year that January..k made up; the
projection divides this year's January..k by the average share. The interval is an 80 % prediction
interval: Student's t prediction interval for one new year's share, on the logarithms of the earlier
years' shares (mean, sample standard deviation, n years: mean ± t(0.90; n−1) · sd · √(1 + 1/n)), the
year-to-date divided by its two ends. With the min–max of the earlier years' projections instead, two
years covered a third of outcomes and five two thirds; this interval is nominally 80 % whatever their
number, and the backtest (benchmarks/projection_backtest.py) measures what it covers on Russia's real
trade. Fewer than two complete earlier years, or a year already complete, give no projection: a guess
without a basis is not offered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_YEARS = 2
COVERAGE = 0.80  # the interval's nominal coverage
# Student's t quantile at 0.90 (a two-sided 80 % interval) by degrees of freedom: the brief loads no SciPy.
T_90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383, 10: 1.372,
        15: 1.341, 20: 1.325, 30: 1.310}
METHOD = ("80 % prediction interval: Student's t on the logarithm of the share January–k made up of each "
          "earlier complete year")


def t_quantile_90(degrees: int) -> float:
    """The table's value, or the nearest smaller tabulated degrees of freedom (a slightly wider interval)."""
    return T_90[max(d for d in T_90 if d <= degrees)] if degrees >= 1 else math.inf


@dataclass(frozen=True)
class Projection:
    year: int
    through_month: int
    year_to_date: float
    value: float  # the projected full year
    low: float
    high: float
    years: tuple[int, ...]  # the earlier years whose seasonality it rests on
    share: float  # the average share of the year that January..through_month made up
    coverage: float = COVERAGE  # what the interval [low, high] is meant to cover
    method: str = METHOD


def project(monthly: dict[tuple[int, int], float], year: int, through_month: int, years_back: int = 5
            ) -> Projection | None:
    """`monthly` maps (year, month) to a value (turnover, exports…); months with no entry have no data."""
    if not 1 <= through_month <= 11:
        return None
    if any((year, m) not in monthly for m in range(1, through_month + 1)):
        return None  # a hole in this year's months: nothing to carry forward
    year_to_date = sum(monthly[(year, m)] for m in range(1, through_month + 1))
    shares, used = [], []
    for earlier in range(year - 1, year - 1 - years_back, -1):
        months = [monthly.get((earlier, m)) for m in range(1, 13)]
        if any(v is None for v in months) or sum(months) <= 0:
            continue
        shares.append(sum(months[:through_month]) / sum(months))
        used.append(earlier)
    shares = [s for s in shares if s > 0]
    if len(shares) < MIN_YEARS or year_to_date <= 0:
        return None
    average = sum(shares) / len(shares)
    logs = [math.log(s) for s in shares]
    centre = sum(logs) / len(logs)
    spread = math.sqrt(sum((v - centre) ** 2 for v in logs) / (len(logs) - 1))
    half = t_quantile_90(len(logs) - 1) * spread * math.sqrt(1 + 1 / len(logs))
    value = year_to_date / average
    # a smaller share means a larger year: the interval's low end comes from the high share
    low, high = year_to_date / math.exp(centre + half), year_to_date / math.exp(centre - half)
    return Projection(year, through_month, year_to_date, value, min(low, value), max(high, value),
                      tuple(sorted(used)), average)


def naive(year_to_date: float, through_month: int) -> float:
    """The baseline a projection must beat: the months so far, scaled to twelve."""
    return year_to_date * 12 / through_month
