"""Build the demo data directory from nothing, and say what it shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from hamkor.accounts.service import Accounts
from hamkor.companies.registry import Registry
from hamkor.config import Settings
from hamkor.demo.companies import generate as generate_companies
from hamkor.demo.cooperation import seed_cooperation
from hamkor.demo.mission import build_demo_mission, demo_mission_days
from hamkor.demo.synthetic import country_floors, generate, write_fts_regional
from hamkor.demo.two_sides import seed_two_sides
from hamkor.demo.world import write_baci
from hamkor.missions.service import Missions
from hamkor.opportunities.analysis import find_opportunities
from hamkor.reference.countries import countries
from hamkor.reference.regions import regions
from hamkor.store.db import Database
from hamkor.trade import stats
from hamkor.trade.facts import SYNTHETIC_SOURCE, WORLD_SYNTHETIC_SOURCE
from hamkor.trade.importers import ImportOptions
from hamkor.trade.periods import Period
from hamkor.trade.service import ImportOutcome, ImportService
from hamkor.trade.warehouse import Warehouse

REAL_SERIES = [
    ("fts-partners", "96stran.xlsx", ImportOptions()),
    ("uzstat", "uzstat_exports_sdmx_data_1105.csv", ImportOptions(flow="export")),
    ("uzstat", "uzstat_imports_sdmx_data_1176.csv", ImportOptions(flow="import")),
]
SYNTHETIC_FILE = "DATTSVT_RU-ALT_2023-01_2025-09_demo-synthetic.csv"

Step = Callable[[str], None]


def packaged(name: str) -> Path:
    return Path(str(resources.files("hamkor.demo").joinpath("data", name)))


def build_demo(settings: Settings, seed: int = 20251001, on_step: Step | None = None,
               progress=None, today: date | None = None) -> list[ImportOutcome]:
    """Reference data is packaged; this migrates the database and loads the trade data. `today`: the day the
    demo mission's dates follow (by default the real day in Barnaul, so `make demo` always shows a live one)."""
    today = today or datetime.now(ZoneInfo("Asia/Barnaul")).date()
    say = on_step or (lambda _: None)
    settings.ensure_dirs()
    db = Database(settings)
    try:
        db.upgrade()
        service = ImportService(db, Warehouse(settings))
        outcomes = []
        for kind, name, options in REAL_SERIES:
            say(f"{kind}: {name}")
            outcomes.append(service.import_file(kind, packaged(name), options, progress))
        say("generating the synthetic Altai Krai extract")
        region_rows = generate(seed)
        path = write_fts_regional(region_rows, settings.data_dir / "demo" / SYNTHETIC_FILE)
        say(f"fts-regional: {path.name}")
        outcomes.append(service.import_file(
            "fts-regional", path, ImportOptions(source=SYNTHETIC_SOURCE), progress))
        say("generating the synthetic world trade matrix")
        world = write_baci(settings.data_dir / "demo" / "world", floors=country_floors(region_rows))
        say(f"baci: {world.name}")
        outcomes.append(service.import_file(
            "baci", world, ImportOptions(source=WORLD_SYNTHETIC_SOURCE), progress))
        say("registering the synthetic companies (Altai Krai, Syrdarya region)")
        load_demo_companies(db)
        say("planning the synthetic business mission (Syrdarya region -> Altai Krai, 2026)")

        with Warehouse(settings).reader() as con:
            mission_id = build_demo_mission(db, con, today=today)
        if mission_id is not None:
            say("its two sides: the Altai fund owns it, the Syrdarya administration co-organises the visiting side")
            seed_two_sides(db, settings.data_dir, mission_id, today)
        say("seeding the cooperation registry (the meeting of 18 December 2025, public facts)")

        if mission_id is None:  # a rebuilt demo: the mission exists already
            mission_id = next((m.id for m in Missions(db).all() if m.synthetic), None)
        days = demo_mission_days(today)
        seed_cooperation(db, mission_id, (days[0]["date"], days[-1]["date"]))
        return outcomes
    finally:
        db.dispose()


def load_demo_companies(db: Database) -> int:
    """The synthetic companies, once: a rebuilt demo does not register them twice."""

    registry = Registry(db)
    if any(c.synthetic for c in registry.all()):
        return 0
    for data in generate_companies():
        registry.create(data)
    return len(generate_companies())


@dataclass
class SummaryLine:
    label: str
    period: str
    exports: float
    imports: float
    turnover: float
    growth: float | None
    rank: int | None
    partners: int
    synthetic: bool


def summarise(settings: Settings) -> list[SummaryLine]:
    """The headline figures the demo is meant to show."""
    ru = countries().name("UZ", "ru")
    lines = []
    with Warehouse(settings).reader() as con:
        for reporter, partner, period in (
            ("RU-ALT", "UZ", Period.months(2025, 1, 9)),
            ("UZ", "RU", Period.year(2023)),
            ("RU", "UZ", Period.months(2021, 1, 9)),
        ):
            now = stats.flows(con, reporter, partner, period)
            before = stats.flows(con, reporter, partner, period.previous_year())
            ranking = stats.partner_ranking(con, reporter, period)
            rank = next((r.rank for r in ranking if r.partner == partner), None)
            name = regions().get(reporter).name("ru") if "-" in reporter else countries().name(reporter, "ru")
            other = ru if partner == "UZ" else countries().name(partner, "ru")
            lines.append(SummaryLine(f"{name} — {other}", period.label(), now.exports, now.imports,
                                     now.turnover, stats.growth(now.turnover, before.turnover), rank,
                                     len(ranking), now.synthetic))
    return lines


def promising_areas(settings: Settings, top: int = 5) -> dict[str, list[str]]:
    """The top export opportunities of Altai Krai in Uzbekistan and back, as HS codes."""

    found = {}
    with Warehouse(settings).reader() as con:
        for direction, label in (("export", "Altai Krai → Uzbekistan"), ("import", "Uzbekistan → Altai Krai")):
            result = find_opportunities(con, "RU-ALT", "UZ", direction)
            found[label] = [i.product for i in result.items[:top]]
    return found


DEMO_EMAIL = "demo@hamkor.local"


def demo_sign_in(settings: Settings) -> tuple[str, str]:
    """The demo's admin account: made once with a random password kept in the data directory."""
    import secrets


    record = settings.data_dir / "demo" / "sign-in.txt"
    db = Database(settings)
    try:
        db.upgrade()
        accounts = Accounts(db)
        exists = any(u.email == DEMO_EMAIL for u in accounts.users())
        if exists and record.exists():
            return DEMO_EMAIL, record.read_text(encoding="utf-8").strip()
        if exists:  # the record was lost: this account cannot be signed into any more, make another
            return _fresh_demo_user(accounts, record, f"demo-{secrets.token_hex(3)}@hamkor.local")
        return _fresh_demo_user(accounts, record, DEMO_EMAIL)
    finally:
        db.dispose()


def _fresh_demo_user(accounts, record: Path, email: str) -> tuple[str, str]:
    import secrets

    password = secrets.token_urlsafe(12)
    accounts.create_user(email, password, "admin")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(password + "\n", encoding="utf-8")
    record.chmod(0o600)
    return email, password
