"""Who speaks for a company taking part in a mission: its representatives (accounts of the `company` role), the
invitations that make one — an organizer's, to the contact of a company added from the registry, or a
representative's, to a colleague — and which participants have nobody to answer their requests.

Several people of one company each have their own account for it (as b2match and Brella allow); every active
one hears of the company's mission news (`notices.tell_company`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hamkor.accounts import links
from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.accounts.service import Accounts, checked_email, is_invited
from hamkor.errors import Conflict, Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.outbox import queue
from hamkor.missions import letters
from hamkor.missions.base import MissionError, mission_row, scoped_row
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import Company, CompanyContact, Mission, MissionParticipant, User

# The accounts one company may have: a representative invites colleagues, not the world.
REPRESENTATIVE_LIMIT = 20
# Invitations a company's own people may send in a day (an organizer's are not counted): enough to bring in a
# delegation's colleagues, too few to use the mission's mail against anyone else.
COLLEAGUE_INVITATIONS_A_DAY = 10
# What the organizers' pages say of a participant: someone can answer its requests, someone was invited
# and has not chosen a password yet, or nobody at all.
REPRESENTATION = ("ready", "invited", "nobody")


@dataclass(frozen=True)
class Representative:
    email: str
    ready: bool  # has chosen a password; an invited one has not yet


def _representatives(session, company_ids) -> list[User]:
    return list(session.scalars(select(User).where(User.company_id.in_(list(company_ids)), User.role == "company",
                                                   User.active.is_(True)).order_by(User.email)))


class MissionRepresentatives:
    def representatives(self, company_id: int) -> list[Representative]:
        """The company's people with an account, each with whether they can sign in yet."""
        with self.db.session() as session:
            return [Representative(u.email, not is_invited(u)) for u in _representatives(session, [company_id])]

    def representation(self, mission_id: int) -> dict[int, str]:
        """Company id -> "ready", "invited" or "nobody", for every company taking part in the mission."""
        with self.db.session() as session:
            companies = list(session.scalars(select(MissionParticipant.company_id).where(
                MissionParticipant.mission_id == mission_id)))
            state = dict.fromkeys(companies, "nobody")
            for user in _representatives(session, companies):
                if not is_invited(user):
                    state[user.company_id] = "ready"
                elif state[user.company_id] == "nobody":
                    state[user.company_id] = "invited"
        return state

    def contact_addresses(self, mission_id: int) -> dict[int, list[str]]:
        """Company id -> the e-mail addresses the registry holds for it, for every company taking part: what the
        organizer's invitation offers first."""
        with self.db.session() as session:
            rows = session.execute(select(CompanyContact.company_id, CompanyContact.email).join(
                MissionParticipant, MissionParticipant.company_id == CompanyContact.company_id).where(
                MissionParticipant.mission_id == mission_id, CompanyContact.email.is_not(None))
                .order_by(CompanyContact.id)).all()
        found: dict[int, list[str]] = {}
        for company_id, address in rows:
            address = address.strip().lower()
            if address and address not in found.setdefault(company_id, []):
                found[company_id].append(address)
        return found

    def missions_of_company(self, company_id: int | None) -> list[Mission]:
        """The missions a company takes part in: where its representatives land."""
        if company_id is None:
            return []
        with self.db.session() as session:
            return list(session.scalars(select(Mission).join(MissionParticipant, MissionParticipant.mission_id
                                                             == Mission.id)
                                        .where(MissionParticipant.company_id == company_id).order_by(Mission.id)))

    @unit_of_work
    def invite_representative(self, mission_id: int, participant_id: int, email: str, language: str = "ru",
                              actor: Actor = SYSTEM, now: datetime | None = None) -> User | None:
        """An account for one more of the participant's people, who chooses a password and language through a
        single-use link and lands in the mission's space. Organizers invite for any participant (a company they
        added from the registry has nobody yet), a representative for their own company only (a colleague).

        An address with an account already is refused with its reason to an organizer. To a representative it is
        answered as any invitation, and its owner is told by mail (None): the space must not tell a company's
        people who else has an account. Inviting an address whose invitation is still open sends a new link."""
        session = session_of(self)
        now = now or self.clock()
        mission = mission_row(session, mission_id, lock=True)
        participant = scoped_row(session, MissionParticipant, mission_id, participant_id, "participant",
                                 "No such participant.")
        staff = actor.may("missions.manage") and self.may(actor, "mission.participants", mission_id,
                                                          side=participant.side)
        if not staff and not actor.speaks_for(participant.company_id):
            raise Refused([("participant", "you may invite only your own company's people")])
        email = checked_email(email)
        if language not in LANGUAGES:
            raise MissionError([("language", Msg("language must be one of %(languages)s",
                                                 languages=", ".join(LANGUAGES)))])
        company = session.get(Company, participant.company_id)
        existing = session.scalar(select(User).where(User.email == email))
        # one of the company's own people, active (a deactivated account is not brought back by an invitation)
        ours = existing is not None and existing.active and existing.role == "company" \
            and existing.company_id == company.id
        if ours and not is_invited(existing):
            raise Conflict([("email", Msg("%(email)s speaks for this company already", email=email))])
        if existing is not None and not ours:
            if staff:
                raise Conflict([("email", Msg("%(email)s has an account already, which cannot be invited again: an "
                                              "administrator can make it this company's on the Users page",
                                              email=email))])
            lang = existing.language if existing.language in LANGUAGES else "ru"
            queue(session, existing.email, lang, letters.colleague_with_known_address(
                self.site_url, mission, company, actor.email or "hamkor", lang), now, mission_id=mission_id)
            return None
        if existing is None:
            if len(_representatives(session, [company.id])) >= REPRESENTATIVE_LIMIT:
                raise Conflict([("email", Msg("a company has at most %(limit)s accounts", limit=REPRESENTATIVE_LIMIT))])
            user = Accounts(self.db, self.clock).create_user(email, None, "company", language, company.id)
            if staff and email not in {(c.email or "").strip().lower() for c in session.scalars(
                    select(CompanyContact).where(CompanyContact.company_id == company.id))}:
                # an address the organizer typed is one of the company's from now on
                session.add(CompanyContact(company_id=company.id, name=email, email=email))
        else:  # invited before and not answered yet: a new link, in the language asked for now
            user = existing
            user.language = language
            links.withdraw(session, "invite", user.id)
        token = links.issue(session, "invite", now, user.id, {"mission": mission_id})
        queue(session, user.email, language, letters.representative_invitation(
            self.site_url, token, mission, company, actor.email or "hamkor", language), now, mission_id=mission_id)
        return user
