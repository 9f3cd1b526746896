"""Promising areas of cooperation: export potential (ITC method) or diversification, explained."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hamkor.opportunities.explain import explain, product_name, section_name, section_of
from hamkor.opportunities.potential import Assumptions
from hamkor.trade.periods import FIRST_YEAR, LAST_YEAR
from hamkor.web.api._params import Lang, Reporter
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import TradeViewer, Web
from hamkor.web.shared.opportunities import Filters, opportunities_for, resolve_products

router = APIRouter(prefix="/api/v1", tags=["opportunities"], responses=ERROR_RESPONSES)


class OpportunityOut(BaseModel):
    code: str
    name: str
    kind: Literal["potential", "diversification"]
    section: str | None
    section_name: str | None
    potential: float
    actual: float
    untapped: float
    realised_pct: float | None
    demand: float
    demand_growth_pct: float
    supply_share: float
    rca: float
    destinations: int
    density: float
    pci: float | None
    gain: float | None
    score: float
    factors: dict[str, float]
    contributions: dict[str, float | None]
    flags: list[str]
    flag_details: dict[str, str]
    explanation: str


class OpportunitiesOut(BaseModel):
    reporter: str
    partner: str
    direction: str
    exporter: str
    market: str
    year: int
    years: list[int]
    world_source: str
    synthetic: bool
    ease: float
    exporter_eci: float | None
    assumptions: dict[str, float]
    total_potential: float
    total_untapped: float
    notes: list[str]
    resolved_codes: list[str] | None  # what `q` was read as: HS codes (typed, or found for the words)
    items: list[OpportunityOut]


@router.get("/opportunities", response_model=OpportunitiesOut)
def opportunities(viewer: TradeViewer, web: Web, reporter: Reporter,
                  partner: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="Partner country")],
                  direction: Literal["export", "import"] = "export",
                  kind: Literal["potential", "diversification"] = "potential",
                  top: Annotated[int, Query(ge=1, le=2_000)] = 30,
                  year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
                  section: Annotated[str | None, Query(pattern=r"^[IVXL]{1,5}$")] = None,
                  min_potential: Annotated[float, Query(ge=0, description="million USD")] = 0.0,
                  horizon: Annotated[int, Query(ge=0, le=10)] = 0,
                  supply_growth: Annotated[float, Query(ge=-50, le=100, description="% a year")] = 0.0,
                  demand_trend: Annotated[float, Query(ge=0, le=3)] = 1.0, lang: Lang = "ru",
                  q: Annotated[str | None, Query(max_length=300, description="Products: words in ru/uz/en "
                                                 "(the HS assistant finds their headings) or HS codes")] = None
                  ) -> OpportunitiesOut:
    """Promising areas of cooperation: export potential (ITC method) or diversification, explained."""
    assumptions = Assumptions(horizon, supply_growth / 100, demand_trend)
    result = opportunities_for(web, reporter, partner, direction, assumptions, year)
    resolved = resolve_products(q)
    keep = Filters(section, min_potential, resolved.codes if resolved else None).keep
    chosen = [i for i in (result.items if kind == "potential" else result.diversification) if keep(i)][:top]
    items = [OpportunityOut(
        code=i.product, name=product_name(i.product, lang), kind=i.kind, section=section_of(i.product),
        section_name=section_name(section_of(i.product), lang) if section_of(i.product) else None,
        potential=i.potential, actual=i.actual, untapped=i.untapped,
        realised_pct=None if i.realised is None else i.realised * 100, demand=i.demand,
        demand_growth_pct=i.demand_growth * 100, supply_share=i.supply_share, rca=i.rca,
        destinations=i.destinations, density=i.density, pci=i.pci, gain=i.gain, score=i.score,
        factors=i.factors(), contributions={k: None if math.isinf(v) else v for k, v in i.contributions().items()},
        flags=i.flags, flag_details=i.flag_details, explanation=explain(i, result, lang)) for i in chosen]
    return OpportunitiesOut(
        reporter=result.reporter, partner=result.partner, direction=result.direction, exporter=result.exporter,
        market=result.market, year=result.year, years=result.years, world_source=result.world.source,
        synthetic=result.synthetic, ease=result.ease, exporter_eci=result.exporter_eci,
        assumptions={"horizon_years": horizon, "supply_growth_pct": supply_growth, "demand_trend": demand_trend},
        total_potential=result.total_potential, total_untapped=result.total_untapped, notes=result.notes,
        resolved_codes=list(resolved.codes) if resolved else None, items=items)
