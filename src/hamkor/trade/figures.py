"""The headline figures, each computed once, as values every face prints and none works out again.

A `Figure` is a sum with what it rests on: the months it adds up, the sources and batches those months
come from, and its status (observed, synthetic, or missing with a reason). A `Measure` holds one
indicator (exports, imports, turnover, balance) three ways: the whole period; the months compared
("a year earlier" is always over the months both years have from the same source) with their base;
and the whole previous period, for the faces that show it named. The dashboard, the API, the CLI and
the brief all render a `Headline`; none of them adds, subtracts or divides.

Missing is not zero: a flow no source of those months carries (an exports-only table has no imports)
is missing, and a turnover or balance is never made from one flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hamkor.i18n import Msg, localize
from hamkor.i18n.numbers import format_money, format_number, period_phrase
from hamkor.trade import stats
from hamkor.trade.periods import Period

MEASURES = ("turnover", "exports", "imports", "balance")
OBSERVED, SYNTHETIC, MIXED, MISSING = "observed", "synthetic", "mixed", "missing"

Key = tuple[int, int | None]  # (year, month); month None: a year of annual-only data
NO_DATA = Msg("no data")
NOT_COMPARED = Msg("not compared")


@dataclass(frozen=True)
class Figure:
    value: float | None  # None: missing (see `reason`)
    months: tuple[Key, ...]  # what it adds up, in order
    status: str  # observed | synthetic | mixed (some months of each) | missing
    sources: tuple[str, ...] = ()
    batches: tuple[int, ...] = ()
    reason: Msg | None = None  # why it is missing
    synthetic_months: tuple[Key, ...] = ()  # which of `months` are synthetic (all of them, or some when mixed)
    # There are figures, but none that may be set against this period's (synthetic beside real, another
    # source): it reads «не сравнивается», not «нет данных», which would deny what the period before shows
    withheld: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Measure:
    name: str
    whole: Figure  # the period as asked, every month with data
    compared: Figure  # the period's months that have a like-for-like month a year earlier
    base: Figure  # those months a year earlier: "a year earlier"
    previous_whole: Figure  # the whole previous period (shown, named, only beside the pair)
    growth: float | None  # compared against base, in percent; None for the balance and where no base
    change: float | None  # compared minus base
    no_comparison: Msg | None = None  # why there is no growth, when there is none

    @property
    def partial(self) -> bool:
        """The pair covers fewer months than the period has: the whole figure is shown beside it."""
        return self.compared.months != self.whole.months


@dataclass(frozen=True)
class Headline:
    query: stats.Query  # with its sources decided
    summary: stats.Summary
    measures: dict[str, Measure]
    provenance: tuple[stats.Provenance, ...]

    @property
    def period(self) -> Period:
        return self.query.period

    @property
    def compared_months(self) -> tuple[Key, ...]:
        return self.measures["exports"].compared.months

    @property
    def like_for_like(self) -> bool:
        return not any(m.partial for m in self.measures.values())

    @property
    def synthetic(self) -> bool:
        """Any figure a face shows rests on synthetic months (the period, the pair compared); a synthetic
        year before that is compared with nothing does not make a real month synthetic."""
        return any(f.status in (SYNTHETIC, MIXED) for m in self.measures.values()
                   for f in (m.whole, m.compared, m.base))

    @property
    def empty(self) -> bool:
        return all(m.whole.missing for m in self.measures.values())


class _Months:
    """The reporter's grouped rows of both periods (any partner), asked per month and flow."""

    def __init__(self, summary: stats.Summary) -> None:
        self.query = summary.query
        self.pair: dict[tuple[Key, str], float] = {}
        self.flows: set[tuple[Key, str]] = set()  # a flow the month's source carries (for any partner)
        self.synthetic: set[Key] = set()
        for year, month, flow, in_pair, synthetic, value in summary.groups:
            key = (year, month)
            self.flows.add((key, flow))
            if synthetic:
                self.synthetic.add(key)
            if in_pair:
                self.pair[(key, flow)] = self.pair.get((key, flow), 0.0) + value
        self.present = {key for key, _ in self.flows}
        # A source carries a flow when any of its months holds it for this reporter: a month of it without
        # that flow with the partner is a zero; a source that never has it (an exports-only table) is silent.
        self.carried = {(self.source_of(key), flow) for key, flow in self.flows}

    def source_of(self, key: Key) -> str | None:
        if self.query.plan is not None:
            return self.query.plan.source_of(*key)
        return self.query.source

    def figure(self, measure: str, keys, period_label: str) -> Figure:
        keys = tuple(k for k in keys if k in self.present)
        if not keys:
            return Figure(None, (), MISSING, reason=Msg("no data for %(period)s", period=period_label))
        sources = tuple(sorted({s for k in keys if (s := self.source_of(k))}))
        batches = dict(self.query.plan.batches) if self.query.plan else {}
        batch_ids = tuple(sorted({b for s in sources for b in batches.get(s, ())}))
        demo = tuple(k for k in keys if k in self.synthetic)
        status = OBSERVED if not demo else SYNTHETIC if len(demo) == len(keys) else MIXED
        flows = {"exports": ("export",), "imports": ("import",)}.get(measure, ("export", "import"))
        for flow in flows:
            silent = sorted({s for k in keys if (s := self.source_of(k)) and (s, flow) not in self.carried})
            if silent:
                reason = (Msg("%(source)s carries no exports", source=", ".join(silent)) if flow == "export"
                          else Msg("%(source)s carries no imports", source=", ".join(silent)))
                return Figure(None, keys, MISSING, sources, batch_ids, reason, demo)
        exports = sum(self.pair.get((k, "export"), 0.0) for k in keys)
        imports = sum(self.pair.get((k, "import"), 0.0) for k in keys)
        value = {"exports": exports, "imports": imports, "turnover": exports + imports,
                 "balance": exports - imports}[measure]
        return Figure(value, keys, status, sources, batch_ids, synthetic_months=demo)


def _keys(period: Period, annual: bool) -> tuple[Key, ...]:
    if annual:
        return tuple((year, None) for year in range(period.first[0], period.last[0] + 1))
    return tuple(period.month_list())


def headline(con: duckdb.DuckDBPyConnection, q: stats.Query) -> Headline:
    summary = stats.summary(con, q)
    return headline_of(summary)


def headline_of(summary: stats.Summary) -> Headline:
    q = summary.query
    months = _Months(summary)
    period, previous = q.period, q.period.previous_year()
    annual = summary.coverage.annual_only and period.whole_years
    current_keys, previous_keys = _keys(period, annual), _keys(previous, annual)
    compared_keys = tuple(summary.comparable)
    base_keys = tuple((y - 1, m) for y, m in compared_keys)
    result = {}
    for name in MEASURES:
        whole = months.figure(name, current_keys, period.label())
        previous_whole = months.figure(name, previous_keys, previous.label())
        compared = (months.figure(name, compared_keys, period.label()) if compared_keys else
                    Figure(None, (), MISSING, reason=Msg("no month of the period has a like month a year earlier")))
        base = months.figure(name, base_keys, previous.label())
        growth = change = None
        why = None
        if whole.missing:
            why = whole.reason
        elif not compared_keys:
            if not previous_whole.months:
                why = Msg("no data a year earlier")
            elif (previous_whole.status == OBSERVED) != (whole.status == OBSERVED):
                why = Msg("a year earlier there are only synthetic figures, and a real figure is not compared "
                          "with a synthetic one") if whole.status == OBSERVED else Msg(
                    "a real figure is not compared with a synthetic one")
            else:
                why = Msg("a year earlier comes from another source for every month: figures of two sources "
                          "are not compared")
            if previous_whole.months:  # the year before has figures; they are only not set against these
                base = Figure(None, (), MISSING, reason=why, withheld=True)
        elif compared.missing or base.missing:
            why = compared.reason or base.reason
        elif compared.status != base.status:
            why = Msg("a real figure is not compared with a synthetic one")
        else:
            change = compared.value - base.value
            if name != "balance":
                growth = stats.growth(compared.value, base.value)
                if growth is None:
                    why = Msg("nothing a year earlier to compare with")
        result[name] = Measure(name, whole, compared, base, previous_whole, growth, change, why)
    return Headline(q, summary, result, tuple(stats.provenance(q)))


def months_text(keys, lang: str) -> str:
    """The months a figure adds up, as a person writes them: 'январь–сентябрь 2025 г.', or runs joined
    where there is a gap ('январь–март 2025 г., май 2025 г.'); years for annual data."""
    keys = sorted(keys, key=lambda k: (k[0], k[1] or 0))
    if not keys:
        return ""
    runs: list[list[Key]] = []
    for key in keys:
        last = runs[-1][-1] if runs else None
        follows = last is not None and (
            (key[1] is None and last[1] is None and key[0] == last[0] + 1)
            or (key[1] is not None and last[1] is not None
                and key[0] * 12 + key[1] == last[0] * 12 + last[1] + 1))
        if follows:
            runs[-1].append(key)
        else:
            runs.append([key])
    parts = []
    for run in runs:
        (y1, m1), (y2, m2) = run[0], run[-1]
        if m1 is None:
            parts.append(period_phrase((y1, 1), (y2, 12), "year", lang) if y1 == y2
                         else f"{y1}–{y2}")
        else:
            parts.append(period_phrase((y1, m1), (y2, m2), "months", lang))
    return ", ".join(parts)


def absent_text(figure: Figure, lang: str) -> str:
    """What stands for a figure with no value: «не сравнивается» where the figures exist but may not be set
    against the period's, «нет данных» where there are none."""
    return localize(NOT_COMPARED if figure.withheld else NO_DATA, lang)


def money_text(figure: Figure, lang: str, divisor: float | None = None) -> str:
    """'142,7 млн долл. США', or «нет данных»: a missing figure never prints as 0,0."""
    return absent_text(figure, lang) if figure.missing else format_money(figure.value, lang, divisor)


def number_text(figure: Figure, lang: str, divisor: float, signed: bool = False) -> str:
    """The figure in a table whose unit its header names ('142,7'), or «нет данных»."""
    return absent_text(figure, lang) if figure.missing else format_number(figure.value / divisor, lang, signed=signed)


def month_keys(keys) -> list[str]:
    """'2025-01', or '2025' for a year of annual data: how the API and the CLI name months."""
    return [f"{y}" if m is None else f"{y}-{m:02d}" for y, m in keys]


def paired_months(points: list, period: Period) -> list:
    """A monthly series as a chart sets it out (each month beside the same month a year earlier), without
    the year-earlier bar of a month whose two years are not alike: a real October 2025 stood beside a
    synthetic October 2024 reads as a fall that no figure supports."""
    current = {(p.year, p.month): p.synthetic for p in points if (p.year, p.month) in set(period.month_list())}
    return [p for p in points
            if (p.year + 1, p.month) not in current or current[(p.year + 1, p.month)] == p.synthetic]
