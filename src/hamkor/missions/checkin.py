"""Check-in at the venue: each participant's code (on their agenda and badge, as text and a QR), an organiser's
phone reading or typing it, who arrived, and the absent ones handed to the no-show re-plan with one click."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.i18n import Msg
from hamkor.missions.base import MissionError, MissionNotFound, aware, mission_row
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import MissionParticipant

# Eight characters of these (no 0/O, no 1/I): 40 bits, not to be guessed, and read aloud or typed without doubt.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str | None) -> str:
    """A code as typed or scanned: letters upper-cased, spaces and dashes dropped, O read as 0's look-alike."""
    return re.sub(r"[\s\-]", "", (text or "").upper())[:32]


def code_text(code: str) -> str:
    """As printed: two groups of four (ABCD-EFGH)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


@functools.lru_cache(maxsize=1024)  # the same code on every view of a space: drawn once per process
def qr_svg(code: str) -> str:
    """The code as a QR symbol, an inline SVG (a phone's camera reads it through the browser's BarcodeDetector)."""
    import segno

    return segno.make_qr(code, error="m").svg_inline(scale=4, border=2, omitsize=True)


@dataclass(frozen=True)
class Arrival:
    participant_id: int
    company_id: int
    side: str
    arrived_at: datetime | None
    absent: bool


@dataclass(frozen=True)
class CheckIn:
    participant_id: int
    arrived_at: datetime
    already: bool  # the code had been read before: the first arrival is kept


class MissionCheckin:
    @unit_of_work
    def checkin_code(self, mission_id: int, participant_id: int) -> str:
        """The participant's code, made on first need (a participant added before codes existed has none)."""
        session = session_of(self)
        participant = session.get(MissionParticipant, participant_id)
        if participant is None or participant.mission_id != mission_id:
            raise MissionNotFound([("participant", Msg("no participant %(participant_id)s in mission %(mission_id)s",
                                                       participant_id=participant_id, mission_id=mission_id))])
        if not participant.checkin_code:
            participant.checkin_code = new_code()
        return participant.checkin_code

    @unit_of_work
    def check_in(self, mission_id: int, code: str, actor: Actor = SYSTEM, now: datetime | None = None) -> CheckIn:
        """Mark the participant whose code this is as arrived (an organiser of their side, or of the mission)."""
        session = session_of(self)
        mission_row(session, mission_id, lock=True)
        wanted = normal_code(code)
        participant = session.scalar(select(MissionParticipant).where(
            MissionParticipant.mission_id == mission_id, MissionParticipant.checkin_code == wanted)) if wanted else None
        if participant is None:
            raise MissionError([("code", Msg("no participant of this mission has the code %(code)s",
                                             code=code_text(wanted) or "—"))])
        self.check(actor, "mission.checkin", mission_id, side=participant.side)
        if participant.arrived_at is not None:
            return CheckIn(participant.id, aware(participant.arrived_at), True)
        participant.arrived_at = now or self.clock()
        participant.absent = False  # marked a no-show too early: here after all
        return CheckIn(participant.id, participant.arrived_at, False)

    def arrivals(self, mission_id: int, actor: Actor | None = None) -> list[Arrival]:
        """Every participant with when they arrived (None: not yet); a supporting organiser's side only."""
        sight = self.sight(mission_id, actor)
        with self.db.session() as session:
            rows = session.scalars(select(MissionParticipant).where(MissionParticipant.mission_id == mission_id)
                                   .order_by(MissionParticipant.side, MissionParticipant.id)).all()
            return [Arrival(p.id, p.company_id, p.side, aware(p.arrived_at), p.absent) for p in rows
                    if sight.sees(p.id)]

    @unit_of_work
    def mark_not_arrived_absent(self, mission_id: int, actor: Actor = SYSTEM) -> list[int]:
        """Everyone not checked in becomes a no-show (the re-plan then drops their later meetings); those away on
        the enterprise visits are not at the tables and stay as they are. Returns who was marked."""
        session = session_of(self)
        mission_row(session, mission_id, lock=True)
        self.check(actor, "mission.manage", mission_id)
        marked = []
        for participant in session.scalars(select(MissionParticipant).where(
                MissionParticipant.mission_id == mission_id, MissionParticipant.arrived_at.is_(None),
                MissionParticipant.absent.is_(False))):
            participant.absent = True
            marked.append(participant.id)
        return marked
