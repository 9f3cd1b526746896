"""The organisations co-organising a mission, with their role and side there, and the one door every mission
operation goes through: `check(actor, action, mission_id, …)` asks `accounts.access.may` about the mission (or one
record of it) and refuses what it does not grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hamkor.accounts import links
from hamkor.accounts.access import (
    MISSION_ACTIONS,
    MISSION_ROLES,
    MissionRecord,
    Organiser,
    bound_side,
    may,
    mission_role,
)
from hamkor.accounts.organisations import OrganisationData, Organisations, organisation_name
from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.accounts.service import Accounts, checked_email, is_invited
from hamkor.errors import Conflict, Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.outbox import queue
from hamkor.missions import letters
from hamkor.missions.base import MissionError, mission_row, side_of_territory
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import Mission, MissionOrganiser, Organisation, User

# What an organiser may be invited as: one owner per mission, who invites the others.
INVITED_ROLES = ("main", "supporting")


@dataclass(frozen=True)
class OrganiserView:
    organisation: Organisation
    role: str
    side: str
    people: list[tuple[str, bool]]  # (e-mail, has chosen a password)


def _record(session, mission_id: int, side: str | None = None, company_id: int | None = None) -> MissionRecord:
    organisers = {row.organisation_id: Organiser(row.role, row.side) for row in session.scalars(
        select(MissionOrganiser).where(MissionOrganiser.mission_id == mission_id))}
    return MissionRecord(organisers, side, company_id)


ACTION_REFUSALS = {
    "mission.view": Msg("you do not take part in organising this mission"),
    "mission.organisers": Msg("only the mission's owner invites co-organisers"),
    "mission.registrations": Msg("you decide on your own side's registrations only"),
    "mission.participants": Msg("you change your own side's participants only"),
    "mission.request": Msg("you may act only for your own company"),
    "mission.message": Msg("you write to your own side's participants only"),
}


class MissionOrganisers:
    def mission_record(self, mission_id: int, side: str | None = None, company_id: int | None = None
                       ) -> MissionRecord:
        """The mission (or one record of it: its side and company) as the access rule reads it."""
        with self.db.session() as session:
            mission_row(session, mission_id)
            return _record(session, mission_id, side, company_id)

    def may(self, actor: Actor, action: str, mission_id: int, side: str | None = None,
            company_id: int | None = None) -> bool:
        return may(actor, action, self.mission_record(mission_id, side, company_id))

    def check(self, actor: Actor, action: str, mission_id: int, side: str | None = None,
              company_id: int | None = None) -> None:
        """Refused unless the rule grants `action` on this mission or record (MissionNotFound for no mission)."""
        if not self.may(actor, action, mission_id, side, company_id):
            # staff of an organisation not on the mission hear that, not a reason about sides they have none of
            outside = actor.organisation_id is not None and actor.role not in ("admin", "company") and \
                not self.may(actor, "mission.view", mission_id)
            reason = ACTION_REFUSALS["mission.view"] if outside else \
                ACTION_REFUSALS.get(action) or Msg("your role on this mission does not allow this")
            raise Refused([("mission", reason)], "Not allowed.")

    def actions(self, actor: Actor, mission_id: int) -> frozenset[str]:
        """Every mission action the rule grants the actor on this mission as a whole (what its tabs offer)."""
        record = self.mission_record(mission_id)
        return frozenset(action for action in MISSION_ACTIONS if may(actor, action, record))

    def bound_side(self, actor: Actor, mission_id: int) -> str | None:
        """The side a supporting organiser's lists are limited to on this mission, else None."""
        return bound_side(actor, self.mission_record(mission_id))

    def mission_role(self, actor: Actor, mission_id: int) -> str | None:
        return mission_role(actor, self.mission_record(mission_id))

    def visible(self, actor: Actor) -> list[Mission]:
        """The missions the actor may see: all of them for those bound to no organisation, else the ones their
        organisation co-organises (a company's people: as the missions' pages have always let them)."""
        with self.db.session() as session:
            missions = list(session.scalars(select(Mission).order_by(Mission.id)))
            return [m for m in missions if may(actor, "mission.view", _record(session, m.id))]

    def organisers(self, mission_id: int) -> list[OrganiserView]:
        with self.db.session() as session:
            mission_row(session, mission_id)
            rows = session.execute(select(MissionOrganiser, Organisation).join(
                Organisation, Organisation.id == MissionOrganiser.organisation_id).where(
                MissionOrganiser.mission_id == mission_id).order_by(MissionOrganiser.id)).all()
            views = []
            for row, organisation in rows:
                people = [(u.email, not is_invited(u)) for u in session.scalars(select(User).where(
                    User.organisation_id == organisation.id, User.active.is_(True)).order_by(User.email))]
                views.append(OrganiserView(organisation, row.role, row.side, people))
            return views

    def organised_by(self, organisation_id: int) -> list[int]:
        with self.db.session() as session:
            return list(session.scalars(select(MissionOrganiser.mission_id).where(
                MissionOrganiser.organisation_id == organisation_id).order_by(MissionOrganiser.mission_id)))

    @unit_of_work
    def add_organiser(self, mission_id: int, organisation_id: int, role: str, actor: Actor = SYSTEM,
                      now: datetime | None = None) -> MissionOrganiser:
        """The organisation co-organises the mission with this role, on the side its territory is on."""
        session = session_of(self)
        mission = mission_row(session, mission_id, lock=True)
        self.check(actor, "mission.organisers", mission_id)
        if role not in MISSION_ROLES:
            raise MissionError([("role", Msg("role must be one of %(roles)s", roles=", ".join(MISSION_ROLES)))])
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise MissionError([("organisation", Msg("no organisation %(id)s", id=organisation_id))])
        side = side_of_territory(mission, organisation.territory)
        if side is None:
            raise MissionError([("organisation", Msg("%(name)s is on neither side of this mission",
                                                     name=organisation_name(organisation, "en")))])
        row = session.scalar(select(MissionOrganiser).where(MissionOrganiser.mission_id == mission_id,
                                                            MissionOrganiser.organisation_id == organisation_id))
        if row is not None and row.role == "owner" and role != "owner":
            raise Conflict([("role", "the owner's organisation keeps its role")])
        if role == "owner" and session.scalar(select(MissionOrganiser.id).where(
                MissionOrganiser.mission_id == mission_id, MissionOrganiser.role == "owner",
                MissionOrganiser.organisation_id != organisation_id)) is not None:
            raise Conflict([("role", "the mission has an owner already")])
        if row is None:
            row = MissionOrganiser(mission_id=mission_id, organisation_id=organisation_id, role=role, side=side,
                                   invited_by=actor.user_id, created_at=now or self.clock())
            session.add(row)
        row.role = role
        session.flush()
        return row

    @unit_of_work
    def invite_organiser(self, mission_id: int, organisation: int | OrganisationData, role: str, email: str,
                         language: str = "ru", actor: Actor = SYSTEM, now: datetime | None = None) -> User:
        """The owner makes an organisation a co-organiser (main or supporting) and invites one of its people: a
        new account of the organizer role, bound to that organisation, chooses its password through a single-use
        link that then opens the mission; someone of that organisation with an account already is told by mail.
        An address whose account belongs elsewhere is refused: an administrator moves accounts. `organisation` is
        one the instance knows, or a new one's data (made in the same unit of work: a refusal leaves nothing)."""
        session = session_of(self)
        now = now or self.clock()
        self.check(actor, "mission.organisers", mission_id)
        if role not in INVITED_ROLES:
            raise MissionError([("role", Msg("role must be one of %(roles)s", roles=", ".join(INVITED_ROLES)))])
        email = checked_email(email)
        if language not in LANGUAGES:
            raise MissionError([("language", Msg("language must be one of %(languages)s",
                                                 languages=", ".join(LANGUAGES)))])
        if isinstance(organisation, OrganisationData):
            organisation_id = Organisations(self.db, self.clock).create(organisation).id
        else:
            organisation_id = organisation
        self.add_organiser(mission_id, organisation_id, role, actor, now)
        mission = mission_row(session, mission_id)
        organisation = session.get(Organisation, organisation_id)
        existing = session.scalar(select(User).where(User.email == email))
        if existing is not None and (existing.organisation_id != organisation_id or existing.role == "company"
                                     or not existing.active):
            raise Conflict([("email", Msg("%(email)s has an account already, which does not act for this "
                                          "organisation: an administrator can move it", email=email))])
        if existing is not None and not is_invited(existing):
            lang = existing.language if existing.language in LANGUAGES else language
            queue(session, existing.email, lang, letters.organiser_added(
                self.site_url, mission, organisation_name(organisation, lang), role, actor.email or "hamkor", lang),
                  now, user=existing, mission_id=mission_id)
            return existing
        if existing is None:
            user = Accounts(self.db, self.clock).create_user(email, None, "organizer", language)
            user.organisation_id = organisation_id
        else:  # invited before and not answered yet: a new link
            user = existing
            user.language = language
            links.withdraw(session, "invite", user.id)
        token = links.issue(session, "invite", now, user.id, {"organise": mission_id})
        queue(session, user.email, language, letters.organiser_invitation(
            self.site_url, token, mission, organisation_name(organisation, language), role, actor.email or "hamkor",
            language), now, user=user, mission_id=mission_id)
        return user
