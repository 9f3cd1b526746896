"""What the dashboard shows (and its JSON twin returns): one call, plain data and chart specs."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from hamkor.i18n.numbers import money_scale, money_unit
from hamkor.reference.names import short_name, territory_name
from hamkor.render import charts
from hamkor.trade import figures, stats
from hamkor.trade.facts import WORLD_SOURCES
from hamkor.trade.periods import Period
from hamkor.trade.projection import Projection


@dataclass
class Overview:
    reporter: str
    partner: str
    period: Period
    source: str | None
    synthetic: bool
    tiles: list[figures.Measure]  # turnover, exports, imports, balance: each figure as every face prints it
    rank: int | None
    partner_count: int
    coverage: stats.Coverage
    charts: dict[str, dict] = field(default_factory=dict)
    provenance: list[stats.Provenance] = field(default_factory=list)
    comparable: tuple = ()  # the months growth rests on (like for like)
    like_for_like: bool = True
    projection: Projection | None = None  # the year's turnover projected from seasonality (year to date only)
    rank_months: tuple = ()  # the months rank and share rest on
    rank_left_out: tuple = ()  # months of the period left out of the ranking: their data name too few partners


def latest_period(con: duckdb.DuckDBPyConnection, reporter: str) -> Period | None:
    """January to the latest month that leaves no month without data since January: the period a
    department head asks about first, never one with a hole in it. A reporter with annual figures
    only opens on its latest year."""
    rows = con.execute("SELECT DISTINCT CAST(year AS INTEGER), month FROM trade_flow WHERE reporter = ?",
                       [reporter]).fetchall()
    if not rows:
        return None
    monthly: dict[int, set[int]] = {}
    for year, month in rows:
        if month is not None:
            monthly.setdefault(year, set()).add(month)
    if not monthly:
        return Period.year(max(year for year, _ in rows))
    for year in sorted(monthly, reverse=True):
        run = 0
        while run + 1 in monthly[year]:
            run += 1
        if run:
            return Period.months(year, 1, run)
    latest = max(monthly)
    return Period.months(latest, 1, max(monthly[latest]))


def reporters(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """Reporters in the warehouse, with whether all their data are synthetic (one real file and the picker
    no longer calls the territory synthetic; each figure carries its own mark): regions first, then countries with
    statistics of their own, and last those known only from a world matrix (a few hundred of them once
    BACI is loaded, which would otherwise bury the ones a department works with)."""
    world = ", ".join(repr(s) for s in WORLD_SOURCES)
    return [(r, bool(s)) for r, s, _ in con.execute(
        f"SELECT reporter, bool_and(starts_with(source, 'demo-synthetic')), "
        f"bool_and(source IN ({world})) AS only_world FROM trade_flow "
        "GROUP BY reporter ORDER BY only_world, length(reporter) DESC, reporter").fetchall()]


def overview(con: duckdb.DuckDBPyConnection, reporter: str, partner: str, period: Period, lang: str = "ru",
             with_charts: bool = True, source: str | None = None) -> Overview:
    """`source` pins one source; without it each month comes from the source the rule picks."""
    query = stats.Query(reporter, partner, period, source)
    found = figures.headline(con, query)
    summary = found.summary
    ranking = stats.partner_ranking(con, reporter, period, source)
    rank = next((r.rank for r in ranking if r.partner == partner.upper()), None)
    result = Overview(reporter, partner, period, summary.query.source, found.synthetic,
                      [found.measures[m] for m in figures.MEASURES], rank, len(ranking),
                      summary.coverage, provenance=list(found.provenance), comparable=summary.comparable,
                      like_for_like=found.like_for_like or found.empty, rank_months=ranking.months,
                      rank_left_out=ranking.left_out)
    projected = stats.year_end(con, summary.query)
    result.projection = projected.get("turnover") if projected else None
    if with_charts:
        divisor, _ = money_scale(max(summary.current.turnover, summary.previous.turnover, 1.0))
        unit = money_unit(divisor, lang)
        points = [(p.year, p.month, p.turnover, p.synthetic)
                  for p in figures.paired_months(stats.series(con, summary.query), period)]
        # A chart with nothing to draw is left out (the page says "no data" in its place): an empty one
        # computed its scale from nothing and asked the browser for an endless height.
        if points:
            result.charts["monthly"] = charts.monthly_turnover_spec(points, "", lang, unit, divisor)
        top = ranking[:10]
        rank_divisor, _ = money_scale(max((r.turnover for r in top), default=1.0))
        if top:
            result.charts["partners"] = charts.ranking_spec(
                [(territory_name(r.partner, lang), r.turnover, r.partner == partner.upper()) for r in top], "",
                money_unit(rank_divisor, lang), rank_divisor)
        for flow in ("export", "import"):
            table = stats.structure(con, summary.query, flow, "chapter", 8)
            if table.items:
                result.charts[flow] = charts.structure_spec(
                    [(f"{i.key} {short_name(i.name(lang), 40)}" if i.key.isdigit() else i.name(lang), i.share)
                     for i in table.items], "", flow, "%")
    return result
