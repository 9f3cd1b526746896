"""Missions pages: list, set-up, participants and visits, requests, schedule grid, itinerary, outcomes,
and the documents (agendas as PDF and iCalendar, table sheets, workbook)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hamkor.accounts.service import AccountError
from hamkor.companies.registry import company_name
from hamkor.companies.sectors import SECTORS
from hamkor.errors import Conflict, NotFound, Refused
from hamkor.i18n import LANGUAGES, Msg, gettext, language_name, translations
from hamkor.missions import documents
from hamkor.missions.documents import file_slug
from hamkor.missions.itinerary import clock
from hamkor.missions.outcomes import known_outcome
from hamkor.missions.registration import side_of
from hamkor.missions.service import PRIORITIES, SIDES, STAGES, MissionData, MissionError, Missions, Outcome
from hamkor.reference.countries import countries
from hamkor.reference.names import territory_name
from hamkor.reference.regions import regions
from hamkor.render.charts import funnel_spec
from hamkor.store.db import as_utc
from hamkor.web.deps import (
    JobsDep,
    MissionInPath,
    MissionManager,
    MissionRequester,
    MissionsDep,
    MissionViewer,
    ParticipantKeeper,
    RecordId,
    RegistryDep,
    SettingsDep,
    Web,
    language_of,
)
from hamkor.web.forms import FieldProblem, PageForm, whole_number
from hamkor.web.jobs import remove_old_files
from hamkor.web.pages._render import check_csrf, local_path, page
from hamkor.web.shared.downloads import disposition

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- forms <-> data -------------------------------------------------------------------------
# The set-up form asks for each day and each interpreter group in fields of its own (a row each), never in a
# text syntax; the JSON API takes the same lists as JSON. Blank rows are offered for more, and skipped.
MAX_DAY_ROWS = 60
MAX_POOL_ROWS = 20
MAX_BREAKS = 10
BLANK_DAY_ROWS = 2
BLANK_POOL_ROWS = 2
# the languages an interpreter group may work between: the interface's own and those met around it
INTERPRETER_LANGUAGES = ("ru", "uz", "en", "kk", "ky", "tg", "tk", "zh", "tr", "de", "fr", "ko", "fa", "ar")


def _field(form, name: str, max_length: int) -> str:
    return form.text(name, max_length).strip()


def _values(form, name: str, max_length: int = 8) -> list[str]:
    """A repeated field's values as text (a file sent in its place reads as empty), each within its length."""
    values = [v.strip() if isinstance(v, str) else "" for v in form.getlist(name)[:MAX_BREAKS]]
    if any(len(v) > max_length for v in values):
        raise FieldProblem([(name, Msg("at most %(max_length)s characters (this one has %(length)s)",
                                       max_length=max_length, length=max(len(v) for v in values)))])
    return values


def days_from(form) -> list[dict]:
    """The day rows (`day_<n>_date`, `_start`, `_end`, each break's `_break_start`/`_break_end`): a row left
    empty is skipped; anything typed is kept for the domain to check (it names the day that is wrong)."""
    days = []
    for n in range(MAX_DAY_ROWS):
        day, start, end = (_field(form, f"day_{n}_{part}", 10) for part in ("date", "start", "end"))
        starts, ends = _values(form, f"day_{n}_break_start"), _values(form, f"day_{n}_break_end")
        breaks = [[a, b] for a, b in zip(starts, ends, strict=False) if a or b]
        if day or start or end or breaks:
            days.append({"date": day, "start": start, "end": end, "breaks": breaks})
    return days


def interpreters_from(form) -> list[dict]:
    """The interpreter rows (`pool_<n>_a`, `pool_<n>_b`: the two languages; `pool_<n>_count`); a row with no
    language chosen is skipped. A count that is not a whole number is -1, which the domain refuses by name."""
    pools = []
    for n in range(MAX_POOL_ROWS):
        first, second = _field(form, f"pool_{n}_a", 8).lower(), _field(form, f"pool_{n}_b", 8).lower()
        count_text = _field(form, f"pool_{n}_count", 12)
        if not (first or second):
            continue
        found = whole_number(count_text, 0, 1000) if count_text else 1
        pools.append({"languages": [first, second], "count": -1 if found is None else found})
    return pools


def _float(text: str | None) -> float | None:
    """A decimal number as typed (a comma allowed); NaN (refused by the caller, with its field) when it is not
    one or not finite ("1e309", "inf")."""
    try:
        value = float(text.replace(",", ".")) if text and text.strip() else None
    except ValueError:
        return float("nan")
    return value if value is None or math.isfinite(value) else float("nan")


def _deadline(text: str | None, timezone: str) -> datetime | None:
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
        return (local if local.tzinfo else local.replace(tzinfo=ZoneInfo(timezone))).astimezone(UTC)
    except (ValueError, KeyError):
        return None


def timezone_known(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def _data_from(form) -> MissionData:
    timezone = (form.get("timezone") or "UTC").strip()[:64]  # the longest IANA name is 32 characters
    try:
        ZoneInfo(timezone)
        deadline = _deadline(form.get("request_deadline"), timezone)
    except (ValueError, KeyError, OSError):  # OSError: a name the zone database's files cannot even be looked for
        deadline = None
    if deadline is None and (form.get("request_deadline") or "").strip() and timezone_known(timezone):
        # a deadline that does not read is refused, not silently cleared
        raise FieldProblem([("request_deadline", Msg("a date and time, such as %(example)s",
                                                     example=datetime.now(UTC).strftime("%Y-%m-%dT18:00")))])
    slot_minutes, tables = form.get("slot_minutes", "30"), form.get("tables", "10")
    return MissionData(
        name=form.get("name", ""), host_territory=_field(form, "host_territory", 10),
        visiting_territory=_field(form, "visiting_territory", 10), venue=form.get("venue") or None,
        city=form.get("city") or None, timezone=timezone, latitude=_float(form.get("latitude")),
        longitude=_float(form.get("longitude")), days=days_from(form),
        slot_minutes=whole_number(slot_minutes, 0, 24 * 60) or 0,
        tables=whole_number(tables, 0, 10_000) or 0,
        interpreters=interpreters_from(form), request_deadline=deadline,
        names={field: {lang: form.get(f"{field}_{lang}", "") for lang in ("ru", "uz", "en")}
               for field in ("name", "venue", "programme")},
        programme=form.get("programme") or None, sectors=form.getlist("sectors"),
        same_side_meetings=form.get("same_side_meetings") == "1")


def _local_deadline(mission) -> str:
    if not mission or not mission.request_deadline:
        return ""
    return as_utc(mission.request_deadline).astimezone(ZoneInfo(mission.timezone)).strftime("%Y-%m-%dT%H:%M")


def territory_choices(lang: str, chosen: tuple[str, ...] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """The territories a mission may be between, as a list groups them: each country that has regions in the
    reference, its regions by name; then every country. A code already chosen that is neither stays offered."""
    by_country: dict[str, list[tuple[str, str]]] = {}
    for region in regions():
        by_country.setdefault(region.country, []).append((region.iso, region.name(lang)))
    groups = [(territory_name(country, lang), sorted(items, key=lambda item: item[1].lower()))
              for country, items in by_country.items()]
    groups.sort(key=lambda group: group[0].lower())
    every = sorted(((country.alpha2, country.name(lang)) for country in countries()), key=lambda c: c[1].lower())
    known = {code for _, items in groups for code, _ in items} | {code for code, _ in every}
    odd = [(code, code) for code in dict.fromkeys(chosen) if code and code not in known]
    return ([(gettext(lang, "Chosen before"), odd)] if odd else []) + groups + [(gettext(lang, "Countries"), every)]


def _form(request: Request, mission_id: int | None, data: MissionData, problems, status_code: int = 200,
          deadline: str = ""):
    lang = language_of(request)
    spoken = [code for code in dict.fromkeys([*INTERPRETER_LANGUAGES,
                                              *(x for p in data.interpreters or [] for x in p.get("languages", []))])
              if isinstance(code, str) and code]
    return page(request, "mission_form.html.j2", status_code=status_code, mission_id=mission_id, data=data,
                sectors=list(SECTORS), own=lambda field, lang: ((data.names or {}).get(field) or {}).get(lang, ""),
                problems=problems, deadline=deadline,
                territories=territory_choices(lang, (data.host_territory, data.visiting_territory)),
                day_rows=[*(data.days or []), *([{}] * (BLANK_DAY_ROWS + (0 if data.days else 1)))],
                pool_rows=[*(data.interpreters or []), *([{}] * BLANK_POOL_ROWS)],
                interpreter_languages=[(code, language_name(code, lang)) for code in spoken])


# ---- list and set-up ------------------------------------------------------------------------
@router.get("/missions")
def missions_page(request: Request, viewer: MissionViewer, missions: MissionsDep):
    rows = [(m, len(missions.people(m.id)), len(documents.live_meetings(missions, m.id)))
            for m in missions.visible(viewer.actor)]
    return page(request, "missions.html.j2", rows=rows, may_manage=viewer.may("missions.manage"))


def new_mission(settings, today: date | None = None) -> MissionData:
    """A new mission's form as the settings suggest it: hosted at home, the main partner visiting, in the
    home time zone, one working day a fortnight from today."""
    day = (today or date.today()) + timedelta(days=14)
    languages = sorted({"ru", "uz", "en"} & {settings.home_territory[:2].lower(), settings.main_partner[:2].lower()})
    return MissionData(days=[{"date": day.isoformat(), "start": "10:00", "end": "17:00",
                              "breaks": [["13:00", "14:00"]]}],
                       host_territory=settings.home_territory.upper(),
                       visiting_territory=settings.main_partner.upper(), timezone=settings.timezone,
                       interpreters=[{"languages": languages, "count": 2}] if len(languages) == 2 else [])


@router.get("/missions/new")
def new_mission_form(request: Request, viewer: MissionManager, settings: SettingsDep):
    return _form(request, None, new_mission(settings), [])


@router.post("/missions/new")
def create_mission(request: Request, viewer: MissionManager, missions: MissionsDep, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    data = _data_from(form)
    try:
        mission = missions.create(data, viewer.actor)
    except MissionError as problem:
        return _form(request, None, data, problem.problems, 422, form.get("request_deadline", ""))
    return RedirectResponse(f"/missions/{mission.id}", status_code=303)


@router.get("/missions/{mission_id}/edit")
def edit_mission_form(request: Request, viewer: MissionManager, mission: MissionInPath):
    data = MissionData(**{k: getattr(mission, k) for k in MissionData.__dataclass_fields__})
    return _form(request, mission.id, data, [], deadline=_local_deadline(mission))


@router.post("/missions/{mission_id}/edit")
def update_mission(request: Request, viewer: MissionManager, missions: MissionsDep,
                   mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    data = _data_from(form)
    try:
        missions.update(mission.id, data)
    except MissionError as problem:
        return _form(request, mission.id, data, problem.problems, 422, form.get("request_deadline", ""))
    return RedirectResponse(f"/missions/{mission.id}", status_code=303)


OUTCOME_FIELDS = ("status", "rating", "stage", "hs_code", "value_usd", "notes")


def _manages(viewer, missions: Missions, mission_id: int) -> bool:
    """Whether the page offers the organizers' controls: what the access rule grants on this very mission."""
    return missions.may(viewer.actor, "mission.manage", mission_id)


def _tabs(mission, current: str) -> dict:
    return {"mission": mission, "tab": current}


@router.get("/missions/{mission_id}")
def mission_page(request: Request, viewer: MissionViewer, missions: MissionsDep, registry: RegistryDep,
                 web: Web, mission: MissionInPath,
                 document_job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    return _mission_page(request, viewer, missions, registry, web, mission,
                         document_job=_followed_document(web, viewer, mission.id, document_job))


def _mission_page(request: Request, viewer, missions, registry, web, mission, status_code: int = 200, **context):
    lang = language_of(request)
    people = missions.people(mission.id)
    taking_part = {p.company.id for p in people.values()}
    # a supporting organiser adds and follows their own side's participants (`accounts.access`)
    own_side = missions.bound_side(viewer.actor, mission.id)
    candidates = [c for c in registry.all() if c.id not in taking_part
                  and (own_side is None or side_of(mission, c.country, c.region) == own_side)]
    slots = missions.slots(mission)
    may_manage = _manages(viewer, missions, mission.id)
    return page(request, "mission.html.j2", status_code, **_tabs(mission, "setup"), people=list(people.values()),
                candidates=candidates, company=lambda c: company_name(c, lang), visits=missions.visits(mission.id),
                slots=slots, clock=clock, may_manage=may_manage, own_side=own_side,
                may_add=missions.may(viewer.actor, "mission.participants", mission.id),
                deadline=_local_deadline(mission), own=viewer.company_id,
                past=bool(mission.days) and mission.days[-1]["date"] < web.services.today().isoformat(),
                # who can answer each participant's requests, and the addresses an invitation may go to
                representation=missions.representation(mission.id) if may_manage else {},
                contacts=missions.contact_addresses(mission.id) if may_manage else {}, **context)


def _followed_document(web, viewer, mission_id: int, job_id: int | None):
    """The document job a page was sent back with, if it is this viewer's for this mission."""
    if job_id is None:
        return None
    try:
        return _document_job(web, viewer, mission_id, job_id)
    except NotFound:
        return None


@router.post("/missions/{mission_id}/participants")
def add_participant(request: Request, viewer: ParticipantKeeper, missions: MissionsDep,
                    mission_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    side = form.get("side", "")
    companies = [n for n in (whole_number(v, 1) for v in form.getlist("company")) if n is not None]
    if not companies:
        raise MissionError("Choose at least one company.")
    for company_id in companies:
        missions.add_participant(mission_id, company_id, side if side in SIDES else "",
                                 [a.strip() for a in form.get("attendees", "").split(",")], actor=viewer.actor)
    return RedirectResponse(f"/missions/{mission_id}#participants", status_code=303)


@router.post("/missions/{mission_id}/participants/{participant_id}")
def update_participant(request: Request, viewer: ParticipantKeeper, missions: MissionsDep, mission_id: RecordId,
                       participant_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    values = {}
    for name in ("absent", "joins_visits", "online"):
        if name in form:
            values[name] = form.get(name) == "1"
    if "attendees" in form:
        values["attendees"] = [a.strip() for a in form.get("attendees", "").split(",") if a.strip()]
    if "languages" in form:
        values["languages"] = sorted({x.strip().lower() for x in form.get("languages", "").split(",") if x.strip()})
    if "available" in form:
        chosen = form.getlist("available")
        values["available"] = None if form.get("all_slots") == "1" else list(chosen)
    missions.update_participant(mission_id, participant_id, viewer.actor, **values)
    return RedirectResponse(local_path(form.get("back"), f"/missions/{mission_id}#participants"), status_code=303)


@router.post("/missions/{mission_id}/participants/{participant_id}/invite")
def invite_representative(request: Request, viewer: ParticipantKeeper, missions: MissionsDep,
                          registry: RegistryDep, web: Web, mission: MissionInPath, participant_id: RecordId,
                          form: PageForm):
    """An account for a participant's contact (a company added from the registry has nobody to answer)."""
    check_csrf(viewer, form.get("csrf"))
    email, language = form.text("email", 320), form.choice("language", LANGUAGES, "ru")
    try:
        missions.invite_representative(mission.id, participant_id, email, language, viewer.actor)
    except (Conflict, AccountError, MissionError) as problem:
        if isinstance(problem, NotFound):
            raise
        return _mission_page(request, viewer, missions, registry, web, mission,
                             409 if isinstance(problem, Conflict) else 422, problems=problem.problems,
                             invite_for=participant_id)
    return RedirectResponse(f"/missions/{mission.id}#participant-{participant_id}", status_code=303)


@router.post("/missions/{mission_id}/visits")
def add_visit(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    latitude, longitude = _float(form.get("latitude")), _float(form.get("longitude"))
    length, priority = form.get("visit_minutes", "60"), form.get("priority", "2")
    if latitude is None or longitude is None or latitude != latitude or longitude != longitude:
        raise MissionError("A visit needs its coordinates.")
    missions.add_visit(mission_id, form.get("name", ""), latitude, longitude, form.get("opens", "09:00"),
                       form.get("closes", "18:00"), whole_number(length, 0, 24 * 60) or 0,
                       whole_number(priority, 0, 1000) or 0, form.get("required") == "1",
                       form.get("address") or None,
                       names={lang: form.get(f"name_{lang}", "") for lang in ("uz", "en")})
    return RedirectResponse(f"/missions/{mission_id}/itinerary", status_code=303)


# ---- requests -------------------------------------------------------------------------------
@router.get("/missions/{mission_id}/requests")
def requests_page(request: Request, viewer: MissionViewer, missions: MissionsDep, mission: MissionInPath,
                  status: Annotated[str | None, Query(max_length=12)] = None):
    lang = language_of(request)
    views = missions.requests(mission.id, actor=viewer.actor)
    mine = missions.participant_of_company(mission.id, viewer.company_id) if viewer.role == "company" else None
    shown = [v for v in views if not status or v.request.status == status or (status == "mutual" and v.mutual)]
    people = list(missions.people(mission.id).values())
    may_manage = _manages(viewer, missions, mission.id)
    return page(request, "mission_requests.html.j2", **_tabs(mission, "requests"), views=shown, total=len(views),
                representation=missions.representation(mission.id) if may_manage else {},
                status=status or "", people=people, name=lambda p: p.name(lang), priorities=PRIORITIES,
                mine=mine, may_manage=_manages(viewer, missions, mission.id),
                # the rule, not the role alone: a supporting organiser holds the role's permission but not the action
                may_request=missions.may(viewer.actor, "mission.request", mission.id)
                and (viewer.role != "company" or mine),
                deadline=_local_deadline(mission), closed=missions.closed_for_requests(mission))


def _record_id(text: str) -> int | None:
    return whole_number(text, 1)


@router.post("/missions/{mission_id}/requests")
def create_request(request: Request, viewer: MissionRequester, missions: MissionsDep,
                   mission_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    requester, target = _record_id(form.get("requester", "")), _record_id(form.get("target", ""))
    if requester is None or target is None:
        raise MissionError("Choose who asks and whom.")
    missions.request(mission_id, requester, target, form.get("priority", "should"), form.get("message"),
                     viewer.actor)
    return RedirectResponse(f"/missions/{mission_id}/requests", status_code=303)


@router.post("/missions/{mission_id}/requests/{request_id}/answer")
def answer_request(request: Request, viewer: MissionRequester, missions: MissionsDep, mission_id: RecordId,
                   request_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    missions.answer(mission_id, request_id, form.decision("answer") == "accept", viewer.actor)
    return RedirectResponse(f"/missions/{mission_id}/requests", status_code=303)


# ---- schedule -------------------------------------------------------------------------------
@router.get("/missions/{mission_id}/schedule")
def schedule_page(request: Request, viewer: MissionViewer, missions: MissionsDep, jobs: JobsDep, web: Web,
                  mission: MissionInPath, job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                  document_job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                  view: Annotated[str | None, Query(pattern="^(draft|published)$")] = None,
                  published: Annotated[int | None, Query(ge=0, le=1)] = None):
    lang = language_of(request)
    running = jobs.get(job, viewer) if job else None
    sight = missions.sight(mission.id, viewer.actor)
    may_manage = _manages(viewer, missions, mission.id)
    # an organizer sees the draft while there is one (the published schedule a link away); anyone else, and the
    # organizer who asks, sees what is published
    draft = mission.draft if may_manage and mission.draft and view != "published" else None
    certificate = draft["certificate"] if draft else mission.certificate
    views = {str(v.request.id): v for v in missions.requests(mission.id)
             if sight.sees(v.requester.id, v.target.id)}  # a representative: their own requests left out only
    reasons = [(views[rid], _reason(views[rid], why, lang))
               for rid, why in (certificate or {}).get("reasons", {}).items() if rid in views]
    visits = [v for v in missions.visits(mission.id) if v.planned_date]
    return page(request, "mission_schedule.html.j2", **_tabs(mission, "schedule"),
                rows=documents.grid(missions, mission, sight, draft=draft is not None), draft=draft,
                has_draft=bool(may_manage and mission.draft), changes=missions.draft_changes(mission) if draft else {},
                just_published=bool(published),
                certificate=certificate, reasons=reasons, name=lambda p: p.name(lang),
                people=list(missions.people(mission.id).values()), slots=missions.slots(mission), visits=visits,
                clock=clock, may_manage=_manages(viewer, missions, mission.id),
                job=running if running and running.kind == "mission"
                and (running.result or {}).get("mission") == mission.id else None,
                document_job=_followed_document(web, viewer, mission.id, document_job))


def _reason(view, why: str, lang: str):
    """Why a request is left out, as the organizer reads it: a side that is absent is named."""
    if why == "a side is absent":
        gone = [p.name(lang) for p in (view.requester, view.target) if p.participant.absent]
        if gone:
            return Msg("absent: %(company)s", company=", ".join(gone))
    return why


def _start(jobs, viewer, mission_id: int, params: dict) -> RedirectResponse:
    """A draft schedule or re-plan as a job (`work/tasks.run_mission`), which the schedule page follows."""
    job_id = jobs.submit("mission", viewer.user_id, {"mission": mission_id, **params}, subject={"mission": mission_id})
    return RedirectResponse(f"/missions/{mission_id}/schedule?job={job_id}", status_code=303)


@router.post("/missions/{mission_id}/schedule")
def run_schedule(request: Request, viewer: MissionManager, missions: MissionsDep, jobs: JobsDep,
                 mission: MissionInPath, csrf: str = Form(""), seconds: float = Form(10.0)):
    """A draft schedule (a job the page follows): nothing is published and nobody mailed until the organizer,
    having looked at it, publishes it."""
    check_csrf(viewer, csrf)
    seconds = max(0.0, min(seconds, 120.0)) if math.isfinite(seconds) else 10.0  # NaN passes min and max
    return _start(jobs, viewer, mission.id, {"action": "schedule", "seconds": seconds})


@router.post("/missions/{mission_id}/schedule/publish")
def publish_schedule(request: Request, viewer: MissionManager, missions: MissionsDep,
                     mission: MissionInPath, form: PageForm):
    """The draft as shown becomes the schedule, and every company is mailed its meetings (or what changed)."""
    check_csrf(viewer, form.get("csrf"))
    missions.publish_draft(mission.id)
    return RedirectResponse(f"/missions/{mission.id}/schedule?published=1", status_code=303)


@router.post("/missions/{mission_id}/schedule/discard")
def discard_schedule(request: Request, viewer: MissionManager, missions: MissionsDep,
                     mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    missions.discard_draft(mission.id)
    return RedirectResponse(f"/missions/{mission.id}/schedule", status_code=303)


@router.post("/missions/{mission_id}/replan")
def run_replan(request: Request, viewer: MissionManager, missions: MissionsDep, jobs: JobsDep,
               mission: MissionInPath, csrf: str = Form(""), from_slot: str = Form(...)):
    check_csrf(viewer, csrf)
    if from_slot not in {s.id for s in missions.slots(mission)}:
        raise MissionError("Choose a slot of this mission.")
    return _start(jobs, viewer, mission.id, {"action": "replan", "from_slot": from_slot})  # a draft too


@router.get("/missions/{mission_id}/job/{job_id}")
def mission_job(request: Request, viewer: MissionViewer, jobs: JobsDep, mission_id: RecordId, job_id: RecordId):
    job = jobs.get(job_id, viewer)
    if job is None or job.kind != "mission" or (job.result or {}).get("mission") != mission_id:
        raise NotFound("No such job.")  # another mission's job reads as none here
    return page(request, "_mission_job.html.j2", job=job, mission_id=mission_id)


@router.post("/missions/{mission_id}/meetings")
def add_meeting(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    a, b = _record_id(form.get("a", "")), _record_id(form.get("b", ""))
    if a is None or b is None:
        raise MissionError("Choose both sides of the meeting.")
    missions.add_meeting(mission_id, a, b, form.get("slot", ""), viewer.actor)
    return RedirectResponse(f"/missions/{mission_id}/schedule", status_code=303)


@router.post("/missions/{mission_id}/meetings/{meeting_id}/{action}")
def meeting_action(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
                   meeting_id: RecordId, action: str, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    if action in ("lock", "unlock"):
        missions.set_lock(mission_id, meeting_id, action == "lock")
    elif action == "cancel":
        missions.cancel_meeting(mission_id, meeting_id)
    else:
        raise NotFound("No such action.")
    return RedirectResponse(f"/missions/{mission_id}/schedule", status_code=303)


# ---- itinerary and outcomes -----------------------------------------------------------------
@router.get("/missions/{mission_id}/itinerary")
def itinerary_page(request: Request, viewer: MissionViewer, missions: MissionsDep, mission: MissionInPath):
    visits = missions.visits(mission.id)
    days = {d["date"]: [v for v in visits if v.planned_date == d["date"]] for d in mission.days}
    travellers = [p for p in missions.people(mission.id).values() if p.participant.joins_visits]
    lang = language_of(request)
    return page(request, "mission_itinerary.html.j2", **_tabs(mission, "itinerary"), days=days,
                dropped=[v for v in visits if not v.planned_date], clock=clock, travellers=travellers,
                name=lambda p: p.name(lang), may_manage=_manages(viewer, missions, mission.id))


@router.post("/missions/{mission_id}/itinerary")
def replan_itinerary(request: Request, viewer: MissionManager, missions: MissionsDep, mission: MissionInPath,
                     csrf: str = Form("")):
    check_csrf(viewer, csrf)
    missions.plan_visits(mission.id)
    return RedirectResponse(f"/missions/{mission.id}/itinerary", status_code=303)


@router.get("/missions/{mission_id}/outcomes")
def outcomes_page(request: Request, viewer: MissionViewer, missions: MissionsDep, mission: MissionInPath,
                  saved: Annotated[int | None, Query(ge=0, le=10**6)] = None):
    return _outcomes(request, viewer, missions, mission, saved=saved)


def _outcomes(request: Request, viewer, missions: Missions, mission, status_code: int = 200, **context):
    lang = language_of(request)
    pairs = documents.sides(missions, mission.id)
    sight = missions.sight(mission.id, viewer.actor)
    meetings = [(m, *pairs[m.request_id]) for m in documents.live_meetings(missions, mission.id)
                if m.request_id in pairs and sight.sees(*(p.id for p in pairs[m.request_id]))]
    funnel = missions.funnel(mission.id, viewer.actor)
    # both sides' own answers beside the organizer's record (organizers see them; a representative sees what is
    # known of its meetings, by the rule the funnel counts with)
    sides = {a.meeting.id: a for a in missions.side_answers(mission.id)}
    known = {m.id: known_outcome(m, sides[m.id].answers.values() if m.id in sides else ()) for m, *_ in meetings}
    t = translations(lang)
    spec = funnel_spec([(t.gettext(s.stage), s.meetings) for s in funnel.steps], "")
    context.setdefault("entered", {})
    return page(request, "mission_outcomes.html.j2", status_code, **_tabs(mission, "outcomes"), meetings=meetings,
                funnel=funnel, spec=json.dumps(spec, ensure_ascii=False).replace("</", "<\\/"), stages=STAGES,
                sides=sides if _manages(viewer, missions, mission.id) else {}, known=known,
                name=lambda p: p.name(lang), may_manage=_manages(viewer, missions, mission.id), **context)


def _outcome_entries(form, meeting_ids: set[int]) -> tuple[list[Outcome], list[tuple[str, str]]]:
    """The outcomes form's rows (`status-<meeting>`, `rating-<meeting>` …) for meetings of this mission; a row
    whose outcome is left blank is not recorded. Numbers that do not read are problems, not silently dropped."""
    entries, problems = [], []
    for meeting_id in sorted(meeting_ids):
        status = (form.get(f"status-{meeting_id}") or "").strip()
        if not status:
            continue
        rating_text = (form.get(f"rating-{meeting_id}") or "").strip()
        value_text = (form.get(f"value_usd-{meeting_id}") or "").replace(" ", "").replace("\u00a0", "")
        value = _float(value_text)
        rating = whole_number(rating_text, 1, 5)
        if rating_text and rating is None:
            problems.append(("rating", "1 to 5"))
        if value is not None and math.isnan(value):
            problems.append(("value_usd", "a value in USD, zero or more"))
        entries.append(Outcome(meeting_id, status, rating,
                               form.get(f"stage-{meeting_id}") or None, form.get(f"hs_code-{meeting_id}") or None,
                               value, form.get(f"notes-{meeting_id}")))
    return entries, problems


@router.post("/missions/{mission_id}/outcomes")
def record_outcomes(request: Request, viewer: MissionManager, missions: MissionsDep,
                    mission: MissionInPath, form: PageForm):
    """The whole outcomes table in one form: one Save for every meeting, all written or none."""
    check_csrf(viewer, form.get("csrf"))
    meeting_ids = {m.id for m in documents.live_meetings(missions, mission.id)}
    entries, problems = _outcome_entries(form, meeting_ids)
    try:
        if problems:
            raise MissionError(problems)
        changed = missions.record_outcomes(mission.id, entries)
    except MissionError as problem:
        entered = {m: {name: form.get(f"{name}-{m}") or "" for name in OUTCOME_FIELDS} for m in meeting_ids}
        return _outcomes(request, viewer, missions, mission, 422, problems=problem.problems, entered=entered)
    return RedirectResponse(f"/missions/{mission.id}/outcomes?saved={changed}", status_code=303)


# ---- documents ------------------------------------------------------------------------------
def _own_or_manager(viewer, missions: Missions, mission_id: int, participant_id: int) -> bool:
    """A participant's own people, and staff who see that participant (a supporting organiser: their side's)."""
    if viewer.role == "company":
        return missions.may_act_for(viewer.actor, mission_id, participant_id)
    return missions.sight(mission_id, viewer.actor).sees(participant_id)


@router.get("/missions/{mission_id}/participants.xlsx")
def participants_file(request: Request, viewer: ParticipantKeeper, missions: MissionsDep, mission: MissionInPath):
    """The participants as a workbook: an organiser bound to one side gets that side's only."""
    lang = language_of(request)
    side = missions.bound_side(viewer.actor, mission.id)
    body = documents.participants_workbook(missions, mission, lang, side)
    name = f"{file_slug(mission.name)}-participants{'-' + side if side else ''}{'-DEMO' if mission.synthetic else ''}"
    return Response(body, media_type=XLSX, headers=disposition(f"{name}.xlsx"))


@router.get("/missions/{mission_id}/participants/{participant_id}")
def participant_page(request: Request, viewer: MissionViewer, missions: MissionsDep, mission: MissionInPath,
                     participant_id: RecordId):
    if not missions.sight(mission.id, viewer.actor).sees(participant_id):
        raise Refused("Your role does not allow this page.")  # another company's agenda, as for its files
    person = missions.person(mission.id, participant_id)
    lang = language_of(request)
    return page(request, "mission_participant.html.j2", **_tabs(mission, "setup"), person=person,
                name=person.name(lang), items=documents.participant_agenda(missions, mission, participant_id, lang),
                slots=missions.slots(mission), may_manage=_manages(viewer, missions, mission.id))


@router.get("/missions/{mission_id}/agenda/{participant_id}.{fmt}")
def agenda_file(request: Request, viewer: MissionViewer, missions: MissionsDep, web: Web, mission: MissionInPath,
                participant_id: RecordId, fmt: str, lang: Annotated[str | None, Query(pattern="^(ru|uz|en)$")] = None):
    person = missions.person(mission.id, participant_id)
    if not _own_or_manager(viewer, missions, mission.id, participant_id):
        raise Refused("Your role does not allow this page.")
    # the file says whose agenda it is and of which mission
    name = f"agenda-{file_slug(person.name(lang or 'en'))}-{file_slug(mission.name)}"
    name += "-DEMO" if mission.synthetic else ""
    if fmt == "pdf":
        body, media = documents.agenda_pdf(missions, mission, [participant_id], lang), "application/pdf"
    elif fmt == "ics":
        body, media = documents.participant_ics(missions, mission, participant_id, lang,
                                                      site_url=web.settings.site_url), "text/calendar"
    else:
        raise NotFound("Agendas come as pdf or ics.")
    return Response(body, media_type=media, headers=disposition(f"{name}.{fmt}"))


# Documents that take seconds to lay out are made by a job the page follows; the others come at once.
BULK_DOCUMENTS = {"agendas.zip": "application/zip", "tables.pdf": "application/pdf"}


@router.get("/missions/{mission_id}/documents/{kind}")
def mission_document(request: Request, viewer: MissionManager, missions: MissionsDep, mission: MissionInPath,
                     kind: str):
    """Organizers' documents made at once: the workbook and the scheduler instance."""
    lang = language_of(request)
    suffix = "-DEMO" if mission.synthetic else ""
    if kind == "schedule.xlsx":
        body, media = documents.workbook(missions, mission, lang), XLSX
    elif kind == "instance.json":
        body = json.dumps(missions.instance_json(mission.id), ensure_ascii=False, indent=1).encode("utf-8")
        media = "application/json"
    elif kind in BULK_DOCUMENTS or kind == "agendas.pdf":
        raise NotFound("This document is prepared in the background: use its button on the mission's page.")
    else:
        raise NotFound("No such document.")
    stem, _, ext = kind.partition(".")
    return Response(body, media_type=media, headers=disposition(f"{file_slug(mission.name)}-{stem}{suffix}.{ext}"))


@router.post("/missions/{mission_id}/documents/{kind}")
def make_mission_document(request: Request, viewer: MissionManager, missions: MissionsDep, web: Web,
                          mission: MissionInPath, kind: str, csrf: str = Form(""), back: str = Form("")):
    """Every agenda (the combined PDF and one per participant, in a ZIP) or the table sheets: a job, started
    by a POST (never by following a link), that the page it was asked from follows."""
    check_csrf(viewer, csrf)
    if kind not in BULK_DOCUMENTS:
        raise NotFound("No such document.")
    lang = language_of(request)
    remove_old_files(web.settings.data_dir / "documents", web.settings.job_file_retention_hours)
    stem, _, ext = kind.partition(".")
    name = f"{file_slug(mission.name)}-{stem}{'-DEMO' if mission.synthetic else ''}.{ext}"
    mission_id = mission.id
    job_id = web.jobs.submit("document", viewer.user_id, {"mission": mission_id, "kind": kind, "lang": lang,
                                                          "name": name}, subject={"mission": mission_id})
    page_path = "schedule" if back == "schedule" else ""
    return RedirectResponse(f"/missions/{mission_id}{'/' + page_path if page_path else ''}?document_job={job_id}",
                            status_code=303)


def _document_job(web, viewer, mission_id: int, job_id: int):
    job = web.jobs.get(job_id, viewer)
    if (job is None or job.kind != "document"
            or (job.result or {}).get("mission") != mission_id):
        raise NotFound("No such job.")
    return job


@router.get("/missions/{mission_id}/documents/job/{job_id}")
def mission_document_job(request: Request, viewer: MissionManager, web: Web, mission: MissionInPath,
                         job_id: RecordId):
    return page(request, "_document_job.html.j2", job=_document_job(web, viewer, mission.id, job_id),
                mission_id=mission.id)


@router.get("/missions/{mission_id}/documents/file/{job_id}")
def mission_document_file(request: Request, viewer: MissionManager, web: Web, mission: MissionInPath,
                          job_id: RecordId):
    job = _document_job(web, viewer, mission.id, job_id)
    if job.status != "done":
        raise NotFound("The document is not ready yet.")
    path = web.settings.data_dir / "documents" / job.result["file"]
    if not path.is_file():
        raise NotFound("The document file is gone: make it again.")
    return Response(path.read_bytes(), media_type=BULK_DOCUMENTS[job.result["kind"]],
                    headers=disposition(job.result["name"]))
