"""Trade figures: summary, partners, structure, series and the dashboard's overview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hamkor.i18n import localize
from hamkor.trade import figures, stats
from hamkor.trade import overview as overview_service
from hamkor.trade.periods import Period
from hamkor.web.api._params import Lang, Partner, PeriodText, Reporter, SourceName
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import TradeViewer, Web
from hamkor.web.shared.trade import checked_partner, checked_within, main_trade_partner, read

router = APIRouter(prefix="/api/v1", tags=["trade"], responses=ERROR_RESPONSES)


class FlowFigures(BaseModel):
    """The four figures of one period; null where no source carries them (see `measures` for why)."""

    exports: float | None
    imports: float | None
    turnover: float | None
    balance: float | None
    months_with_data: int


class FigureOut(BaseModel):
    value: float | None  # null: missing, `reason` says why (never 0 for "no data")
    status: Literal["observed", "synthetic", "mixed", "missing"]
    synthetic_months: list[str]  # which of `months` are synthetic demo data
    months: list[str]  # what it adds up: YYYY-MM (YYYY for a year of annual data)
    sources: list[str]
    batches: list[int]
    reason: str | None


class MeasureOut(BaseModel):
    """One indicator as every face prints it: the period, the months compared and the same months a year
    earlier, the whole previous period; growth and change are over the pair only."""

    measure: str
    value: float | None  # the period's figure (= whole.value)
    whole: FigureOut
    compared: FigureOut
    base: FigureOut  # "a year earlier": the compared months a year before
    previous_whole: FigureOut
    growth_pct: float | None
    change: float | None
    no_comparison: str | None  # why there is no growth, when there is none


def _figure_out(figure: figures.Figure, lang: str) -> FigureOut:
    return FigureOut(value=figure.value, status=figure.status, months=figures.month_keys(figure.months),
                     synthetic_months=figures.month_keys(figure.synthetic_months),
                     sources=list(figure.sources), batches=list(figure.batches),
                     reason=None if figure.reason is None else localize(figure.reason, lang))


def measure_out(measure: figures.Measure, lang: str = "en") -> MeasureOut:
    return MeasureOut(measure=measure.name, value=measure.whole.value, whole=_figure_out(measure.whole, lang),
                      compared=_figure_out(measure.compared, lang), base=_figure_out(measure.base, lang),
                      previous_whole=_figure_out(measure.previous_whole, lang), growth_pct=measure.growth,
                      change=measure.change,
                      no_comparison=None if measure.no_comparison is None else localize(measure.no_comparison, lang))


class ProvenanceOut(BaseModel):
    source: str
    batches: list[int]
    months: str  # YYYY-MM..YYYY-MM (or YYYY for annual data), the period and the year before it
    synthetic: bool


def _provenance(query) -> list[ProvenanceOut]:
    return [ProvenanceOut(source=p.source, batches=list(p.batches), months=p.span(), synthetic=p.synthetic)
            for p in stats.provenance(query)]


class SummaryOut(BaseModel):
    reporter: str
    partner: str
    period: str
    previous_period: str  # the months `previous` adds up (those compared, a year earlier)
    source: str | None
    synthetic: bool
    current: FlowFigures  # the whole period
    compared_period: str | None  # the months of the period that have a year earlier (`compared` adds them up)
    compared: FlowFigures  # the period over those months only: growth sets this against `previous`
    previous: FlowFigures
    growth_pct: dict[str, float | None]  # compared against previous, like for like
    measures: dict[str, MeasureOut]  # each figure with its months, sources, status and its own year earlier
    coverage: dict[str, int | bool]
    sources: list[str]
    provenance: list[ProvenanceOut]
    comparable_months: list[str]  # growth rests on these months and the same months a year earlier
    like_for_like: bool


class PartnerOut(BaseModel):
    rank: int
    partner: str
    turnover: float
    exports: float
    imports: float
    share_pct: float
    growth_pct: float | None


class StructureItemOut(BaseModel):
    code: str
    name: str
    value: float
    previous: float | None  # over `comparable_months` a year earlier; null when no month compares or the item
    # has no row in them (not recorded: never a 0 for "nothing there")
    compared_value: float | None  # `value` over `comparable_months` only: what growth sets against `previous`
    share_pct: float
    growth_pct: float | None


class SeriesPoint(BaseModel):
    year: int
    month: int
    exports: float
    imports: float
    source: str | None  # the source that answers for the month
    synthetic: bool  # the month's figures are synthetic demo data: never set beside a real month


def _headline(con, reporter: str, partner: str, period: Period, source: str | None = None) -> figures.Headline:
    return figures.headline(con, stats.Query(reporter, partner, period, source))


def _span(keys) -> str | None:
    """'YYYY-MM..YYYY-MM' for a run of months, the months listed where there is a gap, None for none."""
    labels = figures.month_keys(keys)
    if not labels:
        return None
    runs = figures.months_text(keys, "en")
    return f"{labels[0]}..{labels[-1]}" if "," not in runs else ",".join(labels)


def _figures(found: figures.Headline, which: str, months: int) -> FlowFigures:
    values = {name: getattr(found.measures[name], which).value for name in figures.MEASURES}
    return FlowFigures(**values, months_with_data=months)


@router.get("/trade/summary", response_model=SummaryOut)
def summary(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
            partner: Partner = "WORLD", source: SourceName = None) -> SummaryOut:
    """Figures of the period against the same months a year earlier, with where they come from."""
    parsed = Period.parse(period)
    found = read(web, _headline, reporter.upper(), checked_partner(partner), parsed, source)
    result = found.summary
    return SummaryOut(
        reporter=reporter.upper(), partner=partner.upper(), period=parsed.label(),
        previous_period=_span(found.measures["exports"].base.months) or parsed.previous_year().label(),
        source=result.query.source, synthetic=found.synthetic,
        current=_figures(found, "whole", result.current.months_with_data),
        compared_period=_span(found.measures["exports"].compared.months),
        compared=_figures(found, "compared", len(found.measures["exports"].compared.months)),
        # "previous" is what growth is set against: the compared months a year earlier, never the whole
        # previous period beside a growth over fewer months (`measures.*.previous_whole` has that, named)
        previous=_figures(found, "base", len(found.measures["exports"].base.months)),
        growth_pct={m: found.measures[m].growth for m in ("exports", "imports", "turnover")},
        measures={m: measure_out(found.measures[m]) for m in figures.MEASURES},
        coverage={"expected": result.coverage.expected, "present": result.coverage.present,
                  "annual_only": result.coverage.annual_only, "complete": result.coverage.complete},
        sources=result.query.sources, provenance=_provenance(result.query),
        comparable_months=figures.month_keys(result.comparable),
        like_for_like=found.like_for_like)


class PartnersOut(BaseModel):
    reporter: str
    period: str
    provenance: list[ProvenanceOut]
    comparable_months: list[str]  # each partner's growth rests on these months and the same months a year earlier
    like_for_like: bool
    months: list[str]  # the months ranks and shares add up
    left_out_months: list[str]  # months of the period left out: their data name only a few partners
    partners: list[PartnerOut]


class StructureOut(BaseModel):
    reporter: str
    partner: str
    period: str
    flow: str
    level: str
    provenance: list[ProvenanceOut]
    comparable_months: list[str]  # `previous` and the growth rest on these months (and a year before them)
    like_for_like: bool
    items: list[StructureItemOut]


@router.get("/trade/partners", response_model=PartnersOut)
def partners(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
             top: Annotated[int, Query(ge=1, le=300)] = 50) -> PartnersOut:
    """The reporter's partners by turnover, with where the figures come from and what growth compares."""
    parsed = Period.parse(period)
    with web.services.warehouse.reader() as con:
        query = stats.with_source(con, stats.Query(reporter.upper(), None, parsed))
        ranking = stats.partner_ranking(con, reporter.upper(), parsed)
    months = stats.like_for_like(query)
    return PartnersOut(reporter=reporter.upper(), period=parsed.label(), provenance=_provenance(query),
                       comparable_months=figures.month_keys(months.comparable), like_for_like=months.complete,
                       months=figures.month_keys(ranking.months), left_out_months=figures.month_keys(ranking.left_out),
                       partners=[PartnerOut(rank=r.rank, partner=r.partner, turnover=r.turnover, exports=r.exports,
                                            imports=r.imports, share_pct=r.share, growth_pct=r.growth)
                                 for r in ranking[:top]])


@router.get("/trade/structure", response_model=StructureOut)
def structure(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
              partner: Partner = "WORLD", flow: Literal["export", "import"] = "export",
              level: Literal["section", "chapter", "heading", "subheading", "national"] = "chapter",
              top: Annotated[int, Query(ge=1, le=500)] = 10,
              within: Annotated[str | None, Query(max_length=10)] = None, lang: Lang = "ru",
              source: SourceName = None) -> StructureOut:
    """Goods at a level (within a code when drilling down), with where the figures come from."""
    parsed = Period.parse(period)
    with web.services.warehouse.reader() as con:
        query = stats.with_source(con, stats.Query(reporter.upper(), checked_partner(partner), parsed, source))
        table = stats.structure(con, query, flow, level, top, checked_within(within))
    return StructureOut(reporter=reporter.upper(), partner=partner.upper(), period=parsed.label(), flow=flow,
                        level=level, provenance=_provenance(query),
                        comparable_months=figures.month_keys(table.months.comparable),
                        like_for_like=table.months.complete,
                        items=[StructureItemOut(code=i.key, name=i.name(lang), value=i.value,
                                                previous=i.previous if table.months.comparable
                                                and i.recorded_before else None,
                                                compared_value=(i.value if i.comparable_value is None
                                                                else i.comparable_value)
                                                if table.months.comparable and i.recorded_compared else None,
                                                share_pct=i.share, growth_pct=i.growth) for i in table.items])


@router.get("/trade/series", response_model=list[SeriesPoint])
def series(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
           partner: Partner = "WORLD", source: SourceName = None) -> list[SeriesPoint]:
    """Month by month, each month with its source and whether it is synthetic."""
    parsed = Period.parse(period)
    with web.services.warehouse.reader() as con:
        query = stats.with_source(con, stats.Query(reporter.upper(), checked_partner(partner), parsed, source))
        points = stats.series(con, query)
    return [SeriesPoint(year=p.year, month=p.month, exports=p.exports, imports=p.imports,
                        source=query.plan.source_of(p.year, p.month) if query.plan else query.source,
                        synthetic=p.synthetic) for p in points]


@router.get("/trade/overview")
def overview(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
             partner: Partner | None = None, lang: Lang = "ru", source: SourceName = None) -> dict:
    """The dashboard's data: tiles, rank and the Vega-Lite specs of its charts (partner: the main partner
    of this instance unless given)."""
    parsed = Period.parse(period)
    partner = checked_partner(partner or main_trade_partner(web.settings))
    with web.services.warehouse.reader() as con:
        data = overview_service.overview(con, reporter.upper(), partner, parsed, lang, source=source)
    return {"reporter": data.reporter, "partner": data.partner, "period": parsed.label(), "source": data.source,
            "provenance": [{"source": p.source, "batches": list(p.batches), "months": p.span(),
                            "synthetic": p.synthetic} for p in data.provenance],
            "comparable_months": figures.month_keys(data.comparable),
            "like_for_like": data.like_for_like,
            "projection": None if data.projection is None else {
                "year": data.projection.year, "through_month": data.projection.through_month,
                "turnover": data.projection.value, "low": data.projection.low, "high": data.projection.high,
                "seasonality_years": list(data.projection.years)},
            "synthetic": data.synthetic, "rank": data.rank, "partner_count": data.partner_count,
            # rank and share rest on these months; those left out name too few partners to rank on
            "rank_months": figures.month_keys(data.rank_months),
            "rank_left_out_months": figures.month_keys(data.rank_left_out),
            "tiles": [measure_out(m, lang).model_dump() for m in data.tiles], "charts": data.charts}


class MirrorRowOut(BaseModel):
    year: int
    flow: Literal["export", "import"]  # the reporter's flow; the mirror is the partner's opposite flow
    reported: float
    mirror: float
    gap: float  # mirror minus reported
    ratio: float | None
    reported_source: str | None
    mirror_source: str | None


class MirrorOut(BaseModel):
    reporter: str
    partner: str
    note: str  # exports FOB, imports CIF: why the two sides differ at all
    rows: list[MirrorRowOut]  # whole years only, both sides alike (both real, both own statistics)


@router.get("/trade/mirror", response_model=MirrorOut)
def mirror(viewer: TradeViewer, web: Web, reporter: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")],
           partner: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")],
           years: Annotated[str | None, Query(max_length=10)] = None, lang: Lang = "en") -> MirrorOut:
    """Per year and direction, what the reporter says it traded with the partner against what the partner
    says, with the sources of both sides."""
    span = stats.mirror_years(years)
    with web.services.warehouse.reader() as con:
        found = stats.mirror(con, reporter.upper(), partner.upper(), span)
    return MirrorOut(reporter=reporter.upper(), partner=partner.upper(), note=localize(stats.MIRROR_NOTE, lang),
                     rows=[MirrorRowOut(year=r.year, flow=r.flow, reported=r.reported, mirror=r.mirror, gap=r.gap,
                                        ratio=r.ratio, reported_source=r.reported_source,
                                        mirror_source=r.mirror_source) for r in found])
