"""A mission's revision: a number counted up in the same transaction as any change to the mission, its
participants, requests, meetings or visits, whoever makes it (a page, the API, the CLI, the worker, another web
process). A reader that keeps a copy of them (a participant's space, read by hundreds at once in a booking
window) checks this one number instead of reading them all again.

It is counted by the ORM's flush, where every change of these rows passes: the mission code writes them as
objects, never with bulk statements (the one bulk UPDATE it runs, `mission_row(lock=True)`, changes nothing)."""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hamkor.store.models import Mission, MissionMeeting, MissionParticipant, MissionRequest, MissionVisit

COUNTED = (MissionParticipant, MissionRequest, MissionMeeting, MissionVisit)


@event.listens_for(Session, "before_flush")
def _count_the_change(session: Session, flush_context, instances) -> None:
    changed: set[int] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, COUNTED) and row.mission_id is not None and (row in session.new or row in session.deleted
                                                                         or session.is_modified(row)):
            changed.add(row.mission_id)
        elif isinstance(row, Mission) and row.id is not None and session.is_modified(row) \
                and row not in session.new:
            changed.add(row.id)
    if changed:
        # a Core statement on the flush's own connection: no second flush, and a row lock on the mission that
        # orders concurrent writers as `mission_row(lock=True)` does
        session.connection().execute(update(Mission.__table__).where(Mission.__table__.c.id.in_(sorted(changed)))
                                     .values(revision=Mission.__table__.c.revision + 1))


def revision_of(session, mission_id: int) -> int:
    return session.scalar(select(Mission.revision).where(Mission.id == mission_id)) or 0
