"""Telling a company's representatives what happened, each in their language, inside the change's own
transaction (a change that fails tells no one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from hamkor.companies.registry import company_name
from hamkor.i18n import LANGUAGES, Msg
from hamkor.i18n.times import territory_zone
from hamkor.mail.letter import Letter, with_reader_zone
from hamkor.mail.outbox import queue
from hamkor.missions.letters import slot_text
from hamkor.store.models import Company, User


def tell_company(session, company_id: int, mission, now: datetime, build: Callable[[str], Letter]) -> int:
    """Queue the letter `build(lang)` for every active representative of the company; how many."""
    told = 0
    company = session.get(Company, company_id)
    reader_zone = territory_zone((company.region or company.country) if company else None)
    for user in session.scalars(select(User).where(User.company_id == company_id, User.role == "company",
                                                   User.active.is_(True))):
        lang = user.language if user.language in LANGUAGES else "ru"
        queue(session, user.email, lang, with_reader_zone(build(lang), reader_zone), now, user=user,
              mission_id=mission.id)
        told += 1
    return told


def tell_organizers(session, mission, now: datetime, build: Callable[[str], Letter]) -> int:
    """Queue `build(lang)` for the mission's organizers, each in their language: the instance's active
    accounts with that role (its admins when it has none). How many."""
    for role in ("organizer", "admin"):
        people = list(session.scalars(select(User).where(User.role == role, User.active.is_(True))
                                      .order_by(User.id)))
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


def moved_line(old: tuple[str, int] | None, new: tuple[str, int] | None, counterpart: str) -> Msg:
    if old and new:
        return Msg("%(company)s: moved from %(old)s, table %(old_table)s to %(new)s, table %(new_table)s",
                   company=counterpart, old=slot_text(old[0]), old_table=old[1], new=slot_text(new[0]),
                   new_table=new[1])
    if new:
        return Msg("%(company)s: new meeting at %(new)s, table %(new_table)s", company=counterpart,
                   new=slot_text(new[0]), new_table=new[1])
    return Msg("%(company)s: the meeting at %(old)s is cancelled", company=counterpart, old=slot_text(old[0]))
