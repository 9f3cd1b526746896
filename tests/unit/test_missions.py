"""Missions end to end on the operational database (SQLite and PostgreSQL): set-up, requests with
expiry and mutual pairs, scheduling with visits, locks, re-planning, outcomes, documents."""

import io
import json
import threading
from datetime import UTC, datetime
from importlib import resources

import jsonschema
import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from hamkor.accounts.links import LinkProblem
from hamkor.accounts.permissions import Actor
from hamkor.accounts.service import Accounts
from hamkor.companies.registry import CompanyData, Registry
from hamkor.config import Settings
from hamkor.errors import Conflict, Refused
from hamkor.missions import documents, representatives
from hamkor.missions.grid import GridError, time_grid
from hamkor.missions.scheduler import load_instance, schedule, violations
from hamkor.missions.service import MissionData, MissionError, MissionNotFound, Missions, Registration
from hamkor.store.db import Database
from hamkor.store.models import OutboxMessage, SignedLink, User

DAY1 = {"date": "2026-12-15", "start": "10:00", "end": "12:00", "breaks": [["11:00", "11:30"]]}
DAY2 = {"date": "2026-12-16", "start": "10:00", "end": "11:00"}
BEFORE = datetime(2026, 12, 1, tzinfo=UTC)
AFTER = datetime(2026, 12, 12, tzinfo=UTC)


def test_time_grid_skips_breaks_and_the_end_of_the_day():
    slots = time_grid([DAY1, DAY2], 30)
    assert [s.id for s in slots] == ["2026-12-15T10:00", "2026-12-15T10:30", "2026-12-15T11:30",
                                     "2026-12-16T10:00", "2026-12-16T10:30"]
    assert slots[2].label == "11:30–12:00" and slots[3].day == 1
    # a 45-minute grid: 10:00-10:45 fits, 10:45-11:30 would cross the break, so the next starts at 11:30
    assert [s.id[-5:] for s in time_grid([DAY1], 45)] == ["10:00"]
    with pytest.raises(GridError, match="break 09:00–09:30 is not inside the day"):
        time_grid([{**DAY1, "breaks": [["09:00", "09:30"]]}], 30)
    with pytest.raises(GridError, match="not YYYY-MM-DD"):
        time_grid([{"date": "15.12.2026", "start": "10:00", "end": "12:00"}], 30)


@pytest.fixture
def missions(database_url, tmp_path):
    db = Database(Settings(data_dir=tmp_path / "data", database_url=database_url))
    db.upgrade()
    yield Missions(db, clock=lambda: BEFORE)  # "now" before the deadline, whatever the date
    db.dispose()


def company(registry: Registry, name: str, country: str, languages: list[str]) -> int:
    region = "RU-ALT" if country == "RU" else "UZ-SI"
    return registry.create(CompanyData(name_ru=name, name_uz=name, name_en=name, country=country, region=region,
                                       languages=languages, synthetic=True)).id


def small_mission(missions: Missions, tables: int = 2, interpreters: int = 1, **extra) -> tuple[int, dict]:
    registry = Registry(missions.db)
    mission = missions.create(MissionData(
        name="Test mission", host_territory="RU-ALT", visiting_territory="UZ-SI", venue="Hall", city="Barnaul",
        timezone="Asia/Barnaul", latitude=53.348, longitude=83.776, days=[DAY1, DAY2], slot_minutes=30,
        tables=tables, interpreters=[{"languages": ["ru", "uz"], "count": interpreters}],
        request_deadline=datetime(2026, 12, 10, tzinfo=UTC), **extra))
    people = {}
    for name, country, languages, side in (("guest-uz", "UZ", ["uz"], "visiting"), ("guest-ru", "UZ", ["uz", "ru"],
                                            "visiting"), ("host-a", "RU", ["ru"], "host"),
                                           ("host-b", "RU", ["ru"], "host"), ("host-c", "RU", ["ru", "en"], "host")):
        people[name] = missions.add_participant(mission.id, company(registry, name, country, languages), side,
                                                [f"{name} person"]).id
    return mission.id, people


def test_bad_set_up_is_refused_with_every_reason(missions):
    with pytest.raises(MissionError) as refused:
        missions.create(MissionData(name=" ", host_territory="XX-QQ", visiting_territory="UZ", timezone="Mars/Base",
                                    days=[{"date": "2026-12-15", "start": "12:00", "end": "10:00"}], tables=0,
                                    interpreters=[{"languages": ["ru"], "count": 1}]))
    fields = {name for name, _ in refused.value.problems}
    assert fields == {"name", "host_territory", "timezone", "days", "tables", "interpreters"}
    assert missions.all() == []  # nothing half-written


def test_requests_mutual_pairs_expiry_and_answers(missions):
    mission_id, p = small_mission(missions)
    first = missions.request(mission_id, p["guest-uz"], p["host-a"], "could")
    mutual = missions.request(mission_id, p["host-a"], p["guest-uz"], "must")  # the other side asks too
    pending = missions.request(mission_id, p["guest-ru"], p["host-b"], "should")
    declined = missions.request(mission_id, p["guest-ru"], p["host-c"], "should")
    missions.answer(mission_id, declined.id, False, now=BEFORE)
    with pytest.raises(MissionError, match="already requested"):
        missions.request(mission_id, p["guest-uz"], p["host-a"])
    with pytest.raises(MissionError, match="pair a host company with a visiting one"):
        missions.request(mission_id, p["host-a"], p["host-b"])
    views = {v.request.id: v for v in missions.requests(mission_id, now=BEFORE)}
    assert views[first.id].request.status == views[mutual.id].request.status == "accepted"  # both asked: agreed
    assert views[first.id].mutual and views[mutual.id].mutual and not views[pending.id].mutual
    # one request per mutual pair, at the higher priority; the declined one is out; pending counts before the deadline
    built = missions.build(mission_id, now=BEFORE)
    assert {(r.id, r.priority) for r in built.instance.requests} == {(str(first.id), "must"),
                                                                      (str(pending.id), "should")}
    assert built.merged == {mutual.id: first.id}
    # after the deadline the pending request stops holding a slot, and can no longer be accepted
    assert [r.id for r in missions.build(mission_id, now=AFTER).instance.requests] == [str(first.id)]
    assert missions.requests(mission_id, now=AFTER)[2].expired
    with pytest.raises(MissionError, match="expired"):
        missions.answer(mission_id, pending.id, True, now=AFTER)
    assert missions.expire(mission_id, now=AFTER) == 1
    assert [v.request.status for v in missions.requests(mission_id)] == ["accepted", "accepted", "expired", "declined"]


def test_a_request_after_the_deadline_is_refused_not_left_to_expire(missions):
    mission_id, p = small_mission(missions)
    with pytest.raises(MissionError, match=r"closed at 2026-12-10 07:00 \(Asia/Barnaul\)") as refused:
        missions.request(mission_id, p["guest-uz"], p["host-a"], now=AFTER)
    assert isinstance(refused.value, Conflict)
    assert missions.requests(mission_id) == []  # nothing written that could only ever expire
    assert missions.request(mission_id, p["guest-uz"], p["host-a"], now=BEFORE).status == "pending"


@pytest.mark.slow  # a solver or renderer at work: seconds
def test_schedule_respects_visits_availability_interpreters_and_locks(missions):
    mission_id, p = small_mission(missions, tables=2, interpreters=1)
    missions.update_participant(mission_id, p["guest-uz"], joins_visits=True)
    missions.update_participant(mission_id, p["host-c"], available=["2026-12-16T10:00", "2026-12-16T10:30"])
    missions.add_visit(mission_id, "Plant", 53.36, 83.78, "10:00", "12:00", 60, priority=1)
    for guest in ("guest-uz", "guest-ru"):
        for host in ("host-a", "host-b", "host-c"):
            made = missions.request(mission_id, p[guest], p[host], "should")
            missions.answer(mission_id, made.id, True, now=BEFORE)
    locked = missions.add_meeting(mission_id, p["guest-ru"], p["host-a"], "2026-12-16T10:30")
    result = missions.schedule(mission_id, seconds=5, now=BEFORE)
    built = missions.build(mission_id, now=BEFORE)
    assert violations(built.instance, result.assignment) == []
    meetings = {m.request_id: m for m in documents.live_meetings(missions, mission_id)}
    assert meetings[locked.request_id].slot == "2026-12-16T10:30" and meetings[locked.request_id].locked
    visit = missions.visits(mission_id)[0]
    assert visit.planned_date == "2026-12-15" and 600 <= visit.arrive and visit.leave <= 720
    away = missions.away_slots(missions.get(mission_id), missions.slots(missions.get(mission_id)))
    assert away  # the visit with its drive takes slots of day 1
    pairs = documents.sides(missions, mission_id)
    for meeting in meetings.values():
        guest, host = pairs[meeting.request_id]
        if guest.id == p["guest-uz"]:
            assert meeting.slot not in away and meeting.interpreter  # uz-only meets ru-only hosts through one
        if host.id == p["host-c"]:
            assert meeting.slot.startswith("2026-12-16")
    cert = missions.get(mission_id).certificate
    assert cert["scheduled"] == len(meetings) and cert["value"] == result.value
    assert cert["upper_bound"] >= cert["value"] and set(cert["reasons"]) == {
        r.id for r in built.instance.requests if r.id not in result.assignment}
    # the stored mission as the documented instance format, and the scheduler gets the same value from it
    instance = missions.instance_json(mission_id, now=BEFORE)
    schema = json.loads(resources.files("hamkor.missions").joinpath("schema", "instance.schema.json").read_text())
    jsonschema.validate(instance, schema)
    assert schedule(load_instance(instance), seconds=5, workers=1, seed=1).value == result.value


def test_cancel_and_hand_added_meetings(missions):
    mission_id, p = small_mission(missions)
    made = missions.request(mission_id, p["guest-ru"], p["host-a"], "must")
    missions.answer(mission_id, made.id, True, now=BEFORE)
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    [meeting] = documents.live_meetings(missions, mission_id)
    with pytest.raises(MissionError, match="already meets someone"):
        missions.add_meeting(mission_id, p["guest-ru"], p["host-b"], meeting.slot)
    with pytest.raises(MissionError, match="not a slot"):
        missions.add_meeting(mission_id, p["guest-ru"], p["host-b"], "2026-12-15T09:00")
    missions.cancel_meeting(mission_id, meeting.id)
    assert documents.live_meetings(missions, mission_id) == []
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    assert documents.live_meetings(missions, mission_id) == []  # a cancelled request is not scheduled again


def test_replan_keeps_the_past_and_drops_a_no_show(missions):
    mission_id, p = small_mission(missions, tables=3, interpreters=2)
    for guest in ("guest-uz", "guest-ru"):
        for host in ("host-a", "host-b", "host-c"):
            missions.answer(mission_id, missions.request(mission_id, p[guest], p[host], "should").id, True, now=BEFORE)
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    before = {m.request_id: (m.slot, m.table_no) for m in documents.live_meetings(missions, mission_id)}
    assert len(before) == 6
    pairs = documents.sides(missions, mission_id)
    missions.update_participant(mission_id, p["host-b"], absent=True)
    start = "2026-12-16T10:00"
    outcome = missions.replan(mission_id, start, seconds=5)
    after = {m.request_id: (m.slot, m.table_no) for m in documents.live_meetings(missions, mission_id)}
    for rid, (slot, table) in before.items():
        if slot < start:
            assert after[rid] == (slot, table)  # the past stays, table and all
        elif pairs[rid][1].id == p["host-b"]:
            assert rid not in after  # the no-show's later meetings are gone
    assert not any(pairs[rid][1].id == p["host-b"] and slot >= start for rid, (slot, _) in after.items())
    kept_future = [rid for rid in outcome.kept if before[int(rid)][0] >= start]
    assert all(after[int(rid)] == before[int(rid)] for rid in kept_future)


def test_outcomes_and_the_funnel(missions):
    mission_id, p = small_mission(missions, tables=3, interpreters=2)
    for host in ("host-a", "host-b", "host-c"):
        missions.answer(mission_id, missions.request(mission_id, p["guest-ru"], p[host], "should").id, True, now=BEFORE)
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    first, second, third = documents.live_meetings(missions, mission_id)
    with pytest.raises(MissionError) as refused:
        missions.record_outcome(mission_id, first.id, "held", rating=7, stage="signed", hs_code="0000", value_usd=-5)
    assert {f for f, _ in refused.value.problems} == {"rating", "stage", "hs_code", "value_usd"}
    with pytest.raises(MissionError, match="no rating or follow-up"):
        missions.record_outcome(mission_id, first.id, "no_show", stage="contact")
    missions.record_outcome(mission_id, first.id, "held", 5, "contract", "8402", 120_000.0)
    missions.record_outcome(mission_id, second.id, "held", 3, "contact")
    missions.record_outcome(mission_id, third.id, "no_show")
    funnel = missions.funnel(mission_id)
    assert [(s.stage, s.meetings) for s in funnel.steps] == [
        ("scheduled", 3), ("held", 2), ("contact", 2), ("negotiation", 1), ("contract", 1), ("shipment", 0)]
    assert funnel.steps[4].value_usd == 120_000.0 and funnel.average_rating == 4.0 and funnel.no_shows == 1
    with pytest.raises(MissionError, match="outcomes are recorded"):
        missions.schedule(mission_id, seconds=1)


@pytest.mark.slow  # a solver or renderer at work: seconds
def test_documents_agenda_pdf_ics_tables_and_workbook(missions):
    mission_id, p = small_mission(missions)
    missions.update_participant(mission_id, p["guest-uz"], joins_visits=True)
    missions.add_visit(mission_id, "Plant «Котел»", 53.36, 83.78, "10:00", "12:00", 60, priority=1, address="Barnaul")
    for host in ("host-a", "host-c"):
        missions.answer(mission_id, missions.request(mission_id, p["guest-uz"], p[host], "must").id, True, now=BEFORE)
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    mission = missions.get(mission_id)
    items = documents.participant_agenda(missions, mission, p["guest-uz"], "uz")
    assert [i.kind for i in items].count("meeting") == 2 and [i.kind for i in items].count("visit") == 1
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        documents.agenda_pdf(missions, mission, [p["guest-uz"]]))).pages)
    assert "Uchrashuvlar dasturi" in text and "host-a" in text and "Korxonaga tashrif" in text  # printed in Uzbek
    meeting = next(i for i in items if i.kind == "meeting")
    assert meeting.hours in text and "Tarjimon" in text
    calendar = Calendar.from_ical(documents.participant_ics(missions, mission, p["guest-uz"], "en"))
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 3
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    start = first.decoded("DTSTART")
    assert start.utcoffset().total_seconds() == 0  # written in UTC: 10:00 in Barnaul (UTC+7) is 03:00Z
    assert (start.hour, start.minute) == divmod(items[0].start - 7 * 60, 60)
    tables = PdfReader(io.BytesIO(documents.table_sheets_pdf(missions, mission, "en")))
    assert len(tables.pages) == mission.tables and "Table sheet" in tables.pages[0].extract_text()
    book = load_workbook(io.BytesIO(documents.workbook(missions, mission, "en")))
    assert book.sheetnames == ["Meetings", "Grid", "Left out", "Visits", "Outcomes", "Funnel"]
    assert book["Meetings"].max_row == 1 + 2 and book["Meetings"]["A1"].value == "date"  # headers, two meetings


def test_demo_mission_is_the_issue_scenario(demo_settings):
    db = Database(demo_settings)
    missions = Missions(db, clock=lambda: BEFORE)
    try:
        [mission] = [m for m in missions.all() if m.synthetic]
        people = missions.people(mission.id).values()
        assert sum(p.participant.side == "visiting" for p in people) == 35
        assert sum(p.participant.side == "host" for p in people) == 50
        assert len(mission.days) == 2 and len(missions.slots(mission)) == 24
        assert mission.tables == 15 and sum(pool["count"] for pool in mission.interpreters) == 3
        assert len(missions.visits(mission.id)) == 6 and "(демо)" in mission.name
        cert = mission.certificate
        assert cert["scheduled"] >= 150 and cert["quality"] >= 0.99
        built = missions.build(mission.id, now=datetime(2026, 12, 1, tzinfo=UTC))
        meetings = {str(m.request_id): built.instance.slots.index(m.slot)
                    for m in documents.live_meetings(missions, mission.id)}
        assert violations(built.instance, meetings) == []
        assert any(v.mutual for v in missions.requests(mission.id))
    finally:
        db.dispose()


@pytest.fixture
def pg_missions(pg_schema_url, tmp_path):
    """Missions on PostgreSQL only: concurrent writers need a server that runs them at once."""
    url, schema = pg_schema_url
    db = Database(Settings(data_dir=tmp_path / "data", database_url=url))
    with db.engine.begin() as connection:  # an empty schema for this test
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    db.upgrade()
    yield Missions(db, clock=lambda: BEFORE)  # "now" before the deadline, whatever the date
    db.dispose()


@pytest.mark.postgres
def test_two_organizers_placing_meetings_in_one_slot_at_once_leave_one(pg_missions):
    """Both calls check the slot, then write; with one table only one of them may succeed, however their
    steps interleave. Each round starts the two at the same instant."""
    missions = pg_missions
    mission_id, p = small_mission(missions, tables=1)
    slot = "2026-12-15T10:00"
    for _ in range(5):
        barrier = threading.Barrier(2)
        outcomes: list[object] = []

        def place(a: str, b: str, barrier=barrier, outcomes=outcomes) -> None:
            barrier.wait()
            try:
                outcomes.append(missions.add_meeting(mission_id, p[a], p[b], slot))
            except MissionError as refused:
                outcomes.append(refused)

        threads = [threading.Thread(target=place, args=pair) for pair in (("guest-uz", "host-a"),
                                                                          ("guest-ru", "host-b"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        live = [m for m in missions.meetings(mission_id) if m.status != "cancelled" and m.slot == slot]
        assert len(live) == 1, outcomes
        assert sum(isinstance(o, MissionError) for o in outcomes) == 1
        assert "every table is taken" in str(next(o for o in outcomes if isinstance(o, MissionError)))
        missions.cancel_meeting(mission_id, live[0].id)  # free the slot for the next round


def test_calls_are_scoped_by_their_mission(missions):
    """A request, meeting or participant of one mission cannot be reached through another's id."""
    first, p = small_mission(missions)
    second, _ = small_mission(missions)
    made = missions.request(first, p["guest-ru"], p["host-a"], "must")
    for call in (lambda: missions.answer(second, made.id, True, now=BEFORE),
                 lambda: missions.cancel_request(second, made.id),
                 lambda: missions.update_participant(second, p["guest-ru"], absent=True),
                 lambda: missions.person(second, p["guest-ru"]),
                 lambda: missions.request_view(second, made.id)):
        with pytest.raises(MissionNotFound):
            call()
    missions.answer(first, made.id, True, now=BEFORE)
    meeting = missions.add_meeting(first, p["guest-ru"], p["host-a"], "2026-12-15T10:00")
    for call in (lambda: missions.set_lock(second, meeting.id, False),
                 lambda: missions.cancel_meeting(second, meeting.id),
                 lambda: missions.record_outcome(second, meeting.id, "held")):
        with pytest.raises(MissionNotFound, match=f"no meeting {meeting.id} in mission {second}"):
            call()
    assert missions.request_view(first, made.id).request.status == "accepted"


def test_a_representative_sees_and_acts_for_their_own_company_only(missions):
    mission_id, p = small_mission(missions)
    people = missions.people(mission_id)
    own = people[p["host-a"]].company.id
    user = Accounts(missions.db).create_user("rep@example.org", "a long enough password", "company", company_id=own)
    rep = Actor(user.id, user.email, "company", own)
    mine = missions.request(mission_id, p["host-a"], p["guest-uz"], "should", "hello", rep)
    assert mine.origin == "participant" and mine.created_by == user.id
    others = missions.request(mission_id, p["guest-ru"], p["host-b"], "should")
    with pytest.raises(Refused, match="your own company"):
        missions.request(mission_id, p["host-b"], p["guest-ru"], "should", None, rep)
    with pytest.raises(Refused, match="only the company asked"):
        missions.answer(mission_id, others.id, True, rep, now=BEFORE)
    asked_of_me = missions.request(mission_id, p["guest-ru"], p["host-a"], "must")
    missions.answer(mission_id, asked_of_me.id, False, rep, now=BEFORE)
    assert {v.request.id for v in missions.requests(mission_id, actor=rep)} == {mine.id, asked_of_me.id}
    organizer = Actor(1, "org@example.org", "organizer")
    assert len(missions.requests(mission_id, actor=organizer)) == 3
    # nothing was written by the refused calls
    assert len(missions.requests(mission_id)) == 3


@pytest.mark.slow  # the solver and the PDF renderer: seconds
def test_agendas_and_calendars_name_the_zone_and_keep_entries_when_a_meeting_is_cancelled(missions):
    """Issue 27.1: the Tashkent company's agenda names Barnaul time and its own; each calendar entry is the
    meeting's, so cancelling one leaves the others' identities as they were; titled and described in the
    participant's language."""
    mission_id, p = small_mission(missions, tables=3, interpreters=2)
    for host in ("host-a", "host-b", "host-c"):
        missions.answer(mission_id, missions.request(mission_id, p["guest-uz"], p[host], "must").id, True, now=BEFORE)
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    mission = missions.get(mission_id)

    def entries(lang: str) -> dict[str, dict]:
        calendar = Calendar.from_ical(documents.participant_ics(missions, mission, p["guest-uz"], lang,
                                                                site_url="https://hamkor.example.org"))
        return {str(e["UID"]): {"summary": str(e["SUMMARY"]), "description": str(e["DESCRIPTION"]),
                                "start": e.decoded("DTSTART")} for e in calendar.walk("VEVENT")}

    before = entries("uz")
    assert len(before) == 3
    for entry in before.values():
        # the mission's zone named; no "your time is 2 h behind" (a calendar shows its owner's time already)
        assert "Barnaul, UTC+7" in entry["description"] and "Toshkent" not in entry["description"]
        assert "Uchrashuv hamkori" in entry["description"] and "?lang=uz" in entry["description"]
    cancelled = min(documents.live_meetings(missions, mission_id), key=lambda m: m.slot)
    missions.cancel_meeting(mission_id, cancelled.id)
    after = entries("uz")
    assert len(after) == 2 and set(after) < set(before)  # the others keep their identity, whatever moved first
    for uid, entry in after.items():
        assert entry["start"] == before[uid]["start"]
    assert all("Uchrashuv hamkori" not in e["description"] for e in entries("ru").values())

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        documents.agenda_pdf(missions, mission, [p["guest-uz"], p["host-a"]]))).pages)
    squeezed = " ".join(text.split())
    assert "Barnaul, UTC+7" in squeezed and "Toshkent, UTC+5" in squeezed  # the Uzbek page: both clocks
    assert "Барнаул, UTC+7" in squeezed  # the Russian host's page names the zone, no second clock
    assert "Ваше время" not in squeezed


# ---- issue 27.2: nobody locked out -------------------------------------------------------------------------
def test_representatives_are_invited_by_organizers_and_by_their_colleagues_only(missions):
    """A company added from the registry has nobody to answer; an organizer invites its contact, who may invite a
    colleague. Nobody else invites for it, an address with an account is never taken over, and a company's
    accounts are bounded."""
    mission_id, p = small_mission(missions)
    other_id, q = small_mission(missions)
    accounts = Accounts(missions.db)
    organizer = accounts.create_user("organizer@altai.ru", "correct horse battery staple", "organizer")
    host = missions.person(mission_id, p["host-a"])
    assert missions.representation(mission_id)[host.company.id] == "nobody"
    staff = Actor(organizer.id, organizer.email, "organizer")
    invited = missions.invite_representative(mission_id, p["host-a"], " Sales@Host.ru ", "ru", staff)
    assert (invited.email, invited.role, invited.company_id) == ("sales@host.ru", "company", host.company.id)
    assert missions.representation(mission_id)[host.company.id] == "invited"
    assert [m.id for m in missions.missions_of_company(host.company.id)] == [mission_id]
    with missions.db.session() as session:
        [link] = session.scalars(select(SignedLink).where(SignedLink.user_id == invited.id)).all()
        assert (link.purpose, link.payload) == ("invite", {"mission": mission_id})
    # inviting again sends a new link in place of the old one
    missions.invite_representative(mission_id, p["host-a"], "sales@host.ru", "uz", staff)
    with missions.db.session() as session:
        assert session.scalar(select(func.count()).select_from(SignedLink).where(
            SignedLink.user_id == invited.id, SignedLink.used_at.is_(None))) == 1
        assert session.get(User, invited.id).language == "uz"
    # the representative (once it has a password) invites a colleague; another company's may not, nor through
    # a participant of another mission
    accounts.change_password(invited.id, None, "correct horse battery staple")
    assert missions.representation(mission_id)[host.company.id] == "ready"
    rep = Actor(invited.id, invited.email, "company", host.company.id)
    colleague = missions.invite_representative(mission_id, p["host-a"], "deputy@host.ru", "ru", rep)
    assert colleague.company_id == host.company.id
    assert [r.email for r in missions.representatives(host.company.id)] == ["deputy@host.ru", "sales@host.ru"]
    with pytest.raises(Refused):
        missions.invite_representative(mission_id, p["host-b"], "x@host.ru", "ru", rep)
    with pytest.raises(MissionNotFound):
        missions.invite_representative(mission_id, q["host-a"], "x@host.ru", "ru", staff)
    with pytest.raises(Conflict, match="speaks for this company already"):
        missions.invite_representative(mission_id, p["host-a"], "sales@host.ru", "ru", rep)
    # an address with an account of its own: an organizer is told; a representative's answer is that of any
    # invitation, and the owner is mailed; the account stays as it was
    with pytest.raises(Conflict, match="has an account already"):
        missions.invite_representative(mission_id, p["host-a"], "organizer@altai.ru", "ru", staff)
    assert missions.invite_representative(mission_id, p["host-a"], "organizer@altai.ru", "ru", rep) is None
    assert accounts.find("organizer@altai.ru").role == "organizer"
    with missions.db.session() as session:
        kinds = session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == "organizer@altai.ru"))
        assert list(kinds) == ["invite-known"]
    with pytest.raises(MissionError):
        missions.invite_representative(mission_id, p["host-a"], "someone@host.ru", "xx", rep)
    for n in range(representatives.REPRESENTATIVE_LIMIT - 2):
        missions.invite_representative(mission_id, p["host-a"], f"n{n}@host.ru", "ru", rep)
    with pytest.raises(Conflict, match="at most"):
        missions.invite_representative(mission_id, p["host-a"], "one-more@host.ru", "ru", rep)
    assert missions.representation(other_id)[missions.person(other_id, q["host-a"]).company.id] == "nobody"


def test_an_unconfirmed_registration_gets_a_fresh_link_from_its_dead_one_or_by_its_address(missions):
    mission_id, _ = small_mission(missions)
    missions.set_registration(mission_id, True)
    registration = missions.register(mission_id, Registration(
        email="director@agro.uz", password="correct horse battery staple", language="uz",
        company=CompanyData(name_uz="Agro MChJ", tax_id="301234567", country="UZ", region="UZ-SI"),
        attendees=[{"name": "Alisher"}]), now=BEFORE)

    def links_sent() -> list[str]:
        with missions.db.session() as session:
            bodies = session.scalars(select(OutboxMessage.body_text).where(
                OutboxMessage.recipient == "director@agro.uz").order_by(OutboxMessage.id))
            return [body.split("/join/confirm/")[1].split("?")[0] for body in bodies]

    [first] = links_sent()
    user = Accounts(missions.db).find("director@agro.uz")
    assert missions.awaits_confirmation(user.id) and missions.confirmation_renewable(first)
    assert missions.renew_confirmation(first, now=AFTER)  # from a link three days dead
    missions.resend_confirmation("DIRECTOR@agro.uz ", now=AFTER)  # "forgot password"
    missions.resend_confirmation("nobody@agro.uz", now=AFTER)  # says nothing, sends nothing
    first_again, second, third = links_sent()
    with pytest.raises(LinkProblem):
        missions.registration_link(second)  # the newest link replaced it
    assert missions.registration_link(third).id == registration.id
    with pytest.raises(LinkProblem):
        missions.renew_confirmation("made-up")
    confirmed = Missions(missions.db, clock=lambda: AFTER)
    confirmed.confirm_registration(third)
    assert not missions.awaits_confirmation(user.id) and not missions.confirmation_renewable(first)
    assert not missions.renew_confirmation(first) and len(links_sent()) == 3  # confirmed: nothing more is sent


def test_requests_cannot_close_after_the_mission_ends(missions):
    """The outsider saved a deadline of 20 December for a mission that ends on the 16th."""
    with pytest.raises(MissionError) as refused:
        missions.create(MissionData(
            name="Late", host_territory="RU-ALT", visiting_territory="UZ-SI", timezone="Asia/Barnaul",
            days=[DAY1, DAY2], slot_minutes=30, tables=2, request_deadline=datetime(2026, 12, 20, 11, tzinfo=UTC)))
    assert [field for field, _ in refused.value.problems] == ["request_deadline"]


def test_an_online_participants_meetings_are_calls_with_a_link_and_no_table(missions):
    """Issue 29.4: the online guest's meeting is a call: it takes no table,
    its room cannot be guessed, and its link is in the agendas and the participants' own calendar entries."""
    from sqlalchemy import select

    from hamkor.accounts.service import Accounts
    from hamkor.store.models import OutboxMessage

    mission_id, p = small_mission(missions, tables=1, interpreters=0)
    missions.choose_attendance(mission_id, p["guest-ru"], True)  # the participant's own choice, before publication
    guest_company = missions.person(mission_id, p["guest-ru"]).company.id
    Accounts(missions.db).create_user("guest@example.org", "guest password 2026", "company", company_id=guest_company)
    missions.video_url, missions.room_secret = "https://meet.example.org/", lambda: "a secret of this instance"
    for guest, host in (("guest-ru", "host-a"), ("guest-uz", "host-b")):  # guest-uz and host-b share no language
        missions.answer(mission_id, missions.request(mission_id, p[guest], p[host], "must").id, True, now=BEFORE)
    missions.update_participant(mission_id, p["host-b"], languages=["ru", "uz"])
    missions.schedule(mission_id, seconds=2, now=BEFORE)
    mission = missions.get(mission_id)
    meetings = {m.request_id: m for m in documents.live_meetings(missions, mission_id)}
    assert len(meetings) == 2
    assert sorted(m.table_no for m in meetings.values()) == [0, 1]
    call = next(i for i in documents.participant_agenda(missions, mission, p["host-a"], "en") if i.kind == "meeting")
    assert call.online and call.table is None and call.link.startswith("https://meet.example.org/hamkor-")
    room = call.link.rsplit("/", 1)[1]
    assert len(room) == len("hamkor-") + 32  # an HMAC under the instance's key: not to be guessed
    same = next(i for i in documents.participant_agenda(missions, mission, p["guest-ru"], "ru") if i.kind == "meeting")
    assert same.link == call.link  # both sides get the same room
    on_site = next(i for i in documents.participant_agenda(missions, mission, p["guest-uz"], "en")
                   if i.kind == "meeting")
    assert not on_site.online and on_site.table == 1 and on_site.link is None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        documents.agenda_pdf(missions, mission, [p["host-a"]], "ru"))).pages)
    assert "Онлайн-встреча" in text and room in text.replace("\n", "")
    events = Calendar.from_ical(documents.participant_ics(missions, mission, p["guest-ru"], "en")).walk("VEVENT")
    assert call.link in str(events[0].get("LOCATION")) and call.link in str(events[0].get("DESCRIPTION"))
    with missions.db.session() as session:  # the schedule's mail to the online company names the call's link
        mailed = " ".join(m.body_text for m in session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == "guest@example.org")))
    assert call.link in mailed
    with pytest.raises(MissionError):  # published: the organizers change it, and re-plan
        missions.choose_attendance(mission_id, p["guest-ru"], False)
    grid = documents.grid(missions, mission)
    assert sum(len(row.calls) for row in grid) == 1 and sum(1 for row in grid for c in row.cells if c) == 1
    missions.video_url = None  # no video server: the call is still a call, listed without a link
    assert documents.participant_agenda(missions, mission, p["host-a"], "en")[0].link is None


def test_a_re_planned_call_is_said_online_with_its_link_never_as_table_0():
    from hamkor.i18n import localize
    from hamkor.missions.notices import moved_line

    link = "https://meet.example.org/hamkor-0123"
    moved = moved_line(("2026-12-15T10:00", 0), ("2026-12-15T11:00", 0), "Agro", link)
    assert localize(moved, "ru") == (
        f"Agro: перенесено с 15.12.2026 10:00, онлайн на 15.12.2026 11:00, онлайн — ссылка: {link}")
    assert localize(moved_line(None, ("2026-12-15T11:00", 0), "Agro", link), "en") == (
        f"Agro: new meeting at 15.12.2026 11:00, online: {link}")
    cancelled = localize(moved_line(("2026-12-15T10:00", 0), None, "Agro", link), "uz")
    assert "0-stol" not in cancelled and link not in cancelled and "onlayn" in cancelled
    # a meeting at a table is said as before
    assert "стол 3" in localize(moved_line(("2026-12-15T10:00", 3), ("2026-12-15T11:00", 4), "Agro"), "ru")


def test_every_change_to_a_missions_rows_counts_its_revision_up_and_nothing_else_does(missions):
    """What a participant's space caches is checked against this number (issue 28.8): a change it missed would
    show a participant a stale agenda, so each kind of write is tried, on SQLite and on PostgreSQL."""
    from hamkor.accounts.service import Accounts

    mission_id, p = small_mission(missions)
    other_id, _ = small_mission(missions)
    seen = [missions.revision(mission_id)]

    def counted(change) -> None:
        before, others = missions.revision(mission_id), missions.revision(other_id)
        change()
        assert missions.revision(mission_id) > before, change
        assert missions.revision(other_id) == others  # another mission's copy stays good
        seen.append(missions.revision(mission_id))

    made = []
    counted(lambda: made.append(missions.request(mission_id, p["guest-uz"], p["host-a"], "could")))
    counted(lambda: missions.answer(mission_id, made[0].id, True, now=BEFORE))
    counted(lambda: missions.update_participant(mission_id, p["host-b"], attendees=["Новый человек"]))
    counted(lambda: missions.add_visit(mission_id, "Завод", 53.3, 83.7, "10:00", "12:00", 60, 1))
    counted(lambda: missions.choose_attendance(mission_id, p["guest-ru"], True))
    counted(lambda: missions.schedule(mission_id, seconds=2, workers=1, seed=1, now=BEFORE))
    reader = Accounts(missions.db).create_user("reader@example.org", "a long enough password", "organizer")
    before = missions.revision(mission_id)
    missions.looked(reader.id, mission_id)  # a participant's look at their space is not a change to the mission
    assert missions.revision(mission_id) == before and seen == sorted(set(seen))
