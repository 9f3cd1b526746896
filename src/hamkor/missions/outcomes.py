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
from hamkor.store.models import MissionMeeting


@dataclass
class FunnelStep:
    stage: str
    meetings: int
    value_usd: float


@dataclass
class Funnel:
    steps: list[FunnelStep]
    scheduled: int
    recorded: int  # meetings whose outcome is known (the organizer's record, else a side's answer)
    no_shows: int
    average_rating: float | None
    synthetic: bool
    by_participants: int = 0  # of those, known from the participants' own answers only
    disagreements: int = 0  # meetings whose two sides' answers disagree (held or not, the stage reached)


@dataclass
class Known:
    """What is known of one meeting, by the one rule every count uses (the Outcomes tab, the funnel the API and
    the command line give, the report): the organizer's record where there is one; else the participants' own
    answers — held when a side says it was, and the lower stage when both say held and disagree on it (a deal one
    side does not confirm is not counted as done); nothing when nobody said."""

    status: str | None  # held | no_show | None
    stage: str | None = None
    value_usd: float = 0.0
    ratings: tuple[int, ...] = ()
    source: str | None = None  # organizer | participants

    @property
    def reached(self) -> int:
        """How far along the follow-up stages the meeting went (-1: none)."""
        return STAGES.index(self.stage) if self.status == "held" and self.stage in STAGES else -1


def known_outcome(meeting: MissionMeeting, answers) -> Known:
    if meeting.status in OUTCOME_STATUSES:
        held = meeting.status == "held"
        return Known(meeting.status, meeting.stage if held else None, float(meeting.value_usd or 0.0) if held else 0.0,
                     (meeting.rating,) if held and meeting.rating else (), "organizer")
    said = list(answers or [])
    if not said:
        return Known(None)
    held = [f for f in said if f.status == "held"]
    if not held:
        return Known("no_show", source="participants")
    order = [STAGES.index(f.stage) if f.stage in STAGES else -1 for f in held]
    reached = min(order) if len(held) == len(said) else max(order)
    return Known("held", STAGES[reached] if reached >= 0 else None, max(float(f.value_usd or 0.0) for f in held),
                 tuple(f.rating for f in held if f.rating), "participants")


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

    def funnel(self, mission_id: int, actor: Actor | None = None) -> Funnel:
        """Meetings scheduled -> held -> contact -> negotiation -> contract -> shipment: a meeting counts
        in every stage up to the one it reached, by `known_outcome` (the organizer's record, else both sides'
        answers); value is summed where it is given. With an actor, over the meetings that actor may see
        (`sight`): a representative's funnel is their own company's."""
        mission = self.get(mission_id)
        sides = self.side_answers(mission_id)
        if actor is not None:
            sight = self.sight(mission_id, actor)
            if not sight.everything:
                sides = [a for a in sides if sight.sees(a.a, a.b)]
        known = [known_outcome(a.meeting, a.answers.values()) for a in sides]
        held = [k for k in known if k.status == "held"]
        steps = [FunnelStep("scheduled", len(known), 0.0), FunnelStep("held", len(held), 0.0)]
        for n, stage in enumerate(STAGES):
            reached = [k for k in held if k.reached >= n]
            steps.append(FunnelStep(stage, len(reached), float(sum(k.value_usd for k in reached))))
        ratings = [r for k in held for r in k.ratings]
        return Funnel(steps, len(known), sum(1 for k in known if k.status),
                      sum(1 for k in known if k.status == "no_show"),
                      sum(ratings) / len(ratings) if ratings else None, bool(mission and mission.synthetic),
                      sum(1 for k in known if k.source == "participants"), sum(1 for a in sides if a.disagree))
