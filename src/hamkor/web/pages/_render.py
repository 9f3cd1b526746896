"""Rendering a page: the template, its language's helpers, the viewer and its CSRF token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from hamkor.briefing.compose import territory_name
from hamkor.web.deps import language_of
from hamkor.web.i18n import LANGUAGE_NAMES, LANGUAGES, template_helpers

NAV = [("/", "Dashboard"), ("/explorer", "Trade explorer"), ("/partners", "Partners"), ("/brief", "Brief"),
       ("/opportunities", "Opportunities"), ("/companies", "Companies"), ("/matching", "Matching"),
       ("/missions", "Missions"), ("/cooperation", "Cooperation"), ("/imports", "Imports"),
       ("/nomenclature", "Nomenclature")]


def partner_choices(request: Request, reporter: str, current: str | None) -> list[str]:
    """The reporter's partners (largest first), the groups, and whatever is chosen now."""

    def compute():
        with request.app.state.warehouse.reader() as con:
            return [p for (p,) in con.execute(
                "SELECT partner FROM trade_flow WHERE reporter = ? AND partner <> 'XX' GROUP BY partner "
                "ORDER BY sum(value_usd) DESC", [reporter]).fetchall()]

    partners = request.app.state.cache.get(("partner_choices", reporter), compute)
    choices = [*partners, "CIS", "EAEU", "EU", "WORLD"]
    return choices if not current or current in choices else [current, *choices]


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = language_of(request)
    env = request.app.state.templates
    viewer = getattr(request.state, "viewer", None)
    context.setdefault("territory", lambda code: territory_name(code, lang))
    if "reporter" in context:
        context.setdefault("partner_choices", partner_choices(request, context["reporter"], context.get("partner")))
    html = env.get_template(template).render(
        request=request, viewer=viewer, csrf=viewer.csrf if viewer else context.pop("csrf", ""),
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], nav=NAV,
        current_path=request.url.path, **template_helpers(lang), **context)
    return HTMLResponse(html, status_code=status_code)
