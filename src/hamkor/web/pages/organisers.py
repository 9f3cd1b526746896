"""A mission's co-organisers: who organises it with which role and side, and the owner's form that makes an
organisation a co-organiser and invites one of its people (a mail with a single-use link)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from hamkor.accounts.access import KIND_LABELS, ORGANISATION_KINDS, ROLE_LABELS
from hamkor.accounts.organisations import OrganisationData, organisation_name
from hamkor.errors import Conflict, NotFound, Problem, Refused
from hamkor.i18n import LANGUAGES
from hamkor.missions.organisers import INVITED_ROLES
from hamkor.web.deps import MissionInPath, MissionsDep, MissionStaff, OrganiserInviter, Web, language_of
from hamkor.web.forms import PageForm
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.pages.missions import territory_choices

router = APIRouter(include_in_schema=False)


def _organisers(request: Request, viewer, web, mission, status_code: int = 200, **context):
    lang = language_of(request)
    missions = web.services.missions
    return page(request, "mission_organisers.html.j2", status_code, mission=mission, tab="organisers",
                organisers=missions.organisers(mission.id),
                may_invite=missions.may(viewer.actor, "mission.organisers", mission.id),
                organisations=web.services.organisations.all() if missions.may(
                    viewer.actor, "mission.organisers", mission.id) else [],
                name=lambda o: organisation_name(o, lang), kinds=[(k, KIND_LABELS[k]) for k in ORGANISATION_KINDS],
                kind_labels=KIND_LABELS,
                roles=ROLE_LABELS, invited_roles=INVITED_ROLES, territories=territory_choices(lang),
                chosen=context.pop("chosen", {}), **context)


@router.get("/missions/{mission_id}/organisers")
def organisers_page(request: Request, viewer: MissionStaff, web: Web, mission: MissionInPath):
    return _organisers(request, viewer, web, mission)


@router.post("/missions/{mission_id}/organisers")
def invite_organiser(request: Request, viewer: OrganiserInviter, missions: MissionsDep, web: Web,
                     mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    chosen = {"organisation": form.number("organisation", 1), "kind": form.choice("kind", ORGANISATION_KINDS, ""),
              "territory": form.text("territory", 10), "name_ru": form.text("name_ru", 300),
              "name_uz": form.text("name_uz", 300), "name_en": form.text("name_en", 300),
              "role": form.choice("role", INVITED_ROLES, "supporting"), "email": form.text("email", 320),
              "language": form.choice("language", LANGUAGES, "ru")}
    organisation = chosen["organisation"] or OrganisationData(
        kind=chosen["kind"] or "", territory=chosen["territory"], name_ru=chosen["name_ru"],
        name_uz=chosen["name_uz"], name_en=chosen["name_en"])
    try:
        missions.invite_organiser(mission.id, organisation, chosen["role"], chosen["email"], chosen["language"],
                                  viewer.actor)
    except Problem as problem:
        if isinstance(problem, (NotFound, Refused)):
            raise
        return _organisers(request, viewer, web, mission, 409 if isinstance(problem, Conflict) else 422,
                           problems=problem.problems, chosen=chosen)
    return RedirectResponse(f"/missions/{mission.id}/organisers?invited=1", status_code=303)
