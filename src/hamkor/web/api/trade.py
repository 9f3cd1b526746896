"""Trade figures: summary, partners, structure, series and the dashboard's overview."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hamkor.trade import overview as overview_service
from hamkor.trade import stats
from hamkor.trade.periods import Period
from hamkor.web.api._params import Lang, Partner, PeriodText, Reporter, SourceName
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import TradeViewer, Web
from hamkor.web.shared.trade import checked_partner, checked_within, main_trade_partner, read

router = APIRouter(prefix="/api/v1", tags=["trade"], responses=ERROR_RESPONSES)


class FlowFigures(BaseModel):
    exports: float
    imports: float
    turnover: float
    balance: float
    months_with_data: int


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
    previous_period: str
    source: str | None
    synthetic: bool
    current: FlowFigures
    previous: FlowFigures
    growth_pct: dict[str, float | None]
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
    previous: float
    share_pct: float
    growth_pct: float | None


class SeriesPoint(BaseModel):
    year: int
    month: int
    exports: float
    imports: float


def _summary(con, reporter: str, partner: str, period: Period, source: str | None = None) -> stats.Summary:
    return stats.summary(con, stats.Query(reporter, partner, period, source))


def _figures(flows: stats.Flows) -> FlowFigures:
    return FlowFigures(exports=flows.exports, imports=flows.imports, turnover=flows.turnover, balance=flows.balance,
                       months_with_data=flows.months_with_data)


@router.get("/trade/summary", response_model=SummaryOut)
def summary(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
            partner: Partner = "WORLD", source: SourceName = None) -> SummaryOut:
    """Figures of the period against the same months a year earlier, with where they come from."""
    parsed = Period.parse(period)
    result = read(web, _summary, reporter.upper(), checked_partner(partner), parsed, source)
    return SummaryOut(
        reporter=reporter.upper(), partner=partner.upper(), period=parsed.label(),
        previous_period=parsed.previous_year().label(), source=result.query.source, synthetic=result.synthetic,
        current=_figures(result.current), previous=_figures(result.previous),
        growth_pct={m: result.growth(m) for m in ("exports", "imports", "turnover")},
        coverage={"expected": result.coverage.expected, "present": result.coverage.present,
                  "annual_only": result.coverage.annual_only, "complete": result.coverage.complete},
        sources=result.query.sources, provenance=_provenance(result.query),
        comparable_months=_months(result.comparable),
        like_for_like=result.like_for_like)


class PartnersOut(BaseModel):
    reporter: str
    period: str
    provenance: list[ProvenanceOut]
    comparable_months: list[str]  # each partner's growth rests on these months and the same months a year earlier
    like_for_like: bool
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


def _months(keys) -> list[str]:
    return [f"{y}" if m is None else f"{y}-{m:02d}" for y, m in keys]


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
                       comparable_months=_months(months.comparable), like_for_like=months.complete,
                       partners=[PartnerOut(rank=r.rank, partner=r.partner, turnover=r.turnover, exports=r.exports,
                                            imports=r.imports, share_pct=r.share, growth_pct=r.growth)
                                 for r in ranking[:top]])


@router.get("/trade/structure", response_model=StructureOut)
def structure(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
              partner: Partner = "WORLD", flow: Literal["export", "import"] = "export",
              level: Literal["section", "chapter", "heading", "subheading", "national"] = "chapter",
              top: Annotated[int, Query(ge=1, le=500)] = 10,
              within: Annotated[str | None, Query(max_length=10)] = None, lang: Lang = "ru") -> StructureOut:
    """Goods at a level (within a code when drilling down), with where the figures come from."""
    parsed = Period.parse(period)
    with web.services.warehouse.reader() as con:
        query = stats.with_source(con, stats.Query(reporter.upper(), checked_partner(partner), parsed))
        table = stats.structure(con, query, flow, level, top, checked_within(within))
    return StructureOut(reporter=reporter.upper(), partner=partner.upper(), period=parsed.label(), flow=flow,
                        level=level, provenance=_provenance(query), comparable_months=_months(table.months.comparable),
                        like_for_like=table.months.complete,
                        items=[StructureItemOut(code=i.key, name=i.name(lang), value=i.value, previous=i.previous,
                                                share_pct=i.share, growth_pct=i.growth) for i in table.items])


@router.get("/trade/series", response_model=list[SeriesPoint])
def series(viewer: TradeViewer, web: Web, reporter: Reporter, period: PeriodText,
           partner: Partner = "WORLD") -> list[SeriesPoint]:
    parsed = Period.parse(period)
    with web.services.warehouse.reader() as con:
        points = stats.series(con, stats.Query(reporter.upper(), checked_partner(partner), parsed))
    return [SeriesPoint(year=p.year, month=p.month, exports=p.exports, imports=p.imports) for p in points]


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
            "comparable_months": _months(data.comparable),
            "like_for_like": data.like_for_like,
            "projection": None if data.projection is None else {
                "year": data.projection.year, "through_month": data.projection.through_month,
                "turnover": data.projection.value, "low": data.projection.low, "high": data.projection.high,
                "seasonality_years": list(data.projection.years)},
            "synthetic": data.synthetic, "rank": data.rank, "partner_count": data.partner_count,
            "tiles": [t.__dict__ for t in data.tiles], "charts": data.charts}
