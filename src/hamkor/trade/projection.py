"""How the year will end: the year-to-date figure carried to the full year by the partner's own
seasonality in earlier years. A pure module over a monthly series; `project` says what it rests on.

For each earlier year with all twelve months, the share of its year that January..k made up; the
projection divides this year's January..k by the average share, and the interval is the lowest and
highest projection any single earlier year's share gives. Fewer than two complete earlier years, or a
year already complete, give no projection: a guess without a basis is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_YEARS = 2


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
    each = [year_to_date / s for s in shares]
    return Projection(year, through_month, year_to_date, year_to_date / average, min(each), max(each),
                      tuple(sorted(used)), average)


def naive(year_to_date: float, through_month: int) -> float:
    """The baseline a projection must beat: the months so far, scaled to twelve."""
    return year_to_date * 12 / through_month
