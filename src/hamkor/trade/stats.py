"""Trade figures from the warehouse: turnover for a period, partner ranking.

Plain functions over a DuckDB connection; they return dataclasses, never print.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hamkor.reference.countries import UNALLOCATED
from hamkor.trade.facts import SYNTHETIC_SOURCE


@dataclass(frozen=True)
class Period:
    """Months `first..last` of `year` (annual figures count only when the whole year is asked)."""

    year: int
    first: int = 1
    last: int = 12

    def __post_init__(self) -> None:
        if not (1 <= self.first <= self.last <= 12):
            raise ValueError(f"bad month range {self.first}..{self.last}")

    @property
    def whole_year(self) -> bool:
        return (self.first, self.last) == (1, 12)

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.first, self.last)

    def label(self) -> str:
        if self.whole_year:
            return str(self.year)
        if self.first == self.last:
            return f"{self.year}-{self.first:02d}"
        return f"{self.year}-{self.first:02d}..{self.year}-{self.last:02d}"

    def sql(self) -> tuple[str, list]:
        if self.whole_year:
            return "year = ?", [self.year]
        return "year = ? AND month BETWEEN ? AND ?", [self.year, self.first, self.last]


@dataclass(frozen=True)
class Flows:
    exports: float
    imports: float
    months_with_data: int
    synthetic: bool

    @property
    def turnover(self) -> float:
        return self.exports + self.imports

    @property
    def balance(self) -> float:
        return self.exports - self.imports


@dataclass(frozen=True)
class RankedPartner:
    rank: int
    partner: str
    turnover: float
    share: float


def growth(current: float, previous: float) -> float | None:
    """Growth in percent; None where the base is empty (never infinity)."""
    if not previous:
        return None
    return (current / previous - 1.0) * 100.0


def flows(con: duckdb.DuckDBPyConnection, reporter: str, partner: str | None, period: Period,
          source: str | None = None) -> Flows:
    where, params = period.sql()
    filters = ["reporter = ?", where]
    params = [reporter, *params]
    if partner:
        filters.append("partner = ?")
        params.append(partner)
    if source:
        filters.append("source = ?")
        params.append(source)
    row = con.execute(
        f"""SELECT coalesce(sum(value_usd) FILTER (flow = 'export'), 0),
                   coalesce(sum(value_usd) FILTER (flow = 'import'), 0),
                   count(DISTINCT month), bool_or(source = '{SYNTHETIC_SOURCE}')
            FROM trade_flow WHERE {' AND '.join(filters)}""", params).fetchone()
    return Flows(row[0], row[1], row[2], bool(row[3]))


def partner_ranking(con: duckdb.DuckDBPyConnection, reporter: str, period: Period,
                    source: str | None = None) -> list[RankedPartner]:
    where, params = period.sql()
    extra = " AND source = ?" if source else ""
    rows = con.execute(
        f"""SELECT partner, sum(value_usd) AS turnover FROM trade_flow
            WHERE reporter = ? AND {where}{extra} GROUP BY partner ORDER BY turnover DESC, partner""",
        [reporter, *params, *([source] if source else [])]).fetchall()
    # Shares are of all trade; the unallocated bucket counts in the total but is no partner.
    total = sum(t for _, t in rows) or 1.0
    ranked = [(p, t) for p, t in rows if p != UNALLOCATED]
    return [RankedPartner(i, p, t, t / total * 100.0) for i, (p, t) in enumerate(ranked, start=1)]
