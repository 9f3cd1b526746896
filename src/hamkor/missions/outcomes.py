"""After the meetings: what came of each (held, rating, follow-up stage, value) and the funnel."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from hamkor.accounts.permissions import Actor
from hamkor.i18n import Msg
from hamkor.missions.base import OUTCOME_STATUSES, STAGES, MissionError, mission_row, now_utc
from hamkor.reference.nomenclature import nomenclature
from hamkor.store.db import unit_of_work
from hamkor.store.models import MissionMeeting, MissionRequest


@dataclass
class FunnelStep:
    stage: str
    meetings: int
    value_usd: float


@dataclass
class Funnel:
    steps: list[FunnelStep]
    scheduled: int
    recorded: int  # meetings with an outcome entered
    no_shows: int
    average_rating: float | None
    synthetic: bool


@dataclass
class Outcome:
    """What came of one meeting, as an organizer enters it."""

    meeting_id: int
    status: str
    rating: int | None = None
    stage: str | None = None
    hs_code: str | None = None
    value_usd: float | None = None
    notes: str | None = None

    @property
    def code(self) -> str | None:
        return (self.hs_code or "").replace(" ", "").replace(".", "") or None

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        if self.status not in OUTCOME_STATUSES:
            problems.append(("status", "held or no_show"))
        if self.rating is not None and not 1 <= self.rating <= 5:
            problems.append(("rating", "1 to 5"))
        if self.stage is not None and self.stage not in STAGES:
            problems.append(("stage", "contact, negotiation, contract or shipment"))
        if self.status == "no_show" and (self.stage or self.rating):
            problems.append(("stage", "a meeting not held has no rating or follow-up"))
        code = self.code
        if code and not (code.isdigit() and 2 <= len(code) <= 10 and any(
                nomenclature().get(code, e) for e in ("HS2022", "HS2017"))):
            problems.append(("hs_code", Msg("unknown HS / TN VED code '%(hs_code)s'", hs_code=self.hs_code)))
        if self.value_usd is not None and (not math.isfinite(self.value_usd) or self.value_usd < 0):
            problems.append(("value_usd", "a value in USD, zero or more"))
        return problems

    def _stored(self) -> tuple:
        return (self.status, self.rating, self.stage, self.code, self.value_usd, (self.notes or "").strip() or None)

    def differs_from(self, meeting: MissionMeeting) -> bool:
        return self._stored() != (meeting.status, meeting.rating, meeting.stage, meeting.hs_code, meeting.value_usd,
                                  meeting.notes)

    def write(self, meeting: MissionMeeting) -> None:
        (meeting.status, meeting.rating, meeting.stage, meeting.hs_code, meeting.value_usd,
         meeting.notes) = self._stored()
        meeting.updated_at = now_utc()


class MissionOutcomes:
    @unit_of_work
    def record_outcome(self, mission_id: int, meeting_id: int, status: str, rating: int | None = None,
                       stage: str | None = None, hs_code: str | None = None, value_usd: float | None = None,
                       notes: str | None = None) -> MissionMeeting:
        entry = Outcome(meeting_id, status, rating, stage, hs_code, value_usd, notes)
        problems = entry.problems()
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission_row(session, mission_id, lock=True)
            meeting = self._meeting_row(session, mission_id, meeting_id)
            if meeting.status == "cancelled":
                raise MissionError([("status", "this meeting was cancelled")])
            entry.write(meeting)
            session.flush()
            return meeting

    @unit_of_work
    def record_outcomes(self, mission_id: int, entries: list[Outcome]) -> int:
        """Many meetings' outcomes at once (the outcomes page's one form): all are written or, when any
        is wrong, none, with every problem named by its meeting's time and table. Returns how many
        meetings changed; an entry that repeats what is stored is not rewritten."""
        with self.db.session() as session:
            mission_row(session, mission_id, lock=True)
            wanted = {entry.meeting_id for entry in entries}
            meetings = {m.id: m for m in session.scalars(select(MissionMeeting).where(  # one query, not one a row
                MissionMeeting.mission_id == mission_id, MissionMeeting.id.in_(wanted)))} if wanted else {}
            for missing in sorted(wanted - meetings.keys())[:1]:
                self._meeting_row(session, mission_id, missing)  # says "no such meeting" as everywhere
            problems = []
            for entry in entries:
                meeting = meetings[entry.meeting_id]
                found = entry.problems() + ([("status", "this meeting was cancelled")]
                                            if meeting.status == "cancelled" else [])
                problems += [(field, Msg("%(slot)s, table %(table)s: %(reason)s", slot=meeting.slot.replace("T", " "),
                                         table=meeting.table_no, reason=reason)) for field, reason in found]
            if problems:
                raise MissionError(problems)
            changed = [entry for entry in entries if entry.differs_from(meetings[entry.meeting_id])]
            for entry in changed:
                entry.write(meetings[entry.meeting_id])
            session.flush()
            return len(changed)

    @unit_of_work
    def _meeting_pairs(self, mission_id: int) -> dict[int, tuple[int, int]]:
        """request id -> the two participants it is between."""
        with self.db.session() as session:
            return {r.id: (r.requester_id, r.target_id) for r in session.scalars(
                select(MissionRequest).where(MissionRequest.mission_id == mission_id))}

    def funnel(self, mission_id: int, actor: Actor | None = None) -> Funnel:
        """Meetings scheduled -> held -> contact -> negotiation -> contract -> shipment: a meeting counts
        in every stage up to the one it reached; value is summed where it is given. With an actor, over the
        meetings that actor may see (`sight`): a representative's funnel is their own company's."""
        mission = self.get(mission_id)
        meetings = [m for m in self.meetings(mission_id) if m.status != "cancelled"]
        if actor is not None:
            sight = self.sight(mission_id, actor)
            if not sight.everything:
                pairs = self._meeting_pairs(mission_id)
                meetings = [m for m in meetings if sight.sees(*pairs.get(m.request_id, ()))]
        held = [m for m in meetings if m.status == "held"]
        steps = [FunnelStep("scheduled", len(meetings), 0.0), FunnelStep("held", len(held), 0.0)]
        for n, stage in enumerate(STAGES):
            reached = [m for m in held if m.stage in STAGES[n:]]
            steps.append(FunnelStep(stage, len(reached), float(sum(m.value_usd or 0.0 for m in reached))))
        ratings = [m.rating for m in held if m.rating]
        return Funnel(steps, len(meetings), len([m for m in meetings if m.status in OUTCOME_STATUSES]),
                      len([m for m in meetings if m.status == "no_show"]),
                      sum(ratings) / len(ratings) if ratings else None, bool(mission and mission.synthetic))
