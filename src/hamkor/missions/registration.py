"""A company registers itself for a mission: its profile (recognised by tax ID when the registry knows it),
its attendees, the slots it can attend, and an account. The registration reaches the organizers once
its e-mail is confirmed; they approve it (the company takes part) or refuse it with a reason, and the
company is told either way by mail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from hamkor.accounts import links
from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.accounts.service import AccountError, Accounts, checked_email, equal_time, password_problems
from hamkor.companies.registry import (
    CompanyData,
    CompanyError,
    Registry,
    company_name,
    holder_of_tax_id,
    validate,
)
from hamkor.errors import Conflict, Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.outbox import queue
from hamkor.missions import letters
from hamkor.missions.base import MissionError, aware, mission_row, requests_closed
from hamkor.missions.grid import time_grid
from hamkor.missions.notices import tell_organizers
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import (
    Company,
    CompanyContact,
    Mission,
    MissionInvitation,
    MissionParticipant,
    MissionRegistration,
    SignedLink,
    User,
)

REGISTRATION_STATES = ("unconfirmed", "pending", "approved", "refused")
REINVITE_AFTER = timedelta(days=1)  # a second invitation sooner than this is a mistake unless it is a reminder


class RegistrationError(MissionError):
    """The registration cannot be taken as it is: the problems say where and why."""


@dataclass
class Registration:
    """What a company's representative enters on the public page."""

    email: str = ""
    password: str = ""
    language: str = "ru"
    company: CompanyData = field(default_factory=CompanyData)
    attendees: list[dict] = field(default_factory=list)  # [{"name", "role", "languages": [...]}]
    available: list[str] | None = None  # slot ids; None: the whole grid
    online: bool = False  # takes part online: its meetings are video calls, at no table


@dataclass
class InvitationReport:
    """What an invitation round did, company by company."""

    invited: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    without_address: list[int] = field(default_factory=list)
    registered: list[int] = field(default_factory=list)  # registered or taking part already: not written to
    refused: list[int] = field(default_factory=list)  # invited less than a day ago, and no reminder asked
    problems: list[tuple[str, Msg]] = field(default_factory=list)


@dataclass
class InvitationView:
    invitation: MissionInvitation | None  # None: the company registered (or was added) without an invitation
    registration: str | None  # its registration's status, "taking part", or None: not registered


@dataclass
class RegistrationView:
    registration: MissionRegistration
    company: Company
    email: str | None
    speaks_for: bool = False  # the registrant's account acts for the company already


def side_of(mission: Mission, country: str, region: str | None) -> str | None:
    """Which side a company is on, by where it is: the host territory or the visiting one."""
    for side, territory in (("host", mission.host_territory), ("visiting", mission.visiting_territory)):
        if territory == region or territory == country:
            return side
    return None


def _known_contact(session, company_id: int, email: str) -> bool:
    return any((c.email or "").strip().lower() == email.strip().lower() for c in session.scalars(
        select(CompanyContact).where(CompanyContact.company_id == company_id)))


def _add_contact(session, company_id: int, registration: MissionRegistration, email: str) -> None:
    if not _known_contact(session, company_id, email):
        first = (registration.attendees or [{}])[0]
        session.add(CompanyContact(company_id=company_id, name=first.get("name") or email,
                                   role=first.get("role"), email=email))


def _registration_of(session, link) -> MissionRegistration | None:
    return session.get(MissionRegistration, (link.payload or {}).get("registration")) if link is not None else None


def _unconfirmed_registration(session, user: User) -> MissionRegistration | None:
    """The registration still waiting for this account's address to be confirmed (the account is inactive until
    then); None for any other account, a deactivated one included."""
    if user.active:
        return None
    return session.scalar(select(MissionRegistration).where(
        MissionRegistration.user_id == user.id, MissionRegistration.status == "unconfirmed")
        .order_by(MissionRegistration.id.desc()).limit(1))


def _settle_company(session, registration: MissionRegistration, user: User | None) -> None:
    """A confirmed address makes its registration's company real, unless another registrant of the same tax ID
    confirmed first (or the organizers registered the company meanwhile): this registration then claims that
    company, as one naming a known company does, and the record it made goes."""
    company = session.get(Company, registration.company_id)
    if company is None or not company.provisional:
        return
    settled = holder_of_tax_id(session, company.country, company.tax_id, other_than=company.id)
    if settled is None:
        company.provisional = False
        return
    session.execute(update(MissionRegistration).where(MissionRegistration.company_id == company.id)
                    .values(company_id=settled.id, claim=True).execution_options(synchronize_session="fetch"))
    if user is not None and user.company_id == company.id:
        user.company_id = None  # speaks for no company until an organizer approves the claim
    session.flush()
    session.execute(delete(CompanyContact).where(CompanyContact.company_id == company.id))
    session.execute(delete(Company).where(Company.id == company.id))
    session.refresh(registration)


def _release_company(session, registration: MissionRegistration) -> None:
    """A refused registration's own company record, if nothing else stands on it (not in the registry others read,
    no other registration waiting or approved, taking part nowhere), holds its tax ID against nobody again: a
    stranger who registered someone else's tax ID and was found out does not leave their record for the company
    to claim (the outsider found the real company's registration filed under the stranger's name and contacts)."""
    company = session.get(Company, registration.company_id)
    if company is None or company.listed:
        return
    others = session.scalar(select(MissionRegistration.id).where(
        MissionRegistration.company_id == company.id, MissionRegistration.id != registration.id,
        MissionRegistration.status.in_(("pending", "approved"))).limit(1))
    taking_part = session.scalar(select(MissionParticipant.id).where(
        MissionParticipant.company_id == company.id).limit(1))
    if others is None and taking_part is None:
        company.provisional = True


class MissionRegistrations:
    @unit_of_work
    def set_registration(self, mission_id: int, open_: bool, actor: Actor = SYSTEM) -> Mission:
        if not actor.may("missions.manage"):
            raise Refused([("mission", "only organizers open or close registration")])
        mission = mission_row(session_of(self), mission_id, lock=True)
        self.check(actor, "mission.manage", mission_id)
        mission.registration_open = open_
        return mission

    def registration_counts(self, mission_id: int) -> dict[str, int]:
        """Companies per side: those taking part and those whose confirmed registration waits."""
        with self.db.session() as session:
            taking_part = dict(session.execute(select(MissionParticipant.side, func.count()).where(
                MissionParticipant.mission_id == mission_id).group_by(MissionParticipant.side)).all())
            waiting = dict(session.execute(select(MissionRegistration.side, func.count()).where(
                MissionRegistration.mission_id == mission_id, MissionRegistration.status == "pending")
                .group_by(MissionRegistration.side)).all())
        return {side: taking_part.get(side, 0) + waiting.get(side, 0) for side in ("host", "visiting")}

    def registration_closed(self, mission: Mission, now: datetime | None = None) -> Msg | str | None:
        if not mission.registration_open:
            return "registration for this mission is not open"
        closed = requests_closed(mission, now or self.clock())
        return Msg("registration closed with the request deadline: %(why)s", why=closed) if closed else None

    @unit_of_work
    def register(self, mission_id: int, form: Registration, now: datetime | None = None) -> MissionRegistration | None:
        """Check everything, then write the company (or reuse the registry's), the account (inactive until
        its address is confirmed), the registration and the confirmation mail — all or nothing. An address
        that has an account already gets a mail saying so, and nothing else is written (None)."""
        now = now or self.clock()
        session = session_of(self)
        mission = mission_row(session, mission_id, lock=True)
        closed = self.registration_closed(mission, now)
        if closed:
            raise Conflict([("registration", closed)])
        problems: list[tuple[str, str]] = []
        try:
            email = checked_email(form.email)
        except AccountError as error:
            problems += error.problems
            email = ""
        problems += [("password", p) for p in password_problems(form.password, email)]
        if form.language not in LANGUAGES:
            problems.append(("language", Msg("language must be one of %(languages)s", languages=", ".join(LANGUAGES))))
        # A company the registry knows (same country, same tax ID) is recognised: its profile is reused and
        # the form's company fields are not needed; a new one must be a valid record.
        tax_id = "".join(ch for ch in form.company.tax_id or "" if "0" <= ch <= "9")
        # (a company another unconfirmed registration made is not known: that stranger holds nothing yet)
        known = holder_of_tax_id(session, form.company.country, tax_id)
        clean, company_problems = (form.company, []) if known is not None else validate(form.company)
        problems += company_problems
        if not tax_id:
            problems.append(("tax_id", "the tax ID is needed: it tells whether the registry knows the company"))
        side = side_of(mission, known.country, known.region) if known is not None \
            else side_of(mission, clean.country, clean.region)
        if side is None and not company_problems:
            problems.append(("region", Msg("this mission is between %(host)s and %(visiting)s: the company must be "
                                           "in one of them", host=mission.host_territory,
                                           visiting=mission.visiting_territory)))
        attendees = [a for a in form.attendees if (a.get("name") or "").strip()]
        if not attendees:
            problems.append(("attendees", "name at least one person who will attend"))
        grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
        if form.available is not None:
            if not form.available:
                problems.append(("available", "choose at least one time you can attend"))
            unknown = [s for s in form.available if s not in grid]
            if unknown:
                problems.append(("available", Msg("not slots of this mission: %(unknown)s",
                                                  unknown=", ".join(unknown[:5]))))
        if problems:
            raise RegistrationError(problems)
        existing = session.scalar(select(User).where(User.email == email))
        if existing is not None:
            # Answered as any registration is (the page says "check your mail"): who has an account must not
            # be learnt from this public form. The address's owner is told by mail; nothing else is written.
            # An address whose registration still waits for its confirmation gets that confirmation again
            # (its first link may have expired): registering again is what such a person tries.
            equal_time(form.password)
            waiting = _unconfirmed_registration(session, existing)
            if waiting is not None:
                self._send_confirmation(session, waiting, existing, now)
            else:
                queue(session, existing.email, existing.language,
                      letters.registration_with_known_address(self.site_url, mission, existing.language), now,
                      user=existing, mission_id=mission_id)
            return None
        company = known
        if company is not None:
            # a registration whose address is not confirmed holds nothing: a stranger who typed the company's tax ID
            # into this form first (and never confirms) does not keep the company out (the outsider's find); nor
            # does one the organizers refused (a stranger's, found out)
            taken = session.scalar(select(MissionRegistration.id).where(
                MissionRegistration.mission_id == mission_id, MissionRegistration.company_id == company.id,
                MissionRegistration.status.in_(("pending", "approved"))).limit(1))
            if taken is not None or session.scalar(select(MissionParticipant).where(
                    MissionParticipant.mission_id == mission_id, MissionParticipant.company_id == company.id)):
                # the company is not named: a stranger typing tax IDs into a public form must not learn whose
                # they are (the outsider's find)
                raise Conflict([("tax_id", Msg("a company with this tax ID is registered for this mission already: "
                                               "sign in with the account that registered it, or ask the mission's "
                                               "organizers"))])
        else:
            try:
                company = Registry(self.db).create(clean, SYSTEM)
            except CompanyError as error:
                raise RegistrationError(error.problems) from None
            company = session.get(Company, company.id)
            company.listed = False  # out of the registry everybody reads until an organizer approves
            company.provisional = True  # and holding its tax ID against nobody until the address is confirmed
        claim = known is not None
        languages = sorted({lang for a in attendees for lang in a.get("languages") or [] if lang})
        # Knowing a registered company's tax ID proves nothing: a claim's account speaks for no company
        # (and so sees only its own registration) until the organizer approves it or the address turns
        # out to be one of the company's known contacts.
        # Nor does an account that registered a new company speak for it before the organizers approve: an address
        # confirmed with a made-up tax ID read every mission's participants and the registry (the outsider's find).
        user = Accounts(self.db, self.clock).create_user(email, form.password, "company", form.language, None,
                                                         claimant=True)
        user.active = False  # until the address is confirmed: a typo'd address gets nobody in
        registration = MissionRegistration(
            mission_id=mission_id, company_id=company.id, user_id=user.id, side=side, claim=claim,
            attendees=[{"name": a["name"].strip(), "role": (a.get("role") or "").strip() or None,
                        "languages": list(a.get("languages") or [])} for a in attendees],
            languages=languages or list(company.languages or []), available=form.available,
            online=bool(form.online), status="unconfirmed", created_at=now)
        session.add(registration)
        session.flush()
        if not claim:
            _add_contact(session, company.id, registration, email)
        self._send_confirmation(session, registration, user, now)
        return registration

    def _send_confirmation(self, session, registration: MissionRegistration, user: User, now: datetime) -> None:
        """A new confirmation link to the registered address; any earlier one still live stops working (one live
        link at a time). An expired one stays as it was, so that its page still says it expired."""
        session.execute(delete(SignedLink).where(SignedLink.user_id == user.id, SignedLink.purpose == "confirm",
                                                 SignedLink.used_at.is_(None), SignedLink.expires_at > now)
                        .execution_options(synchronize_session=False))
        mission = session.get(Mission, registration.mission_id)
        lang = user.language if user.language in LANGUAGES else "ru"
        token = links.issue(session, "confirm", now, user.id, {"registration": registration.id})
        queue(session, user.email, lang, letters.confirm_registration(self.site_url, token, mission, lang), now,
              mission_id=mission.id)

    # -- nobody locked out: a confirmation link that expired or was lost (issue 27.2) --------------------
    def confirmation_renewable(self, token: str) -> bool:
        """Whether this confirmation link, dead or not, is of a registration that still waits for its
        confirmation: then its page offers a fresh link to whoever holds it."""
        with self.db.session() as session:
            link = links.find(session, token, ("confirm",))
            registration = _registration_of(session, link)
            return registration is not None and registration.status == "unconfirmed"

    @unit_of_work
    def renew_confirmation(self, token: str, now: datetime | None = None) -> bool:
        """Mail a fresh confirmation link to the address a dead confirmation link was sent to. Only whoever holds
        a link of that registration may ask, and the new link goes to the registered address, never elsewhere.
        False (nothing sent) when the registration is confirmed already; LinkProblem for a link that names none."""
        session = session_of(self)
        link = links.find(session, token, ("confirm",))
        registration = _registration_of(session, link)
        if registration is None:
            raise links.not_valid()
        user = session.get(User, registration.user_id) if registration.user_id else None
        if registration.status != "unconfirmed" or user is None:
            return False
        self._send_confirmation(session, registration, user, now or self.clock())
        return True

    @unit_of_work
    def resend_confirmation(self, email: str, now: datetime | None = None) -> None:
        """"Forgot password" for an address whose registration is unconfirmed: its account cannot sign in or get
        a password link, so the confirmation goes again. Says nothing either way (the page answers the same)."""
        session = session_of(self)
        user = session.scalar(select(User).where(User.email == (email or "").strip().lower()[:320]))
        waiting = _unconfirmed_registration(session, user) if user is not None else None
        if waiting is not None:
            self._send_confirmation(session, waiting, user, now or self.clock())

    def awaits_confirmation(self, user_id: int) -> bool:
        """The account was made by a registration whose address is not confirmed yet."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            return user is not None and _unconfirmed_registration(session, user) is not None

    def registration_link(self, token: str) -> MissionRegistration:
        """The registration a confirmation link is for, while the link is usable (LinkProblem otherwise)."""
        with self.db.session() as session:
            link = links.check(session, token, ("confirm",), self.clock())
            found = session.get(MissionRegistration, (link.payload or {}).get("registration"))
            if found is None:
                raise links.not_valid()
            return found

    @unit_of_work
    def confirm_registration(self, token: str, now: datetime | None = None) -> MissionRegistration:
        """The address is the registrant's: the account opens, and the organizers see the registration."""
        now = now or self.clock()
        session = session_of(self)
        link = links.use(session, token, ("confirm",), now)
        registration = session.get(MissionRegistration, (link.payload or {}).get("registration"))
        if registration is None:
            raise links.not_valid()
        user = session.get(User, registration.user_id) if registration.user_id else None
        if registration.status == "unconfirmed":
            _settle_company(session, registration, user)
        if user is not None:
            user.active = True
            if registration.claim and user.company_id is None and _known_contact(session, registration.company_id,
                                                                                  user.email):
                # the company's own address on record answered the mail: that is the company speaking
                user.company_id = registration.company_id
        if registration.status == "unconfirmed":
            registration.status = "pending"
            self._tell_organizers(session, registration, now)
        return registration

    def _tell_organizers(self, session, registration: MissionRegistration, now: datetime) -> None:
        """The mission's organizers hear that a registration waits for their decision, each in their language.
        The organizers are the instance's active accounts with that role (admins when it has none)."""
        mission = session.get(Mission, registration.mission_id)
        company = session.get(Company, registration.company_id)
        tell_organizers(session, mission, now, lambda lang: letters.registration_waiting(
            self.site_url, mission, company_name(company, lang), lang))

    def waiting_registrations(self, mission_id: int, side: str | None = None) -> int:
        """Confirmed registrations that wait for an organizer's decision (the count on the mission's tabs), of
        one side only when `side` is given (a supporting organiser's)."""
        with self.db.session() as session:
            query = select(func.count()).select_from(MissionRegistration).where(
                MissionRegistration.mission_id == mission_id, MissionRegistration.status == "pending")
            if side is not None:
                query = query.where(MissionRegistration.side == side)
            return session.scalar(query) or 0

    def own_registrations(self, actor: Actor) -> list[RegistrationView]:
        """What a registrant sees of their own registrations (all an account that waits for approval sees)."""
        if actor.user_id is None:
            return []
        with self.db.session() as session:
            rows = session.execute(select(MissionRegistration, Company, User.email, User.company_id)
                                   .join(Company, Company.id == MissionRegistration.company_id)
                                   .join(User, User.id == MissionRegistration.user_id)
                                   .where(MissionRegistration.user_id == actor.user_id)
                                   .order_by(MissionRegistration.created_at)).all()
            return [RegistrationView(r, c, e, own == c.id) for r, c, e, own in rows]

    def registrations(self, mission_id: int, confirmed_only: bool = True, side: str | None = None
                      ) -> list[RegistrationView]:
        """The mission's registrations (`side`: of that side only, what a supporting organiser sees)."""
        with self.db.session() as session:
            query = (select(MissionRegistration, Company, User.email)
                     .join(Company, Company.id == MissionRegistration.company_id)
                     .outerjoin(User, User.id == MissionRegistration.user_id)
                     .where(MissionRegistration.mission_id == mission_id)
                     .order_by(MissionRegistration.created_at, MissionRegistration.id))
            if confirmed_only:
                query = query.where(MissionRegistration.status != "unconfirmed")
            if side is not None:
                query = query.where(MissionRegistration.side == side)
            rows = session.execute(query.add_columns(User.company_id)).all()
            return [RegistrationView(r, c, e, own == c.id) for r, c, e, own in rows]

    @unit_of_work
    def decide_registration(self, mission_id: int, registration_id: int, approve: bool, reason: str | None = None,
                            actor: Actor = SYSTEM, now: datetime | None = None) -> MissionRegistration:
        """Approve (the company takes part, with its attendees and times) or refuse with a reason; the
        company is told by mail, in its representative's language."""
        if not actor.may("missions.manage"):
            raise Refused([("registration", "only organizers decide on registrations")])
        now = now or self.clock()
        session = session_of(self)
        mission = mission_row(session, mission_id, lock=True)
        registration = session.get(MissionRegistration, registration_id)
        if registration is None or registration.mission_id != mission_id or registration.status == "unconfirmed":
            raise MissionError([("registration", "no such registration in this mission")])
        self.check(actor, "mission.registrations", mission_id, side=registration.side)
        if registration.status != "pending":
            raise Conflict([("registration", Msg("this registration was decided already (%(status)s)",
                                                 status=registration.status))])
        # a reason typed, then Approve clicked, is no refusal's: neither kept nor mailed
        reason = "" if approve else (reason or "").strip()
        if not approve and not reason:
            raise RegistrationError([("reason", "say why the registration is refused: the company is told")])
        user = session.get(User, registration.user_id) if registration.user_id else None
        if approve:
            self.add_participant(mission_id, registration.company_id, registration.side,
                                 [a["name"] for a in registration.attendees or []], registration.languages,
                                 registration.available, online=bool(registration.online))
            company = session.get(Company, registration.company_id)
            company.listed = True
            if user is not None and user.role == "company" and user.company_id is None:
                # the organizer vouches for the claim: the account now speaks for the company
                user.company_id = company.id
                _add_contact(session, company.id, registration, user.email)
        if not approve and not registration.claim:
            _release_company(session, registration)
        registration.status = "approved" if approve else "refused"
        registration.reason = reason or None
        registration.decided_at, registration.decided_by = now, actor.user_id
        if user is not None:
            queue(session, user.email, user.language,
                  letters.registration_decided(self.site_url, mission, approve, reason, user.language), now,
                  user=user, mission_id=mission_id)
        return registration

    @unit_of_work
    def invite_to_register(self, mission_id: int, company_ids: list[int], actor: Actor = SYSTEM,
                           now: datetime | None = None, remind: bool = False) -> InvitationReport:
        """Mail the registration page to registry companies, each at its contacts' addresses in its language, with a
        link that tells the organizers when it was opened. Nobody is invited twice by mistake: a company invited (or
        reminded) less than a day ago is refused with a reason unless this is an explicit reminder (`remind`); one
        invited longer ago is sent a reminder. A company that has registered or takes part is not written to."""
        if not actor.may("missions.manage"):
            raise Refused([("mission", "only organizers invite companies")])
        now = now or self.clock()
        session = session_of(self)
        mission = mission_row(session, mission_id, lock=True)
        self.check(actor, "mission.registrations", mission_id)
        own_side = self.bound_side(actor, mission_id)  # a supporting organiser invites their side's companies only
        if not mission.registration_open:
            raise Conflict([("registration", "open the registration first: the invitation points to its page")])
        report = InvitationReport()
        registered = self._registered_companies(session, mission_id)
        sent = {i.company_id: i for i in session.scalars(select(MissionInvitation).where(
            MissionInvitation.mission_id == mission_id))}
        for company_id in dict.fromkeys(company_ids):
            company = session.get(Company, company_id)
            if company is None:
                continue
            if own_side is not None and side_of(mission, company.country, company.region) != own_side:
                report.refused.append(company_id)
                report.problems.append(("companies", Msg("%(company)s is not on your side of the mission",
                                                         company=company_name(company))))
                continue
            if company_id in registered:
                report.registered.append(company_id)
                continue
            invitation = sent.get(company_id)
            last = aware(invitation.reminded_at or invitation.invited_at) if invitation else None
            if last is not None and not remind and now - last < REINVITE_AFTER:
                report.refused.append(company_id)
                report.problems.append(("companies", Msg(
                    "%(company)s was invited less than a day ago: a second invitation goes only as a reminder",
                    company=company_name(company))))
                continue
            addresses = {c.email.strip().lower() for c in session.scalars(select(CompanyContact).where(
                CompanyContact.company_id == company_id)) if c.email}
            if not addresses:
                report.without_address.append(company_id)
                continue
            if invitation is None:
                invitation = MissionInvitation(mission_id=mission_id, company_id=company_id, invited_at=now,
                                               token=secrets.token_urlsafe(24), reminders=0)
                session.add(invitation)
                report.invited.append(company_id)
            else:
                invitation.reminded_at, invitation.reminders = now, (invitation.reminders or 0) + 1
                report.reminded.append(company_id)
            lang = next((x for x in company.languages or [] if x in LANGUAGES), "ru")
            build = letters.invitation_reminder if invitation.reminded_at else letters.invitation_to_register
            for address in sorted(addresses):
                queue(session, address, lang, build(self.site_url, mission, company, invitation.token, lang), now,
                      mission_id=mission_id)
        return report

    @unit_of_work
    def remind_invited(self, mission_id: int, actor: Actor = SYSTEM, now: datetime | None = None) -> InvitationReport:
        """A reminder to every company invited that has not registered."""
        session = session_of(self)
        registered = self._registered_companies(session, mission_id)
        invited = session.scalars(select(MissionInvitation).where(MissionInvitation.mission_id == mission_id)
                                  .order_by(MissionInvitation.id))
        waiting = [i.company_id for i in invited if i.company_id not in registered]
        return self.invite_to_register(mission_id, waiting, actor, now, remind=True)

    @staticmethod
    def _registered_companies(session, mission_id: int) -> set[int]:
        return set(session.scalars(select(MissionRegistration.company_id).where(
            MissionRegistration.mission_id == mission_id))) | set(session.scalars(select(
                MissionParticipant.company_id).where(MissionParticipant.mission_id == mission_id)))

    @unit_of_work
    def invitation_opened(self, mission_id: int, token: str | None, now: datetime | None = None) -> None:
        """The invitation's link was followed (the public page was opened from it): the first time is kept. A token
        that is not this mission's is no matter: the page is public anyway."""
        if not token or len(token) > 64:
            return
        invitation = session_of(self).scalar(select(MissionInvitation).where(MissionInvitation.token == token))
        if invitation is not None and invitation.mission_id == mission_id and invitation.opened_at is None:
            invitation.opened_at = now or self.clock()

    def invitations(self, mission_id: int) -> dict[int, InvitationView]:
        """company id -> its invitation and where it stands: invited when, reminded, opened, registered."""
        with self.db.session() as session:
            statuses = dict(session.execute(select(MissionRegistration.company_id, MissionRegistration.status).where(
                MissionRegistration.mission_id == mission_id)).all())
            statuses.update({c: "taking part" for c in session.scalars(select(MissionParticipant.company_id).where(
                MissionParticipant.mission_id == mission_id))})
            found = {i.company_id: InvitationView(i, statuses.get(i.company_id)) for i in session.scalars(
                select(MissionInvitation).where(MissionInvitation.mission_id == mission_id))}
            found.update({c: InvitationView(None, status) for c, status in statuses.items() if c not in found})
            return found
