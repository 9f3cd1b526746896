"""Business missions at the edge of the database: one service, in one module per sub-area —
set-up (`setup`), requests (`requests`), the schedule (`scheduling`), outcomes (`outcomes`).

The scheduler, the itinerary and the grid are pure modules; these read a mission into their plain
data, run them, and write back what they decided. Every public operation is one unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hamkor.missions.base import (  # noqa: F401 - the names callers use, in one place
    OUTCOME_STATUSES,
    PRIORITIES,
    SIDES,
    STAGES,
    MissionError,
    MissionNotFound,
    now_utc,
)
from hamkor.missions.calls import MissionCalls
from hamkor.missions.checkin import Arrival, CheckIn, MissionCheckin  # noqa: F401
from hamkor.missions.messages import Audience, MessageDraft, MessageView, MissionMessages  # noqa: F401
from hamkor.missions.organisers import MissionOrganisers, OrganiserView  # noqa: F401
from hamkor.missions.outcomes import Funnel, FunnelStep, MissionOutcomes, Outcome  # noqa: F401
from hamkor.missions.participation import MissionParticipation, SideAnswers  # noqa: F401
from hamkor.missions.registration import MissionRegistrations, Registration, RegistrationView  # noqa: F401
from hamkor.missions.representatives import MissionRepresentatives, Representative  # noqa: F401
from hamkor.missions.requests import MissionRequests, RequestView, Sight  # noqa: F401
from hamkor.missions.revision import revision_of
from hamkor.missions.scheduling import Built, MissionScheduling  # noqa: F401
from hamkor.missions.setup import MissionData, MissionSetup, Person, validate  # noqa: F401
from hamkor.store.db import Database


class Missions(MissionSetup, MissionRequests, MissionScheduling, MissionOutcomes, MissionRegistrations,
               MissionParticipation, MissionRepresentatives, MissionOrganisers, MissionCheckin,
               MissionCalls, MissionMessages):
    def __init__(self, db: Database, clock: Callable[[], datetime] = now_utc,
                 site_url: str = "http://127.0.0.1:8000", mail_dir: str | None = None) -> None:
        self.db = db
        self.clock = clock  # "now" for deadlines: the application's clock, a fixed one in tests
        self.site_url = site_url  # where the links in participants' mails point
        self.mail_dir = mail_dir or "."  # the data directory: attachments are kept under it until sent

    def revision(self, mission_id: int) -> int:
        """The mission's revision (`missions/revision.py`): equal numbers, equal participants, requests, meetings
        and visits."""
        with self.db.session() as session:
            return revision_of(session, mission_id)
