"""The demo mission's two sides (issue 29.6): the Altai Krai SME support fund owns it; the Syrdarya regional
administration co-organises it for the visiting side, with its own organiser account that sees only its side's
registrations to approve; the visiting companies' representatives have accounts, and the administration has
written to them; a few companies take part online (their meetings are calls, made before the schedule: see
`online_participants`); on the first day most of those on site checked in at the door. Synthetic, as the rest of
the demo mission."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hamkor.accounts.organisations import OrganisationData, Organisations
from hamkor.accounts.permissions import Actor
from hamkor.accounts.service import Accounts
from hamkor.companies.registry import CompanyData, Registry
from hamkor.missions.messages import Audience, MessageDraft
from hamkor.missions.service import Missions
from hamkor.store.db import Database
from hamkor.store.models import Company, MissionParticipant, MissionRegistration

PARTNER_EMAIL = "syrdarya@hamkor.local"
ONLINE_GUESTS = 3  # visiting companies that meet by video: the first few of the delegation's list after its leaders


def online_participants(missions: Missions, mission_id: int, visiting: list[int]) -> None:
    """A few visiting companies take part online (chosen before the schedule, so their meetings are calls)."""
    for participant_id in visiting[8:8 + ONLINE_GUESTS]:  # not the delegation's leaders, who go on the visits
        missions.choose_attendance(mission_id, participant_id, True)


def seed_two_sides(db: Database, data_dir: Path, mission_id: int, today: date, seed: int = 29) -> None:
    rng = random.Random(seed)
    missions, organisations, accounts = Missions(db), Organisations(db), Accounts(db)
    fund = organisations.create(OrganisationData(
        "fund", "RU-ALT", name_ru="Фонд поддержки МСП Алтайского края (демо)",
        name_uz="Oltoy oʻlkasi KOB qoʻllab-quvvatlash jamgʻarmasi (demo)",
        name_en="Altai Krai SME support fund (demo)"))
    administration = organisations.create(OrganisationData(
        "administration", "UZ-SI", name_ru="Хокимият Сырдарьинской области (демо)",
        name_uz="Sirdaryo viloyati hokimligi (demo)", name_en="Syrdarya regional administration (demo)"))
    missions.add_organiser(mission_id, fund.id, "owner")
    missions.add_organiser(mission_id, administration.id, "supporting")
    partner = accounts.create_user(PARTNER_EMAIL, partner_password(data_dir), "organizer", "uz")
    organisations.add_member(administration.id, partner.id)
    _waiting_registrations(db, missions, mission_id, today)
    people = missions.people(mission_id)
    for person in people.values():  # the visiting companies' people, who read the administration's message
        if person.participant.side == "visiting":
            accounts.create_user(f"company-{person.company.id}@syrdarya.demo.invalid", secrets.token_urlsafe(16),
                                 "company", "uz" if person.company.id % 3 else "ru", person.company.id)
    actor = Actor(partner.id, partner.email, "organizer", None, administration.id)
    missions.send_message(mission_id, MessageDraft(
        Audience("side", "visiting"),
        {"uz": "Toshkentdan reys va mehmonxona", "ru": "Рейс из Ташкента и гостиница"},
        {"uz": "Hurmatli ishtirokchilar!\n\nDelegatsiya birinchi kun arafasida Toshkentdan Barnaulga uchadi. "
               "Mehmonxona va transfer hokimlik tomonidan tashkil etiladi. Savollar boʻlsa, bizga yozing. (demo)",
         "ru": "Уважаемые участники!\n\nДелегация вылетает из Ташкента в Барнаул накануне первого дня. Гостиницу и "
               "трансфер организует хокимият. Вопросы — пишите нам. (демо)"}), actor)
    _first_day_arrivals(db, missions, mission_id, rng)


def partner_password(data_dir: Path) -> str:
    """The partner organiser's password: made once, kept beside the demo admin's (data directory, mode 600)."""
    record = data_dir / "demo" / "partner-sign-in.txt"
    if record.exists():
        return record.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(password + "\n", encoding="utf-8")
    record.chmod(0o600)
    return password


WAITING = (  # companies that registered after the demo's own were placed: new to the registry, synthetic as they are
    ("visiting", "UZ-SI", "ООО «Гулистан Текстиль» (демо)", "«Guliston Tekstil» MChJ (demo)", "textiles", "uz"),
    ("visiting", "UZ-SI", "ООО «Сырдарья Мева» (демо)", "«Sirdaryo Meva» MChJ (demo)", "food", "uz"),
    ("host", "RU-ALT", "ООО «Бийск Агромаш» (демо)", "«Biysk Agromash» MChJ (demo)", "machinery", "ru"),
)


def _waiting_registrations(db: Database, missions: Missions, mission_id: int, today: date) -> None:
    """Two Syrdarya companies and one Altai company registered and wait for a decision: the administration's
    organiser sees (and decides on) its two, the fund's sees all three."""
    registry = Registry(db)
    when = datetime.combine(today, time(6, 0), tzinfo=UTC) - timedelta(days=1)
    for side, region, name_ru, name_uz, sector, lang in WAITING:
        company = registry.create(CompanyData(name_ru=name_ru, name_uz=name_uz, name_en=name_uz, country=region[:2],
                                              region=region, sectors=[sector], languages=[lang, "ru"],
                                              synthetic=True))
        with db.session() as session:
            session.get(Company, company.id).listed = False  # as a public registration's: not in the registry yet
            session.add(MissionRegistration(
                mission_id=mission_id, company_id=company.id, side=side, status="pending", created_at=when,
                attendees=[{"name": "Demo", "role": None, "languages": [lang]}], languages=[lang, "ru"]))


def _first_day_arrivals(db: Database, missions: Missions, mission_id: int, rng: random.Random) -> None:
    """Most of those on site checked in at the door on the first morning; a few had not arrived."""
    mission = missions.mission(mission_id)
    first = min(day["date"] for day in mission.days)
    opening = datetime.combine(date.fromisoformat(first), time(8, 30), tzinfo=ZoneInfo(mission.timezone))
    with db.session() as session:
        for participant in session.scalars(select(MissionParticipant).where(
                MissionParticipant.mission_id == mission_id, MissionParticipant.online.is_(False))):
            if rng.random() < 0.9:
                participant.arrived_at = opening + timedelta(minutes=rng.randint(0, 75))
