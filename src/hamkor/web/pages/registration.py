"""A mission's public page and registration form (no sign-in), the confirmation link, and the organizers'
page where registrations are approved or refused and registry companies invited."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from hamkor.accounts.links import LinkProblem
from hamkor.companies.classify import search as hs_search
from hamkor.companies.registry import CompanyData, company_name
from hamkor.companies.sectors import SECTORS
from hamkor.errors import Conflict, Problem, Refused
from hamkor.i18n import Msg
from hamkor.missions.base import mission_text
from hamkor.missions.registration import Registration, side_of
from hamkor.reference.names import territory_name
from hamkor.web.deps import (
    MissionInPath,
    MissionsDep,
    RecordId,
    RegistrationKeeper,
    RegistryDep,
    language_of,
    web_state,
)
from hamkor.web.forms import FieldProblem, PageForm
from hamkor.web.pages._public import address_of, over_limit, public_form_ok, public_page
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.pages.links import link_problem_page

router = APIRouter(include_in_schema=False)
ATTENDEE_ROWS = 3
MAX_ATTENDEES = 10


def _codes(form, name: str) -> list[str]:
    """Codes as people paste them: commas, semicolons, spaces or one a line ('0406 0402', '0406;\n0402')."""
    return [c for c in re.split(r"[\s,;]+", (form.get(name) or "")[:4000]) if c][:50]


def _attendees(form) -> list[dict]:
    """The attendee rows; a list of names pasted into one name field (semicolons or one a line) becomes a
    row each, with that row's position and languages for all of them."""
    rows = []
    for i in range(ATTENDEE_ROWS):
        role = form.get(f"attendee_{i}_role") or ""
        languages = form.getlist(f"attendee_{i}_languages")
        names = [n.strip() for n in re.split(r"[;\n\r]+", form.get(f"attendee_{i}_name") or "") if n.strip()]
        rows += [{"name": name, "role": role, "languages": languages} for name in names[:MAX_ATTENDEES]]
    return rows[:MAX_ATTENDEES] or [{"name": "", "role": "", "languages": []}]


def _form_to_registration(form, mission) -> Registration:
    territory = (form.get("territory") or "").strip()
    offered = set(SECTORS)
    if any(s not in offered for s in form.getlist("sectors")):  # the form offers its list; nothing else is stored
        raise FieldProblem([("sectors", Msg("choose sectors from the list"))])
    company = CompanyData(name_ru=form.get("name_ru"), name_uz=form.get("name_uz"), name_en=form.get("name_en"),
                          tax_id=form.get("tax_id"), country=territory[:2],
                          region=territory if "-" in territory else None, city=form.get("city"),
                          sectors=form.getlist("sectors"), website=form.get("website"), offers=_codes(form, "offers"),
                          offers_text=form.get("offers_text"), needs=_codes(form, "needs"),
                          needs_text=form.get("needs_text"))
    attendees = _attendees(form)
    available = form.getlist("available") if form.get("times") == "some" else None
    online = form.choice("attendance", ("onsite", "online"), "onsite") == "online"
    return Registration(email=form.get("email") or "", password=form.get("password") or "",
                        language=form.get("language") or "ru", company=company, attendees=attendees,
                        available=available, online=online)


def _home_side(mission, lang: str) -> str:
    """The side a reader of this language most likely comes from (the Uzbek form opens on the Uzbek side):
    a Syrdarya company is not first asked for a Russian INN."""
    country = {"uz": "UZ", "ru": "RU"}.get(lang)
    for code in (mission.visiting_territory, mission.host_territory):
        if country and code.upper().startswith(country):
            return code
    return mission.host_territory


def _public(request: Request, missions, mission, status_code: int = 200, **context):
    lang = language_of(request)
    return public_page(request, "join.html.j2", status_code, mission=mission, home_side=_home_side(mission, lang),
                       title=mission_text(mission, "name", lang), venue=mission_text(mission, "venue", lang),
                       programme=mission_text(mission, "programme", lang),
                       counts=missions.registration_counts(mission.id),
                       closed=missions.registration_closed(mission), slots=missions.slots(mission),
                       sectors=list(SECTORS), attendee_rows=range(ATTENDEE_ROWS), **context)


@router.get("/join/{mission_id}")
def join_page(request: Request, missions: MissionsDep, mission: MissionInPath,
              invite: Annotated[str | None, Query(max_length=64)] = None):
    """The public page; opened from an invitation's link (`invite`), the organizers see that it was opened."""
    missions.invitation_opened(mission.id, invite)
    return _public(request, missions, mission)


@router.get("/join/{mission_id}/hs")
def join_hs(request: Request, mission: MissionInPath, offers_text: str = "", needs_text: str = ""):
    """The HS assistant on the public form: codes suggested from the company's own words (a fragment).
    Rate-limited per address like the form itself: it is open to anyone."""
    words = (offers_text or needs_text)[:500]
    if over_limit(request, "hs"):
        return page(request, "_hs_hits.html.j2", status_code=429, hits=[], q="", label=str)
    lang = language_of(request)
    hits = hs_search(words, limit=5) if words.strip() else []
    # a tap adds the code to the field beside the words it came from; the assistant's reasons (word stems)
    # are for staff, not for a company filling in a form
    return page(request, "_hs_hits.html.j2", hits=hits, q=words, label=lambda hit: hit.label(lang),
                add_to="offers" if offers_text else "needs", name_lang="ru" if lang == "uz" else lang)


@router.post("/join/{mission_id}")
def join(request: Request, missions: MissionsDep, mission: MissionInPath, form: PageForm):
    if not public_form_ok(request, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message="The form expired: please try again.")
    made = web_state(request).registration_throttle
    if over_limit(request) or made.blocked(address_of(request)):
        return _public(request, missions, mission, 429, form=form,
                       problems=[("registration", "Too many attempts: wait a few minutes and try again.")])
    try:
        missions.register(mission.id, _form_to_registration(form, mission))
    except Problem as problem:
        return _public(request, missions, mission, 409 if isinstance(problem, Conflict) else 422,
                       form=form, problems=problem.problems)
    made.failed(address_of(request))  # counted: one more registration made from this address
    return RedirectResponse("/signin?notice=registered", status_code=303)


def _dead_confirmation(request: Request, missions, token: str, problem: LinkProblem):
    """A confirmation link that opens nothing; one of a registration still unconfirmed offers a fresh link."""
    renewable = problem.state in ("expired", "used") and missions.confirmation_renewable(token)
    return link_problem_page(request, problem, renew=f"/join/confirm/{token}/renew" if renewable else None)


@router.get("/join/confirm/{token}")
def confirm_form(request: Request, missions: MissionsDep, token: str):
    try:
        missions.registration_link(token)
    except LinkProblem as problem:
        return _dead_confirmation(request, missions, token, problem)
    return public_page(request, "confirm_link.html.j2", heading="Confirm the registration",
                       text="Confirm that this address is yours: then the organizers see your registration.",
                       button="Confirm", action=f"/join/confirm/{token}")


@router.post("/join/confirm/{token}")
def confirm(request: Request, missions: MissionsDep, token: str, form: PageForm):
    if not public_form_ok(request, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message="The form expired: please try again.")
    try:
        missions.confirm_registration(token)
    except LinkProblem as problem:
        return _dead_confirmation(request, missions, token, problem)
    return page(request, "confirm_link.html.j2", heading="Confirm the registration",
                done="Your address is confirmed. The organizers will decide on your registration and tell you by "
                     "mail; meanwhile you can sign in.", next="/signin")


@router.post("/join/confirm/{token}/renew")
def renew_confirmation(request: Request, missions: MissionsDep, token: str, form: PageForm):
    """A fresh confirmation link, mailed to the registered address, for whoever holds a dead one. The page never
    shows the address: the link's holder knows it, and nobody else learns it."""
    if not public_form_ok(request, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message="The form expired: please try again.")
    if over_limit(request):
        return page(request, "message.html.j2", status_code=429,
                    message="Too many attempts: wait a few minutes and try again.")
    try:
        sent = missions.renew_confirmation(token)
    except LinkProblem as problem:
        return link_problem_page(request, problem)
    if not sent:  # confirmed already: the link is spent, and signing in is what is left to do
        return link_problem_page(request, LinkProblem("used", "this link has been used already: each link works "
                                                              "once"))
    return page(request, "confirm_link.html.j2", heading="Confirm the registration",
                renewed="A new link is on its way to the address you registered with. It works once, for three days.")


# ---- the organizers' side ----------------------------------------------------------------------
@router.get("/missions/{mission_id}/registrations")
def registrations_page(request: Request, viewer: RegistrationKeeper, missions: MissionsDep, registry: RegistryDep,
                       mission: MissionInPath, region: Annotated[str | None, Query(max_length=10)] = None,
                       sector: Annotated[str | None, Query(max_length=40)] = None):
    return _registrations(request, viewer, missions, registry, mission, region=region, sector=sector)


def _registrations(request: Request, viewer, missions, registry, mission, status_code: int = 200,
                   region: str | None = None, sector: str | None = None, **context):
    """The registrations to decide on and the registry's companies to invite: a supporting organiser's of their
    side only (`Missions.bound_side`)."""
    lang = language_of(request)
    side = missions.bound_side(viewer.actor, mission.id)
    companies = [c for c in registry.all() if side is None or side_of(mission, c.country, c.region) == side]
    # the filter offers the territories the registry's companies are in, and the sectors; a value it does not
    # offer filters nothing out of the ordinary (no company is there)
    places = sorted({c.region or c.country for c in companies if c.region or c.country},
                    key=lambda code: territory_name(code, lang).lower())
    chosen = [c for c in companies
              if (not region or region in (c.region, c.country)) and (not sector or sector in (c.sectors or []))]
    chosen.sort(key=lambda c: company_name(c, lang).lower())
    join_url = f"{request.app.state.web.settings.site_url}/join/{mission.id}"
    return page(request, "mission_registrations.html.j2", status_code, mission=mission, tab="registrations",
                registrations=missions.registrations(mission.id, side=side),
                counts=missions.registration_counts(mission.id),
                may_manage=missions.may(viewer.actor, "mission.manage", mission.id), bound_side=side,
                companies=chosen, invitations=missions.invitations(mission.id), places=places, sectors=list(SECTORS),
                chosen_region=region or "", chosen_sector=sector or "", join_url=join_url,
                company_name=lambda c: company_name(c, lang), **context)


@router.post("/missions/{mission_id}/registrations")
def registrations_action(request: Request, viewer: RegistrationKeeper, missions: MissionsDep, registry: RegistryDep,
                         mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    action = form.choice("action", ("open", "close", "invite", "remind"), "")
    region, sector = form.text("region", 10) or None, form.text("sector", 40) or None
    try:
        if action in ("open", "close"):
            missions.set_registration(mission.id, action == "open", viewer.actor)
        elif action in ("invite", "remind"):
            report = (missions.invite_to_register(mission.id, form.numbers("companies"), viewer.actor)
                      if action == "invite" else missions.remind_invited(mission.id, viewer.actor))
            return _registrations(request, viewer, missions, registry, missions.mission(mission.id), region=region,
                                  sector=sector, report=report, problems=report.problems)
    except Refused:
        raise  # a refusal is a 403, never a form to correct
    except Problem as problem:
        return _registrations(request, viewer, missions, registry, mission, 409, region=region, sector=sector,
                              problems=problem.problems)
    return RedirectResponse(f"/missions/{mission.id}/registrations", status_code=303)


@router.post("/missions/{mission_id}/registrations/{registration_id}")
def decide(request: Request, viewer: RegistrationKeeper, missions: MissionsDep, registry: RegistryDep,
           mission: MissionInPath, registration_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    try:
        missions.decide_registration(mission.id, registration_id, form.get("decision") == "approve",
                                     form.get("reason"), viewer.actor)
    except Refused:
        raise
    except Problem as problem:
        return _registrations(request, viewer, missions, registry, mission, 422, problems=problem.problems)
    return RedirectResponse(f"/missions/{mission.id}/registrations", status_code=303)
