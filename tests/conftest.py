from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hamkor.config import Settings
from hamkor.store.db import Database, make_engine
from hamkor.trade.service import ImportService
from hamkor.trade.warehouse import Warehouse
from tests.helpers import DEMO_NOW

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SHARED_RAW = Path(os.environ.get("HAMKOR_SHARED_RAW", REPO.parent / "shared" / "data" / "raw"))
PG_URL = os.environ.get("HAMKOR_TEST_DATABASE_URL")


# Whole modules that are slow by nature: the browser, the API fuzzer, the benchmarks' smoke runs.
SLOW_MODULES = ("test_browser.py", "test_schemathesis.py", "test_benchmark_smoke.py")
# Fixtures that build or copy the demo data directory (the build takes 10-15 s once per run).
SLOW_FIXTURES = {"demo_settings", "demo_dir"}


def _mark(item) -> None:
    """The declared markers, applied from what a test uses: `make test-fast` runs `-m "not slow"`."""
    fixtures = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if fixtures & {"pg_schema_url", "pg_missions"} or params.get("database_url") == "postgresql":
        item.add_marker(pytest.mark.postgres)
    if "shared_raw" in fixtures:
        item.add_marker(pytest.mark.shared_data)
    if item.path.name in SLOW_MODULES or fixtures & SLOW_FIXTURES:
        item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config, items):
    for item in items:
        _mark(item)
    # In CI a missing PostgreSQL URL or missing shared data is a failure, never a quiet skip.
    if os.environ.get("CI"):
        problems = []
        if not PG_URL:
            problems.append("HAMKOR_TEST_DATABASE_URL is not set")
        if not SHARED_RAW.exists():
            problems.append(f"shared data not found at {SHARED_RAW}")
        if problems:
            raise pytest.UsageError("CI run without its services: " + "; ".join(problems))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shared_raw() -> Path:
    if not SHARED_RAW.exists():
        pytest.skip(f"shared data not found at {SHARED_RAW}")
    return SHARED_RAW


@pytest.fixture(scope="session")
def pg_schema_url():
    """A throwaway schema in the test PostgreSQL, dropped afterwards."""
    if not PG_URL:
        pytest.skip("HAMKOR_TEST_DATABASE_URL not set")
    schema = f"hamkor_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}", schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    url, schema = request.getfixturevalue("pg_schema_url")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:  # each test starts from an empty schema
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def service(settings):
    db = Database(settings)
    db.upgrade()
    yield ImportService(db, Warehouse(settings))
    db.dispose()


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    """The demo data directory, built once for the whole run (deterministic from its seed)."""
    from hamkor.demo.build import build_demo

    settings = Settings(data_dir=tmp_path_factory.mktemp("demo-data"))
    outcomes = build_demo(settings, today=DEMO_NOW.date())  # the demo's dates as the tests read them
    assert all(o.status == "loaded" for o in outcomes), [o.report and o.report.summary() for o in outcomes]
    return settings


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd): (its port, an inbox whose `messages` are
    (recipients, the raw message) as they arrived)."""
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
