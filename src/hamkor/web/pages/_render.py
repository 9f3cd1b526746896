"""Rendering a page: the template, its language's helpers, the viewer and its CSRF token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from hamkor.web.deps import language_of
from hamkor.web.i18n import LANGUAGE_NAMES, LANGUAGES, template_helpers

NAV = [("/", "Dashboard"), ("/explorer", "Trade explorer"), ("/partners", "Partners"), ("/brief", "Brief"),
       ("/imports", "Imports"), ("/nomenclature", "Nomenclature")]
LATER = ["Opportunities", "Companies", "Missions", "Cooperation"]  # sections the next issues add


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = language_of(request)
    env = request.app.state.templates
    viewer = getattr(request.state, "viewer", None)
    html = env.get_template(template).render(
        request=request, viewer=viewer, csrf=viewer.csrf if viewer else context.pop("csrf", ""),
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], nav=NAV, later=LATER,
        current_path=request.url.path, **template_helpers(lang), **context)
    return HTMLResponse(html, status_code=status_code)
