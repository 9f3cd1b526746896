"""The cooperation registry on SQLite and PostgreSQL: validation, references, audit history, overdue
logic around time zones, timelines, reminders (by e-mail through a real SMTP server), the ICS feed."""

import time
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from hamkor.config import Settings
from hamkor.cooperation.calendar import events_ics
from hamkor.cooperation.mail import reminder_lines, send
from hamkor.cooperation.records import RecordError, RecordMissing
from hamkor.cooperation.service import Actor, Cooperation, is_overdue, today_in
from hamkor.store.db import Database

ANNA = Actor(None, "anna@example.org")


@pytest.fixture
def coop(database_url, tmp_path):
    db = Database(Settings(data_dir=tmp_path / "data", database_url=database_url))
    db.upgrade()
    yield Cooperation(db, tmp_path / "documents")
    db.dispose()


def problems_of(call) -> set[str]:
    with pytest.raises(RecordError) as refused:
        call()
    return {field for field, _ in refused.value.problems}


def test_records_are_validated_and_nothing_half_written(coop):
    assert problems_of(lambda: coop.create("organisations", {"kind": "ministry", "territory": "XX-ZZ"})) == {
        "kind", "territory", "name"}
    assert problems_of(lambda: coop.create("events", {
        "kind": "meeting", "title": "x", "start_date": "2026-05-02", "end_date": "2026-05-01",
        "partners": "UZ, QQ", "organisations": [99], "sources": "Report | ftp://nowhere"})) == {
        "end_date", "partners", "organisations", "sources"}
    assert problems_of(lambda: coop.create("commitments", {"title": "x", "status": "done"})) == {"done_on"}
    assert problems_of(lambda: coop.create("events", {"kind": "meeting", "title": "x", "start_date": "2026-13-40"})
                       ) == {"start_date"}
    assert coop.list("organisations") == coop.list("events") == coop.list("commitments") == []
    assert coop.recent_changes() == []  # refused input leaves no history either


def test_crud_references_and_audit_history(coop):
    org = coop.create("organisations", {"name_ru": "Правительство Алтайского края", "kind": "government",
                                        "territory": "ru-alt"}, ANNA)
    assert org.territory == "RU-ALT"
    event = coop.create("events", {"kind": "meeting", "title": "Working meeting", "start_date": "2025-12-18",
                                   "partners": "UZ, RU-ALT", "organisations": [str(org.id)],
                                   "sources": "Sputnik Uzbekistan, 18.12.2025\nSite | https://example.org/a"}, ANNA)
    assert event.partners == ["UZ", "RU-ALT"] and event.organisations == [org.id]
    assert event.sources == [{"title": "Sputnik Uzbekistan, 18.12.2025", "url": ""},
                             {"title": "Site", "url": "https://example.org/a"}]
    commitment = coop.create("commitments", {"title": "Business mission", "status": "open", "due_date": "2026-12-31",
                                             "organisation_id": org.id, "event_id": event.id}, ANNA)
    bob = Actor(None, "bob@example.org")
    coop.update("commitments", commitment.id, {"status": "in_progress"}, bob)
    coop.update("commitments", commitment.id, {"status": "in_progress"}, bob)  # no change, no history line
    history = coop.history("commitments", commitment.id)
    assert [(h.action, h.user_email) for h in history] == [("create", "anna@example.org"),
                                                           ("update", "bob@example.org")]
    assert history[1].changes == {"status": ["open", "in_progress"]} and history[1].at.year >= 2026
    assert coop.get("commitments", commitment.id).due_date == date(2026, 12, 31)  # untouched fields stay
    with pytest.raises(RecordError, match="referred to by event 1, commitment 1"):
        coop.delete("organisations", org.id, bob)
    coop.update("commitments", commitment.id, {"organisation_id": None}, bob)
    coop.update("events", event.id, {"organisations": []}, bob)
    coop.delete("organisations", org.id, bob)
    assert coop.get("organisations", org.id) is None
    assert [h.action for h in coop.history("organisations", org.id)] == ["create", "delete"]
    with pytest.raises(RecordMissing):
        coop.update("organisations", org.id, {"notes": "x"})


def test_overdue_is_decided_in_the_local_day():
    assert today_in("Asia/Barnaul", datetime(2026, 12, 2, 16, 59, tzinfo=UTC)) == date(2026, 12, 2)
    assert today_in("Asia/Barnaul", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)) == date(2026, 12, 3)  # UTC+7
    assert today_in("Europe/Moscow", datetime(2026, 12, 2, 20, 0, tzinfo=UTC)) == date(2026, 12, 2)
    assert today_in("Asia/Tashkent", datetime(2026, 12, 31, 19, 0)) == date(2027, 1, 1)  # naive = UTC

    class Due:
        def __init__(self, due, status="open"):
            self.due_date, self.status = due, status

    evening = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    due = Due(date(2026, 12, 2))
    assert is_overdue(due, today_in("Asia/Barnaul", evening))  # already 3 December in Barnaul
    assert not is_overdue(due, today_in("Europe/Moscow", evening))  # still the due day in Moscow
    assert not is_overdue(Due(date(2026, 12, 1), "done"), date(2026, 12, 5))
    assert not is_overdue(Due(None), date(2030, 1, 1))
    assert is_overdue(Due(date(2026, 12, 1), "in_progress"), date(2026, 12, 2))


def test_timeline_reminders_and_positions(coop):
    coop.create("events", {"kind": "meeting", "title": "Past meeting", "start_date": "2025-12-18",
                           "partners": ["UZ"]})
    coop.create("events", {"kind": "forum", "title": "Forum", "start_date": "2026-12-10", "partners": ["UZ-SI"]})
    agreement = coop.create("agreements", {"kind": "memorandum", "title": "MoU", "status": "in_force",
                                           "signed_on": "2024-06-01", "valid_until": "2027-02-01",
                                           "partners": ["UZ"]})
    late = coop.create("commitments", {"title": "Late", "status": "open", "due_date": "2026-11-30",
                                       "partners": ["UZ"]})
    coop.create("commitments", {"title": "Soon", "status": "open", "due_date": "2026-12-16", "partners": ["UZ"]})
    coop.create("commitments", {"title": "Done", "status": "done", "due_date": "2026-11-01",
                                "done_on": "2026-10-30", "partners": ["UZ"]})
    today = date(2026, 12, 2)
    items = coop.timeline("uz", today)
    assert [i.title for i in items] == ["MoU", "Soon", "Late", "Done", "Past meeting", "MoU"]  # newest first
    assert [i.kind for i in items][0] == "expiry" and [i.kind for i in items][5] == "agreement"
    assert [i.overdue for i in items] == [False, False, True, False, False, False]
    assert [i.title for i in coop.timeline("UZ-SI", today)] == ["Forum"]
    found = coop.reminders(today, days=14)
    assert [c.id for c in found.overdue] == [late.id] and [c.title for c in found.due_soon] == ["Soon"]
    assert [e.title for e in found.upcoming_events] == ["Forum"] and [a.id for a in found.expiring] == [agreement.id]
    assert coop.reminders(today, days=13).due_soon == []  # 16 December is 14 days away: the window is inclusive
    person = coop.create("people", {"name": "Виктор Томенко", "name_latin": "Viktor Tomenko"})
    coop.create("positions", {"person_id": person.id, "title": "Acting governor", "start_date": "2018-05-30",
                              "end_date": "2018-09-26"})
    coop.create("positions", {"person_id": person.id, "title": "Governor", "start_date": "2018-09-27"})
    assert coop.current_position(person.id, date(2018, 7, 1)).title == "Acting governor"
    assert coop.current_position(person.id, today).title == "Governor"
    assert coop.current_position(person.id, date(2010, 1, 1)) is None


def test_events_feed_is_valid_icalendar(coop):
    long_title = "Рабочая встреча, посвящённая итогам года; " * 3
    coop.create("events", {"kind": "meeting", "title": long_title, "start_date": "2025-12-18", "partners": ["UZ"],
                           "summary": "Строка 1\nСтрока 2, с запятой", "place": "Барнаул"})
    coop.create("events", {"kind": "mission", "title": "Mission", "start_date": "2026-12-15",
                           "end_date": "2026-12-16", "partners": ["UZ-SI"]}, synthetic=True)
    feed = events_ics(coop, base_url="http://localhost:8000")
    assert all(len(line.encode()) <= 75 for line in feed.decode().split("\r\n"))
    events = sorted(Calendar.from_ical(feed).walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["SUMMARY"]) for e in events] == [long_title.strip(), "Mission (demo)"]
    assert events[0].decoded("DTSTART") == date(2025, 12, 18) and events[0].decoded("DTEND") == date(2025, 12, 19)
    assert events[1].decoded("DTEND") == date(2026, 12, 17)  # all-day: the end is exclusive
    assert str(events[0]["DESCRIPTION"]) == "Строка 1\nСтрока 2, с запятой"
    assert str(events[0]["URL"]).startswith("http://localhost:8000/cooperation/events/")
    assert len({str(e["UID"]) for e in events}) == 2
    assert len(Calendar.from_ical(events_ics(coop, "UZ-SI")).walk("VEVENT")) == 1


def test_agreement_documents(coop):
    agreement = coop.create("agreements", {"kind": "agreement", "title": "Trade", "status": "signed"})
    with pytest.raises(RecordError, match="empty"):
        coop.attach_document(agreement.id, "a.pdf", b"")
    stored = coop.attach_document(agreement.id, "../../Соглашение 2026.pdf", b"%PDF-1.4 test", ANNA)
    assert "/" not in stored.document_file and coop.document_path(stored).read_bytes() == b"%PDF-1.4 test"
    assert coop.history("agreements", agreement.id)[-1].changes["document_name"][1] == stored.document_name


def test_reminders_by_email_through_smtp(coop, smtp_server):
    port, inbox = smtp_server
    coop.create("commitments", {"title": "Отправить программу визита", "status": "open", "due_date": "2026-11-30"})
    lines = reminder_lines(coop, coop.reminders(date(2026, 12, 2)))
    assert lines and lines[0].startswith("OVERDUE since 2026-11-30")
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="hamkor@example.org")
    send(settings, "hamkor: reminders", lines, ["office@example.org"])
    for _ in range(50):
        if inbox.messages:
            break
        time.sleep(0.05)
    [(recipients, content)] = inbox.messages
    assert recipients == ["office@example.org"] and "Subject: hamkor: reminders" in content
    with pytest.raises(ValueError, match="SMTP"):
        send(Settings(), "x", lines, ["a@b.c"])


def test_demo_holds_the_public_facts(demo_settings):
    db = Database(demo_settings)
    try:
        coop = Cooperation(db)
        [meeting] = [e for e in coop.list("events") if e.start_date == date(2025, 12, 18)]
        assert "33%" in meeting.summary and "Сырдарьинской" in meeting.summary and not meeting.synthetic
        assert meeting.sources[0]["title"].startswith("Sputnik Узбекистан, 18.12.2025")
        people = {p.name_latin for p in coop.list("people")}
        assert people == {"Viktor Tomenko", "Aslam Akbarov"}
        commitments = coop.list("commitments")
        assert len(commitments) == 3 and all(c.status == "open" and c.event_id == meeting.id for c in commitments)
        mission = next(c for c in commitments if c.mission_id)
        from hamkor.missions.service import Missions

        assert Missions(db).get(mission.mission_id).synthetic
        assert any("Совета регионов" in c.title for c in commitments)  # the platform named at the meeting
    finally:
        db.dispose()


def test_a_record_is_read_in_the_readers_language_and_the_brief_marks_what_is_not_translated(coop):
    """Issue 26.7: the Uzbek brief was half Russian. A record's title and summary may be written in each
    language; where only the original exists, a brief in another language says so."""
    from hamkor.briefing.compose import _cooperation_section
    from hamkor.cooperation.digest import digest

    coop.create("events", {"kind": "meeting", "title": "Встреча в Ташкенте", "title_uz": "Toshkentdagi uchrashuv",
                           "title_en": "Meeting in Tashkent", "start_date": "2025-11-01", "partners": ["UZ"],
                           "summary": "Итоги", "summary_uz": "Yakunlar", "summary_en": "Results"}, ANNA)
    coop.create("commitments", {"title": "Подготовить дорожную карту", "status": "open", "partners": ["UZ"]}, ANNA)
    found = digest(coop, "UZ", date(2026, 1, 15), "uz")
    assert (found.meetings[0].title, found.meetings[0].summary, found.meetings[0].untranslated) == (
        "Toshkentdagi uchrashuv", "Yakunlar", False)
    assert found.commitments[0].title == "Подготовить дорожную карту" and found.commitments[0].untranslated
    uz = _cooperation_section(found, "uz")
    assert "(reyestrda tarjimasi yoʻq)" in uz[1].items[0] and "tarjimasi" not in uz[0].items[0]
    russian = _cooperation_section(digest(coop, "UZ", date(2026, 1, 15), "ru"), "ru")
    assert "перевода" not in " ".join(russian[0].items + russian[1].items)  # the original is never marked
