"""The B2B schedule: the mission read into the scheduler's instance, solved, published with its
certificate; re-planning; meetings put in, locked or cancelled by hand."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.errors import reason_of
from hamkor.i18n import Msg
from hamkor.missions import letters, scheduler
from hamkor.missions.base import (
    OUTCOME_STATUSES,
    PRIORITIES,
    MissionConflict,
    MissionError,
    mission_row,
    now_utc,
    scoped_row,
)
from hamkor.missions.grid import Slot
from hamkor.missions.notices import meeting_line, moved_line, name_of, tell_company
from hamkor.missions.requests import RequestView
from hamkor.missions.setup import Person
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import Mission, MissionMeeting, MissionParticipant, MissionRequest

Requester, Target = aliased(MissionParticipant), aliased(MissionParticipant)

Progress = Callable[[float, str], None]


@dataclass
class Built:
    """A mission read into the scheduler's instance, with the ways back to its records."""

    instance: scheduler.Instance
    slots: list[Slot]
    request_of: dict[str, MissionRequest]  # instance request id -> the request that stands for the pair
    people: dict[int, Person]
    merged: dict[int, int] = field(default_factory=dict)  # a mutual request -> the one kept for the pair


class MissionScheduling:
    @unit_of_work
    def build(self, mission_id: int, now: datetime | None = None) -> Built:
        """The mission as a scheduler instance: accepted requests, pending ones until the deadline,
        one request for each mutual pair (both asked: it counts as accepted, at the higher priority),
        locked meetings where they are, visits blocking the delegation's slots."""
        mission = self.mission(mission_id)
        slots = self.slots(mission)
        index = {s.id: n for n, s in enumerate(slots)}
        people = self.people(mission_id)
        away = self.away_slots(mission, slots)
        participants = {}
        for pid, person in people.items():
            p = person.participant
            available = None if p.available is None else frozenset(index[s] for s in p.available if s in index)
            blocked = frozenset(index[s] for s in away) if p.joins_visits else frozenset()
            participants[str(pid)] = scheduler.Participant(str(pid), frozenset(p.languages or ["ru"]), available,
                                                           blocked, bool(p.online))
        views = self.requests(mission_id, now)
        by_pair: dict[frozenset, list[RequestView]] = {}
        for view in views:
            r = view.request
            if r.status == "accepted" or (r.status == "pending" and not view.expired):
                by_pair.setdefault(frozenset((r.requester_id, r.target_id)), []).append(view)
        requests, request_of, merged = [], {}, {}
        rank = {p: n for n, p in enumerate(PRIORITIES)}
        for pair_views in by_pair.values():
            pair_views.sort(key=lambda v: v.request.id)
            kept = pair_views[0].request
            for other in pair_views[1:]:
                merged[other.request.id] = kept.id
            priority = min((v.request.priority for v in pair_views), key=lambda p: rank[p])
            host, guest = sorted((kept.requester_id, kept.target_id), key=lambda i: people[i].participant.side)
            requests.append(scheduler.Request(str(kept.id), str(guest), str(host),
                                              scheduler.PRIORITY_WEIGHTS[priority], priority))
            request_of[str(kept.id)] = kept
        interpreters: dict[tuple[str, str], list[int]] = {}
        for pool in mission.interpreters or []:
            pair = tuple(sorted(pool["languages"]))
            interpreters[pair] = [interpreters.get(pair, [0] * len(slots))[n] + int(pool["count"])
                                  for n in range(len(slots))]
        locked = {}
        for meeting in self.meetings(mission_id):
            key = str(merged.get(meeting.request_id, meeting.request_id))
            if meeting.locked and meeting.status != "cancelled" and key in request_of and meeting.slot in index:
                locked[key] = index[meeting.slot]
        instance = scheduler.Instance([s.id for s in slots], [mission.tables] * len(slots), interpreters,
                                      participants, requests, locked)
        return Built(instance, slots, request_of, people, merged)

    def instance_json(self, mission_id: int, now: datetime | None = None) -> dict:
        """The mission in the scheduler's documented instance format (instance.schema.json)."""
        return self._instance_dict(self.build(mission_id, now))

    @staticmethod
    def _instance_dict(built: Built) -> dict:
        instance = built.instance
        pools = [{"languages": list(pair), "count": counts[0]} for pair, counts in instance.interpreters.items()]
        return {
            "slots": [s.as_instance_slot() for s in built.slots],
            "tables": instance.tables[0] if instance.tables else 0,
            "interpreters": pools,
            "participants": [{"id": p.id, "languages": sorted(p.languages),
                              **({"available": [instance.slots[s] for s in sorted(p.available)]}
                                 if p.available is not None else {}),
                              **({"blocked": [instance.slots[s] for s in sorted(p.blocked)]} if p.blocked else {})}
                             for p in instance.participants.values()],
            "requests": [{"id": r.id, "a": r.a, "b": r.b, "priority": r.priority, "weight": r.weight}
                         for r in instance.requests],
            "locked": [{"request": rid, "slot": instance.slots[s]} for rid, s in instance.locked.items()],
        }

    def meetings(self, mission_id: int) -> list[MissionMeeting]:
        with self.db.session() as session:
            rows = list(session.scalars(select(MissionMeeting).where(MissionMeeting.mission_id == mission_id)
                                        .order_by(MissionMeeting.slot, MissionMeeting.table_no)))
            return rows

    def schedule(self, mission_id: int, seconds: float = 10.0, workers: int = 1, seed: int | None = 1,
                 now: datetime | None = None, progress: Progress | None = None,
                 publish: bool = True) -> scheduler.Schedule:
        """Plan the visits, then the B2B grid: published at once with its certificate (and everyone mailed their
        meetings), or with `publish=False` kept as the mission's draft, which the organizer looks at and then
        publishes (`publish_draft`) or discards.

        Two units of work with the solver between them, so no transaction is held while it runs: the
        first expires late requests, plans the visits and reads the instance; the second writes the
        schedule (or the draft) with the mission locked."""
        tell = progress or (lambda fraction, message: None)
        built, fingerprint = self._prepare(mission_id, now, tell)
        tell(0.4, "scheduling the meetings")
        try:
            result = scheduler.schedule(built.instance, seconds, workers, seed)
        except scheduler.InstanceError as problem:
            raise MissionError([("schedule", reason_of(problem))]) from None
        certificate = self._certificate(built, result.assignment, result)
        if publish:
            tell(0.9, "publishing")
            self._publish(mission_id, built, result.assignment, {}, certificate)
        else:
            tell(0.9, "keeping the draft")
            self._keep_draft(mission_id, built, result.assignment, {}, certificate, "schedule", fingerprint)
        tell(1.0, "done")
        return result

    @unit_of_work
    def _prepare(self, mission_id: int, now: datetime | None, tell: Progress) -> tuple[Built, str]:
        if any(m.status in OUTCOME_STATUSES for m in self.meetings(mission_id)):
            raise MissionConflict("outcomes are recorded already: re-plan the rest instead of scheduling anew")
        tell(0.05, "expiring pending requests past the deadline")
        self.expire(mission_id, now)
        tell(0.1, "planning the enterprise visits")
        self.plan_visits(mission_id)
        tell(0.3, "building the instance")
        built, _, fingerprint = self._read_state(mission_id, now)
        return built, fingerprint

    @unit_of_work
    def _read_state(self, mission_id: int, now: datetime | None) -> tuple[Built, dict[str, MissionMeeting], str]:
        """The instance, the meetings in the grid (by request), and a fingerprint of both: a draft is published
        only while the mission is as it was when the draft was made."""
        built = self.build(mission_id, now)
        previous = {str(m.request_id): m for m in self.meetings(mission_id) if m.status != "cancelled"}
        state = {"instance": self._instance_dict(built),
                 "meetings": sorted([rid, m.slot, m.table_no, bool(m.locked), m.status] for rid, m in previous.items())}
        fingerprint = hashlib.sha256(json.dumps(state, sort_keys=True).encode("utf-8")).hexdigest()
        return built, previous, fingerprint

    @staticmethod
    def _certificate(built: Built, assignment: dict[str, int], result: scheduler.Schedule) -> dict:
        return {"value": result.value, "upper_bound": result.upper_bound, "quality": result.quality,
                "proven_optimal": result.proven_optimal, "requests": len(built.instance.requests),
                "scheduled": len(assignment), "reasons": dict(result.reasons),
                "stages": [{"stage": s, "value": v, "seconds": round(t, 3)} for s, v, t in result.stages],
                "run_at": now_utc().isoformat(timespec="seconds")}

    @staticmethod
    def _tables(instance: scheduler.Instance, assignment: dict[str, int],
                previous: dict[str, MissionMeeting]) -> dict[str, int]:
        """A table for each meeting: one kept in its slot keeps its table where it can, others get a free one; a
        call (a side online) gets none (0)."""
        taken: dict[int, set[int]] = {}
        tables: dict[str, int] = {}
        calls = {r.id for r in instance.requests if not instance.takes_table(r)}
        for rid, slot in sorted(assignment.items(), key=lambda item: (item[0] not in previous, item[1], item[0])):
            if rid in calls:
                tables[rid] = 0
                continue
            old = previous.get(rid)
            used = taken.setdefault(slot, set())
            if old is not None and old.slot == instance.slots[slot] and old.table_no and old.table_no not in used:
                tables[rid] = old.table_no
            else:
                tables[rid] = next(n for n in range(1, instance.tables[slot] + 1) if n not in used)
            used.add(tables[rid])
        return tables

    @unit_of_work
    def _keep_draft(self, mission_id: int, built: Built, assignment: dict[str, int],
                    previous: dict[str, MissionMeeting], certificate: dict, kind: str, fingerprint: str,
                    from_slot: str | None = None) -> None:
        """The schedule as the mission's draft: nothing in the grid changes and nobody is told until it is
        published."""
        instance = built.instance
        tables = self._tables(instance, assignment, previous)
        by_id = {r.id: r for r in instance.requests}
        mission = mission_row(session_of(self), mission_id, lock=True)
        mission.draft = {
            "kind": kind, "from_slot": from_slot, "made_at": self.clock().isoformat(timespec="seconds"),
            "fingerprint": fingerprint, "keep_tables": bool(previous), "certificate": certificate,
            "meetings": [{"request": rid, "slot": instance.slots[slot], "table": tables[rid],
                          "interpreter": instance.pairs_for(by_id[rid]) is not None}
                         for rid, slot in sorted(assignment.items(), key=lambda item: (item[1], tables[item[0]]))]}

    @unit_of_work
    def publish_draft(self, mission_id: int, now: datetime | None = None) -> dict:
        """Publish the draft as it was shown, and mail every company its meetings (or what changed). Refused when
        there is none, or when the mission changed since it was made (a request, a participant, its times, a
        meeting placed or cancelled by hand): the organizer makes a new draft and looks again."""
        mission = mission_row(session_of(self), mission_id, lock=True)
        draft = mission.draft
        if not draft:
            raise MissionConflict([("schedule", "there is no draft schedule to publish: make one first")])
        built, previous, fingerprint = self._read_state(mission_id, now)
        if fingerprint != draft["fingerprint"]:
            raise MissionConflict([("schedule", "the mission changed since the draft was made (its requests, "
                                                "participants, times or meetings): make a new draft")])
        index = {slot: n for n, slot in enumerate(built.instance.slots)}
        assignment = {m["request"]: index[m["slot"]] for m in draft["meetings"]}
        self._publish(mission_id, built, assignment, previous if draft.get("keep_tables") else {},
                      draft["certificate"])
        return draft["certificate"]

    @unit_of_work
    def discard_draft(self, mission_id: int) -> None:
        mission_row(session_of(self), mission_id, lock=True).draft = None

    def draft_changes(self, mission: Mission) -> dict[str, int]:
        """What publishing the draft would change in the grid: meetings new, moved (another time or table),
        dropped and kept, and how many companies would be mailed."""
        planned = {m["request"]: (m["slot"], m["table"]) for m in (mission.draft or {}).get("meetings", [])}
        current = {str(m.request_id): (m.slot, m.table_no) for m in self.meetings(mission.id)
                   if m.status == "scheduled"}
        # a first schedule tells everyone all their meetings; once one is published, only what changes is told
        # (as _tell_schedule does), whether the draft is a re-plan or a whole new schedule
        if not current:
            changed = set(planned)
        else:
            changed = {rid for rid in set(planned) | set(current) if planned.get(rid) != current.get(rid)}
        pairs = self._request_people(mission.id)
        people = self.people(mission.id)
        companies = {people[p].company.id for rid in changed for p in pairs.get(int(rid), ()) if p in people}
        return {"new": len(planned.keys() - current.keys()), "dropped": len(current.keys() - planned.keys()),
                "moved": sum(1 for rid in planned.keys() & current.keys() if planned[rid] != current[rid]),
                "kept": sum(1 for rid in planned.keys() & current.keys() if planned[rid] == current[rid]),
                "companies": len(companies)}

    @unit_of_work
    def _publish(self, mission_id: int, built: Built, assignment: dict[str, int], previous: dict[str, MissionMeeting],
                 certificate: dict) -> None:
        """Write the assignment (a draft there was is spent): meetings kept keep their table where they can,
        others get a free one; each company is told of its meetings."""
        instance = built.instance
        tables = self._tables(instance, assignment, previous)
        by_id = {r.id: r for r in instance.requests}
        with self.db.session() as session:
            mission = mission_row(session, mission_id, lock=True)
            current = {str(m.request_id): m for m in session.scalars(
                select(MissionMeeting).where(MissionMeeting.mission_id == mission_id))}
            before = {rid: (m.slot, m.table_no) for rid, m in current.items() if m.status == "scheduled"}
            for rid, meeting in current.items():
                if rid not in assignment and meeting.status == "scheduled":
                    if meeting.locked:
                        continue
                    session.delete(meeting)
            for rid, slot in assignment.items():
                meeting = current.get(rid)
                if meeting is None:
                    meeting = MissionMeeting(mission_id=mission_id, request_id=int(rid), locked=False,
                                             status="scheduled")
                    session.add(meeting)
                meeting.slot, meeting.table_no = instance.slots[slot], tables[rid]
                meeting.interpreter = instance.pairs_for(by_id[rid]) is not None
                meeting.updated_at = self.clock()
            mission.certificate = certificate
            mission.draft = None
            mission.updated_at = now_utc()
            after = {rid: (instance.slots[slot], tables[rid]) for rid, slot in assignment.items()}
            after.update({rid: place for rid, place in before.items() if rid not in assignment
                          and current[rid].locked})  # a locked meeting stays where it was
            self._tell_schedule(session, mission, before, after)

    def _tell_schedule(self, session, mission, before: dict[str, tuple[str, int]],
                       after: dict[str, tuple[str, int]]) -> None:
        """Each company's representatives hear of their meetings: all of them when the schedule is first
        published, and what moved or was cancelled when it is re-planned (old and new time)."""
        pairs = {str(r.id): (a.company_id, b.company_id) for r, a, b in session.execute(
            select(MissionRequest, Requester, Target)
            .join(Requester, Requester.id == MissionRequest.requester_id)
            .join(Target, Target.id == MissionRequest.target_id)
            .where(MissionRequest.mission_id == mission.id)).all()}
        first = not before
        news: dict[int, list[tuple[str, int, tuple | None, tuple | None]]] = {}
        for rid in sorted(set(before) | set(after), key=lambda r: (after.get(r) or before.get(r))[0]):
            old, new = before.get(rid), after.get(rid)
            if rid not in pairs or (old == new and not first):
                continue
            a, b = pairs[rid]
            news.setdefault(a, []).append((rid, b, old, new))
            news.setdefault(b, []).append((rid, a, old, new))
        now = self.clock()
        for company_id, items in news.items():
            if first:
                tell_company(session, company_id, mission, now, lambda lang, items=items: letters.schedule_published(
                    self.site_url, mission, [meeting_line(new[0], new[1], name_of(session, other, lang),
                                                          None if new[1] else self.call_url(mission.id, int(rid)))
                                             for rid, other, _, new in items], lang))
            else:
                tell_company(session, company_id, mission, now, lambda lang, items=items: letters.meetings_changed(
                    self.site_url, mission, [moved_line(old, new, name_of(session, other, lang),
                                                        self.call_url(mission.id, int(rid)) if new else None)
                                             for rid, other, old, new in items], lang))

    def replan(self, mission_id: int, from_slot: str, seconds: float = 10.0, workers: int = 1, seed: int | None = 1,
               now: datetime | None = None, publish: bool = True) -> scheduler.Replan:
        """After cancellations and no-shows: slots before `from_slot` stay; the rest is re-optimised with
        as few changes to published meetings as possible. Absent participants lose their later meetings.
        Like `schedule`: read in one unit of work, solve, write in another (the draft with `publish=False`)."""
        built, previous, fingerprint = self._read_state(mission_id, now)
        instance = built.instance
        if from_slot not in instance.slots:
            raise MissionError([("from_slot", Msg("'%(from_slot)s' is not a slot of this mission",
                                                  from_slot=from_slot))])
        start = instance.slots.index(from_slot)
        published = {rid: instance.slots.index(m.slot) for rid, m in previous.items()
                     if rid in built.request_of and m.slot in instance.slots}
        absent = {str(pid) for pid, person in built.people.items() if person.participant.absent}
        try:
            outcome = scheduler.replan(instance, published, start, set(), absent, seconds, workers, seed)
        except scheduler.InstanceError as problem:
            raise MissionError([("replan", reason_of(problem))]) from None
        kept_past = {rid: s for rid, s in published.items() if s < start}
        assignment = {**outcome.schedule.assignment, **kept_past}
        certificate = self._certificate(built, assignment, outcome.schedule)
        if publish:
            self._publish(mission_id, built, assignment, previous, certificate)
        else:
            self._keep_draft(mission_id, built, assignment, previous, certificate, "replan", fingerprint, from_slot)
        return outcome

    @unit_of_work
    def add_meeting(self, mission_id: int, a: int, b: int, slot: str, actor: Actor = SYSTEM,
                    lock: bool = True) -> MissionMeeting:
        """An organizer puts a meeting in the grid by hand (accepted at once, locked where it is).
        The mission is locked first: two organizers placing meetings at once take turns, and the
        second is checked against what the first wrote."""
        mission = mission_row(session_of(self), mission_id, lock=True)
        slots = {s.id for s in self.slots(mission)}
        if slot not in slots:
            raise MissionError([("slot", Msg("'%(slot)s' is not a slot of this mission", slot=slot))])
        people = self.people(mission_id)
        if a not in people or b not in people:
            raise MissionError([("participant", "both sides must take part in this mission")])
        views = [v for v in self.requests(mission_id)
                 if {v.request.requester_id, v.request.target_id} == {a, b}
                 and v.request.status in ("pending", "accepted")]
        existing = views[0].request if views else None
        # every check before anything is written: a refused meeting leaves no request behind
        busy = [m for m in self.meetings(mission_id) if m.slot == slot and m.status != "cancelled"
                and (existing is None or m.request_id != existing.id)]
        request_people = self._request_people(mission_id)
        for m in busy:
            clash = set(request_people.get(m.request_id, ())) & {a, b}
            if clash:
                raise MissionError([("slot", Msg("%(value)s already meets someone at %(slot)s",
                                                 value=people[clash.pop()].name(), slot=slot))])
        call = any(people[p].participant.online for p in (a, b))  # a side online: a call, no table
        if not call and len([m for m in busy if m.table_no]) >= mission.tables:
            raise MissionError([("slot", Msg("every table is taken at %(slot)s", slot=slot))])
        if existing is None:
            chosen = self.request(mission_id, a, b, "must", None, actor, origin="organizer", status="accepted")
        else:
            chosen = existing
            if chosen.status == "pending":
                self.answer(mission_id, chosen.id, True, actor)
        pair = {a, b}
        interpreter = not set.intersection(*(set(people[p].participant.languages or []) for p in pair))
        with self.db.session() as session:
            meeting = session.scalars(select(MissionMeeting).where(MissionMeeting.request_id == chosen.id)).first()
            used = {m.table_no for m in busy}
            if meeting is None:
                meeting = MissionMeeting(mission_id=mission_id, request_id=chosen.id, status="scheduled")
                session.add(meeting)
            meeting.slot, meeting.locked, meeting.interpreter = slot, lock, interpreter
            meeting.table_no = 0 if call else next(n for n in range(1, mission.tables + 1) if n not in used)
            meeting.updated_at = self.clock()
            session.flush()
            return meeting

    def _request_people(self, mission_id: int) -> dict[int, tuple[int, int]]:
        with self.db.session() as session:
            return {rid: (a, b) for rid, a, b in session.execute(select(
                MissionRequest.id, MissionRequest.requester_id, MissionRequest.target_id).where(
                MissionRequest.mission_id == mission_id))}

    @staticmethod
    def _meeting_row(session, mission_id: int, meeting_id: int) -> MissionMeeting:
        return scoped_row(session, MissionMeeting, mission_id, meeting_id, "meeting", "No such meeting.")

    @unit_of_work
    def set_lock(self, mission_id: int, meeting_id: int, locked: bool) -> MissionMeeting:
        with self.db.session() as session:
            meeting = self._meeting_row(session, mission_id, meeting_id)
            meeting.locked, meeting.updated_at = locked, self.clock()
            session.flush()
            return meeting

    @unit_of_work
    def cancel_meeting(self, mission_id: int, meeting_id: int) -> None:
        with self.db.session() as session:
            request_id = self._meeting_row(session, mission_id, meeting_id).request_id
        self.cancel_request(mission_id, request_id)
