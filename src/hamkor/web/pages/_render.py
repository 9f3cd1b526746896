"""Rendering a page: the template, its language's helpers, the viewer and its CSRF token."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from hamkor.errors import Problem
from hamkor.i18n import LANGUAGE_NAMES, LANGUAGES, problem_text
from hamkor.i18n.times import territory_zone
from hamkor.missions.base import mission_text
from hamkor.reference.names import territory_name
from hamkor.web.deps import current_viewer, language_of, web_state
from hamkor.web.errors import FormExpired
from hamkor.web.i18n import template_helpers
from hamkor.web.security import csrf_matches
from hamkor.web.shared.trade import partner_choices

# The menu, each entry with the permission its page needs: a viewer sees only what they may open.
NAV = [("/space", "My missions", "missions.space"),
       ("/", "Dashboard", "trade.view"), ("/explorer", "Trade explorer", "trade.view"),
       ("/partners", "Partners", "trade.view"), ("/mirror", "Mirror data", "trade.view"),
       ("/brief", "Brief", "brief.create"),
       ("/opportunities", "Opportunities", "trade.view"), ("/companies", "Companies", "companies.view"),
       ("/matching", "Matching", "matching.use"), ("/missions", "Missions", "missions.view"),
       ("/cooperation", "Cooperation", "cooperation.view"), ("/imports", "Imports", "imports.view"),
       ("/nomenclature", "Nomenclature", "reference.view"), ("/users", "Users", "users.manage")]


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = language_of(request)
    state = web_state(request)
    viewer = getattr(request.state, "viewer", None)
    context.setdefault("territory", lambda code: territory_name(code, lang))
    # a mission's name, venue or programme in the reader's language (its own wording there, else the organizer's)
    context.setdefault("mission_text", lambda mission, field: mission_text(mission, field, lang))
    if "tab" in context and context.get("mission") is not None:
        _mission_tabs(state, viewer, context, lang)
    if "reporter" in context:
        context.setdefault("partner_choices", partner_choices(state, context["reporter"], context.get("partner")))
    html = state.templates.get_template(template).render(
        request=request, viewer=viewer, csrf=viewer.csrf if viewer else context.pop("csrf", ""),
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], language_names=LANGUAGE_NAMES,
        nav=[(href, label) for href, label, permission in NAV if viewer and viewer.may(permission)],
        start_page="/space" if viewer and viewer.may("missions.space") else "/",  # a representative's own missions
        current_path=request.url.path,
        **template_helpers(lang, _home_zone(state.settings), _reader_zone(state, viewer,
                                                                          context.pop("reader_territory", None))),
        **context)
    response = HTMLResponse(html, status_code=status_code)
    if viewer is None and request.query_params.get("lang") in LANGUAGES:
        # someone not signed in chose a language: the next public page speaks it too
        response.set_cookie("hamkor_lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def _mission_tabs(state, viewer, context: dict, lang: str) -> None:
    """What a mission's tabs show: its name in the reader's language, and to its organizers how many
    registrations wait for their decision."""
    mission = context["mission"]
    context.setdefault("mission_title", mission_text(mission, "name", lang) or mission.name)
    missions = state.services.missions
    # what the access rule grants this viewer on this mission: the tabs show only what they may open
    actions = missions.actions(viewer.actor, mission.id) if viewer is not None else frozenset()
    context.setdefault("mission_actions", actions)
    if "mission.registrations" in actions:
        context.setdefault("waiting_registrations", missions.waiting_registrations(
            mission.id, side=missions.bound_side(viewer.actor, mission.id)))


def _home_zone(settings) -> str:
    """Where the instance's staff read times: HAMKOR_TIMEZONE when set, else their home territory's zone (an
    Altai Krai instance left at the default reads Barnaul time, not UTC)."""
    if settings.timezone and settings.timezone != "UTC":
        return settings.timezone
    return territory_zone(settings.home_territory) or "UTC"


def _reader_zone(state, viewer, territory: str | None = None) -> str | None:
    """Where the reader lives: a company's people by their company's territory (`territory` when the page has
    read the company already), staff by the instance's zone; someone not signed in is unknown here (their
    browser adds their own time)."""
    if viewer is None:
        return None
    if viewer.company_id is not None and territory:
        return territory_zone(territory) or _home_zone(state.settings)
    if viewer.company_id is not None:
        company = state.services.registry.get(viewer.company_id)
        return territory_zone((company.region or company.country) if company else None) or _home_zone(state.settings)
    return _home_zone(state.settings)


def message_page(request: Request, message: str | Problem, status_code: int = 400,
                 headers: dict | None = None) -> HTMLResponse:
    """A message in the reader's language (the template translates it) with its status."""
    if getattr(request.state, "viewer", None) is None:
        # answered before any route knew who asks (no such page, a method the page does not take): the signed-in
        # reader is still told in their own language, with their menu (a 405 read Russian to an Uzbek reader)
        try:
            request.state.viewer = current_viewer(request)
        except Exception:  # noqa: BLE001 - a message page is said whatever the session's state
            request.state.viewer = None
    if isinstance(message, Problem):
        message = problem_text(message, language_of(request))
    response = page(request, "message.html.j2", status_code=status_code, message=message)
    response.headers.update(headers or {})
    return response


def check_csrf(viewer, submitted: str | None) -> None:
    """Every form that changes something carries the session's CSRF token; FormExpired otherwise."""
    if not csrf_matches({"csrf": viewer.csrf or ""}, submitted):
        raise FormExpired()


def local_path(target: str | None, default: str = "/") -> str:
    """Where to go back to after a form: a path on this site only, never another site."""
    # Browsers drop tabs and newlines inside a URL and read "\\" as "/": "/\t/evil.example" would become
    # "//evil.example", another site. Only a plain path with no such character is taken.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(c) < 0x21 or ord(c) == 0x7F for c in target) and not urlsplit(target).netloc):
        return target
    return default
