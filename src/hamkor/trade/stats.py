"""Where trade stands: functions over the warehouse (DuckDB SQL) returning plain dataclasses.

Every figure comes with what it rests on: the source used, how many of the asked months have
data, and whether any of it is synthetic demo data. Growth against an empty base is None
("n/a"), never infinity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from hamkor.errors import Problem
from hamkor.i18n import Msg, pick
from hamkor.reference.countries import UNALLOCATED, countries
from hamkor.reference.names import GROUPS, WORLD
from hamkor.reference.nomenclature import nomenclature
from hamkor.trade import indices
from hamkor.trade.facts import ALL_GOODS, SYNTHETIC_SQL, WORLD_SOURCES, is_synthetic
from hamkor.trade.periods import Period
from hamkor.trade.projection import Projection, project

LEVEL_DIGITS = {"chapter": 2, "heading": 4, "subheading": 6, "national": 10}
LEVELS = ("section", *LEVEL_DIGITS)
CONFIDENTIAL_KEY = "CONFIDENTIAL"
OTHER_KEY = "OTHER"
FLOWS = ("export", "import")


class QueryError(Problem):
    """A question the data cannot answer as asked (unknown partner, bad level...)."""


def growth(current: float, previous: float) -> float | None:
    """Growth in percent; None where the base is empty (never infinity)."""
    if not previous:
        return None
    return (current / previous - 1.0) * 100.0


def resolve_partner(partner: str | None) -> tuple[str, ...] | None:
    """None means every partner (the world)."""
    if partner is None or partner.upper() in (WORLD, "W", "ALL"):
        return None
    code = partner.strip().upper()
    if code in GROUPS:
        return GROUPS[code]
    if "-" in code:
        raise QueryError(Msg("%(partner)s: a region as partner needs that region's own data; ask with the region "
                             "as reporter instead",
                             partner=partner))
    if code == UNALLOCATED or countries().get(code) is not None and len(code) == 2:
        return (code,)
    raise QueryError(Msg("unknown partner '%(partner)s': an ISO alpha-2 code, CIS, EAEU, EU or WORLD", partner=partner))


@dataclass(frozen=True)
class SourcePlan:
    """Which source answers each month of a query's window (month None: a year of annual-only data),
    and the batches behind it: the provenance of every figure computed from it.

    One rule chooses, per reporter and month: the reporter's own customs data (rows itemised by
    product), then national tables (all-goods totals), then world matrices; real data before synthetic
    demo rows; within a kind, the source with the newest batch. A month one source lacks is answered by
    another that has it, never read as zero; two sources are never added together for one month.
    """

    months: tuple[tuple[int, int | None, str], ...]  # (year, month or None, source), sorted
    batches: tuple[tuple[str, tuple[int, ...]], ...] = ()  # source -> the batch ids it answers from

    def source_of(self, year: int, month: int | None) -> str | None:
        return next((src for y, m, src in self.months if y == year and m == month), None)

    @property
    def sources(self) -> list[str]:
        return sorted({src for _, _, src in self.months})

    @property
    def single(self) -> str | None:
        sources = self.sources
        return sources[0] if len(sources) == 1 else None

    def covered(self, source: str) -> list[tuple[int, int | None]]:
        return [(y, m) for y, m, src in self.months if src == source]

    def sql(self, alias: str = "") -> tuple[str, list]:
        """Rows of each month from that month's source only."""
        p = f"{alias}." if alias else ""
        parts, params = [], []
        for source in self.sources:
            keys = [y * 100 + (m or 0) for y, m in self.covered(source)]
            parts.append(f"({p}source = ? AND CAST({p}year AS INTEGER) * 100 + coalesce({p}month, 0) "
                         f"IN ({', '.join('?' for _ in keys)}))")
            params += [source, *keys]
        return ("(" + " OR ".join(parts) + ")" if parts else "false"), params


@dataclass(frozen=True)
class Query:
    reporter: str
    partner: str | None
    period: Period
    source: str | None = None  # pinned by the user, or the only source of the plan
    plan: SourcePlan | None = None  # when no source is pinned: the source of each month

    def previous(self) -> Query:
        return Query(self.reporter, self.partner, self.period.previous_year(), self.source, self.plan)

    @property
    def sources(self) -> list[str]:
        return [self.source] if self.source else (self.plan.sources if self.plan else [])

    def source_sql(self, alias: str = "") -> tuple[str, list]:
        p = f"{alias}." if alias else ""
        if self.source:
            return f"{p}source = ?", [self.source]
        if self.plan:
            return self.plan.sql(alias)
        return "true", []


def _where(q: Query, alias: str = "", with_partner: bool = True) -> tuple[str, list]:
    p = f"{alias}." if alias else ""
    condition, params = q.period.sql(alias)
    parts = [f"{p}reporter = ?", condition]
    params = [q.reporter, *params]
    partners = resolve_partner(q.partner) if with_partner else None
    if partners is not None:
        parts.append(f"{p}partner IN ({', '.join('?' for _ in partners)})")
        params.extend(partners)
    if q.source or q.plan:
        sql, extra = q.source_sql(alias)
        parts.append(sql)
        params.extend(extra)
    return " AND ".join(parts), params


def _both_periods(q: Query) -> tuple[str, list]:
    """Filter on the reporter's rows (of the chosen source) in the period and the year before it."""
    now_sql, now_params = q.period.sql()
    before_sql, before_params = q.period.previous_year().sql()
    source_sql, source_params = q.source_sql()
    return (f"reporter = ? AND {source_sql} AND (({now_sql}) OR ({before_sql}))",
            [q.reporter, *source_params, *now_params, *before_params])


def _which_period(period: Period):
    """Tells whether a (year, month) row counts for the period, for the year before it, or neither.

    Queries group by month over both periods in one pass; the folding happens in Python.
    """
    previous = period.previous_year()
    now_months, before_months = set(period.month_list()), set(previous.month_list())
    now_years = set(range(period.first[0], period.last[0] + 1)) if period.whole_years else set()

    def which(year: int, month: int | None) -> str | None:
        if month is None:  # annual figures count only when whole years are asked
            return "now" if year in now_years else "before" if year + 1 in now_years else None
        return "now" if (year, month) in now_months else "before" if (year, month) in before_months else None

    return which


def pick_source(con: duckdb.DuckDBPyConnection, reporter: str, period: Period) -> str | None:
    """The most detailed source holding the reporter's data for the period (or a year before).

    Two sources for one reporter (e.g. an FTS national file and the all-goods partner table)
    must never be added together; the one with the finest commodity detail answers.
    """
    sources = con.execute("SELECT DISTINCT source FROM trade_flow WHERE reporter = ?", [reporter]).fetchall()
    if len(sources) <= 1:
        return sources[0][0] if sources else None  # the usual case, and a cheap one
    widened = Period(period.previous_year().first, period.last)
    # Whole years too, so that a source with annual figures only is still found (and then
    # reported as such) when part of a year is asked.
    whole = Period((widened.first[0], 1), (widened.last[0], 12))
    for span in (widened, whole):
        condition, params = span.sql()
        row = con.execute(
            # the reporter's own sources beat a world matrix; rows itemised by product beat
            # all-goods totals; then the source with more rows
            f"""SELECT source FROM trade_flow WHERE reporter = ? AND {condition}
                GROUP BY source ORDER BY source IN ({', '.join(repr(s) for s in WORLD_SOURCES)}),
                count(*) FILTER (nomenclature <> '{ALL_GOODS}') DESC, count(*) DESC,
                source LIMIT 1""",
            [reporter, *params]).fetchone()
        if row:
            return row[0]
    return None


def source_plan(con: duckdb.DuckDBPyConnection, reporter: str, period: Period, only: str | None = None
                ) -> SourcePlan:
    """The source of each month of the period and of the year before it (see SourcePlan for the rule);
    with `only`, the months that one source covers."""
    first, last = period.previous_year().first, period.last
    rows = con.execute(
        f"""SELECT CAST(year AS INTEGER), month, source, source IN ({', '.join(repr(s) for s in WORLD_SOURCES)}),
                   {SYNTHETIC_SQL}, bool_and(nomenclature = '{ALL_GOODS}'), max(batch_id), list(DISTINCT batch_id)
            FROM trade_flow WHERE reporter = ? AND year BETWEEN ? AND ?
              AND (month IS NULL OR CAST(year AS INTEGER) * 100 + month BETWEEN ? AND ?)
              {"AND source = ?" if only else ""}
            GROUP BY ALL""",
        [reporter, first[0], last[0], first[0] * 100 + first[1], last[0] * 100 + last[1],
         *([only] if only else [])]).fetchall()
    best: dict[tuple[int, int | None], tuple] = {}
    for year, month, source, world, synthetic, totals_only, newest, batches in rows:
        rank = (bool(world), bool(synthetic), bool(totals_only), -(newest or 0), source)
        if (year, month) not in best or rank < best[(year, month)][0]:
            best[(year, month)] = (rank, source, batches)
    monthly_years = {y for y, m in best if m is not None}
    chosen = {key: value for key, value in best.items() if key[1] is not None or key[0] not in monthly_years}
    used: dict[str, set[int]] = {}
    for _, source, batches in chosen.values():
        used.setdefault(source, set()).update(b for b in batches if b is not None)
    months = tuple(sorted(((y, m, value[1]) for (y, m), value in chosen.items()),
                          key=lambda r: (r[0], r[1] or 0)))
    return SourcePlan(months, tuple((src, tuple(sorted(ids))) for src, ids in sorted(used.items())))


def with_source(con: duckdb.DuckDBPyConnection, q: Query) -> Query:
    """The query with its sources decided: the one pinned, else a plan month by month."""
    if q.plan:
        return q
    plan = source_plan(con, q.reporter, q.period, q.source)
    return Query(q.reporter, q.partner, q.period, q.source or plan.single, plan)


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from: a source, the batches loaded from it, the months it answers for."""

    source: str
    batches: tuple[int, ...]
    first: tuple[int, int | None]
    last: tuple[int, int | None]
    months: int

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.source)

    def span(self) -> str:
        def label(key):
            return f"{key[0]}" if key[1] is None else f"{key[0]}-{key[1]:02d}"

        return label(self.first) if self.first == self.last else f"{label(self.first)}..{label(self.last)}"


def provenance(q: Query) -> list[Provenance]:
    """Each source a query's figures rest on (its plan: the period and the year before it)."""
    if not q.plan:
        return []
    batches = dict(q.plan.batches)
    result = []
    for source in q.plan.sources:
        covered = q.plan.covered(source)
        ordered = sorted(covered, key=lambda k: (k[0], k[1] or 0))
        result.append(Provenance(source, batches.get(source, ()), ordered[0], ordered[-1], len(covered)))
    return result


# -- summary -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flows:
    exports: float
    imports: float
    months_with_data: int
    synthetic: bool
    confidential: float = 0.0

    @property
    def turnover(self) -> float:
        return self.exports + self.imports

    @property
    def balance(self) -> float:
        return self.exports - self.imports


def flows(con: duckdb.DuckDBPyConnection, reporter: str, partner: str | None, period: Period,
          source: str | None = None) -> Flows:
    where, params = _where(with_source(con, Query(reporter, partner, period, source)))
    row = con.execute(
        f"""SELECT coalesce(sum(value_usd) FILTER (flow = 'export'), 0),
                   coalesce(sum(value_usd) FILTER (flow = 'import'), 0),
                   count(DISTINCT coalesce(CAST(year AS INTEGER) * 100 + month, year)),
                   coalesce(bool_or({SYNTHETIC_SQL}), false),
                   coalesce(sum(value_usd) FILTER (left(commodity_code, 1) = 'X'), 0)
            FROM trade_flow WHERE {where}""", params).fetchone()
    return Flows(row[0], row[1], row[2], bool(row[3]), row[4])


@dataclass(frozen=True)
class Coverage:
    """How much of the asked period the reporter's data covers (any partner)."""

    expected: int  # months, or years for annual data
    present: int
    annual_only: bool

    @property
    def complete(self) -> bool:
        return self.present >= self.expected

    @property
    def empty(self) -> bool:
        return self.present == 0


def coverage(con: duckdb.DuckDBPyConnection, q: Query) -> Coverage:
    where, params = _where(q, with_partner=False)
    monthly, annual = con.execute(
        f"""SELECT count(DISTINCT CAST(year AS INTEGER) * 100 + month) FILTER (month IS NOT NULL),
                   count(DISTINCT year) FILTER (month IS NULL)
            FROM trade_flow WHERE {where}""", params).fetchone()
    if monthly == 0 and annual == 0:
        # Part of a year asked of a source with annual figures only: say so rather than "no data".
        source_sql, source_params = q.source_sql()
        years = con.execute(
            "SELECT count(DISTINCT year) FROM trade_flow WHERE reporter = ? AND month IS NULL AND year BETWEEN ? AND ?"
            f" AND {source_sql}", [q.reporter, q.period.first[0], q.period.last[0], *source_params]).fetchone()[0]
        if years:
            return Coverage(len(q.period.month_list()), 0, True)
    if monthly == 0 and annual > 0:
        return Coverage(q.period.last[0] - q.period.first[0] + 1, annual, True)
    return Coverage(len(q.period.month_list()), monthly, False)


@dataclass(frozen=True)
class Summary:
    query: Query
    current: Flows  # its `confidential` is left 0 here: ask `confidential_value` where it matters
    previous: Flows
    coverage: Coverage
    previous_coverage: Coverage
    # Like for like: the months (None: a year of annual data) the reporter's data covers in both periods
    # from the same source, and the figures over those months only. Growth is computed from these.
    comparable: tuple[tuple[int, int | None], ...] = ()
    comparable_current: Flows | None = None
    comparable_previous: Flows | None = None
    # The grouped rows both periods were folded from (year, month, flow, in the pair, synthetic, value), for
    # every partner: `trade.figures` reads which flows each month's source carries from them.
    groups: tuple = ()

    @property
    def synthetic(self) -> bool:
        return self.current.synthetic or self.previous.synthetic

    @property
    def like_for_like(self) -> bool:
        """Every month of the period with data is compared with the same month a year before."""
        return bool(self.comparable) and len(self.comparable) == self.coverage.present

    def growth(self, measure: str) -> float | None:
        if self.comparable_current is None or self.comparable_previous is None:
            return None
        return growth(getattr(self.comparable_current, measure), getattr(self.comparable_previous, measure))

    def change(self, measure: str) -> float | None:
        if self.comparable_current is None or self.comparable_previous is None or not self.comparable:
            return None
        return getattr(self.comparable_current, measure) - getattr(self.comparable_previous, measure)


def summary(con: duckdb.DuckDBPyConnection, q: Query) -> Summary:
    """Both periods' flows and coverage from one grouped pass over the reporter's rows."""
    q = with_source(con, q)
    previous = q.previous()
    partners = resolve_partner(q.partner)
    pair = "true" if partners is None else f"partner IN ({', '.join('?' for _ in partners)})"
    where, params = _both_periods(q)
    groups = con.execute(
        f"""SELECT year, month, flow, {pair} AS in_pair, {SYNTHETIC_SQL} AS synthetic, sum(value_usd)
            FROM trade_flow WHERE {where} GROUP BY ALL""", [*(partners or ()), *params]).fetchall()

    def fold(query: Query) -> tuple[Flows, Coverage]:
        months, years = set(query.period.month_list()), range(query.period.first[0], query.period.last[0] + 1)
        present = {(year, month) for year, month, *_ in groups}
        monthly = {key for key in present if key in months}
        annual = {key for key in present if key[1] is None and query.period.whole_years and key[0] in years}
        if not monthly and not annual:
            span = coverage(con, query)  # nothing at all: look wider for annual-only data
        elif not monthly:
            span = Coverage(len(years), len(annual), True)
        else:
            span = Coverage(len(months), len(monthly), False)
        return _flows_over(groups, monthly | annual), span

    (current, current_span), (before, before_span) = fold(q), fold(previous)
    comparable = _comparable(q, {(year, month) for year, month, *_ in groups})
    return Summary(q, current, before, current_span, before_span, comparable,
                   _flows_over(groups, set(comparable)), _flows_over(groups, {(y - 1, m) for y, m in comparable}),
                   tuple(groups))


def comparable_months(q: Query) -> tuple[tuple[int, int | None], ...]:
    """The like-for-like months of a planned query: those of the period whose month a year earlier the
    same source answers. Growth, "a year earlier" and movers are computed over these only."""
    return _comparable(q, {(year, month) for year, month, _ in q.plan.months} if q.plan else set())


def _period_keys(q: Query) -> tuple[tuple[int, int | None], ...]:
    """The period's months (or years, for annual data) that have data in the plan."""
    present = {(year, month) for year, month, _ in q.plan.months} if q.plan else set()
    keys = [(y, None) for y in range(q.period.first[0], q.period.last[0] + 1)] if q.period.whole_years else []
    return tuple(k for k in [*q.period.month_list(), *keys] if k in present)


def _months_sql(keys, alias: str = "") -> tuple[str, list]:
    p = f"{alias}." if alias else ""
    numbers = sorted({y * 100 + (m or 0) for y, m in keys})
    if not numbers:
        return "false", []
    return (f"CAST({p}year AS INTEGER) * 100 + coalesce({p}month, 0) IN ({', '.join('?' for _ in numbers)})",
            numbers)


def _comparable(q: Query, present: set) -> tuple[tuple[int, int | None], ...]:
    """Months of the period with data whose month a year earlier has data from the same source."""
    if q.period.whole_years and not any(m is not None for _, m in present):
        keys = [(y, None) for y in range(q.period.first[0], q.period.last[0] + 1)]
    else:
        keys = q.period.month_list()
    same_source = (lambda y, m: True) if q.source or not q.plan else (
        lambda y, m: q.plan.source_of(y, m) == q.plan.source_of(y - 1, m))
    return tuple((y, m) for y, m in keys if (y, m) in present and (y - 1, m) in present and same_source(y, m))


def _flows_over(groups, months: set) -> Flows:
    """Exports and imports with the pair over the given months only."""
    exports = imports = 0.0
    synthetic, seen = False, set()
    for year, month, flow, in_pair, row_synthetic, value in groups:
        if (year, month) not in months or not in_pair:
            continue
        seen.add((year, month))
        synthetic |= bool(row_synthetic)
        if flow == "export":
            exports += value
        else:
            imports += value
    return Flows(exports, imports, len(seen), synthetic)


def confidential_value(con: duckdb.DuckDBPyConnection, q: Query) -> float:
    """Value whose commodity code customs withheld (XXXXXXXXXX), within the figures of q."""
    q = with_source(con, q)
    where, params = _where(q)
    return con.execute(f"SELECT coalesce(sum(value_usd), 0) FROM trade_flow WHERE {where} "
                       "AND left(commodity_code, 1) = 'X'", params).fetchone()[0]


# -- monthly series ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthPoint:
    year: int
    month: int
    exports: float
    imports: float
    synthetic: bool = False  # the month's source is synthetic demo data: charts mark it

    @property
    def turnover(self) -> float:
        return self.exports + self.imports


def series(con: duckdb.DuckDBPyConnection, q: Query, with_previous_year: bool = True) -> list[MonthPoint]:
    q = with_source(con, q)
    span = Period(q.period.previous_year().first, q.period.last) if with_previous_year else q.period
    where, params = _where(Query(q.reporter, q.partner, span, q.source))
    rows = con.execute(
        f"""SELECT year, month, coalesce(sum(value_usd) FILTER (flow = 'export'), 0),
                   coalesce(sum(value_usd) FILTER (flow = 'import'), 0), coalesce(bool_or({SYNTHETIC_SQL}), false)
            FROM trade_flow WHERE {where} AND month IS NOT NULL GROUP BY year, month ORDER BY year, month""",
        params).fetchall()
    wanted = set(q.period.month_list()) | (set(q.period.previous_year().month_list()) if with_previous_year else set())
    return [MonthPoint(*row) for row in rows if (row[0], row[1]) in wanted]


def year_end(con: duckdb.DuckDBPyConnection, q: Query, years_back: int = 5) -> dict[str, Projection] | None:
    """For a year-to-date period (January..k of one year), the full year projected per measure from the
    seasonality of up to `years_back` complete earlier years; None for other periods or without a basis."""
    (year, first), (last_year, last) = q.period.first, q.period.last
    if first != 1 or last_year != year or last >= 12:
        return None
    span = Query(q.reporter, q.partner, Period((year - years_back, 1), (year, last)), q.source)
    points = series(con, span, with_previous_year=False)
    # Seasonality is never borrowed across real and synthetic data: a real month carried forward by a
    # synthetic year's shape (or the other way round) is no projection at all.
    if len({p.synthetic for p in points}) > 1:
        return None
    result = {}
    for measure in ("turnover", "exports", "imports"):
        found = project({(p.year, p.month): getattr(p, measure) for p in points}, year, last, years_back)
        if found is not None:
            result[measure] = found
    return result or None


# -- partners --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RankedPartner:
    rank: int
    partner: str
    turnover: float
    share: float
    exports: float = 0.0
    imports: float = 0.0
    previous_turnover: float = 0.0  # a year earlier, over the like-for-like months
    comparable_turnover: float | None = None  # over the like-for-like months (None: the same as turnover)

    @property
    def growth(self) -> float | None:
        return growth(self.turnover if self.comparable_turnover is None else self.comparable_turnover,
                      self.previous_turnover)


class Ranking(list):
    """The partners in rank order, with the months the ranking rests on. A month for which the reporter's
    data name only a few partners (a file for one partner, loaded on its own) would put that partner first
    with a share of 100 %: such months are left out of the ranking and named (`left_out`)."""

    def __init__(self, partners=(), months: tuple = (), left_out: tuple = ()) -> None:
        super().__init__(partners)
        self.months = tuple(months)  # (year, month) keys the ranks and shares add up
        self.left_out = tuple(left_out)  # months of the period left out: too few partners reported them


# A month counts in the ranking when it names at least this share of the partners a month usually has.
RANKING_MONTH_SHARE = 0.5


def _months_with_few_partners(con: duckdb.DuckDBPyConnection, reporter: str, months: set) -> set:
    """Months whose data name far fewer partners than the reporter's months around them usually do."""
    keys = sorted(k for k in months if k[1] is not None)
    if not keys:
        return set()
    last = keys[-1][0] * 12 + keys[-1][1]
    counts = dict(((y, m), n) for y, m, n in con.execute(
        "SELECT year, month, count(DISTINCT partner) FROM trade_flow WHERE reporter = ? AND month IS NOT NULL "
        "AND year * 12 + month BETWEEN ? AND ? GROUP BY ALL", [reporter, last - 36, last]).fetchall())
    usual = sorted(counts.values())
    if len(usual) < 3:
        return set()
    typical = usual[len(usual) // 2]
    return {k for k in keys if counts.get(k, 0) < typical * RANKING_MONTH_SHARE}


def partner_ranking(con: duckdb.DuckDBPyConnection, reporter: str, period: Period,
                    source: str | None = None) -> Ranking:
    q = with_source(con, Query(reporter, None, period, source))
    where, params = _both_periods(q)
    # Grouping by month and folding in Python beats per-row period flags in SQL.
    groups = con.execute(f"SELECT partner, year, month, flow, sum(value_usd) FROM trade_flow WHERE {where} "
                         "GROUP BY ALL", params).fetchall()
    which = _which_period(period)
    present = {(y, m) for _, y, m, _, _ in groups if which(y, m) == "now"}
    left_out = _months_with_few_partners(con, reporter.upper(), present)
    months = like_for_like(q)
    now_alike, before_alike = set(months.comparable), set(months.comparable_before)
    before_left_out = {(y - 1, m) for y, m in left_out}
    totals: dict[str, list[float]] = {}
    for partner, year, month, flow, value in groups:
        # turnover, exports, imports, before and now over the like-for-like months
        entry = totals.setdefault(partner, [0.0, 0.0, 0.0, 0.0, 0.0])
        side = which(year, month)
        if side == "now" and (year, month) not in left_out:
            entry[0] += value
            entry[1 if flow == "export" else 2] += value
            entry[4] += value if (year, month) in now_alike else 0.0
        elif side == "before" and (year, month) in before_alike and (year, month) not in before_left_out:
            entry[3] += value
    rows = sorted(((p, *v) for p, v in totals.items() if v[0] > 0), key=lambda r: (-r[1], r[0]))
    # Shares are of all trade; the unallocated bucket counts in the total but is no partner.
    total = sum(r[1] for r in rows) or 1.0
    ranked = [r for r in rows if r[0] != UNALLOCATED]
    return Ranking([RankedPartner(i, p, t, t / total * 100.0, x, m, prev, alike)
                    for i, (p, t, x, m, prev, alike) in enumerate(ranked, start=1)],
                   sorted(present - left_out), sorted(left_out))


# -- structure ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StructureItem:
    key: str  # a code at the level, CONFIDENTIAL, TOTAL (not itemised) or OTHER
    edition: str
    value: float  # over the whole period
    previous: float  # a year earlier, over the like-for-like months only
    share: float
    comparable_value: float | None = None  # over the like-for-like months (None: the same as value)
    # False: no row of this item in the months compared a year earlier: "not recorded", never a printed 0
    recorded_before: bool = True
    recorded_compared: bool = True  # the same for the period's own months compared
    # Whether the item's value rests on synthetic months: "observed", "synthetic" or "mixed" (a code first seen
    # in a real month is real, whatever the table's other rows rest on)
    data_status: str = "observed"

    @property
    def growth(self) -> float | None:
        if not self.recorded_before:
            return None
        return growth(self.value if self.comparable_value is None else self.comparable_value, self.previous)

    def name(self, lang: str = "ru", level: str = "chapter") -> str:
        return item_name(self.key, lang, self.edition)


@dataclass(frozen=True)
class LikeForLike:
    """The months a table's growth compares: those of the period with data, and those of them the same
    source answers a year earlier. Unequal when a source starts or stops within the window."""

    months: tuple[tuple[int, int | None], ...] = ()
    comparable: tuple[tuple[int, int | None], ...] = ()

    @property
    def complete(self) -> bool:
        return set(self.months) == set(self.comparable)

    @property
    def comparable_before(self) -> tuple[tuple[int, int | None], ...]:
        return tuple((y - 1, m) for y, m in self.comparable)


def like_for_like(q: Query) -> LikeForLike:
    return LikeForLike(_period_keys(q), comparable_months(q))


@dataclass(frozen=True)
class Structure:
    flow: str
    level: str
    total: float
    previous_total: float  # over the like-for-like months
    items: list[StructureItem] = field(default_factory=list)  # top N, then OTHER if any
    months: LikeForLike = field(default_factory=LikeForLike)


def item_name(key: str, lang: str, edition: str = "HS2022") -> str:
    fixed = {
        CONFIDENTIAL_KEY: {"ru": "Конфиденциально (код скрыт таможней)", "uz": "Maxfiy (kod yashirilgan)",
                           "en": "Confidential (code withheld)"},
        ALL_GOODS: {"ru": "Все товары (без разбивки)", "uz": "Barcha tovarlar (taqsimotsiz)",
                    "en": "All goods (not itemised)"},
        OTHER_KEY: {"ru": "Прочие", "uz": "Boshqalar", "en": "Other"},
        UNALLOCATED: {"ru": "Не распределено по странам", "uz": "Mamlakatlar boʻyicha taqsimlanmagan",
                      "en": "Not allocated by country"},
    }
    if key in fixed:
        return pick(fixed[key], lang)
    return nomenclature().name(key, lang, edition)


def unknown_codes(con: duckdb.DuckDBPyConnection, q: Query, flow: str) -> list[tuple[str, float]]:
    """The period's national codes (ten digits) the packaged TN VED edition does not hold, with their value:
    they count in their chapter, and whoever reads a table of chapters is told which they are."""
    q = with_source(con, q)
    where, params = _where(q)
    rows = con.execute(
        f"SELECT commodity_code, any_value(nomenclature), sum(value_usd) FROM trade_flow WHERE {where} AND flow = ? "
        "AND regexp_full_match(commodity_code, '[0-9]{10}') GROUP BY commodity_code ORDER BY 3 DESC, 1",
        [*params, flow]).fetchall()
    tree = nomenclature()
    return [(code, value) for code, label, value in rows if tree.get(code, _edition(label)) is None]


def _within(code: str | None) -> tuple[str, list]:
    if not code:
        return "", []
    code = code.strip().upper()
    if code.isdigit():
        return " AND starts_with(commodity_code, ?)", [code]
    chapters = sorted(c for c, section in _chapter_sections().items() if section == code)
    if not chapters:
        raise QueryError(Msg("unknown code '%(code)s' to drill into", code=code))
    return f" AND left(commodity_code, 2) IN ({', '.join('?' for _ in chapters)})", chapters


def _chapter_sections() -> dict[str, str]:
    pairs = {e.code: e.parent for e in nomenclature().entries("HS2017", "chapter") if e.parent}
    pairs.update({e.code: e.parent for e in nomenclature().entries("HS2022", "chapter") if e.parent})
    return pairs


def _key_sql(level: str) -> str:
    if level not in LEVELS:
        raise QueryError(Msg("unknown level '%(level)s': one of %(levels)s", level=level, levels=tuple(LEVELS)))
    plain = ("left(commodity_code, 2)" if level == "section"
             else f"left(commodity_code, {LEVEL_DIGITS[level]})")
    return (f"CASE WHEN commodity_code = '{ALL_GOODS}' THEN '{ALL_GOODS}' "
            f"WHEN left(commodity_code, 1) = 'X' THEN '{CONFIDENTIAL_KEY}' ELSE {plain} END")


def structure(con: duckdb.DuckDBPyConnection, q: Query, flow: str = "export", level: str = "chapter",
              top: int = 10, within: str | None = None) -> Structure:
    """Goods at a level, optionally within one code (drill-down: a section's chapters, a chapter's headings)."""
    if flow not in FLOWS:
        raise QueryError(Msg("flow must be export or import, not '%(flow)s'", flow=flow))
    within_sql, within_params = _within(within)
    q = with_source(con, q)
    key = _key_sql("chapter" if level == "section" else level)
    partners = resolve_partner(q.partner)
    pair = "" if partners is None else f" AND partner IN ({', '.join('?' for _ in partners)})"
    where, params = _both_periods(q)
    # One pass grouped by item and month; which period a month belongs to is decided in Python.
    groups = con.execute(
        f"""SELECT {key} AS k, nomenclature, year, month, sum(value_usd) FROM trade_flow
            WHERE {where}{pair} AND flow = ?{within_sql} GROUP BY ALL""",
        [*params, *(partners or ()), flow, *within_params]).fetchall()
    which = _which_period(q.period)
    months = like_for_like(q)
    now_alike, before_alike = set(months.comparable), set(months.comparable_before)
    sections = _chapter_sections() if level == "section" else {}
    # item -> [now, before (like for like), nomenclature, now (like for like), rows before?, rows compared?,
    #          {synthetic?: seen}]
    totals: dict[str, list] = {}
    synthetic_month = {}
    for item, nomenclature_label, year, month, value in groups:
        item = sections.get(item, item)
        entry = totals.setdefault(item, [0.0, 0.0, nomenclature_label, 0.0, False, False, set()])
        side = which(year, month)
        if side == "now":
            if (year, month) not in synthetic_month:
                source = q.plan.source_of(year, month) if q.plan is not None else q.source
                synthetic_month[(year, month)] = bool(source) and is_synthetic(source)
            entry[6].add(synthetic_month[(year, month)])
            entry[0] += value
            if (year, month) in now_alike:
                entry[3] += value
                entry[5] = True
        elif side == "before" and (year, month) in before_alike:
            entry[1] += value
            entry[4] = True
    total = sum(v[0] for v in totals.values())
    previous_total = sum(v[1] for v in totals.values())
    ordered = sorted(((k, v[2], v[0], v[1], v[3], v[4], v[5], v[6]) for k, v in totals.items()),
                     key=lambda r: (-r[2], -r[3], r[0]))
    items = [StructureItem(k, _edition(nom), v, p, v / total * 100 if total else 0.0, alike, before, compared,
                           _data_status(kinds))
             for k, nom, v, p, alike, before, compared, kinds in ordered[:top] if v or p]
    rest = ordered[top:]
    if rest and (sum(r[2] for r in rest) or sum(r[3] for r in rest)):
        value, prev, alike = (sum(r[n] for r in rest) for n in (2, 3, 4))
        items.append(StructureItem(OTHER_KEY, "HS2022", value, prev, value / total * 100 if total else 0.0, alike,
                                   any(r[5] for r in rest), any(r[6] for r in rest),
                                   _data_status(set().union(*(r[7] for r in rest)))))
    return Structure(flow, level, total, previous_total, items, months)


def _data_status(kinds: set) -> str:
    """observed, synthetic or mixed, from whether each month a value adds up is synthetic."""
    return "mixed" if kinds == {True, False} else "synthetic" if kinds == {True} else "observed"


def _edition(nomenclature_label: str | None) -> str:
    label = nomenclature_label or ""
    return "HS2022" if "2022" in label else "HS2017"


# -- movers ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mover:
    key: str
    edition: str
    value: float
    previous: float

    @property
    def change(self) -> float:
        return self.value - self.previous

    @property
    def growth(self) -> float | None:
        return growth(self.value, self.previous)


def movers(con: duckdb.DuckDBPyConnection, q: Query, by: str = "product", flow: str | None = None,
           level: str = "heading", top: int = 5) -> tuple[list[Mover], list[Mover]]:
    """The largest increases and decreases against the same months a year earlier (like for like)."""
    q = with_source(con, q)
    if by == "product":
        key, edition = _key_sql(level), "any_value(nomenclature)"
    elif by == "partner":
        key, edition = "partner", "NULL"
    else:
        raise QueryError("movers are by product or by partner")
    # Like for like: both sides over the months the same source answers in both years.
    months = like_for_like(q)
    now_months, now_params = _months_sql(months.comparable)
    before_months, before_params = _months_sql(months.comparable_before)
    where, params = _where(q)
    prev_where, prev_params = _where(q.previous())
    where, params = f"{where} AND {now_months}", [*params, *now_params]
    prev_where, prev_params = f"{prev_where} AND {before_months}", [*prev_params, *before_params]
    flow_sql = " AND flow = ?" if flow else ""
    flow_params = [flow] if flow else []
    rows = con.execute(
        f"""WITH facts AS (
                SELECT {key} AS k, nomenclature, value_usd, 1 AS now FROM trade_flow WHERE {where}{flow_sql}
                UNION ALL
                SELECT {key} AS k, nomenclature, value_usd, 0 AS now FROM trade_flow WHERE {prev_where}{flow_sql})
            SELECT k, {edition.replace('nomenclature', 'facts.nomenclature')},
                   coalesce(sum(value_usd) FILTER (now = 1), 0), coalesce(sum(value_usd) FILTER (now = 0), 0)
            FROM facts GROUP BY k""",
        [*params, *flow_params, *prev_params, *flow_params]).fetchall()
    all_movers = [Mover(k, _edition(e), v, p) for k, e, v, p in rows
                  if k not in (CONFIDENTIAL_KEY, ALL_GOODS, UNALLOCATED)]
    ups = sorted((m for m in all_movers if m.change > 0), key=lambda m: (-m.change, m.key))[:top]
    downs = sorted((m for m in all_movers if m.change < 0), key=lambda m: (m.change, m.key))[:top]
    return ups, downs


# -- mirror --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MirrorRow:
    year: int
    flow: str  # the reporter's flow: its exports are compared with the partner's imports
    reported: float
    mirror: float
    reported_source: str | None
    mirror_source: str | None

    @property
    def gap(self) -> float:
        return self.mirror - self.reported

    @property
    def ratio(self) -> float | None:
        return self.mirror / self.reported if self.reported else None


# What every face prints beside mirror figures: the two sides value goods at different points.
MIRROR_NOTE = Msg("Exports are valued FOB (at the exporter's border) and imports CIF (with freight and insurance to "
                  "the importer's border), so a partner's imports usually exceed the matching exports by a few per "
                  "cent for that reason alone; a larger gap says the two statistics count differently.")


def mirror_years(text: str | None) -> range | None:
    """'2019..2021' or '2021' as the years a mirror table covers (None: every year both sides report)."""
    if not text:
        return None
    first, _, last = text.partition("..")
    if not (first.isascii() and first.isdigit() and len(first) == 4 and (not last or (
            last.isascii() and last.isdigit() and len(last) == 4))):
        raise QueryError(Msg("years must look like 2019..2021 or 2021, not '%(value)s'", value=text[:40]))
    start, end = int(first), int(last or first)
    if end < start or end - start > 50:
        raise QueryError(Msg("years must run forwards over at most 50 years, not '%(value)s'", value=text[:40]))
    return range(start, end + 1)


def mirror(con: duckdb.DuckDBPyConnection, reporter: str, partner: str,
           years: range | None = None) -> list[MirrorRow]:
    """Per year, what the reporter says it traded with the partner against what the partner says.

    Only comparable figures are paired: each side from one source (its own statistics before a world
    matrix, real before synthetic), whole years only (twelve months, or an annual figure), and the two
    sides alike — both real or both synthetic, both own statistics or both from a world matrix. A
    synthetic figure is never set against a real one."""
    if len(partner) != 2 or len(reporter) != 2:
        raise QueryError("mirror data compares two countries' own statistics (ISO alpha-2 codes)")
    rows = con.execute(
        f"""SELECT reporter, flow, CAST(year AS INTEGER), source, sum(value_usd),
                   count(DISTINCT month), bool_or(month IS NULL),
                   source IN ({', '.join(repr(s) for s in WORLD_SOURCES)}), {SYNTHETIC_SQL}
            FROM trade_flow WHERE ((reporter = ? AND partner = ?) OR (reporter = ? AND partner = ?))
            GROUP BY reporter, flow, year, source""", [reporter, partner, partner, reporter]).fetchall()
    best: dict[tuple, tuple] = {}
    for rep, flow, year, source, value, months, annual, world, synthetic in rows:
        if not (annual or months == 12):
            continue  # part of a year set against a whole one would read as a gap
        rank = (bool(world), bool(synthetic), -value)  # one source per side: a detailed one and a total
        if (rep, flow, year) not in best or rank < best[(rep, flow, year)][0]:  # would otherwise add up
            best[(rep, flow, year)] = (rank, source, value)
    result = []
    wanted = set(years) if years is not None else {k[2] for k in best}
    for year in sorted(wanted):
        for flow, other in (("export", "import"), ("import", "export")):
            ours, theirs = best.get((reporter, flow, year)), best.get((partner, other, year))
            if ours and theirs and ours[0][:2] == theirs[0][:2]:
                result.append(MirrorRow(year, flow, ours[2], theirs[2], ours[1], theirs[1]))
    return result


# -- indices -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexReport:
    export_concentration: float | None  # normalised Herfindahl of exports to the partner, by heading
    import_concentration: float | None
    partner_concentration: float | None  # of the reporter's trade across partners
    grubel_lloyd: float | None  # aggregate intra-industry trade with the partner, by heading
    grubel_lloyd_products: list[tuple[str, str, float]]  # (heading, edition, GL) of the largest
    complementarity: float | None
    intensity: float | None
    notes: list[str] = field(default_factory=list)


def _by_heading(con, q: Query, flow: str) -> dict[str, float]:
    where, params = _where(q)
    rows = con.execute(
        f"""SELECT left(commodity_code, 4), sum(value_usd) FROM trade_flow
            WHERE {where} AND flow = ? AND commodity_code <> '{ALL_GOODS}'
              AND left(commodity_code, 1) <> 'X' GROUP BY 1""", [*params, flow]).fetchall()
    return dict(rows)


def trade_indices(con: duckdb.DuckDBPyConnection, q: Query) -> IndexReport:
    q = with_source(con, q)
    notes = []
    exports = _by_heading(con, q, "export")
    imports = _by_heading(con, q, "import")
    if not exports and not imports:
        notes.append("no product detail for this reporter and period: product indices are n/a")
    ranking = partner_ranking(con, q.reporter, q.period, q.source)
    gl_products = sorted(((k, indices.grubel_lloyd(exports.get(k, 0), imports.get(k, 0)), exports.get(k, 0)
                           + imports.get(k, 0)) for k in set(exports) | set(imports)), key=lambda r: -r[2])
    edition = "HS2022" if q.period.first[0] >= 2022 else "HS2017"

    # Complementarity and intensity need the partner's own imports by product and world trade;
    # they are computed where the warehouse holds them (e.g. BACI or Comtrade loaded).
    world = Query(q.reporter, None, q.period, q.source)
    reporter_exports_world = _by_heading(con, world, "export")
    partner_imports = {}
    if q.partner and len(q.partner) == 2:
        partner_q = Query(q.partner, None, q.period)
        partner_imports = _by_heading(con, with_source(con, partner_q), "import")
    complementarity = None
    if reporter_exports_world and partner_imports:
        complementarity = indices.trade_complementarity(reporter_exports_world, partner_imports)
    else:
        notes.append("complementarity index n/a: needs the partner's imports by product")
    intensity = None
    world_imports = con.execute(
        f"""SELECT sum(value_usd) FROM trade_flow WHERE flow = 'import' AND length(reporter) = 2
            AND {q.period.sql()[0]}""", q.period.sql()[1]).fetchone()[0]
    partner_total_imports = sum(partner_imports.values()) if partner_imports else None
    if world_imports and partner_total_imports and reporter_exports_world:
        to_partner = flows(con, q.reporter, q.partner, q.period, q.source).exports
        intensity = indices.trade_intensity(to_partner, sum(reporter_exports_world.values()),
                                            partner_total_imports, world_imports)
    else:
        notes.append("intensity index n/a: needs the partner's and the world's imports")
    return IndexReport(
        indices.normalised_herfindahl(list(exports.values())),
        indices.normalised_herfindahl(list(imports.values())),
        indices.normalised_herfindahl([r.turnover for r in ranking]),
        indices.grubel_lloyd_aggregate(exports, imports),
        [(k, edition, gl) for k, gl, _ in gl_products[:10]],
        complementarity, intensity, notes)
