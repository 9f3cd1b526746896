"""What the mission modules share: the error, the clock, and reading (and locking) a mission."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update

from hamkor.errors import Conflict, NotFound, Problem
from hamkor.i18n import Msg
from hamkor.store.db import as_utc
from hamkor.store.models import Mission

PRIORITIES = ("must", "should", "could")
SIDES = ("host", "visiting")
STAGES = ("contact", "negotiation", "contract", "shipment")  # the follow-up funnel, in order
OUTCOME_STATUSES = ("held", "no_show")
aware = as_utc  # the missions modules' name for a stored time made aware


class MissionError(Problem):
    """What cannot be done to a mission, as (field, reason) pairs a person can act on."""

    default_field = "mission"


class MissionConflict(MissionError, Conflict):
    """Not now: the state the mission or request is in does not allow it (no longer pending, past the
    deadline, outcomes already recorded)."""


class MissionNotFound(MissionError, NotFound):
    """No such mission, or no such participant, request or meeting in this mission."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def requests_closed(mission, now: datetime) -> Msg | None:
    """Why no request can be made or answered any more (the deadline has passed), or None while it is open.
    Said in the mission's own time zone, where its organizers set the deadline."""
    deadline = aware(mission.request_deadline)
    if deadline is None or now <= deadline:
        return None
    try:
        local = deadline.astimezone(ZoneInfo(mission.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local = deadline
    return Msg("requests for this mission closed at %(deadline)s (%(timezone)s); an organizer can move the deadline "
               "in the mission's settings", deadline=format(local, "%Y-%m-%d %H:%M"), timezone=mission.timezone)


def mission_row(session, mission_id: int, lock: bool = False) -> Mission:
    """The mission, or MissionNotFound. With `lock`, the unit of work holds the mission until it ends:
    a no-op write taken first, so two organizers acting on one mission at once take turns (a row
    lock on PostgreSQL, the write lock on SQLite) and the second sees what the first wrote."""
    if lock:
        session.execute(update(Mission).where(Mission.id == mission_id).values(updated_at=Mission.updated_at)
                        .execution_options(synchronize_session=False))
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise MissionNotFound([("id", Msg("no mission %(mission_id)s", mission_id=mission_id))], "No such mission.")
    return mission


def scoped_row(session, model, mission_id: int, record_id: int, field: str, title: str):
    """A participant, request or meeting of this mission, or MissionNotFound: ids are never reached
    through another mission's path."""
    row = session.get(model, record_id)
    if row is None or row.mission_id != mission_id:
        raise MissionNotFound([(field, Msg("no %(field)s %(record_id)s in mission %(mission_id)s",
                                           field=field, record_id=record_id, mission_id=mission_id))], title)
    return row


def _within(territory: str, side: str) -> bool:
    """An organisation of this territory stands on a mission side of `side`: the same, or one holds the other
    (a consulate of UZ on a side of UZ-SI, the administration of UZ-SI on a side of UZ)."""
    a, b = territory.upper(), side.upper()
    return a == b or a.split("-")[0] == b or b.split("-")[0] == a


def side_of_territory(mission: Mission, territory: str) -> str | None:
    for side, code in (("host", mission.host_territory), ("visiting", mission.visiting_territory)):
        if _within(territory, code):
            return side
    return None


def mission_text(mission, name: str, lang: str) -> str | None:
    """The mission's name, venue or programme in `lang`: its own wording there, else the organizer's
    (the column), so an Uzbek reader never gets an empty line where a Russian one exists."""
    own = ((mission.names or {}).get(name) or {}).get(lang)
    return (own or "").strip() or getattr(mission, name, None)
