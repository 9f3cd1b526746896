"""The one rule of who may do what to which record of a mission: `may(actor, action, record)`.

The role (`permissions.PERMISSIONS`) says what kind of thing a person may do at all; the person's
organisation and its relation to the record say where. A mission is co-organised by organisations, each
with a role on it and a side (`MissionRecord.organisers`):

- owner: everything, and invites co-organisers;
- main: the settings, participants, schedule and mails — of both sides;
- supporting: their side's participants and registrations (the list of them, their decisions, inviting their
  side's companies, writing to them); they follow their side's requests, schedule and outcomes
  (`Missions.sight`). The mission's documents, report and follow-up, which hold both sides, stay with the owner
  and main organisers.

Who is not on the mission sees nothing of it. What the table does not grant is refused.

Those the organisations came after keep what they had: an administrator may do everything anywhere; staff
who belong to no organisation (the organizers, analysts and viewers of the instance's own administration)
reach every mission as far as their role goes; a company representative acts for their own company only
(the record's company), and sees a mission as the pages and `Missions.sight` let a company see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hamkor.accounts.permissions import Actor

ORGANISATION_KINDS = ("ministry", "fund", "administration", "consulate", "chamber", "company")
MISSION_ROLES = ("owner", "main", "supporting")
# What a person reads for each (message ids of the catalogs).
KIND_LABELS = {"ministry": "Ministry", "fund": "Support fund", "administration": "Regional administration",
               "consulate": "Consulate", "chamber": "Chamber of commerce", "company": "Company"}
ROLE_LABELS = {"owner": "Owner", "main": "Main organiser", "supporting": "Supporting organiser"}

# action -> (the role's permission it needs, the mission roles that hold it)
MISSION_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "mission.view": ("missions.view", frozenset(MISSION_ROLES)),
    "mission.manage": ("missions.manage", frozenset({"owner", "main"})),  # settings, schedule, mails, meetings
    "mission.request": ("missions.request", frozenset({"owner", "main"})),  # ask and answer for a participant
    "mission.participants": ("missions.manage", frozenset(MISSION_ROLES)),  # add and change a participant
    "mission.registrations": ("missions.manage", frozenset(MISSION_ROLES)),  # decide, invite companies
    "mission.organisers": ("missions.manage", frozenset({"owner"})),  # invite co-organisers
    "mission.checkin": ("missions.manage", frozenset(MISSION_ROLES)),  # mark arrivals at the venue
    "mission.message": ("missions.manage", frozenset(MISSION_ROLES)),  # write to a group of participants
}
# What a supporting organiser does only on their own side's records.
SIDE_BOUND = frozenset({"mission.participants", "mission.registrations", "mission.checkin", "mission.message"})


@dataclass(frozen=True)
class Organiser:
    role: str  # owner | main | supporting
    side: str  # host | visiting


@dataclass(frozen=True)
class MissionRecord:
    """A mission, or one record of it, as the rule sees it: who organises the mission, and the side and
    company the record belongs to (None for the mission as a whole)."""

    organisers: Mapping[int, Organiser] = field(default_factory=dict)  # organisation id -> its role and side
    side: str | None = None
    company_id: int | None = None


def may(actor: Actor, action: str, record: MissionRecord) -> bool:
    """Whether `actor` may do `action` to `record`; an action not in `MISSION_ACTIONS` is refused."""
    if action not in MISSION_ACTIONS:
        return False
    permission, mission_roles = MISSION_ACTIONS[action]
    if not actor.may(permission):
        return False
    if actor.role == "admin":
        return True
    if actor.role == "company":
        return record.company_id is None or actor.speaks_for(record.company_id)
    if actor.organisation_id is None:
        return True
    held = record.organisers.get(actor.organisation_id)
    if held is None or held.role not in mission_roles:
        return False
    return not (held.role == "supporting" and action in SIDE_BOUND and record.side not in (None, held.side))


def bound_side(actor: Actor, record: MissionRecord) -> str | None:
    """The one side whose records the actor is limited to on this mission (a supporting organiser's), else None:
    what lists filter by."""
    if actor.role in ("admin", "company") or actor.organisation_id is None:
        return None
    held = record.organisers.get(actor.organisation_id)
    return held.side if held is not None and held.role == "supporting" else None


def mission_role(actor: Actor, record: MissionRecord) -> str | None:
    """The actor's organisation's role on the mission (None: not on it, or not bound to organisations)."""
    held = record.organisers.get(actor.organisation_id) if actor.organisation_id is not None else None
    return held.role if held is not None else None
