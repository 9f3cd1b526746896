"""After the mission: the follow-up form a mailed link opens (no sign-in), and the organizers' page with
who answered, both sides' answers side by side, the deals beside the customs figures, and the report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hamkor.accounts.links import LinkProblem
from hamkor.errors import NotFound, Problem
from hamkor.missions import report as mission_report
from hamkor.missions.base import STAGES, mission_text
from hamkor.web.deps import MissionInPath, MissionManager, MissionsDep, Web, language_of
from hamkor.web.forms import PageForm
from hamkor.web.pages._public import public_form_ok, public_page
from hamkor.web.pages._render import page
from hamkor.web.pages.links import link_problem_page
from hamkor.web.pages.space import outcomes_of
from hamkor.web.shared.downloads import disposition

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: Request, missions, token: str, status_code: int = 200, **context):
    mission, participant_id = missions.followup_target(token)
    lang = language_of(request)
    people = missions.people(mission.id)
    return public_page(request, "followup.html.j2", status_code, mission=mission, people=people,
                       title=mission_text(mission, "name", lang), me=people[participant_id],
                       meetings=missions.own_meetings(mission.id, participant_id),
                       feedback=missions.feedback_of(participant_id), stages=STAGES,
                       feedback_action=f"/followup/{token}", name=lambda p: p.name(lang), **context)


@router.get("/followup/{token}")
def followup_form(request: Request, missions: MissionsDep, token: str):
    try:
        return _form(request, missions, token)
    except LinkProblem as problem:
        return link_problem_page(request, problem)


@router.post("/followup/{token}")
def followup_save(request: Request, missions: MissionsDep, token: str, form: PageForm):
    if not public_form_ok(request, form.get("csrf")):
        return page(request, "message.html.j2", status_code=400, message="The form expired: please try again.")
    try:
        mission, participant_id = missions.followup_target(token)
        ids = [m.id for m, _ in missions.own_meetings(mission.id, participant_id)]
        missions.feedback_by_link(token, outcomes_of(form, ids))
    except LinkProblem as problem:
        return link_problem_page(request, problem)
    except Problem as problem:
        return _form(request, missions, token, 422, problems=problem.problems)
    return page(request, "confirm_link.html.j2", heading="Thank you", done="Your answers are saved.")


@router.get("/missions/{mission_id}/followup")
def followup_page(request: Request, viewer: MissionManager, web: Web, mission: MissionInPath):
    lang = language_of(request)
    missions = web.services.missions
    with web.services.warehouse.reader() as con:
        report = mission_report.build_report(missions, mission, con, lang)
    return page(request, "mission_followup.html.j2", mission=mission, tab="followup", report=report,
                answers=missions.side_answers(mission.id), people=missions.people(mission.id),
                name=lambda p: p.name(lang))


@router.get("/missions/{mission_id}/report.{fmt}")
def report_file(request: Request, viewer: MissionManager, web: Web, mission: MissionInPath, fmt: str,
                lang: Annotated[str | None, Query(pattern="^(ru|uz|en)$")] = None):
    lang = lang or language_of(request)
    if fmt not in ("pdf", "xlsx"):
        raise NotFound("The report comes as pdf or xlsx.")
    with web.services.warehouse.reader() as con:
        report = mission_report.build_report(web.services.missions, mission, con, lang)
    body = mission_report.report_pdf(report, lang) if fmt == "pdf" else mission_report.report_xlsx(report, lang)
    name = f"mission-{mission.id}-report-{lang}{'-DEMO' if mission.synthetic else ''}.{fmt}"
    return Response(body, media_type="application/pdf" if fmt == "pdf" else XLSX, headers=disposition(name))
