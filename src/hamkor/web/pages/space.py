"""A participant's own space in a mission, made for a phone: suggested counterparts with their reasons,
the other side to search, requests to send and answer, the times it can meet, its agenda (preliminary
while requests are open, final once published) with PDF and a calendar address, and after the mission
its own account of each meeting. What changed since the last look is marked."""

from __future__ import annotations

import math
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from hamkor.companies.matching import describe
from hamkor.companies.registry import CompanyFilter, TextSearch
from hamkor.companies.service import match, trade_weights
from hamkor.errors import Conflict, NotFound, Problem, Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.missions import documents
from hamkor.missions.base import PRIORITIES, STAGES, aware, mission_text
from hamkor.missions.checkin import code_text, qr_svg
from hamkor.missions.outcomes import Outcome
from hamkor.store.db import as_utc
from hamkor.web.deps import MissionInPath, MissionRequester, RecordId, SpaceOwner, Web, language_of
from hamkor.web.forms import PageForm, whole_number
from hamkor.web.pages._render import check_csrf, page

router = APIRouter(include_in_schema=False)
SUGGESTIONS = 5


def _mine(missions, mission, viewer):
    mine = missions.participant_of_company(mission.id, viewer.company_id) if viewer.role == "company" else None
    if mine is None:
        raise Refused("Your company does not take part in this mission.")
    return mine


def _mine_among(people, viewer):
    """`_mine` from the people a view has read already."""
    mine = next((p for p in people.values() if p.company.id == viewer.company_id), None) \
        if viewer.role == "company" else None
    if mine is None:
        raise Refused("Your company does not take part in this mission.")
    return mine


def _newer(moment, since: datetime | None) -> bool:
    return since is not None and moment is not None and as_utc(moment) > since


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").replace(" ", "").replace(",", ".")) if (text or "").strip() else None
    except ValueError:
        return float("nan")  # refused by the outcome's own check, with its reason
    return value if value is None or math.isfinite(value) else float("nan")


def _speaks(person) -> set[str]:
    """The languages the people who come speak (the attendees'), else the company's profile."""
    return set(person.participant.languages or person.company.languages or [])


def _spoken(reasons: list[dict], mine, other) -> list[dict]:
    """The registry's reasons with the language one taken from who attends: two Russian-speaking attendees
    need no interpreter whatever their companies' profiles say."""
    shared = sorted(_speaks(mine) & _speaks(other))
    said = {"kind": "language", "languages": shared} if shared else {"kind": "interpreter"}
    return [said if r["kind"] in ("language", "interpreter") else r for r in reasons]


def _mission_records(web, missions, mission, registry_revision):
    """The mission's people, requests, live meetings and planned visits, read once per revision of the mission
    (and of the registry, whose names and profiles they carry) and shared by every participant's view: 200 of
    them reading their spaces in a booking window made these reads the page's whole cost (issue 28.8). A request
    past the deadline reads as late: the deadline's passing is in the key too."""
    now = missions.clock()
    deadline = aware(mission.request_deadline)
    late = deadline is not None and now > deadline
    key = ("mission-records", mission.id, missions.revision(mission.id), registry_revision, late)

    def read():
        with web.services.db.session():  # its own transaction (the cache runs it apart from the request's)
            people = missions.people(mission.id)
            return (people, missions.requests(mission.id, now=now, people=people),
                    documents.live_meetings(missions, mission.id),
                    [v for v in missions.visits(mission.id) if v.planned_date])

    return web.cache.get(key, read)


def _space(request: Request, viewer, web, mission, status_code: int = 200, **context):
    # one transaction for the page's dozen reads: on PostgreSQL each unit of work of its own was a BEGIN and a
    # COMMIT more, round trips that made most of a view's time once its records came from the cache
    with web.services.db.session():
        return _space_page(request, viewer, web, mission, status_code, **context)


def _space_page(request: Request, viewer, web, mission, status_code: int = 200, **context):
    missions = web.services.missions
    lang = language_of(request)
    since = context.pop("since", None)
    registry = web.services.registry
    revision = registry.revision()
    people, all_views, live, visits = _mission_records(web, missions, mission, revision)
    mine = _mine_among(people, viewer)
    others = [p for p in people.values() if p.id != mine.id
              and (mission.same_side_meetings or p.participant.side != mine.participant.side)]
    q = request.query_params
    wanted = CompanyFilter(text=q.get("q") or None, region=q.get("region") or None, sector=q.get("sector") or None,
                           code=q.get("hs") or None)
    speaks = q.get("language") or ""
    words = TextSearch((q.get("q") or "")[:200])  # the filter's own `matches` reads no words: this does
    listed = [p for p in others if wanted.matches(p.company) and words.matches(p.company)
              and (not speaks or speaks in (p.participant.languages or p.company.languages or []))]
    by_company = {p.company.id: p for p in others}
    suggestions = []
    if others:

        def weights(territory, partner):
            # the trade support is the slow part, and the same for every company of one territory: read once per
            # warehouse generation, not once per company (an import made every space recompute it, 85 times)
            def read():
                with web.services.warehouse.reader() as con:
                    return trade_weights(con, territory, partner)

            return web.cache.get(("trade-weights", territory, partner), read)

        # as on the matching page; an edited profile changes the key. After an import (a new warehouse generation)
        # the last suggestions are shown while the new ones are made in the background: the import made every
        # space recompute them at once, 85 companies in two languages, and the booking window's answers wait
        found = web.cache.fresh_or_last(("space", mine.company.id, tuple(sorted(by_company)), lang, revision),
                              lambda: match(registry, None, CompanyFilter(ids=(mine.company.id,)),
                                            CompanyFilter(ids=tuple(sorted(by_company))), SUGGESTIONS, lang,
                                            weigh=weights))
        suggestions = [(by_company[s.b.id], [describe(r, s.a.name, s.b.name, lang)
                                             for r in _spoken(s.reasons, mine, by_company[s.b.id])], s.score)
                       for s in found.suggestions if s.b.id in by_company]
    # a company sees the requests its company is in (`sight`'s rule for a representative), taken here from the
    # participant found above rather than asked for again
    views = [v for v in all_views if mine.id in (v.requester.id, v.target.id)]
    incoming = [v for v in views if v.target.id == mine.id]
    outgoing = [v for v in views if v.requester.id == mine.id]
    asked = {v.target.id for v in outgoing if v.request.status in ("pending", "accepted")} | \
            {v.requester.id for v in incoming if v.request.status in ("pending", "accepted")}
    records = documents.MissionRecords(people, documents.sides(missions, mission.id, people, views), live, visits)
    other_of = {v.request.id: (v.target.id if v.requester.id == mine.id else v.requester.id) for v in views}
    meetings = sorted(((m, other_of[m.request_id]) for m in records.meetings if m.request_id in other_of),
                      key=lambda pair: pair[0].slot)
    mine_code = mine.participant.checkin_code or missions.checkin_code(mission.id, mine.id)
    changed = {m.id for m, _ in meetings if _newer(m.updated_at, since)}
    first_day = min(d["date"] for d in mission.days) if mission.days else None
    after = first_day is not None and web.services.today().isoformat() >= first_day
    return page(request, "space.html.j2", status_code, mission=mission, mine=mine, people=people,
                title=mission_text(mission, "name", lang), venue=mission_text(mission, "venue", lang),
                programme=mission_text(mission, "programme", lang), suggestions=suggestions, listed=listed,
                others=others, asked=asked, incoming=incoming, outgoing=outgoing, priorities=PRIORITIES,
                closed=missions.closed_for_requests(mission), deadline=aware(mission.request_deadline),
                items=documents.participant_agenda(missions, mission, mine.id, lang, records),
                final=bool(mission.certificate),
                zone_note=documents.zone_line(mission, mine, lang),
                checkin_code=code_text(mine_code), checkin_qr=Markup(qr_svg(mine_code)),
                slots=missions.slots(mission), since=since, is_new=lambda moment: _newer(moment, since),
                changed=changed, meetings=meetings, after=after,
                feedback=missions.feedback_of(mine.id) if after else {},
                stages=STAGES, filters=q, sectors=web.cache.get(("sectors", revision), registry.sectors),
                regions=sorted({p.company.region for p in others if p.company.region}),
                name=lambda p: p.name(lang), reader_territory=mine.company.region or mine.company.country,
                # only those who have taken their account: the space does not tell who was invited (an address
                # with an account of its own is answered as any other)
                colleagues=[r for r in missions.representatives(mine.company.id) if r.ready], **context)


@router.get("/space")
def own_missions(request: Request, viewer: SpaceOwner, web: Web):
    """Where a representative lands: their one mission's space, or a short list when there are several."""
    found = web.services.missions.missions_of_company(viewer.company_id)
    if len(found) == 1:
        return RedirectResponse(f"/space/{found[0].id}", status_code=303)
    lang = language_of(request)
    return page(request, "spaces.html.j2", missions=found, title=lambda m: mission_text(m, "name", lang))


@router.get("/space/{mission_id}")
def space(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, invited: bool = False):
    if viewer.role != "company":
        return RedirectResponse(f"/missions/{mission.id}", status_code=303)  # organizers have the mission's pages
    since = web.services.missions.looked(viewer.user_id, mission.id)
    return _space(request, viewer, web, mission, since=since, colleague_invited=invited)


@router.post("/space/{mission_id}/request")
def space_request(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    missions = web.services.missions
    mine = _mine(missions, mission, viewer)
    target = whole_number(form.get("target", ""), 1)
    try:
        if target is None:
            raise NotFound("Choose whom to meet.")
        missions.request(mission.id, mine.id, target, form.get("priority", "should"), form.get("message"),
                         viewer.actor)
    except Problem as problem:
        return _space(request, viewer, web, mission, 422, problems=problem.problems)
    return RedirectResponse(f"/space/{mission.id}#outgoing", status_code=303)


@router.post("/space/{mission_id}/answer/{request_id}")
def space_answer(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath,
                 request_id: RecordId, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    accept = form.decision("answer") == "accept"
    try:
        web.services.missions.answer(mission.id, request_id, accept, viewer.actor)
    except Problem as problem:
        return _space(request, viewer, web, mission, 409, problems=problem.problems)
    return RedirectResponse(f"/space/{mission.id}#incoming", status_code=303)


@router.post("/space/{mission_id}/attendance")
def space_attendance(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    """On site or online: the participant's own choice, before the schedule is published."""
    check_csrf(viewer, form.get("csrf"))
    missions = web.services.missions
    mine = _mine(missions, mission, viewer)
    try:
        missions.choose_attendance(mission.id, mine.id, form.choice("online", ("0", "1"), "0") == "1", viewer.actor)
    except (Refused, NotFound):
        raise
    except Problem as problem:
        return _space(request, viewer, web, mission, 409, problems=problem.problems)
    return RedirectResponse(f"/space/{mission.id}#availability", status_code=303)


@router.post("/space/{mission_id}/availability")
def space_availability(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    missions = web.services.missions
    mine = _mine(missions, mission, viewer)
    chosen = None if form.get("times") == "all" else [slot[:40] for slot in form.getlist("available")[:500]]
    if chosen is not None and mission.certificate and form.get("confirmed") != "yes":
        # after publication: the meetings the new times leave out are named first, and nothing changes
        # until the person confirms (the organizers re-plan them; nobody loses a meeting by a stray tap)
        people = missions.people(mission.id)
        touched = [(m, people.get(other)) for m, other in missions.meetings_outside(mission.id, mine.id, chosen)]
        if touched:
            return _space(request, viewer, web, mission, 409, touched=touched, chosen=chosen)
    try:
        missions.update_participant(mission.id, mine.id, available=chosen)
    except Problem as problem:
        return _space(request, viewer, web, mission, 422, problems=problem.problems)
    if chosen is not None and mission.certificate:  # confirmed: the organizers hear which meetings it leaves out
        missions.report_availability_conflict(mission.id, mine.id)
    return RedirectResponse(f"/space/{mission.id}#availability", status_code=303)


@router.post("/space/{mission_id}/colleagues")
def space_colleague(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    """A colleague's own account for the same company, by an invitation mailed to them."""
    check_csrf(viewer, form.get("csrf"))
    missions = web.services.missions
    mine = _mine(missions, mission, viewer)
    key = f"colleague:{viewer.user_id}"  # each invitation is a mail: a few at a time
    if web.public_throttle.blocked(key):
        return _space(request, viewer, web, mission, 429,
                      problems=[("email", "Too many attempts: wait a few minutes and try again.")])
    web.public_throttle.failed(key)
    company_key = f"company:{mine.company.id}"  # however many of the company's people send them
    if web.colleague_throttle.blocked(company_key):
        return _space(request, viewer, web, mission, 429, problems=[("email", Msg(
            "a company's people send at most %(count)s invitations a day: try again tomorrow, or ask the organizers",
            count=web.colleague_throttle.limit))])
    web.colleague_throttle.failed(company_key)
    email, language = form.text("email", 320), form.choice("language", LANGUAGES, viewer.language)
    try:
        missions.invite_representative(mission.id, mine.id, email, language, viewer.actor)
    except Problem as problem:
        return _space(request, viewer, web, mission, 409 if isinstance(problem, Conflict) else 422,
                      problems=problem.problems)
    # to the space again: reloading the page it lands on does not invite once more (nor names the address in it)
    return RedirectResponse(f"/space/{mission.id}?invited=1#colleagues", status_code=303)


@router.post("/space/{mission_id}/feed")
def space_feed(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    _mine(web.services.missions, mission, viewer)
    secret = web.services.accounts.new_feed_secret(viewer.user_id)
    url = f"{web.settings.site_url}/space/{mission.id}/agenda.ics?feed={secret}"
    return _space(request, viewer, web, mission, feed_url=url)


@router.get("/space/{mission_id}/agenda.ics")
def space_calendar(request: Request, web: Web, mission: MissionInPath, feed: str = ""):
    """The agenda as a calendar subscription: the calendar fetches it again and sees a re-planned meeting.
    Opened by the person's feed secret (a calendar cannot sign in), for their own company only."""
    user = web.services.accounts.user_for_feed(feed)
    if user is None or user.role != "company":
        return Response("feed secret not valid\n", status_code=404, media_type="text/plain")
    mine = web.services.missions.participant_of_company(mission.id, user.company_id)
    if mine is None:
        return Response("not a participant\n", status_code=404, media_type="text/plain")
    body = documents.participant_ics(web.services.missions, mission, mine.id, user.language,
                                    site_url=web.settings.site_url)
    return Response(body, media_type="text/calendar")


@router.post("/space/{mission_id}/outcomes")
def space_outcomes(request: Request, viewer: MissionRequester, web: Web, mission: MissionInPath, form: PageForm):
    check_csrf(viewer, form.get("csrf"))
    missions = web.services.missions
    mine = _mine(missions, mission, viewer)
    try:
        missions.record_feedback(mission.id, mine.id, outcomes_of(form, [m.id for m, _ in
                                                                         missions.own_meetings(mission.id, mine.id)]),
                                 viewer.actor)
    except Problem as problem:
        return _space(request, viewer, web, mission, 422, problems=problem.problems)
    return RedirectResponse(f"/space/{mission.id}#outcomes", status_code=303)


def outcomes_of(form, meeting_ids: list[int]) -> list[Outcome]:
    """The rows of an outcomes form that were filled in: `status_<id>`, `rating_<id>`, `stage_<id>`…"""
    entries = []
    for mid in meeting_ids:
        status = form.get(f"status_{mid}") or ""
        if not status:
            continue
        rating = (form.get(f"rating_{mid}") or "").strip()
        # a rating that is no number is passed as 0, which the outcome's own check refuses with its reason
        entries.append(Outcome(mid, status, (whole_number(rating, -1000, 1000) or 0) if rating else None,
                               form.get(f"stage_{mid}") or None, form.get(f"hs_{mid}") or None,
                               _number(form.get(f"value_{mid}")), form.get(f"notes_{mid}") or None))
    return entries
