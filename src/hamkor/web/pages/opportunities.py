"""The Opportunities page: promising areas of cooperation, in both directions, explained."""

from __future__ import annotations

import json
import math
from typing import Annotated

from fastapi import APIRouter, Query, Request

from hamkor.companies.registry import CompanyFilter
from hamkor.errors import reason_of
from hamkor.i18n import translations
from hamkor.opportunities.explain import explain, flag_names, product_name, section_name, section_of
from hamkor.opportunities.potential import Assumptions
from hamkor.opportunities.world import OpportunityError
from hamkor.reference.names import territory_name
from hamkor.render.charts import opportunity_bubbles_spec
from hamkor.web.deps import TradeViewer, Web, language_of
from hamkor.web.pages._render import page
from hamkor.web.shared.opportunities import MILLION, Filters, opportunities_for, resolve_products
from hamkor.web.shared.trade import main_trade_partner, read
from hamkor.web.state import WebState

router = APIRouter(include_in_schema=False)


def _float(text: str | None, default: float) -> float:
    """A number the form sent, or the default when there is none, it does not read, or it is not finite
    ("nan" compares false with every bound, so it would pass a clamp and reach the computation)."""
    try:
        value = float(text) if text not in (None, "") else default
    except ValueError:
        return default
    return value if math.isfinite(value) else default


@router.get("/opportunities")
def opportunities_page(request: Request, viewer: TradeViewer, web: Web, reporter: str | None = None,
                       partner: str | None = None, direction: str = "export", section: str | None = None,
                       min_potential: str | None = None, horizon: str | None = None,
                       supply_growth: str | None = None, demand_trend: str | None = None,
                       top: Annotated[int, Query(ge=1, le=500)] = 30,
                       q: Annotated[str | None, Query(max_length=300)] = None):
    lang = language_of(request)
    reporter = (reporter or web.settings.home_territory).upper()
    partner = (partner or main_trade_partner(web.settings)).upper()
    direction = direction if direction in ("export", "import") else "export"
    assumptions = Assumptions(int(min(max(_float(horizon, 0), 0), 10)), _float(supply_growth, 0.0) / 100,
                              min(max(_float(demand_trend, 1.0), 0.0), 3.0))
    resolved = resolve_products(q)  # the words' own language, not the page's: "chemicals" on a Russian page
    filters = Filters(section or None, max(_float(min_potential, 0.0), 0.0), resolved.codes if resolved else None)
    result, error = None, None
    try:
        # shown at once; filled in when the computation is done (it refreshes itself until then)
        result = opportunities_for(web, reporter, partner, direction, assumptions, wait=False)
    except OpportunityError as problem:
        error = reason_of(problem)
    pending = result is None and error is None
    items, diversification, spec, sections = [], [], None, []
    if result:
        sections = sorted({section_of(i.product) for i in result.items if section_of(i.product)},
                          key=_roman_value)
        items = [i for i in result.items if filters.keep(i)][:top]
        diversification = [i for i in result.diversification if filters.keep(i)][:10]
        _ = translations(lang).gettext
        titles = {"potential": _("Potential, million USD a year"), "actual": _("Realised, million USD a year"),
                  "realised": _("Realised share of the potential, %"), "untapped": _("Untapped, million USD"),
                  "section": _("HS section")}
        points = [{"code": i.product, "name": product_name(i.product, lang), "potential": i.potential / MILLION,
                   "actual": min(i.actual, i.potential) / MILLION, "untapped": i.untapped / MILLION,
                   "realised": (i.realised or 0.0) * 100, "section": section_of(i.product) or "?"}
                  for i in items if i.potential > 0]
        chart = opportunity_bubbles_spec(points, "", titles)
        chart.update({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}})
        spec = json.dumps(chart, ensure_ascii=False).replace("</", "<\\/")
    return page(request, "opportunities.html.j2", result=result, error=error, items=items, pending=pending,
                diversification=diversification, spec=spec, sections=sections, filters=filters,
                assumptions=assumptions, reporter=reporter.upper(), partner=partner.upper(), direction=direction,
                explain=lambda item: explain(item, result, lang), flags=lambda item: flag_names(item, lang),
                product_name=lambda code: product_name(code, lang), territory=lambda code: territory_name(code, lang),
                reporters=_reporters(web), resolved=resolved, q=q or "",
                section_name=lambda numeral: section_name(numeral, lang),
                companies=lambda code: _companies_with(web, code))


def _companies_with(web: WebState, code: str) -> int:
    """How many registered companies offer or need goods under this code (the link's count)."""
    return len(web.services.registry.find(CompanyFilter(code=code[:4])))


def _reporters(web: WebState) -> list[str]:
    def opportunity_reporters(con):
        # from what each batch covers, not the flows themselves: 55 M rows of BACI's size took most of the page's
        # first load (1.08 s of it) to list some 200 reporters
        return [r for (r,) in con.execute("SELECT DISTINCT reporter FROM batch_coverage ORDER BY "
                                          "strpos(reporter, '-') = 0, reporter").fetchall()]

    return read(web, opportunity_reporters)


ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman_value(numeral: str) -> int:
    total = 0
    for current, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = ROMAN.get(current, 0)
        total += -value if following and ROMAN.get(following, 0) > value else value
    return total
