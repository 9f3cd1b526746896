"""Check-in at the venue, made for an organiser's phone: the participant's code read by the camera (the browser's
BarcodeDetector, where it has one) or typed, who has arrived, and the one click that hands those who have not to
the no-show re-plan."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hamkor.companies.registry import company_name
from hamkor.errors import NotFound, Problem, Refused
from hamkor.missions.base import MissionError
from hamkor.web.deps import CheckinKeeper, JobsDep, MissionInPath, MissionManager, MissionsDep, language_of
from hamkor.web.forms import PageForm
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.pages.missions import _start

router = APIRouter(include_in_schema=False)


def _checkin(request: Request, viewer, missions, mission, status_code: int = 200, **context):
    lang = language_of(request)
    people = missions.people(mission.id)
    arrivals = missions.arrivals(mission.id, viewer.actor)
    return page(request, "mission_checkin.html.j2", status_code, mission=mission, tab="checkin",
                arrived=[a for a in arrivals if a.arrived_at], waiting=[a for a in arrivals if not a.arrived_at],
                name=lambda participant_id: people[participant_id].name(lang), slots=missions.slots(mission),
                may_manage=missions.may(viewer.actor, "mission.manage", mission.id), **context)


@router.get("/missions/{mission_id}/checkin")
def checkin_page(request: Request, viewer: CheckinKeeper, missions: MissionsDep, mission: MissionInPath):
    return _checkin(request, viewer, missions, mission)


@router.post("/missions/{mission_id}/checkin")
def check_in(request: Request, viewer: CheckinKeeper, missions: MissionsDep, mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    try:
        done = missions.check_in(mission.id, form.text("code", 40), viewer.actor)
    except (Refused, NotFound):
        raise
    except Problem as problem:
        return _checkin(request, viewer, missions, mission, 422, problems=problem.problems)
    person = missions.person(mission.id, done.participant_id)
    return _checkin(request, viewer, missions, mission, checked=done,
                    checked_name=company_name(person.company, language_of(request)))


@router.post("/missions/{mission_id}/checkin/absent")
def replan_without_the_absent(request: Request, viewer: MissionManager, missions: MissionsDep, jobs: JobsDep,
                              mission: MissionInPath, form: PageForm):
    """Who has not checked in is marked a no-show, and the re-plan from the chosen slot starts as a draft."""
    check_csrf(viewer, form.get("csrf"))
    from_slot = form.text("from_slot", 40)
    if from_slot not in {s.id for s in missions.slots(mission)}:
        raise MissionError("Choose a slot of this mission.")
    missions.mark_not_arrived_absent(mission.id, viewer.actor)
    return _start(jobs, viewer, mission.id, {"action": "replan", "from_slot": from_slot})  # a draft
