"""After the meetings: what came of each (held, rating, follow-up stage, value) and the funnel."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    recorded: int  # meetings with an outcome entered
    no_shows: int
    average_rating: float | None
    synthetic: bool


class MissionOutcomes:
    @unit_of_work
    def record_outcome(self, mission_id: int, meeting_id: int, status: str, rating: int | None = None,
                       stage: str | None = None, hs_code: str | None = None, value_usd: float | None = None,
                       notes: str | None = None) -> MissionMeeting:
        problems = []
        if status not in OUTCOME_STATUSES:
            problems.append(("status", "held or no_show"))
        if rating is not None and not 1 <= rating <= 5:
            problems.append(("rating", "1 to 5"))
        if stage is not None and stage not in STAGES:
            problems.append(("stage", "contact, negotiation, contract or shipment"))
        if status == "no_show" and (stage or rating):
            problems.append(("stage", "a meeting not held has no rating or follow-up"))
        code = (hs_code or "").replace(" ", "").replace(".", "") or None
        if code and not (code.isdigit() and 2 <= len(code) <= 10 and any(
                nomenclature().get(code, e) for e in ("HS2022", "HS2017"))):
            problems.append(("hs_code", Msg("unknown HS / TN VED code '%(hs_code)s'", hs_code=hs_code)))
        if value_usd is not None and (not math.isfinite(value_usd) or value_usd < 0):
            problems.append(("value_usd", "a value in USD, zero or more"))
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission_row(session, mission_id, lock=True)
            meeting = self._meeting_row(session, mission_id, meeting_id)
            if meeting.status == "cancelled":
                raise MissionError([("status", "this meeting was cancelled")])
            meeting.status, meeting.rating, meeting.stage = status, rating, stage
            meeting.hs_code, meeting.value_usd, meeting.notes = code, value_usd, (notes or "").strip() or None
            meeting.updated_at = now_utc()
            session.flush()
            return meeting

    @unit_of_work
    def funnel(self, mission_id: int) -> Funnel:
        """Meetings scheduled -> held -> contact -> negotiation -> contract -> shipment: a meeting counts
        in every stage up to the one it reached; value is summed where it is given."""
        mission = self.get(mission_id)
        meetings = [m for m in self.meetings(mission_id) if m.status != "cancelled"]
        held = [m for m in meetings if m.status == "held"]
        steps = [FunnelStep("scheduled", len(meetings), 0.0), FunnelStep("held", len(held), 0.0)]
        for n, stage in enumerate(STAGES):
            reached = [m for m in held if m.stage in STAGES[n:]]
            steps.append(FunnelStep(stage, len(reached), float(sum(m.value_usd or 0.0 for m in reached))))
        ratings = [m.rating for m in held if m.rating]
        return Funnel(steps, len(meetings), len([m for m in meetings if m.status in OUTCOME_STATUSES]),
                      len([m for m in meetings if m.status == "no_show"]),
                      sum(ratings) / len(ratings) if ratings else None, bool(mission and mission.synthetic))
