"""The demo mission: the 2026 Syrdarya business mission to Altai Krai (planned at the December 2025
meeting of the Consul General and the Governor). Its participants, requests, answers and visits are
synthetic — generated deterministically from a seed — and the mission is marked as such.

35 visiting and 50 host companies (the synthetic registry), 2 days x 12 slots of 30 minutes,
15 tables, 3 Russian-Uzbek interpreters, 6 enterprise visits for the delegation's leaders.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date

from hamkor.companies.registry import CompanyFilter, Registry
from hamkor.companies.service import match
from hamkor.demo.companies import UZ_FIRST, UZ_LAST
from hamkor.demo.two_sides import online_participants
from hamkor.missions.outcomes import Outcome
from hamkor.missions.service import MissionData, Missions
from hamkor.store.db import Database
from hamkor.store.models import MissionRegistration

# The day the demo's dates are written from: the mission ten days ahead, requests open five more days. A demo
# built on another day moves every date of the mission by the difference, so it always shows a live mission.
AUTHORED_FOR = date(2026, 12, 5)
DAYS = [{"date": "2026-12-15", "start": "10:00", "end": "17:00", "breaks": [["13:00", "14:00"]]},
        {"date": "2026-12-16", "start": "10:00", "end": "17:00", "breaks": [["13:00", "14:00"]]}]


def demo_mission_days(today: date = AUTHORED_FOR) -> list[dict]:
    shift = today - AUTHORED_FOR
    return [{**day, "date": (date.fromisoformat(day["date"]) + shift).isoformat()} for day in DAYS]


def demo_mission_name(today: date = AUTHORED_FOR) -> str:
    year = date.fromisoformat(demo_mission_days(today)[0]["date"]).year
    return f"Бизнес-миссия компаний Сырдарьинской области в Алтайский край, {year} (демо)"


DEMO_MISSION_NAME = demo_mission_name()
# Synthetic enterprises near Barnaul (coordinates of the towns, not of real plants)
VISITS = [
    ("Котельный завод (демо)", "Барнаул, ул. Промышленная", 53.3606, 83.7636, "09:00", "17:00", 90, 1),
    ("Вагоностроительный завод (демо)", "Новоалтайск", 53.3937, 83.9354, "09:00", "17:00", 90, 1),
    ("Мукомольный комбинат (демо)", "Барнаул, Павловский тракт", 53.3399, 83.6657, "09:00", "16:00", 60, 2),
    ("Фармацевтическое производство (демо)", "Барнаул, ул. Малахова", 53.3672, 83.6978, "10:00", "17:00", 60, 2),
    ("Завод горно-шахтного оборудования (демо)", "Барнаул, пр. Космонавтов", 53.3741, 83.7311, "09:00", "17:00",
     60, 3),
    ("Сырзавод (демо)", "Первомайское", 53.2528, 83.6033, "09:00", "15:00", 60, 3),
]

VISIT_NAMES = {
    "Котельный завод (демо)": {"uz": "Qozon zavodi (demo)", "en": "Boiler works (demo)"},
    "Вагоностроительный завод (демо)": {"uz": "Vagonsozlik zavodi (demo)", "en": "Railcar works (demo)"},
    "Мукомольный комбинат (демо)": {"uz": "Un kombinati (demo)", "en": "Flour mill (demo)"},
    "Фармацевтическое производство (демо)": {"uz": "Farmatsevtika ishlab chiqarishi (demo)",
                                             "en": "Pharmaceutical plant (demo)"},
    "Завод горно-шахтного оборудования (демо)": {"uz": "Kon-shaxta uskunalari zavodi (demo)",
                                                 "en": "Mining equipment works (demo)"},
    "Сырзавод (демо)": {"uz": "Pishloq zavodi (demo)", "en": "Cheese dairy (demo)"},
}


def build_demo_mission(db: Database, con=None, seed: int = 20261215, seconds: float = 5.0,
                       today: date = AUTHORED_FOR) -> int | None:
    """Create, fill and schedule the demo mission once; returns its id (None if it exists already). `today`:
    the day the demo is built; every date of the mission is moved with it (`AUTHORED_FOR` keeps them as written)."""
    missions = Missions(db)
    if any(m.synthetic for m in missions.all()):
        return None
    rng = random.Random(seed)
    shift = today - AUTHORED_FOR
    days = demo_mission_days(today)
    first, second = (date.fromisoformat(day["date"]) for day in days)
    year = first.year

    def on(day: date, lang: str) -> str:
        return format_date(day, "d-MMMM" if lang == "uz" else "d MMMM", locale=lang)

    mission = missions.create(MissionData(
        name=demo_mission_name(today), host_territory="RU-ALT", visiting_territory="UZ-SI",
        venue="Конгресс-холл (демо)", city="Барнаул", timezone="Asia/Barnaul", latitude=53.3481, longitude=83.7798,
        days=days, slot_minutes=30, tables=15, interpreters=[{"languages": ["ru", "uz"], "count": 3}],
        request_deadline=datetime(2026, 12, 10, 11, 0, tzinfo=UTC) + shift, synthetic=True,
        names={"name": {"uz": f"Sirdaryo viloyati kompaniyalarining Oltoy oʻlkasiga biznes-missiyasi, {year} (demo)",
                        "en": f"Business mission of Syrdarya region companies to Altai Krai, {year} (demo)"},
               "venue": {"uz": "Kongress-xoll (demo)", "en": "Congress Hall (demo)"},
               "programme": {"uz": f"{on(first, 'uz')}: ochilish, B2B uchrashuvlar, korxonalarga tashrif. "
                                   f"{on(second, 'uz')}: B2B uchrashuvlar, yakunlar.",
                             "en": f"{on(first, 'en')}: opening, B2B meetings, enterprise visits. "
                                   f"{on(second, 'en')}: B2B meetings, closing."}},
        programme=f"{on(first, 'ru')}: открытие, B2B-встречи, посещение предприятий. {on(second, 'ru')}: "
                  "B2B-встречи, итоги.",
        sectors=["food", "agriculture", "machinery"]))
    registry = Registry(db)
    hosts = registry.find(CompanyFilter(region="RU-ALT"))
    guests = registry.find(CompanyFilter(region="UZ-SI"))
    hosts, guests = [c for c in hosts if c.synthetic][:50], [c for c in guests if c.synthetic][:35]
    slots = [s.id for s in missions.slots(mission)]
    participant = {}
    for n, company in enumerate(guests):
        participant[company.id] = missions.add_participant(
            mission.id, company.id, "visiting",
            attendees=[f"{rng.choice(UZ_FIRST)} {rng.choice(UZ_LAST)}" for _ in range(2)],
            joins_visits=n < 8).id  # the delegation's leaders go on the visits
    online_participants(missions, mission.id, [participant[c.id] for c in guests])
    for company in hosts:
        window = rng.random()
        available = slots[:12] if window < 0.12 else slots[12:] if window < 0.24 else None  # some come one day only
        participant[company.id] = missions.add_participant(mission.id, company.id, "host", available=available).id
    for name, address, lat, lon, opens, closes, length, priority in VISITS:
        missions.add_visit(mission.id, name, lat, lon, opens, closes, length, priority, address=address,
                           group_size=12, names=VISIT_NAMES.get(name))


    by_guest = match(registry, con, CompanyFilter(ids=tuple(c.id for c in guests)),
                     CompanyFilter(ids=tuple(c.id for c in hosts)), top=5)
    by_host = match(registry, con, CompanyFilter(ids=tuple(c.id for c in hosts)),
                    CompanyFilter(ids=tuple(c.id for c in guests)), top=2)
    rank: dict[int, int] = {}
    for suggestion in by_guest.suggestions:
        order = rank[suggestion.a.id] = rank.get(suggestion.a.id, -1) + 1
        priority = "must" if order == 0 else "should" if order < 3 else "could"
        _ask(missions, mission.id, participant[suggestion.a.id], participant[suggestion.b.id], priority, rng, shift)
    for suggestion in by_host.suggestions:
        try:
            _ask(missions, mission.id, participant[suggestion.a.id], participant[suggestion.b.id],
                 rng.choice(["should", "could"]), rng, shift)
        except ValueError:
            continue
    missions.schedule(mission.id, seconds=seconds, workers=1, seed=1, now=datetime(2026, 12, 1, tzinfo=UTC) + shift)
    _registrations(db, missions, mission.id, participant, shift)
    _answers(missions, mission.id, rng, shift)
    return mission.id


def _registrations(db: Database, missions: Missions, mission_id: int, participant: dict[int, int],
                   shift: timedelta) -> None:
    """How the companies came: most registered themselves and were approved, a few wait for the organizer,
    one was refused with its reason (the organizer added the rest by hand)."""
    people = missions.people(mission_id)
    when = datetime(2026, 11, 20, tzinfo=UTC) + shift
    with db.session() as session:
        for n, (company_id, pid) in enumerate(sorted(participant.items())):
            if n % 4 == 3:
                continue  # added by the organizer
            person = people[pid]
            session.add(MissionRegistration(
                mission_id=mission_id, company_id=company_id, side=person.participant.side,
                attendees=[{"name": a, "role": None, "languages": []} for a in person.participant.attendees or []],
                languages=list(person.participant.languages or []), available=person.participant.available,
                status="approved", created_at=when, decided_at=when))
    missions.set_registration(mission_id, True)


def _answers(missions: Missions, mission_id: int, rng: random.Random, shift: timedelta) -> None:
    """Both sides' own account of half of the meetings, as the follow-up link collects it: most agree, some
    do not (one says negotiation, the other a contract), and some report a contract with its product and
    value — what the follow-up page sets beside the customs figures."""
    people = missions.people(mission_id)
    codes = {"food": "0406", "agriculture": "0805", "machinery": "8432", "textiles": "5208"}
    entries: dict[int, list[Outcome]] = {}
    for n, meeting in enumerate(missions.side_answers(mission_id)):
        if n % 2:
            continue  # the other half has not answered (yet)
        roll = rng.random()
        if roll > 0.93:
            answer = Outcome(meeting.meeting.id, "no_show")
            both = (answer, answer)
        else:
            stage = "contract" if roll < 0.2 else "negotiation" if roll < 0.5 else "contact"
            # the product of the deal: what one side offers and the other needs, as their profiles say
            a, b = people[meeting.a].company, people[meeting.b].company
            sector = next((s for s in a.sectors or [] if s in codes), "food")
            shared = [c for c in a.offers or [] if any(c[:4] == n[:4] for n in b.needs or [])] + \
                     [c for c in b.offers or [] if any(c[:4] == n[:4] for n in a.needs or [])]
            product = (shared or a.offers or b.offers or [codes[sector]])[0][:4]
            value = float(rng.randrange(20, 400) * 1000) if stage == "contract" else None
            answer = Outcome(meeting.meeting.id, "held", rng.randint(3, 5), stage,
                             product if stage == "contract" else None, value)
            other = Outcome(meeting.meeting.id, "held", rng.randint(3, 5),
                            "negotiation" if stage == "contract" and rng.random() < 0.3 else stage,
                            answer.hs_code, value)
            both = (answer, other)
        for pid, said in zip((meeting.a, meeting.b), both, strict=True):
            if rng.random() < 0.85:  # most answer; some never do
                entries.setdefault(pid, []).append(said)
    for pid, said in entries.items():
        missions.record_feedback(mission_id, pid, said, via="link", now=datetime(2027, 1, 16, tzinfo=UTC) + shift)


def _ask(missions: Missions, mission_id: int, requester: int, target: int, priority: str, rng: random.Random,
         shift: timedelta) -> None:
    when = datetime(2026, 12, 1, tzinfo=UTC) + shift
    made = missions.request(mission_id, requester, target, priority,
                            "Предлагаем обсудить поставки (демо)", origin="matching", now=when)
    answer = rng.random()
    if answer < 0.75:
        missions.answer(mission_id, made.id, True, now=when)
    elif answer < 0.85:
        missions.answer(mission_id, made.id, False, now=when)
    # else: left pending, as some always are; it holds a slot until the deadline
