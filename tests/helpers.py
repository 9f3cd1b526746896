"""What several test modules share: private copies of the demo data, users and signed-in clients,
reading facts back from the warehouse, and small real-shaped scheduler instances. Test modules import
from here, never from each other."""

from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from hamkor.accounts.service import Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.trade.warehouse import Warehouse

PASSWORD = "correct horse battery staple"
# The demo's "now" for tests: a morning of the week before its mission, requests still open (the deadline
# is 10 December 2026), its commitment due at the end of the month. Tests pass it as the app's clock so that
# what is pending, due or overdue does not change with the day they run.
DEMO_NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
FACT_FIELDS = "reporter, partner, flow, year, month, commodity_code, nomenclature, value_usd, net_kg, qty, qty_unit"


def copy_of_demo(demo_settings: Settings, tmp_path_factory, name: str) -> Path:
    """A private copy of the demo data directory: a test module may write there without touching others."""
    folder = tmp_path_factory.mktemp(name)
    for file in ("hamkor.sqlite3", "warehouse.duckdb"):
        shutil.copy(demo_settings.data_dir / file, folder / file)
    return folder


def add_users(settings: Settings, users: list[tuple[str, str, int | None]]) -> dict[str, str]:
    """(e-mail, role, company) accounts with PASSWORD; returns an API token per e-mail."""
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    tokens = {}
    for email, role, company in users:
        user = accounts.create_user(email, PASSWORD, role, company_id=company)
        tokens[email] = accounts.create_token(user.id, "tests")
    db.dispose()
    return tokens


def signed_in(app, email: str):
    """A test client signed in through the sign-in form, as a browser would."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = csrf_of(client, "/signin")
    response = client.post("/signin", data={"email": email, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    # As a page's script would: calls to the JSON API with this cookie carry the session's CSRF token.
    client.headers["X-CSRF-Token"] = csrf_of(client, "/account")
    return client


def csrf_of(client, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def problem_text(response) -> str:
    """The reasons of a JSON problem answer, joined: what a client shows its user."""
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else "; ".join(p.get("reason", "") for p in detail)


def warehouse_rows(settings: Settings) -> int:
    with Warehouse(settings).reader() as con:
        return con.execute("SELECT count(*) FROM trade_flow").fetchone()[0]


def batch_facts(settings: Settings, batch_id: int, order: str = "month, commodity_code", width: int = 11) -> list:
    """The facts of one batch as tuples of the first `width` fact fields."""
    fields = ", ".join(FACT_FIELDS.split(", ")[:width])
    with Warehouse(settings).reader() as con:
        return con.execute(f"SELECT {fields} FROM trade_flow WHERE batch_id = ? ORDER BY {order}",
                           [batch_id]).fetchall()


def scheduler_event(seed, visitors=6, hosts=6, requests=14, slots=3, tables=2, interpreters=1, windows=True) -> dict:
    """A small B2B event in the scheduler's instance format: two sides, language pairs, availability
    windows and blocked slots drawn from `seed`."""
    rng = random.Random(seed)
    ids = [f"s{i}" for i in range(slots)]
    people = []
    for prefix, count, languages in (("v", visitors, ["uz", "ru"]), ("h", hosts, ["ru", "en"])):
        for n in range(count):
            spoken = [languages[0]] + ([languages[1]] if rng.random() < 0.4 else [])
            person = {"id": f"{prefix}{n}", "languages": spoken}
            if windows and rng.random() < 0.4:
                person["available"] = rng.sample(ids, rng.randint(1, slots))
            if rng.random() < 0.15:
                person["blocked"] = [rng.choice(ids)]
            people.append(person)
    pairs = rng.sample([(f"v{a}", f"h{b}") for a in range(visitors) for b in range(hosts)], requests)
    return {"slots": [{"id": s} for s in ids], "tables": tables,
            "interpreters": [{"languages": ["uz", "ru"], "count": interpreters}], "participants": people,
            "requests": [{"id": f"r{n}", "a": a, "b": b, "priority": rng.choice(["must", "should", "could"])}
                         for n, (a, b) in enumerate(pairs)]}


class LiveServer:
    """The app served by uvicorn on a free loopback port in a thread, with the options `hamkor serve` uses
    (some changed by the test): what an attacker's raw socket meets."""

    def __init__(self, app, **options) -> None:
        import socket

        import uvicorn

        from hamkor.web.server import uvicorn_options

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        settings = app.state.web.settings
        config = {**uvicorn_options(settings), "log_level": "error", **options}
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, **config))

    def __enter__(self) -> LiveServer:
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
