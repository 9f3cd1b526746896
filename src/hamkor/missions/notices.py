"""Telling a company's representatives what happened, each in their language, inside the change's own
transaction (a change that fails tells no one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import or_, select

from hamkor.accounts.service import reads_company_mail
from hamkor.companies.registry import company_name
from hamkor.i18n import LANGUAGES, Msg
from hamkor.i18n.times import territory_zone
from hamkor.mail.letter import Letter, with_reader_zone
from hamkor.mail.outbox import queue
from hamkor.missions.letters import slot_text
from hamkor.store.models import Company, MissionOrganiser, User


def tell_company(session, company_id: int, mission, now: datetime, build: Callable[[str], Letter]) -> int:
    """Queue the letter `build(lang)` for every active representative of the company; how many."""
    told = 0
    company = session.get(Company, company_id)
    reader_zone = territory_zone((company.region or company.country) if company else None)
    for user in session.scalars(select(User).where(User.company_id == company_id, reads_company_mail())):
        lang = user.language if user.language in LANGUAGES else "ru"
        queue(session, user.email, lang, with_reader_zone(build(lang), reader_zone), now, user=user,
              mission_id=mission.id)
        told += 1
    return told


def tell_organizers(session, mission, now: datetime, build: Callable[[str], Letter]) -> int:
    """Queue `build(lang)` for the mission's organizers, each in their language: the instance's own active
    accounts with that role and those of the organisations running the mission as owner or main organiser (its
    admins when there are none). Staff of an organisation not on the mission, or supporting it, hear nothing of
    what concerns both sides. How many."""
    running = select(MissionOrganiser.organisation_id).where(MissionOrganiser.mission_id == mission.id,
                                                             MissionOrganiser.role.in_(("owner", "main")))
    for role in ("organizer", "admin"):
        people = list(session.scalars(select(User).where(
            User.role == role, User.active.is_(True),
            or_(User.organisation_id.is_(None), User.organisation_id.in_(running))).order_by(User.id)))
        if people:
            break
    for user in people:
        lang = user.language if user.language in LANGUAGES else "ru"
        queue(session, user.email, lang, build(lang), now, user=user, mission_id=mission.id)
    return len(people)


def name_of(session, company_id: int, lang: str) -> str:
    company = session.get(Company, company_id)
    return company_name(company, lang) if company else "—"


def meeting_line(slot: str, table: int, counterpart: str, link: str | None = None) -> Msg:
    if not table:  # a call: its link goes to the two companies' own people only
        if link:
            return Msg("%(time)s, online — %(company)s: %(link)s", time=slot_text(slot), company=counterpart,
                       link=link)
        return Msg("%(time)s, online — %(company)s", time=slot_text(slot), company=counterpart)
    return Msg("%(time)s, table %(table)s — %(company)s", time=slot_text(slot), table=table, company=counterpart)


def _place(slot: str, table: int) -> Msg:
    if not table:
        return Msg("%(time)s, online", time=slot_text(slot))
    return Msg("%(time)s, table %(table)s", time=slot_text(slot), table=table)


def moved_line(old: tuple[str, int] | None, new: tuple[str, int] | None, counterpart: str,
               link: str | None = None) -> Msg:
    """What became of one meeting in a re-plan. A call (table 0) is said as online, with its link where it is one
    now: the two companies' people are the only ones told it."""
    if (old and not old[1]) or (new and not new[1]):
        if old and new:
            line = Msg("%(company)s: moved from %(old)s to %(new)s", company=counterpart, old=_place(*old),
                       new=_place(*new))
        elif new:
            line = Msg("%(company)s: new meeting at %(new)s", company=counterpart, new=_place(*new))
        else:
            return Msg("%(company)s: the meeting at %(old)s is cancelled", company=counterpart, old=_place(*old))
        return Msg("%(line)s: %(link)s", line=line, link=link) if link and not new[1] else line
    if old and new:
        return Msg("%(company)s: moved from %(old)s, table %(old_table)s to %(new)s, table %(new_table)s",
                   company=counterpart, old=slot_text(old[0]), old_table=old[1], new=slot_text(new[0]),
                   new_table=new[1])
    if new:
        return Msg("%(company)s: new meeting at %(new)s, table %(new_table)s", company=counterpart,
                   new=slot_text(new[0]), new_table=new[1])
    return Msg("%(company)s: the meeting at %(old)s is cancelled", company=counterpart, old=slot_text(old[0]))
