"""Agendas and iCalendar files from a schedule."""

from datetime import UTC, datetime

import pytest

from hamkor.missions.agenda import AgendaError, agenda, to_ics
from hamkor.missions.scheduler import load_instance, schedule

SLOTS = [{"id": "a1", "date": "2026-05-20", "start": "10:00", "end": "10:30"},
         {"id": "a2", "date": "2026-05-20", "start": "10:30", "end": "11:00"}]


def event():
    return load_instance({"slots": SLOTS, "tables": 2, "interpreters": [{"languages": ["ru", "uz"], "count": 1}],
                          "participants": [{"id": "visitor", "languages": ["uz"]},
                                           {"id": "host1", "languages": ["ru"]},
                                           {"id": "host2", "languages": ["uz", "ru"]}],
                          "requests": [{"id": "r1", "a": "visitor", "b": "host1", "priority": "must"},
                                       {"id": "r2", "a": "visitor", "b": "host2"}]})


def test_agenda_and_calendar():
    instance = event()
    result = schedule(instance, seconds=1, workers=1, seed=1)
    entries = agenda(instance, SLOTS, result, "visitor")
    assert [e.counterpart for e in entries] in (["host1", "host2"], ["host2", "host1"])
    assert [e.start.strftime("%H:%M") for e in entries] == ["10:00", "10:30"]
    assert {e.counterpart: e.interpreter for e in entries} == {"host1": True, "host2": False}
    names = {"host1": "АО «Котломаш-1», Барнаул; цех №2 — очень длинное название для переноса строки", "visitor": "V"}
    ics = to_ics(entries, "visitor", "Syrdarya mission 2026", names, stamp=datetime(2026, 5, 1, tzinfo=UTC))
    text = ics.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2 and "DTSTART:20260520T100000" in text
    assert "\\;" in text and "\\," in text  # text values escaped
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))  # folded
    unfolded = text.replace("\r\n ", "")
    assert "цех №2 — очень длинное название для переноса строки (interpreter)" in unfolded


def test_agendas_need_dates():
    instance = event()
    result = schedule(instance, seconds=1, workers=1, seed=1)
    with pytest.raises(AgendaError, match="need date"):
        agenda(instance, [{"id": "a1"}, {"id": "a2"}], result, "visitor")
    with pytest.raises(AgendaError, match="no participant"):
        agenda(instance, SLOTS, result, "nobody")
