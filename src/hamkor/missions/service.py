"""Business missions at the edge of the database: one service, in one module per sub-area —
set-up (`setup`), requests (`requests`), the schedule (`scheduling`), outcomes (`outcomes`).

The scheduler, the itinerary and the grid are pure modules; these read a mission into their plain
data, run them, and write back what they decided. Every public operation is one unit of work.
"""

from __future__ import annotations

from hamkor.missions.base import (  # noqa: F401 - the names callers use, in one place
    OUTCOME_STATUSES,
    PRIORITIES,
    SIDES,
    STAGES,
    MissionError,
    MissionNotFound,
)
from hamkor.missions.outcomes import Funnel, FunnelStep, MissionOutcomes  # noqa: F401
from hamkor.missions.requests import MissionRequests, RequestView  # noqa: F401
from hamkor.missions.scheduling import Built, MissionScheduling  # noqa: F401
from hamkor.missions.setup import MissionData, MissionSetup, Person, validate  # noqa: F401
from hamkor.store.db import Database


class Missions(MissionSetup, MissionRequests, MissionScheduling, MissionOutcomes):
    def __init__(self, db: Database) -> None:
        self.db = db
