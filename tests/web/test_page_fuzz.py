"""A property-based fuzz of every page route (issue 25.4): each route's query and form fields get values an
attacker would send (digits that are not ASCII, numbers past any column, NaN, NUL, long and non-ASCII text,
a CSRF value with an accent) and no answer may be a server error. Schemathesis does the same for the API from
its OpenAPI description; pages have none, so their field names are read from the templates that post them.

Each run draws new values from a seed it prints with every finding (HAMKOR_FUZZ_SEED=<n> replays one): a
fixed set would test the same few values on every run, a drawn one covers more over the runs. The
PostgreSQL twin is in test_page_fuzz_postgresql.py, so that the two run side by side."""

from __future__ import annotations

import os
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW, PASSWORD, add_users, copy_of_demo, csrf_of

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "hamkor" / "web" / "templates"
# Every field a page posts or reads, from the templates, and the ones the attack named (some built in code).
FIELD_NAMES = sorted({*re.findall(r'name="([A-Za-z_][\w\-]*)"', "".join(p.read_text() for p in TEMPLATES.glob("*.j2"))),
                      "days", "company", "slot_minutes", "tables", "interpreters", "priority", "rating-1", "rating_1",
                      "status_1", "stage_1", "value_1", "hs_1", "target", "a", "b", "event_id", "companies", "horizon",
                      "b_region", "a_region", "timezone", "tax_id", "company_id", "job", "saved", "lang", "period",
                      "reporter", "partner", "level", "flow", "within", "q", "code", "fmt", "next"})
NASTY = ["²", "①", "٣", "12²", "22222222²2", "1e309", "nan", "NaN", "inf", "-1", "0", "-0", str(2**100),
         str(-2**100), "9" * 40, "\x00", "a\x00b", "x" * 5000, "é", "Ω" * 300, "Asia/" + "x" * 300, "../../etc",
         "2025-13", "2025-01..2025-99", "RU-ALT", "UZ", "1", "2", "07:00", "25:99", "2026-02-30", " ", ""]
SEED = int(os.environ.get("HAMKOR_FUZZ_SEED") or time.time_ns() % 2**31)


def hostile_value(rng: random.Random) -> str:
    """Mostly the values the attack used, sometimes any text or a number past any column."""
    roll = rng.random()
    if roll < 0.7:
        return rng.choice(NASTY)
    if roll < 0.85:
        return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(160, 0x2FFF)]))
                       for _ in range(rng.randint(0, 30)))
    return str(rng.randint(-2**70, 2**70))


PATH_VALUES = {"mission_id": ["1", "2", "999999"], "participant_id": ["1", "3"], "request_id": ["1", "2"],
               "meeting_id": ["1", "2"], "registration_id": ["1"], "company_id": ["1", "2"], "record_id": ["1"],
               "user_id": ["1", "2"], "token_id": ["1"], "message_id": ["1"], "batch_id": ["999"], "job_id": ["1"],
               "visit_id": ["1"], "fmt": ["csv", "xlsx", "pdf", "x"], "kind": ["meetings", "agreements",
               "commitments", "instance.json", "x"], "action": ["lock", "deactivate", "reactivate", "reset", "x"],
               "code": ["UZ", "UZ-SI", "XX"], "token": ["forged"], "lang": ["ru", "uz", "xx"]}
# Requests per form (a few of its own fields made hostile) and per route (hostile fields it may not read):
# the whole fuzz stays within about a minute a database on two cores.
FORM_EXAMPLES, ROUTE_EXAMPLES = 3, 1


def send(client, method: str, path: str, data: dict):
    if method == "GET":
        return client.get(path, params=data, follow_redirects=False)
    return client.post(path, data=data, follow_redirects=False)


RECORD_KINDS = ("organisations", "people", "positions", "events", "agreements", "commitments")
# Routes that end the fuzzing client's own session, or send it away for good
SKIPPED = {("POST", "/signout"), ("POST", "/account/password"), ("POST", "/account/sessions/end"),
           ("POST", "/account/email")}


def all_routes(routes):
    for route in routes:
        if hasattr(route, "original_router"):
            yield from all_routes(route.original_router.routes)
        else:
            yield route


def page_routes(app) -> list[tuple[str, str]]:
    found = set()
    for route in all_routes(app.routes):
        path = getattr(route, "path", "")
        if path.startswith(("/api", "/static")) or not getattr(route, "methods", None):
            continue
        found |= {(method, path) for method in route.methods if method in ("GET", "POST")}
    return sorted(found - SKIPPED)


def _app(settings: Settings):
    db = Database(settings)
    db.upgrade()
    db.dispose()
    add_users(settings, [("fuzz-admin@example.org", "admin", None)])
    return create_app(settings, clock=lambda: DEMO_NOW)


@pytest.fixture(scope="module")
def sqlite_app(demo_settings, tmp_path_factory):
    app = _app(Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "page-fuzz")))
    yield app
    app.state.web.services.close()


def fuzz(app, max_examples: int) -> list[str]:
    # a server error is an answer to record here, not an exception to stop at
    client = TestClient(app, raise_server_exceptions=False)
    sign_in = client.post("/signin", data={"email": "fuzz-admin@example.org", "password": PASSWORD,
                                           "csrf": csrf_of(client, "/signin")}, follow_redirects=False)
    assert sign_in.status_code == 303
    token = csrf_of(client, "/account")
    errors: list[str] = []
    routes = page_routes(app)
    assert len(routes) > 80, routes  # every page route, not a few
    for method, path in routes:
        fuzz_route(client, token, method, path, max_examples, errors)
    return errors


def fuzz_route(client, token: str, method: str, path: str, max_examples: int, errors: list[str]) -> None:
    names = re.findall(r"{(\w+)", path)
    rng = random.Random(f"{SEED}:{method}:{path}")
    for _ in range(max_examples):
        fields = {rng.choice(FIELD_NAMES): hostile_value(rng) for _ in range(rng.randint(1, 6))}
        concrete = path.format(**{n: rng.choice(PATH_VALUES.get(n, ["1", "x"])) for n in names})
        if method == "POST" and rng.random() < 0.7 and "csrf" not in fields:
            fields["csrf"] = token  # most get past the CSRF check, to reach the parsing behind it
        response = send(client, method, concrete, fields)
        # /healthz answers 503 by design when a part is down (this app's lifespan, and its mail worker,
        # never ran): what it says is checked by its own test
        if response.status_code >= 500 and not (path == "/healthz" and response.status_code == 503):
            errors.append(f"seed {SEED}: {method} {concrete} {fields!r}: {response.status_code} "
                          f"{response.text[-300:]!r}")
        assert "x-content-type-options" in response.headers


class Forms(HTMLParser):
    """The forms of a rendered page as a browser would submit them: action, method, and each field's name
    with the value the page put there (the first option of a list, a ticked box's value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").upper(),
                          "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("submit", "file", "button", "image"):
                self._form["fields"].setdefault(attrs["name"], attrs.get("value") or "1")
        elif tag == "button" and attrs.get("name"):
            self._form["fields"].setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"].setdefault(attrs["name"], "")
        elif tag == "option" and self._select and not self._form["fields"].get(self._select):
            self._form["fields"][self._select] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"].setdefault(attrs["name"], "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of_every_page(app, client) -> dict[tuple[str, str], dict]:
    """(method, path) -> a form's fields with the values its page filled in, over every page the admin
    can open on the demo data."""
    found: dict[tuple[str, str], dict] = {}
    pages = []
    for method, path in page_routes(app):
        first = {n: PATH_VALUES.get(n, ["1"])[0] for n in re.findall(r"{(\w+)", path)}
        # every kind of cooperation record has its own form
        pages += [path.format(**{**first, "kind": kind}) for kind in RECORD_KINDS] if "{kind}" in path \
            and path.startswith("/cooperation") else [path.format(**first)] if method == "GET" else []
    for concrete in pages:
        response = client.get(concrete, follow_redirects=False)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = Forms()
        parser.feed(response.text)
        for form in parser.forms:
            target = urlsplit(form["action"] or concrete).path or concrete
            found.setdefault((form["method"], target), {}).update(form["fields"])
    return found


def fuzz_forms(app, max_examples: int) -> list[str]:
    """Each form as its page fills it in, with one to three of its own fields replaced by a hostile value."""
    client = TestClient(app, raise_server_exceptions=False)
    sign_in = client.post("/signin", data={"email": "fuzz-admin@example.org", "password": PASSWORD,
                                           "csrf": csrf_of(client, "/signin")}, follow_redirects=False)
    assert sign_in.status_code == 303
    forms = forms_of_every_page(app, client)
    assert len(forms) > 40, sorted(forms)
    errors: list[str] = []
    for (method, path), fields in sorted(forms.items()):
        if (method, path) in SKIPPED or re.search(r"/users/\d+/(deactivate|reset|revoke-tokens)$", path):
            continue  # these end the fuzzing admin's own session
        fuzz_form(client, method, path, fields, max_examples, errors)
    return errors


def fuzz_form(client, method: str, path: str, fields: dict, max_examples: int, errors: list[str]) -> None:
    names = sorted(set(fields) - {"csrf"}) or ["q"]
    rng = random.Random(f"{SEED}:{method}:{path}")
    for _ in range(max_examples):
        changed = {rng.choice(names): hostile_value(rng) for _ in range(rng.randint(1, 3))}
        response = send(client, method, path, {**fields, **changed})
        if response.status_code >= 500:
            errors.append(f"seed {SEED}: {method} {path} {changed!r}: {response.status_code}")


def test_no_page_answers_a_server_error_sqlite(sqlite_app):
    errors = fuzz_forms(sqlite_app, max_examples=FORM_EXAMPLES) + fuzz(sqlite_app, max_examples=ROUTE_EXAMPLES)
    assert not errors, "\n".join(errors[:40])
