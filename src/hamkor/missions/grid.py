"""A mission's time grid: days, slots of a set length, breaks. Pure functions over plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hamkor.errors import reason_of
from hamkor.i18n import Msg
from hamkor.missions.itinerary import ItineraryError, clock, minutes


class GridError(ValueError):
    """The days, hours or breaks do not make a grid; the message says which."""


@dataclass(frozen=True)
class Slot:
    id: str  # "2026-12-15T10:00": sorts in time order and names itself
    day: int  # index of the day
    date: str
    start: int  # minutes after midnight
    end: int

    @property
    def label(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"

    def as_instance_slot(self) -> dict:
        return {"id": self.id, "day": self.day, "date": self.date, "start": clock(self.start), "end": clock(self.end)}


def _minutes(text, where: str) -> int:
    try:
        return minutes(str(text))
    except ItineraryError:
        raise GridError(Msg("%(where)s: '%(text)s' is not a time of day (HH:MM)", where=where, text=text)) from None


def check_days(days: list[dict]) -> list[str]:
    """Problems with the days as given (empty when they make a grid)."""
    problems, seen = [], set()
    if not days:
        return ["days: at least one day is needed"]
    for n, day in enumerate(days, 1):
        where = Msg("day %(n)s", n=n)  # said in the reader's language with the reason it is part of
        try:
            when = date.fromisoformat(str(day.get("date", "")))
        except ValueError:
            problems.append(Msg("%(where)s: date '%(value)s' is not YYYY-MM-DD", where=where, value=day.get('date')))
            continue
        if when in seen:
            problems.append(Msg("%(where)s: %(when)s is given twice", where=where, when=when))
        seen.add(when)
        try:
            start, end = _minutes(day.get("start"), where), _minutes(day.get("end"), where)
            if start >= end:
                problems.append(Msg("%(where)s: the day must start before it ends (%(value)s–%(value2)s)",
                                    where=where, value=day.get('start'), value2=day.get('end')))
            for pause in day.get("breaks", []):
                first, last = _minutes(pause[0], where), _minutes(pause[1], where)
                if not start <= first < last <= end:
                    problems.append(Msg("%(where)s: break %(pause)s–%(pause2)s is not inside the day",
                                        where=where, pause=pause[0], pause2=pause[1]))
        except GridError as problem:
            problems.append(reason_of(problem))
        except (TypeError, IndexError):
            problems.append(Msg("%(where)s: a break is a pair of times, e.g. [\"13:00\", \"14:00\"]", where=where))
    return problems


def time_grid(days: list[dict], slot_minutes: int) -> list[Slot]:
    """Every slot of every day in time order; a slot never runs into a break or past the day's end."""
    if slot_minutes < 5:
        raise GridError("slot length: at least 5 minutes")
    problems = check_days(days)
    if problems:
        raise GridError("; ".join(problems))
    slots = []
    for index, day in enumerate(sorted(days, key=lambda d: d["date"])):
        start, end = minutes(day["start"]), minutes(day["end"])
        breaks = sorted((minutes(a), minutes(b)) for a, b in day.get("breaks", []))
        moment = start
        while moment + slot_minutes <= end:
            clash = next(((a, b) for a, b in breaks if moment < b and a < moment + slot_minutes), None)
            if clash:
                moment = clash[1]  # the next slot starts when the break ends
                continue
            slots.append(Slot(f"{day['date']}T{clock(moment)}", index, day["date"], moment, moment + slot_minutes))
            moment += slot_minutes
    return slots


def slots_overlapping(slots: list[Slot], day: str, start: int, end: int) -> list[str]:
    """The slots of that day that overlap [start, end) — e.g. the time a group is away on visits."""
    return [s.id for s in slots if s.date == day and s.start < end and start < s.end]
