"""The web app in-process: sign-in, roles on every route, pages and their JSON twins."""

import copy
import io
import math
import re

import pytest
from fastapi.testclient import TestClient

from hamkor.companies.registry import CompanyFilter, Registry
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.web.app import create_app
from hamkor.web.security import PERMISSIONS
from tests.helpers import DEMO_NOW, PASSWORD, add_users, copy_of_demo, csrf_of, filled, problem_text
from tests.helpers import signed_in as sign_in

PERIOD = "2025-01..2025-09"
ROLES = ("admin", "analyst", "organizer", "company", "viewer")


@pytest.fixture(scope="module")
def app(demo_settings, tmp_path_factory):
    """The app over a private copy of the demo data: these tests add users, upload and undo."""
    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "web"))
    db = Database(settings)
    own_company = Registry(db).all()[0].id  # the company representative speaks for the first demo company
    db.dispose()
    add_users(settings, [(f"{role}@example.org", role, own_company if role == "company" else None) for role in ROLES])
    application = create_app(settings, clock=lambda: DEMO_NOW)
    yield application
    application.state.web.services.warehouse.close()


def signed_in(app, role: str) -> TestClient:
    return sign_in(app, f"{role}@example.org")


# Every route with the permission it needs; the test below checks that this list is complete.
ROUTES = {
    ("GET", "/"): "trade.view", ("GET", "/partners"): "trade.view", ("GET", "/explorer"): "trade.view",
    ("GET", "/explorer.{fmt}"): "trade.view", ("GET", "/brief"): "brief.create",
    ("POST", "/brief/download"): "brief.create", ("GET", "/brief/file/{job_id}"): "brief.create",
    ("GET", "/brief/job/{job_id}"): "brief.create", ("GET", "/imports"): "imports.view",
    ("POST", "/imports"): "imports.write", ("GET", "/jobs/{job_id}"): "imports.view",
    ("POST", "/imports/{batch_id}/undo"): "imports.write", ("GET", "/nomenclature"): "reference.view",
    ("POST", "/signout"): "account.self", ("POST", "/language"): "account.self",
    ("GET", "/account"): "account.self", ("POST", "/account/password"): "account.self",
    ("POST", "/account/tokens"): "account.self", ("POST", "/account/tokens/{token_id}/revoke"): "account.self",
    ("POST", "/account/feed"): "account.self", ("POST", "/account/sessions/end"): "account.self",
    ("GET", "/users"): "users.manage", ("POST", "/users/{user_id}/{action}"): "users.manage",
    ("POST", "/users/invite"): "users.manage", ("POST", "/users/{user_id}/update"): "users.manage",
    ("GET", "/outbox"): "users.manage", ("POST", "/outbox/{message_id}/retry"): "users.manage",
    ("POST", "/account/email"): "account.self", ("POST", "/account/mail"): "account.self",
    ("GET", "/missions/{mission_id}/registrations"): "missions.manage",
    ("POST", "/missions/{mission_id}/registrations"): "missions.manage",
    ("POST", "/missions/{mission_id}/registrations/{registration_id}"): "missions.manage",
    ("GET", "/space/{mission_id}"): "missions.request", ("GET", "/space"): "missions.space",
    **{("POST", f"/space/{{mission_id}}/{action}"): "missions.request"
       for action in ("request", "answer/{request_id}", "availability", "feed", "outcomes", "colleagues",
                      "attendance")},
    ("POST", "/missions/{mission_id}/participants/{participant_id}/invite"): "missions.manage",
    ("GET", "/missions/{mission_id}/followup"): "missions.manage",
    ("GET", "/missions/{mission_id}/report.{fmt}"): "missions.manage",
    ("GET", "/missions/{mission_id}/organisers"): "missions.manage",
    ("POST", "/missions/{mission_id}/organisers"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/organisers"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/organisers"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/registrations"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/registrations/{registration_id}"): "missions.manage",
    ("GET", "/missions/{mission_id}/checkin"): "missions.manage",
    ("POST", "/missions/{mission_id}/checkin"): "missions.manage",
    ("POST", "/missions/{mission_id}/checkin/absent"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/checkin"): "missions.manage",
    ("GET", "/missions/{mission_id}/messages"): "missions.manage",
    ("GET", "/missions/{mission_id}/participants.xlsx"): "missions.manage",
    ("POST", "/missions/{mission_id}/messages"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/messages"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/messages"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/arrivals"): "missions.manage",
    ("GET", "/api/v1/me"): "account.self", ("GET", "/api/v1/trade/summary"): "trade.view",
    ("GET", "/api/v1/trade/partners"): "trade.view", ("GET", "/api/v1/trade/structure"): "trade.view",
    ("GET", "/api/v1/trade/series"): "trade.view", ("GET", "/api/v1/trade/overview"): "trade.view",
    ("GET", "/api/v1/trade/mirror"): "trade.view", ("GET", "/mirror"): "trade.view",
    ("GET", "/api/v1/briefs"): "brief.create", ("GET", "/api/v1/imports"): "imports.view",
    ("POST", "/api/v1/imports"): "imports.write", ("GET", "/api/v1/jobs/{job_id}"): "imports.view",
    ("DELETE", "/api/v1/imports/{batch_id}"): "imports.write",
    ("GET", "/opportunities"): "trade.view", ("GET", "/api/v1/opportunities"): "trade.view",
    ("GET", "/companies"): "companies.view", ("GET", "/companies/export.{fmt}"): "companies.view",
    ("GET", "/companies/new"): "companies.edit", ("POST", "/companies/new"): "companies.edit",
    ("GET", "/companies/{company_id}"): "companies.view", ("GET", "/companies/{company_id}/edit"): "companies.edit",
    ("POST", "/companies/{company_id}/edit"): "companies.edit", ("GET", "/companies-import"): "companies.import",
    ("POST", "/companies-import"): "companies.import", ("GET", "/matching"): "matching.use",
    ("POST", "/matching/accept"): "matching.accept", ("GET", "/hs"): "reference.view",
    ("GET", "/api/v1/companies"): "companies.view", ("POST", "/api/v1/companies"): "companies.edit",
    ("GET", "/api/v1/companies/{company_id}"): "companies.view",
    ("PUT", "/api/v1/companies/{company_id}"): "companies.edit", ("GET", "/api/v1/hs/search"): "reference.view",
    ("GET", "/api/v1/matching"): "matching.use", ("GET", "/api/v1/meeting-requests"): "matching.use",
    ("POST", "/api/v1/meeting-requests"): "matching.accept",
    ("GET", "/api/v1/nomenclature/search"): "reference.view", ("GET", "/api/v1/nomenclature/{code}"): "reference.view",
    ("GET", "/missions"): "missions.view", ("GET", "/missions/new"): "missions.manage",
    ("POST", "/missions/new"): "missions.manage", ("GET", "/missions/{mission_id}"): "missions.view",
    ("GET", "/missions/{mission_id}/edit"): "missions.manage",
    ("POST", "/missions/{mission_id}/edit"): "missions.manage",
    ("POST", "/missions/{mission_id}/participants"): "missions.manage",
    ("POST", "/missions/{mission_id}/participants/{participant_id}"): "missions.manage",
    ("POST", "/missions/{mission_id}/visits"): "missions.manage",
    ("GET", "/missions/{mission_id}/requests"): "missions.view",
    ("POST", "/missions/{mission_id}/requests"): "missions.request",
    ("POST", "/missions/{mission_id}/requests/{request_id}/answer"): "missions.request",
    ("GET", "/missions/{mission_id}/schedule"): "missions.view",
    ("POST", "/missions/{mission_id}/schedule"): "missions.manage",
    ("POST", "/missions/{mission_id}/replan"): "missions.manage",
    ("POST", "/missions/{mission_id}/schedule/publish"): "missions.manage",
    ("POST", "/missions/{mission_id}/schedule/discard"): "missions.manage",
    ("GET", "/missions/{mission_id}/job/{job_id}"): "missions.view",
    ("POST", "/missions/{mission_id}/meetings"): "missions.manage",
    ("POST", "/missions/{mission_id}/meetings/{meeting_id}/{action}"): "missions.manage",
    ("GET", "/missions/{mission_id}/itinerary"): "missions.view",
    ("POST", "/missions/{mission_id}/itinerary"): "missions.manage",
    ("GET", "/missions/{mission_id}/outcomes"): "missions.view",
    ("POST", "/missions/{mission_id}/outcomes"): "missions.manage",
    ("GET", "/missions/{mission_id}/participants/{participant_id}"): "missions.view",
    ("GET", "/missions/{mission_id}/agenda/{participant_id}.{fmt}"): "missions.view",
    ("GET", "/missions/{mission_id}/documents/{kind}"): "missions.manage",
    ("POST", "/missions/{mission_id}/documents/{kind}"): "missions.manage",
    ("GET", "/missions/{mission_id}/documents/job/{job_id}"): "missions.manage",
    ("GET", "/missions/{mission_id}/documents/file/{job_id}"): "missions.manage",
    ("GET", "/api/v1/missions"): "missions.view", ("POST", "/api/v1/missions"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}"): "missions.view",
    ("PUT", "/api/v1/missions/{mission_id}"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/participants"): "missions.view",
    ("POST", "/api/v1/missions/{mission_id}/participants"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/requests"): "missions.view",
    ("POST", "/api/v1/missions/{mission_id}/requests"): "missions.request",
    ("POST", "/api/v1/missions/{mission_id}/requests/{request_id}/answer"): "missions.request",
    ("GET", "/api/v1/missions/{mission_id}/schedule"): "missions.view",
    ("POST", "/api/v1/missions/{mission_id}/schedule"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/replan"): "missions.manage",
    ("POST", "/api/v1/missions/{mission_id}/meetings"): "missions.manage",
    ("PUT", "/api/v1/missions/{mission_id}/meetings/{meeting_id}/outcome"): "missions.manage",
    ("GET", "/api/v1/missions/{mission_id}/funnel"): "missions.view",
    ("GET", "/api/v1/missions/{mission_id}/itinerary"): "missions.view",
    ("GET", "/cooperation"): "cooperation.view", ("GET", "/cooperation/partners/{code}"): "cooperation.view",
    ("GET", "/cooperation/{kind}"): "cooperation.view", ("GET", "/cooperation/{kind}/new"): "cooperation.edit",
    ("POST", "/cooperation/{kind}/new"): "cooperation.edit",
    ("GET", "/cooperation/{kind}/{record_id}"): "cooperation.view",
    ("GET", "/cooperation/{kind}/{record_id}/edit"): "cooperation.edit",
    ("POST", "/cooperation/{kind}/{record_id}/edit"): "cooperation.edit",
    ("POST", "/cooperation/{kind}/{record_id}/delete"): "cooperation.delete",
    ("POST", "/cooperation/agreements/{record_id}/document"): "cooperation.edit",
    ("GET", "/cooperation/agreements/{record_id}/document"): "cooperation.view",
    ("GET", "/api/v1/cooperation/timeline"): "cooperation.view",
    ("GET", "/api/v1/cooperation/reminders"): "cooperation.view",
    ("GET", "/api/v1/cooperation/events.ics"): "cooperation.view",
    ("GET", "/api/v1/cooperation/{kind}"): "cooperation.view",
    ("POST", "/api/v1/cooperation/{kind}"): "cooperation.edit",
    ("GET", "/api/v1/cooperation/{kind}/{record_id}"): "cooperation.view",
    ("PATCH", "/api/v1/cooperation/{kind}/{record_id}"): "cooperation.edit",
    ("DELETE", "/api/v1/cooperation/{kind}/{record_id}"): "cooperation.delete",
    ("GET", "/api/v1/cooperation/{kind}/{record_id}/history"): "cooperation.view",
}
PUBLIC = {("GET", "/signin"), ("POST", "/signin"),
          *((method, path) for method in ("GET", "POST") for path in (
              "/password/forgot", "/welcome/{token}", "/password/reset/{token}", "/email/confirm/{token}",
              "/join/{mission_id}", "/join/confirm/{token}", "/followup/{token}")),
          ("GET", "/join/{mission_id}/hs"), ("POST", "/join/confirm/{token}/renew"),
          ("GET", "/space/{mission_id}/agenda.ics"),
          ("GET", "/api/docs"), ("GET", "/healthz"), ("GET", "/metrics"),
          ("GET", "/api/openapi.json"), ("GET", "/static"), ("GET", "/static/fonts"), ("HEAD", "/api/openapi.json"),
          ("HEAD", "/api/docs"),
          ("GET", "/cooperation/events.ics")}  # a calendar feed: a session or ?feed=, checked in the route


def concrete(path: str) -> str:
    return (path.replace("{fmt}", "csv").replace("{job_id}", "1").replace("{batch_id}", "1").replace("{code}", "44")
            .replace("{company_id}", "1").replace("{mission_id}", "1").replace("{participant_id}", "1")
            .replace("{request_id}", "1").replace("{meeting_id}", "1").replace("{action}", "lock")
            .replace("{kind}", "events" if "cooperation" in path else "instance.json").replace("{record_id}", "1"))


def all_routes(routes):
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from all_routes(route.original_router.routes)
        else:
            yield route


def test_route_table_is_complete(app):
    found = set()
    for route in all_routes(app.routes):
        for method in getattr(route, "methods", None) or {"GET"}:
            found.add((method, re.sub(r"{(\w+):\w+}", r"{\1}", route.path)))  # a path convertor named as its parameter
    assert found - PUBLIC - {("HEAD", p) for _, p in found} == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_anonymous_is_sent_to_sign_in(app, method, path):
    client = TestClient(app)
    response = client.request(method, concrete(path), follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303 and response.headers["location"].startswith("/signin")


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_wrong_role_is_forbidden(app, method, path):
    roles = PERMISSIONS[ROUTES[(method, path)]]
    outsiders = [r for r in ("admin", "analyst", "organizer", "company", "viewer") if r not in roles]
    for role in outsiders:
        response = signed_in(app, role).request(method, concrete(path), follow_redirects=False)
        assert response.status_code == 403, (role, path)


def test_pages_render_for_an_analyst(app):
    client = signed_in(app, "analyst")
    dashboard = client.get(f"/?reporter=RU-ALT&partner=UZ&period={PERIOD}")
    assert dashboard.status_code == 200 and '<meta charset="utf-8">' in dashboard.text
    assert "Синтетические демо-данные" in dashboard.text  # the synthetic badge, in Russian by default
    assert dashboard.text.count('class="chart"') == 4 and 'id="spec-monthly"' in dashboard.text
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', dashboard.text) == []  # nothing from outside
    for path in ("/partners", "/explorer?level=chapter", "/explorer?level=heading&within=44", "/imports",
                 f"/brief?preview=true&period={PERIOD}", "/nomenclature?q=4011", "/nomenclature?code=4011"):
        assert client.get(path).status_code == 200, path
    assert "15 партнёров" in client.get(f"/partners?reporter=RU-ALT&period={PERIOD}").text


def test_language_switch_is_remembered(app):
    client = signed_in(app, "viewer")
    assert client.post("/language", data={"language": "uz", "csrf": csrf_of(client), "next": "/"},
                       follow_redirects=False).status_code == 303
    assert "Tovar aylanmasi" in client.get(f"/?period={PERIOD}").text
    client.post("/language", data={"language": "en", "csrf": csrf_of(client), "next": "/"})
    assert "Turnover" in signed_in(app, "viewer").get(f"/?period={PERIOD}").text  # kept for the user
    client.post("/language", data={"language": "ru", "csrf": csrf_of(client), "next": "/"})


def test_state_changes_need_the_csrf_token(app):
    client = signed_in(app, "viewer")
    client.post("/language", data={"language": "en", "csrf": "forged", "next": "/"})
    assert "Обзор" in client.get("/").text  # unchanged
    assert client.post("/signin", data={"email": "viewer@example.org", "password": PASSWORD, "csrf": "x"}
                       ).status_code == 400


def test_sign_in_is_rate_limited_and_cookie_is_safe(app):
    client = TestClient(app)
    token = csrf_of(client, "/signin")
    statuses = [client.post("/signin", data={"email": "organizer@example.org", "password": "wrong", "csrf": token}
                            ).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    good = TestClient(app)
    token = csrf_of(good, "/signin")
    response = good.post("/signin", data={"email": "company@example.org", "password": PASSWORD, "csrf": token},
                         follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_api_with_a_token(app):
    accounts = app.state.web.services.accounts
    user = next(u for u in accounts.users() if u.email == "analyst@example.org")
    token = accounts.create_token(user.id, "test")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    summary = client.get(f"/api/v1/trade/summary?reporter=RU-ALT&partner=UZ&period={PERIOD}").json()
    assert round(summary["growth_pct"]["turnover"], 1) == 33.0 and summary["synthetic"] is True
    ranking = client.get(f"/api/v1/trade/partners?reporter=RU-ALT&period={PERIOD}").json()
    assert [r["partner"] for r in ranking["partners"][:3]] == ["KZ", "CN", "UZ"]
    assert ranking["provenance"][0]["synthetic"] and ranking["like_for_like"]  # where the figures come from
    structure = client.get(f"/api/v1/trade/structure?reporter=RU-ALT&partner=UZ&period={PERIOD}&lang=en").json()
    assert structure["items"][0]["code"] == "44" and structure["items"][0]["name"].startswith("Wood")
    assert [p["source"] for p in structure["provenance"]] == ["demo-synthetic"]
    assert structure["comparable_months"] == [f"2025-{m:02d}" for m in range(1, 10)]
    assert client.get(f"/api/v1/briefs?reporter=RU-ALT&partner=UZ&period={PERIOD}").content.startswith(b"%PDF")
    assert client.get("/api/v1/trade/summary?reporter=RU-ALT&period=2025-13").status_code == 422
    assert client.get("/api/v1/trade/summary?reporter=RU-ALT&partner=ZZ&period=2025").status_code == 422
    assert TestClient(app, headers={"Authorization": "Bearer nope"}).get("/api/v1/me").status_code == 401


def test_upload_runs_as_a_job_and_undo(app, fixtures):
    import time

    client = signed_in(app, "analyst")
    with open(fixtures / "fts" / "national_sample.csv", "rb") as handle:
        response = client.post("/imports", data={"kind": "fts-national", "csrf": csrf_of(client, "/imports")},
                               files={"file": ("../../etc/passwd national.csv", handle, "text/csv")},
                               follow_redirects=False)
    assert response.status_code == 303
    job_id = int(response.headers["location"].rsplit("=", 1)[1])
    for _ in range(100):
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done" and job["result"]["status"] == "loaded", job
    assert not any(app.state.web.upload_dir.iterdir())  # the upload is gone once its import is over
    batch = job["result"]["batch"]
    history = client.get("/imports").text
    # the client's name is shown cleaned (no path), never used as a path on disk
    assert "passwd_national.csv" in history and "../" not in history
    # the JSON API with the session cookie changes nothing without the session's CSRF token in a header
    refused = client.delete(f"/api/v1/imports/{batch}", headers={"X-CSRF-Token": ""})
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.text
    undone = client.delete(f"/api/v1/imports/{batch}")  # the helper's client sends the session's token
    assert undone.json()["status"] == "undone"


def test_openapi_and_docs_are_local(app):
    client = TestClient(app)
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/trade/summary" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-5.32.0/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_upload_size_limit(app, monkeypatch):
    client = signed_in(app, "admin")
    monkeypatch.setattr(app.state.web.settings, "upload_limit_mb", 0)
    response = client.post("/api/v1/imports", data={"kind": "fts-regional"},
                           files={"file": ("big.csv", b"x" * 2048, "text/csv")},
                           headers={"Authorization": ""})
    assert response.status_code == 413 and "larger than the limit" in response.text
    assert list(app.state.web.upload_dir.glob("*big.csv")) == []


def test_brief_download_runs_as_a_job(app):
    import time

    client = signed_in(app, "viewer")  # (organizer's sign-ins were used up by the throttle test)
    form = {"reporter": "RU-ALT", "partner": "UZ", "period": PERIOD, "brief_lang": "uz", "fmt": "docx"}
    assert client.get("/brief/download", params=form).status_code == 405  # following a link starts nothing
    assert client.post("/brief/download", data=form).status_code == 400  # nor a form from elsewhere
    response = client.post("/brief/download", data={**form, "csrf": csrf_of(client, "/brief")},
                           follow_redirects=False)
    assert response.status_code == 303 and "job=" in response.headers["location"]
    job_id = int(response.headers["location"].rsplit("job=", 1)[1])
    for _ in range(100):
        if "job-done" in client.get(f"/brief/job/{job_id}").text:
            break
        time.sleep(0.1)
    document = client.get(f"/brief/file/{job_id}")
    assert document.status_code == 200 and document.content.startswith(b"PK")  # a DOCX is a zip
    assert "filename=" in document.headers["content-disposition"]
    assert signed_in(app, "analyst").get(f"/brief/file/{job_id}").status_code == 404  # someone else's


def test_more_api_answers(app):
    client = signed_in(app, "analyst")
    series = client.get(f"/api/v1/trade/series?reporter=RU-ALT&partner=UZ&period={PERIOD}").json()
    assert len(series) == 18 and series[0]["year"] == 2024
    overview = client.get(f"/api/v1/trade/overview?reporter=RU-ALT&partner=UZ&period={PERIOD}&lang=en").json()
    assert overview["rank"] == 3 and set(overview["charts"]) == {"monthly", "partners", "export", "import"}
    assert overview["charts"]["monthly"]["$schema"].endswith("vega-lite/v5.json")
    found = client.get("/api/v1/nomenclature/search?q=tyres&lang=en").json()
    assert any(item["code"] == "4011" for item in found)
    path = client.get("/api/v1/nomenclature/4011100003?lang=ru").json()
    assert [p["level"] for p in path[:5]] == ["section", "chapter", "heading", "subheading", "national"]
    assert client.get("/api/v1/nomenclature/12345").status_code == 404
    imports = client.get("/api/v1/imports").json()
    assert {b["kind"] for b in imports} >= {"fts-partners", "uzstat", "fts-regional"}
    assert client.get("/api/v1/jobs/999999").status_code == 404
    assert client.get("/api/v1/jobs/9223372036854775808").status_code == 422  # found by schemathesis: was a 500
    assert client.get("/api/v1/me").json()["role"] == "analyst"


def test_explorer_drill_down_sort_and_exports(app):
    client = signed_in(app, "viewer")
    sections = client.get(f"/explorer?reporter=RU-ALT&partner=UZ&period={PERIOD}&level=section").text
    assert "within=IX" in sections  # a section links to its chapters
    chapters = client.get(f"/explorer?reporter=RU-ALT&partner=UZ&period={PERIOD}&level=chapter&within=IX").text
    assert ">44<" in chapters and "within=44" in chapters
    by_growth = client.get(f"/explorer?reporter=RU-ALT&partner=UZ&period={PERIOD}&level=chapter&sort=growth")
    assert by_growth.status_code == 200
    csv_export = client.get(f"/explorer.csv?reporter=RU-ALT&partner=UZ&period={PERIOD}&level=chapter")
    assert csv_export.text.lstrip("\ufeff").startswith("code,name,value_usd") and "SYNTHETIC" in \
        csv_export.headers["content-disposition"]
    assert client.get(f"/explorer?level=galaxy&period={PERIOD}").status_code == 400


def test_opportunities_page_and_api_agree(app):
    client = signed_in(app, "viewer")
    page = filled(client, "/opportunities?reporter=RU-ALT&partner=UZ&direction=export")
    assert page.status_code == 200, page.text
    assert 'id="spec-bubbles"' in page.text and 'class="chart" data-spec="bubbles"' in page.text
    assert "Синтетические демо-данные" in page.text
    codes = re.findall(r'<tr data-code="(\d{4})">', page.text)
    api = client.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "top": 30, "lang": "en"})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["synthetic"] and body["exporter"] == "RU-ALT" and body["market"] == "UZ"
    assert [i["code"] for i in body["items"]] == codes  # the same ranking behind both
    first = body["items"][0]
    assert first["explanation"].startswith("Uzbekistan imports USD")
    assert abs(math.prod(first["factors"].values()) - first["potential"]) <= 1e-6 * first["potential"]
    # The section filter and the minimum potential narrow the table
    machinery = client.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "section": "XVI",
                                                            "min_potential": 1}).json()["items"]
    assert machinery and all(i["section"] == "XVI" and i["potential"] >= 1e6 for i in machinery)
    filtered = filled(client, "/opportunities?reporter=RU-ALT&partner=UZ&section=XVI&min_potential=1")
    assert re.findall(r'<tr data-code="(\d{4})">', filtered.text) == [i["code"] for i in machinery]
    # The what-if moves the ranking: five years of Uzbekistan's fast-growing demand for excavation machinery
    ahead = client.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "horizon": 5}).json()
    assert [i["code"] for i in ahead["items"]] != codes and ahead["assumptions"]["horizon_years"] == 5
    moved = filled(client, "/opportunities?reporter=RU-ALT&partner=UZ&horizon=5")
    assert re.findall(r'<tr data-code="(\d{4})">', moved.text) == [i["code"] for i in ahead["items"]]
    # What the partner could supply, and a clear refusal of a question the data cannot answer
    imports = client.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ",
                                                          "direction": "import"}).json()
    assert imports["exporter"] == "UZ" and imports["market"] == "RU-ALT" and imports["items"]
    refused = client.get("/api/v1/opportunities", params={"reporter": "RU-ZZZ", "partner": "UZ"})
    assert refused.status_code == 422 and "unknown region" in problem_text(refused)
    page = filled(client, "/opportunities?reporter=RU-ZZZ&partner=UZ")
    assert page.status_code == 200 and "неизвестный регион" in page.text


def test_companies_list_profile_and_private_contacts(app):
    viewer = signed_in(app, "viewer")
    listing = viewer.get("/companies?region=RU-ALT")
    assert listing.status_code == 200 and "Котломаш" in listing.text and "Синтетические демо-данные" in listing.text
    assert len(re.findall(r'<a href="/companies/(\d+)">', listing.text)) == 50
    assert "50 компаний" in listing.text  # Russian plural forms from the catalogue
    first = app.state.web.services.registry.all()[0]
    profile = viewer.get(f"/companies/{first.id}")
    contact = app.state.web.services.registry.contacts(first.id)[0]
    assert profile.status_code == 200 and contact.email not in profile.text  # private to this viewer
    assert contact.email in signed_in(app, "admin").get(f"/companies/{first.id}").text
    assert contact.email in signed_in(app, "company").get(f"/companies/{first.id}").text  # its own representative
    other = app.state.web.services.registry.all()[1]
    assert app.state.web.services.registry.contacts(other.id)[0].email not in signed_in(app, "company").get(
        f"/companies/{other.id}").text
    api = viewer.get(f"/api/v1/companies/{first.id}").json()
    assert api["contacts"] is None and api["tax_id"] == first.tax_id
    admin_view = signed_in(app, "admin").get(f"/api/v1/companies/{first.id}").json()
    assert admin_view["contacts"][0]["email"] == contact.email
    export = viewer.get("/companies/export.csv?region=UZ-SI")
    assert export.status_code == 200 and "SYNTHETIC" in export.headers["content-disposition"]
    assert "contact" not in export.text.split("\n", 1)[1] or "@demo-sirdaryo" not in export.text


def test_a_representative_edits_only_their_own_company(app):
    registry = app.state.web.services.registry
    own, other = registry.all()[0], registry.all()[1]
    client = signed_in(app, "company")
    form = client.get(f"/companies/{own.id}/edit")
    assert form.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    fields = dict(re.findall(r'<input name="([a-z_0-9]+)" value="([^"]*)"', form.text))
    fields.update({"csrf": token, "city": "Бийск", "region": "RU-ALT", "offers": "8402 8403"})
    saved = client.post(f"/companies/{own.id}/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303 and registry.get(own.id).city == "Бийск"
    assert client.get(f"/companies/{other.id}/edit").status_code == 403
    assert client.post(f"/companies/{other.id}/edit", data=fields).status_code == 403
    body = {k: v for k, v in client.get(f"/api/v1/companies/{other.id}").json().items()
            if k not in ("id", "synthetic", "contacts")}
    assert client.put(f"/api/v1/companies/{other.id}", json={**body, "city": "X"}).status_code == 403
    assert client.put(f"/api/v1/companies/{own.id}", json={**body, "tax_id": own.tax_id, "city": "Бийск",
                                                          "name_ru": "ООО «Своя» (демо)"}).status_code == 200
    assert client.get("/companies/new").status_code == 403  # representatives do not register companies
    # The tax ID is what a public registration recognises the company by: a representative does not change it
    fields.update({"tax_id": "2200000002"})
    refused = client.post(f"/companies/{own.id}/edit", data=fields)
    assert refused.status_code == 403 and "меняют организаторы" in refused.text
    assert registry.get(own.id).tax_id == own.tax_id


def test_matching_page_and_meeting_requests(app):
    admin = signed_in(app, "admin")  # (organizer's sign-ins are used up by the throttle test)
    result = admin.get("/matching?a_region=RU-ALT&b_region=UZ-SI&top=2")
    assert result.status_code == 200
    pairs = re.findall(r'data-pair="(\d+)-(\d+)"', result.text)
    assert len(pairs) > 40 and "trade data" in result.text or "торговые данные" in result.text
    api = admin.get("/api/v1/matching", params={"a_region": "RU-ALT", "b_region": "UZ-SI", "top": 2,
                                                     "lang": "en"}).json()
    best = max(api, key=lambda s: s["score"])
    assert any("offers" in r for r in best["reasons"]) and best["parts"]["complementarity"] > 0
    token = re.search(r'name="csrf" value="([^"]+)"', result.text).group(1)
    made = admin.post("/matching/accept", data={"csrf": token, "a": best["a"], "b": best["b"]},
                          follow_redirects=False)
    assert made.status_code == 303
    requests = admin.get("/api/v1/meeting-requests").json()
    assert any(r["a"] == best["a"] and r["b"] == best["b"] for r in requests)
    assert signed_in(app, "analyst").post("/api/v1/meeting-requests", json={"a": 1, "b": 2}).status_code == 403


def test_hs_search_page_and_api(app):
    client = signed_in(app, "viewer")
    assert "8402" in client.get("/hs", params={"q": "котельное оборудование"}).text
    hits = client.get("/api/v1/hs/search", params={"q": "paxta ipi"}).json()
    assert hits[0]["code"] == "5205" and hits[0]["why"]


def test_matching_page_follows_an_edited_profile(app):
    admin = signed_in(app, "admin")
    page = "/matching?a_region=RU-ALT&b_region=UZ-SI&top=1"
    before = set(re.findall(r'data-pair="(\d+)-(\d+)"', admin.get(page).text))
    host = next(c for c in app.state.web.services.registry.find(CompanyFilter(region="UZ-SI")) if c.needs)
    assert any(b == str(host.id) for _, b in before)
    body = {k: v for k, v in admin.get(f"/api/v1/companies/{host.id}").json().items() if k not in ("id", "synthetic")}
    # It needs and offers nothing any more, and speaks a language nobody else does
    changed = admin.put(f"/api/v1/companies/{host.id}", json={**body, "needs": [], "offers": [], "needs_text": "",
                                                               "offers_text": "", "sectors": [], "languages": ["ja"]})
    assert changed.status_code == 200, changed.text
    after = set(re.findall(r'data-pair="(\d+)-(\d+)"', admin.get(page).text))
    assert not any(b == str(host.id) for _, b in after)  # not a cached answer from before the edit


@pytest.mark.parametrize("query", ["period=2025-13", "level=galaxy", "partner=ZZZ", "flow=sideways", "within=ZZ"])
def test_an_export_with_a_bad_choice_is_refused_not_answered_for_another(app, query):
    client = signed_in(app, "analyst")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/explorer.{fmt}?reporter=RU-ALT&partner=UZ&{query}")
        assert response.status_code == 400, (query, fmt, response.status_code)
        assert "content-disposition" not in response.headers


def test_one_person_cannot_fill_the_job_queues_and_old_files_go(app, tmp_path):
    import os
    import time

    from hamkor.store.models import Job
    from hamkor.web.jobs import MAX_ACTIVE_PER_USER, TooManyJobs, remove_old_files

    runner = app.state.web.jobs
    user = app.state.web.services.accounts.find("viewer@example.org")
    now = __import__("datetime").datetime.now(__import__("datetime").UTC)
    with runner.db.session() as session:  # jobs running for this person (a live worker's): as many as they may have
        for _ in range(MAX_ACTIVE_PER_USER):
            session.add(Job(kind="brief", user_id=user.id, status="running", progress=0.0, created_at=now,
                            heartbeat_at=now))
    with pytest.raises(TooManyJobs, match="wait until one ends"):
        runner.submit("brief", user.id, {"reporter": "RU-ALT", "partner": "UZ", "period": PERIOD, "lang": "ru",
                                         "format": "pdf", "name": "brief.pdf"})
    client = signed_in(app, "viewer")
    refused = client.post("/brief/download", data={"reporter": "RU-ALT", "partner": "UZ", "period": PERIOD,
                                                   "fmt": "pdf", "csrf": csrf_of(client, "/brief")})
    assert refused.status_code == 429
    with runner.db.session() as session:
        for job in session.query(Job).filter(Job.user_id == user.id, Job.status == "running"):
            job.status = "failed"
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(b"%PDF"), new.write_bytes(b"%PDF")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    assert remove_old_files(tmp_path, 24) == 1 and not old.exists() and new.exists()


def test_every_api_error_has_one_shape_rfc_9457(app):
    """Issue 28.5: 401 and 403 said {"detail": str}, 422 {"problems"}, the rest {"detail": [..]}, and a
    crash plain text. Now each is application/problem+json with status, title, detail and its fields."""
    from fastapi.testclient import TestClient

    anonymous = TestClient(app, raise_server_exceptions=False)
    viewer = signed_in(app, "viewer")
    if not any(getattr(r, "path", "") == "/api/v1/_crash" for r in app.routes):
        @app.get("/api/v1/_crash")
        def crash():  # a route that fails as an unforeseen error would
            raise RuntimeError("boom: secret detail")
    answers = {
        401: anonymous.get("/api/v1/me"),
        403: viewer.post("/api/v1/companies", json={"name_ru": "x"}),
        404: viewer.get("/api/v1/companies/999999"),
        422: viewer.get("/api/v1/trade/summary", params={"reporter": "RU-ALT", "period": "not a period"}),
        500: anonymous.get("/api/v1/_crash"),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, (status, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), status
        body = answer.json()
        assert body["status"] == status and body["title"] and body["detail"] and body["type"] == "about:blank"
        assert isinstance(body["fields"], list) and body["instance"].startswith("/api/v1/")
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", "") != "/api/v1/_crash"]
    assert "secret detail" not in answers[500].text  # the traceback stays in the log
    assert answers[422].json()["fields"] and all({"field", "reason"} <= set(f) for f in answers[422].json()["fields"])


def test_operations_request_ids_log_lines_health_and_metrics(app, caplog, tmp_path):
    """Issue 28.6: HAMKOR_LOG_LEVEL was read by nothing; now each request is one log line with an id that
    the response, the API's problems and the error page carry; /healthz says what answers; /metrics is
    in the Prometheus text format."""
    import logging

    from fastapi.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO, logger="hamkor.access"):
        answer = client.get("/api/v1/companies/999999", headers={"X-Request-ID": "proxy-id-12345"})
    assert answer.headers["x-request-id"] == "proxy-id-12345"  # a proxy's id is kept, so logs join up
    assert any("GET /api/v1/companies/999999 401" in r.getMessage() and "id=proxy-id-12345" in r.getMessage()
               for r in caplog.records)
    fresh = client.get("/signin").headers["x-request-id"]
    assert len(fresh) == 12 and fresh != client.get("/signin").headers["x-request-id"]
    health = client.get("/healthz")  # this app's lifespan never ran: its worker does not run, and it says so
    assert health.status_code == 503 and health.json()["checks"] == {
        "database": "ok", "warehouse": "ok", "worker": "not running"}
    from hamkor.config import Settings
    from hamkor.web.app import create_app

    with TestClient(create_app(Settings(data_dir=tmp_path / "fresh"))) as running:
        health = running.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"] == {
        "database": "ok", "warehouse": "ok", "worker": "ok"}
    # a web process beside a `hamkor worker`: healthy while a worker showed life within the minute
    apart = Settings(data_dir=tmp_path / "apart", run_worker=False)
    with TestClient(create_app(apart)) as web_only:
        assert web_only.get("/healthz").json()["checks"]["worker"] == "none seen in the last minute"
        from hamkor.work.queue import JobQueue

        JobQueue(web_only.app.state.web.services.db).seen("elsewhere:1", __import__("datetime").datetime.now(
            __import__("datetime").UTC))
        assert web_only.get("/healthz").status_code == 200
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    lines = metrics.text.splitlines()
    assert "# TYPE hamkor_requests_total counter" in lines
    assert any(line.startswith('hamkor_requests_total{method="GET",status="4xx"} ') for line in lines)
    assert any(line.startswith('hamkor_request_duration_seconds_bucket{le="+Inf"} ') for line in lines)
    assert "# TYPE hamkor_mail_messages gauge" in lines


def test_an_explorer_workbook_for_a_reporter_with_sheet_name_characters_is_not_a_server_error(app):
    """The fuzz's find (seed 739707166): reporter '25:99' made a sheet name Excel refuses, a 500."""
    answer = signed_in(app, "analyst").get("/explorer.xlsx", params={"reporter": "25:99", "level": "chapter"})
    assert answer.status_code < 500, answer.text[:300]


# ---- route × role × relation to the record ---------------------------------------------------------------------
# The role says what kind of thing a person may do; their organisation's relation to the mission (owner, main,
# supporting, none) and to the record (its side, its company) says where. Each mission route's action:
MISSION_ACTIONS_OF = {
    **{(m, p): {"missions.view": "mission.view", "missions.manage": "mission.manage",
                "missions.request": "mission.request"}[permission]
       for (m, p), permission in ROUTES.items() if "{mission_id}" in p},
    **{(m, p): "mission.participants" for m, p in ROUTES if "{mission_id}/participants" in p and m == "POST"},
    **{(m, p): "mission.registrations" for m, p in ROUTES if "{mission_id}/registrations" in p},
    ("GET", "/missions/{mission_id}/organisers"): "mission.view",
    ("GET", "/api/v1/missions/{mission_id}/organisers"): "mission.view",
    ("POST", "/missions/{mission_id}/organisers"): "mission.organisers",
    ("POST", "/api/v1/missions/{mission_id}/organisers"): "mission.organisers",
    **{(m, p): "mission.checkin" for m, p in ROUTES if p.endswith(("/checkin", "/arrivals"))},
    **{(m, p): "mission.message" for m, p in ROUTES if p.endswith("/messages")},
    ("GET", "/missions/{mission_id}/participants.xlsx"): "mission.participants",
}
# What a supporting organiser may do on their mission (their side's records only, where a record has a side).
SUPPORTING_MAY = {"mission.view", "mission.participants", "mission.registrations", "mission.checkin",
                  "mission.message"}


@pytest.fixture(scope="module")
def two_sides(demo_settings, tmp_path_factory):
    """The demo mission (1: Syrdarya companies in Altai Krai) co-organised by the Altai fund (owner), the Syrdarya
    administration (supporting, visiting side) and the Altai chamber (supporting, host side); a second mission run
    by a Tashkent chamber alone; a pending registration on each side of mission 1; a second person of the first
    demo company; a pending request between two other companies."""
    from hamkor.accounts.organisations import OrganisationData
    from hamkor.companies.registry import CompanyData
    from hamkor.missions.service import MissionData
    from hamkor.store.models import MissionRegistration

    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "relations"))
    application = create_app(settings, clock=lambda: DEMO_NOW)
    services = application.state.web.services
    organisations, missions, registry = services.organisations, services.missions, services.registry
    made = {key: organisations.create(OrganisationData(kind, territory, name_ru=name)).id for key, kind, territory, name
            in (("fund", "fund", "RU-ALT", "Фонд"), ("syrdarya", "administration", "UZ-SI", "Хокимият"),
                ("chamber", "chamber", "RU-ALT", "Палата"), ("tashkent", "chamber", "UZ", "Ташкентская палата"))}
    from sqlalchemy import delete, update

    from hamkor.store.models import MissionOrganiser, MissionParticipant

    with services.db.session() as session:  # the demo's own two sides and first day give way to this case
        session.execute(delete(MissionOrganiser).where(MissionOrganiser.mission_id == 1))
        session.execute(update(MissionParticipant).where(MissionParticipant.mission_id == 1).values(arrived_at=None))
    first = missions.mission(1)
    second = missions.create(MissionData(name="Вторая миссия", host_territory="UZ", visiting_territory="RU-ALT",
                                         timezone="Asia/Tashkent", days=first.days))
    missions.add_organiser(1, made["fund"], "owner")
    missions.add_organiser(1, made["syrdarya"], "supporting")
    missions.add_organiser(1, made["chamber"], "supporting")
    missions.add_organiser(second.id, made["tashkent"], "main")
    company_a = Registry(services.db).all()[0].id
    add_users(settings, [(f"{who}@example.org", "organizer", None) for who in made]
              + [("colleague@example.org", "company", company_a), ("legacy@example.org", "organizer", None)])
    for user in services.accounts.users():
        if user.email.split("@")[0] in made:
            organisations.add_member(made[user.email.split("@")[0]], user.id)
    registrations = {}
    for side, territory, name in (("host", "RU-ALT", "ООО «Новый хост»"), ("visiting", "UZ-SI", "«Yangi mehmon» MChJ")):
        company = registry.create(CompanyData(name_ru=name, country=territory[:2], region=territory, sectors=["food"]))
        with services.db.session() as session:
            row = MissionRegistration(mission_id=1, company_id=company.id, side=side, status="pending",
                                      attendees=[{"name": "Иван", "role": "", "languages": ["ru"]}],
                                      languages=["ru"], created_at=DEMO_NOW)
            session.add(row)
            session.flush()
            registrations[side] = row.id
    people = missions.people(1)
    asked = {(v.request.requester_id, v.request.target_id) for v in missions.requests(1)}
    pair = next((a, b) for a in people for b in people
                if people[a].participant.side == "visiting" and people[b].participant.side == "host"
                and company_a not in (people[a].company.id, people[b].company.id)
                and (a, b) not in asked and (b, a) not in asked)
    request = missions.request(1, *pair, now=DEMO_NOW)
    yield {"app": application, "second": second.id, "registrations": registrations, "company_a": company_a,
           "other_company": people[pair[1]].company.id, "request": request.id, "organisations": made}
    application.state.web.services.warehouse.close()


def _as(two_sides, who: str):
    return sign_in(two_sides["app"], f"{who}@example.org")


@pytest.mark.parametrize(("method", "path"), sorted(MISSION_ACTIONS_OF))
def test_an_organiser_of_another_mission_reaches_nothing_of_this_one(two_sides, method, path):
    """(b) The Tashkent chamber organises mission 2 (main): every route of mission 1 refuses its organiser."""
    answer = _as(two_sides, "tashkent").request(method, concrete(path), follow_redirects=False)
    assert answer.status_code == 403, (method, path, answer.status_code)


@pytest.mark.parametrize(("method", "path"), sorted(MISSION_ACTIONS_OF))
def test_a_supporting_organiser_reaches_what_their_role_grants_and_nothing_else(two_sides, method, path):
    answer = _as(two_sides, "syrdarya").request(method, concrete(path), follow_redirects=False)
    action = MISSION_ACTIONS_OF[(method, path)]
    if action not in SUPPORTING_MAY:
        assert answer.status_code == 403, (method, path, answer.status_code)
    elif action == "mission.view":
        assert answer.status_code != 403, (method, path)


def test_missions_not_organised_are_not_listed_nor_read(two_sides):
    tashkent = _as(two_sides, "tashkent")
    assert [m["id"] for m in tashkent.get("/api/v1/missions").json()] == [two_sides["second"]]
    page = tashkent.get("/missions").text
    assert f'href="/missions/{two_sides["second"]}"' in page and 'href="/missions/1"' not in page
    assert tashkent.get(f"/missions/{two_sides['second']}").status_code == 200
    assert tashkent.get("/api/v1/missions/1/schedule").status_code == 403
    assert [m["id"] for m in _as(two_sides, "fund").get("/api/v1/missions").json()] == [1]
    # those the organisations came after keep their reach: the instance's own organizer reads both
    assert len(_as(two_sides, "legacy").get("/api/v1/missions").json()) == 2


def test_a_supporting_organiser_decides_on_their_own_side_only(two_sides):
    """(a) The host side's supporting organiser may not approve the visiting side's registration, nor the other
    way round; each decides on their own side's, and sees only their own side's in the list."""
    host, visiting = two_sides["registrations"]["host"], two_sides["registrations"]["visiting"]
    syrdarya, chamber = _as(two_sides, "syrdarya"), _as(two_sides, "chamber")
    listed = syrdarya.get("/api/v1/missions/1/registrations").json()
    assert {r["side"] for r in listed} == {"visiting"} and visiting in {r["id"] for r in listed}
    page = syrdarya.get("/missions/1/registrations").text
    assert f'data-registration="{visiting}"' in page and f'data-registration="{host}"' not in page
    assert 'id="registration-switch"' not in page  # opening and closing is the main organisers'
    for client, other in ((syrdarya, host), (chamber, visiting)):
        refused = client.post(f"/api/v1/missions/1/registrations/{other}", json={"decision": "approve"})
        assert refused.status_code == 403, refused.text
        form = client.post(f"/missions/1/registrations/{other}",
                           data={"decision": "approve", "csrf": csrf_of(client, "/missions/1/registrations")},
                           follow_redirects=False)
        assert form.status_code == 403
        assert client.post("/missions/1/registrations", data={"action": "close", "csrf": csrf_of(
            client, "/missions/1/registrations")}, follow_redirects=False).status_code == 403
    approved = syrdarya.post(f"/api/v1/missions/1/registrations/{visiting}", json={"decision": "approve"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    decided = chamber.post(f"/missions/1/registrations/{host}", data={
        "decision": "refuse", "reason": "Не наш профиль", "csrf": csrf_of(chamber, "/missions/1/registrations")},
        follow_redirects=False)
    assert decided.status_code == 303
    # a supporting organiser invites their own side's companies only
    report = syrdarya.post("/missions/1/registrations", data={
        "action": "invite", "companies": [str(two_sides["company_a"])],
        "csrf": csrf_of(syrdarya, "/missions/1/registrations")})
    assert "не на вашей стороне" in report.text


def test_a_companys_second_person_acts_for_their_own_company_only(two_sides):
    """(c) Two people act for one company; the second may not act for another company."""
    colleague = _as(two_sides, "colleague")
    answer = colleague.post(f"/api/v1/missions/1/requests/{two_sides['request']}/answer", json={"accept": True})
    assert answer.status_code == 403, answer.text
    edit = colleague.put(f"/api/v1/companies/{two_sides['other_company']}", json={"name_ru": "Чужая"})
    assert edit.status_code in (403, 422) and "Чужая" not in colleague.get(
        f"/api/v1/companies/{two_sides['other_company']}").text


def test_the_owner_invites_a_co_organiser_who_reaches_that_mission_as_their_role_allows(two_sides):
    app = two_sides["app"]
    fund, chamber = _as(two_sides, "fund"), _as(two_sides, "chamber")
    page = fund.get("/missions/1/organisers")
    assert page.status_code == 200 and 'id="invite-organiser"' in page.text and 'data-role="owner"' in page.text
    assert 'id="invite-organiser"' not in chamber.get("/missions/1/organisers").text  # only the owner invites
    refused = chamber.post("/missions/1/organisers", data={
        "organisation": str(two_sides["organisations"]["tashkent"]), "role": "main", "email": "x@example.org",
        "csrf": csrf_of(chamber, "/missions/1/organisers")}, follow_redirects=False)
    assert refused.status_code == 403
    wrong = fund.post("/missions/1/organisers", data={
        "kind": "consulate", "territory": "KZ", "name_ru": "Консульство", "role": "supporting",
        "email": "consul@example.org", "csrf": csrf_of(fund, "/missions/1/organisers")})
    assert wrong.status_code == 422 and "ни к одной из сторон" in wrong.text  # Kazakhstan is neither side
    sent = fund.post("/missions/1/organisers", data={
        "kind": "consulate", "territory": "UZ", "name_ru": "Генеральное консульство Узбекистана",
        "name_uz": "O‘zbekiston Bosh konsulligi", "role": "supporting", "email": "consul@example.org",
        "language": "uz", "csrf": csrf_of(fund, "/missions/1/organisers")}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    mail = next(m for m in app.state.web.services.outbox.messages() if m.recipient == "consul@example.org")
    assert mail.language == "uz" and "Yordamchi tashkilotchi" in mail.body_text
    link = re.search(r"https?://[^/]+(/welcome/[^\s?]+)", mail.body_text).group(1)
    from fastapi.testclient import TestClient

    browser = TestClient(app)
    chosen = browser.post(link, data={"csrf": csrf_of(browser, link), "password": PASSWORD, "repeated": PASSWORD,
                                      "language": "uz"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"].endswith("next=/missions/1")
    consul = sign_in(app, "consul@example.org")
    assert [m["id"] for m in consul.get("/api/v1/missions").json()] == [1]
    assert consul.get(f"/missions/{two_sides['second']}").status_code == 403
    assert consul.get("/missions/1/schedule").status_code == 200
    assert consul.put("/api/v1/missions/1", json={}).status_code == 403  # settings are the main organisers'
    listed = fund.get("/api/v1/missions/1/organisers").json()
    assert {(o["organisation"]["territory"], o["role"], o["side"]) for o in listed} >= {
        ("UZ", "supporting", "visiting"), ("RU-ALT", "owner", "host")}
    # the API twin; an address whose account acts for another organisation is not taken over
    twin = fund.post("/api/v1/missions/1/organisers", json={
        "organisation": {"kind": "ministry", "territory": "RU-ALT", "name_ru": "Минэкономразвития края"},
        "role": "main", "email": "deputy@example.org", "language": "ru"})
    assert twin.status_code == 201 and twin.json()["role"] == "main" and twin.json()["side"] == "host", twin.text
    taken = fund.post("/api/v1/missions/1/organisers", json={
        "organisation_id": twin.json()["organisation"]["id"], "role": "main", "email": "tashkent@example.org"})
    assert taken.status_code == 409, taken.text


def test_check_in_by_code_at_the_venue(two_sides):
    """An organiser's phone types (or its camera reads) the code on an agenda; a supporting organiser checks in
    their own side only; the owner hands those who have not come to the no-show re-plan with one click."""
    import io
    import time

    from pypdf import PdfReader

    from hamkor.missions.checkin import code_text
    from hamkor.store.models import Job

    app = two_sides["app"]
    missions = app.state.web.services.missions
    people = missions.people(1)
    guest = next(p for p in people.values() if p.participant.side == "visiting")
    host = next(p for p in people.values() if p.participant.side == "host")
    code = guest.participant.checkin_code
    assert code and len(code) == 8 and len({p.participant.checkin_code for p in people.values()}) == len(people)
    legacy = _as(two_sides, "legacy")
    agenda = legacy.get(f"/missions/1/agenda/{guest.id}.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(agenda.content)).pages)
    assert code_text(code) in text  # printed with its QR on the agenda
    own = missions.participant_of_company(1, two_sides["company_a"])
    if own is not None:  # a participant's own space shows their code and its QR
        space = _as(two_sides, "colleague").get("/space/1").text
        assert 'id="checkin-code"' in space and code_text(own.participant.checkin_code) in space and "<svg" in space
    syrdarya = _as(two_sides, "syrdarya")
    page = syrdarya.get("/missions/1/checkin")
    assert page.status_code == 200 and 'id="code"' in page.text and 'id="absent-replan"' not in page.text
    assert f'data-participant="{host.id}"' not in page.text  # their own side's participants only
    typed = syrdarya.post("/missions/1/checkin", data={"code": code_text(code).lower(),
                                                       "csrf": csrf_of(syrdarya, "/missions/1/checkin")})
    assert typed.status_code == 200 and 'id="checked"' in typed.text and "прибыла" in typed.text
    again = syrdarya.post("/api/v1/missions/1/checkin", json={"code": code})
    assert again.status_code == 200 and again.json()["already"] is True
    other_side = syrdarya.post("/api/v1/missions/1/checkin", json={"code": host.participant.checkin_code})
    assert other_side.status_code == 403
    unknown = syrdarya.post("/missions/1/checkin", data={"code": "ZZZZ-ZZZZ",
                                                         "csrf": csrf_of(syrdarya, "/missions/1/checkin")})
    assert unknown.status_code == 422 and "ZZZZ-ZZZZ" in unknown.text
    arrived = {a["participant_id"]: a for a in syrdarya.get("/api/v1/missions/1/arrivals").json()}
    assert arrived[guest.id]["arrived_at"] and host.id not in arrived
    assert syrdarya.post("/missions/1/checkin/absent", data={
        "from_slot": missions.slots(missions.mission(1))[0].id,
        "csrf": csrf_of(syrdarya, "/missions/1/checkin")}, follow_redirects=False).status_code == 403
    fund = _as(two_sides, "fund")
    slot = missions.slots(missions.mission(1))[-1].id
    started = fund.post("/missions/1/checkin/absent", data={"from_slot": slot,
                                                           "csrf": csrf_of(fund, "/missions/1/checkin")},
                        follow_redirects=False)
    assert started.status_code == 303 and "/missions/1/schedule?job=" in started.headers["location"]
    after = missions.people(1)
    assert not after[guest.id].participant.absent and after[host.id].participant.absent
    job = int(started.headers["location"].rsplit("=", 1)[1])
    for _ in range(300):  # the re-plan runs off the request; let it end before the module's app closes
        with app.state.web.services.db.session() as session:
            if session.get(Job, job).status in ("done", "failed"):
                break
        time.sleep(0.1)


def test_a_supporting_organiser_adds_their_own_sides_participants_only(two_sides):
    from hamkor.companies.registry import CompanyData

    registry = two_sides["app"].state.web.services.registry
    ours = registry.create(CompanyData(name_ru="«Guliston meva» MChJ", country="UZ", region="UZ-SI")).id
    theirs = registry.create(CompanyData(name_ru="ООО «Рубцовск»", country="RU", region="RU-ALT")).id
    syrdarya = _as(two_sides, "syrdarya")
    page = syrdarya.get("/missions/1").text
    form = page[page.index('id="add-participants"'):]
    assert f'value="{ours}"' in form and f'value="{theirs}"' not in form and 'value="host"' not in form
    assert 'id="documents"' not in page  # the mission's documents hold both sides: the main organisers'
    token = csrf_of(syrdarya, "/missions/1")
    assert syrdarya.post("/missions/1/participants", data={"company": str(theirs), "side": "host", "csrf": token},
                         follow_redirects=False).status_code == 403
    assert syrdarya.post("/api/v1/missions/1/participants", json={"company_id": theirs, "side": "host"}
                         ).status_code == 403
    assert syrdarya.post("/missions/1/participants", data={"company": str(ours), "side": "visiting", "csrf": token},
                         follow_redirects=False).status_code == 303


def test_a_participant_chooses_online_only_before_the_schedule_is_published(two_sides):
    missions = two_sides["app"].state.web.services.missions
    own = missions.participant_of_company(1, two_sides["company_a"])
    if own is None:
        pytest.skip("the first demo company does not take part in the demo mission")
    colleague = _as(two_sides, "colleague")
    space = colleague.get("/space/1").text
    assert 'id="attendance"' in space and "disabled" in space[space.index('id="attendance"'):][:600]
    refused = colleague.post("/space/1/attendance", data={"online": "1", "csrf": csrf_of(colleague, "/space/1")})
    assert refused.status_code == 409 and "организатор" in refused.text
    assert not missions.person(1, own.id).participant.online


def test_an_organisations_staff_work_on_their_missions_not_on_the_instances_registries(two_sides):
    """A partner's organiser holds the organizer role for their missions only: the cooperation registry, company
    contacts and edits, imports and matching stay with the instance's own staff."""
    syrdarya, legacy = _as(two_sides, "syrdarya"), _as(two_sides, "legacy")
    company = two_sides["other_company"]
    for path in ("/cooperation", "/api/v1/cooperation/events", "/matching", "/companies-import",
                 f"/companies/{company}/edit", "/cooperation/events.ics"):
        assert syrdarya.get(path, follow_redirects=False).status_code == 403, path
        assert legacy.get(path, follow_redirects=False).status_code == 200, path
    assert syrdarya.put(f"/api/v1/companies/{company}", json={"name_ru": "Чужая"}).status_code == 403
    assert syrdarya.get("/companies").status_code == 200 and syrdarya.get(f"/companies/{company}").status_code == 200
    assert "/cooperation" not in syrdarya.get("/missions").text.split("</nav>")[0]  # not offered in the menu


def test_organisers_write_to_a_group_each_reader_in_their_language(two_sides, smtp_server):
    """Issue 29.3: the owner writes to one side in Russian and Uzbek; a reader of Uzbek gets the Uzbek text, a
    reader of English the nearest written (Russian); the message is kept with each copy's delivery; a look at the
    recipients comes first and sends nothing."""
    from hamkor.store.models import MissionMessage, OutboxMessage, User

    app = two_sides["app"]
    services = app.state.web.services
    missions = services.missions
    people = missions.people(1)
    visiting = sorted((p for p in people.values() if p.participant.side == "visiting"), key=lambda p: p.id)
    host = next(p for p in people.values() if p.participant.side == "host")
    readers = {"uz-reader@example.org": (visiting[0].company.id, "uz"),
               "en-reader@example.org": (visiting[1].company.id, "en"),
               "host-reader@example.org": (host.company.id, "ru")}
    add_users(app.state.web.settings, [(email, "company", company) for email, (company, _) in readers.items()])
    with services.db.session() as session:
        for user in session.query(User).filter(User.email.in_(readers)):
            user.language = readers[user.email][1]
    fund = _as(two_sides, "fund")
    form = {"group": "side", "side": "visiting", "subject_ru": "Изменение площадки", "body_ru": "Встречи пройдут в "
            "зале Б.\n\nРегистрация с 9:00.", "subject_uz": "Joy o'zgardi", "body_uz": "Uchrashuvlar B zalida.",
            "csrf": csrf_of(fund, "/missions/1/messages")}
    with services.db.session() as session:
        before = session.query(OutboxMessage).count()
    look = fund.post("/missions/1/messages", data={**form, "step": "preview"})
    assert look.status_code == 200 and 'id="recipients"' in look.text
    listed = set(re.findall(r'data-participant="(\d+)"', look.text.split('id="recipients"')[1].split("</ul>")[0]))
    assert listed == {str(p.id) for p in visiting}  # one side, all of it
    with services.db.session() as session:
        assert session.query(OutboxMessage).count() == before
    sent = fund.post("/missions/1/messages", data={**form, "step": "send"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:500]
    message_id = int(re.search(r"sent=(\d+)", sent.headers["location"]).group(1))
    with services.db.session() as session:
        assert session.get(MissionMessage, message_id).audience == {"group": "side", "side": "visiting", "sector": None}
        copies = {m.recipient: m for m in session.query(OutboxMessage).filter(OutboxMessage.message_id == message_id)}
    assert "host-reader@example.org" not in copies  # the other side is not written to
    uzbek = copies["uz-reader@example.org"]
    assert uzbek.subject == "Joy o'zgardi" and uzbek.language == "uz"
    english = copies["en-reader@example.org"]
    assert english.subject == "Изменение площадки" and "Registration" not in english.body_text
    assert "Регистрация с 9:00." in english.body_text and "/space/1?lang=en" in english.body_text
    assert "The organisers of" in english.body_text  # the frame in the reader's own language
    page = fund.get(sent.headers["location"])
    assert 'id="sent"' in page.text and "uz-reader@example.org" in page.text and 'data-status="pending"' in page.text
    api = fund.get("/api/v1/missions/1/messages").json()
    assert api[0]["group"] == "side" and api[0]["side"] == "visiting"
    assert {d["recipient"] for d in api[0]["deliveries"]} == set(copies)
    # the worker sends them to a real SMTP server: each copy's delivery reads "sent"
    from hamkor.mail.outbox import Outbox

    port, inbox = smtp_server
    mailer = copy.copy(app.state.web.settings)
    mailer.smtp_host, mailer.smtp_port, mailer.smtp_starttls = "127.0.0.1", port, False
    Outbox(services.db, mailer, lambda: DEMO_NOW).send_due(limit=1000)
    assert {r for recipients, _ in inbox.messages for r in recipients} >= set(copies)
    delivered = fund.get("/api/v1/missions/1/messages").json()[0]["deliveries"]
    assert {d["status"] for d in delivered} == {"sent"} and all(d["sent_at"] for d in delivered)
    assert len(delivered) == len(copies)
    assert 'data-status="sent"' in fund.get("/missions/1/messages").text


def test_a_supporting_organiser_writes_to_their_own_side_only(two_sides):
    """The Syrdarya administration (supporting, visiting side) writes to its side; the host side is refused, and
    "everyone" means everyone of its side."""
    syrdarya = _as(two_sides, "syrdarya")
    people = two_sides["app"].state.web.services.missions.people(1)
    page = syrdarya.get("/missions/1/messages")
    assert page.status_code == 200 and 'id="own-side"' in page.text
    refused = syrdarya.post("/api/v1/missions/1/messages", json={
        "group": "side", "side": "host", "subjects": {"uz": "Salom"}, "bodies": {"uz": "Matn"}})
    assert refused.status_code == 403, refused.text
    everyone = syrdarya.post("/api/v1/missions/1/messages", json={
        "group": "all", "subjects": {"uz": "Salom"}, "bodies": {"uz": "Matn"}, "dry_run": True})
    assert everyone.status_code == 200, everyone.text  # a dry run creates nothing: not 201
    assert set(everyone.json()["recipients"]) == {p.name("en") for p in people.values()
                                                  if p.participant.side == "visiting"}
    # the owner's message to the visiting side is followed by the visiting side's organiser; nothing of the host's
    seen = syrdarya.get("/api/v1/missions/1/messages").json()
    assert all(m["side"] in (None, "visiting") for m in seen)


def test_a_message_missing_its_text_is_refused_with_the_field_and_nothing_kept(two_sides):
    from hamkor.store.models import MissionMessage

    fund = _as(two_sides, "fund")
    services = two_sides["app"].state.web.services
    with services.db.session() as session:
        kept = session.query(MissionMessage).count()
    answer = fund.post("/missions/1/messages", data={"group": "all", "subject_ru": "Только тема", "step": "send",
                                                     "csrf": csrf_of(fund, "/missions/1/messages")})
    assert answer.status_code == 422 and 'id="problems"' in answer.text and "Только тема" in answer.text
    api = fund.post("/api/v1/missions/1/messages", json={"group": "sector", "subjects": {}, "bodies": {}})
    assert api.status_code == 422 and {f["field"] for f in api.json()["fields"]} >= {"sector"}
    with services.db.session() as session:
        assert session.query(MissionMessage).count() == kept


def test_an_organiser_bound_to_one_side_exports_that_sides_participants_only(two_sides):
    from openpyxl import load_workbook

    people = two_sides["app"].state.web.services.missions.people(1)

    def companies(client) -> set[str]:
        answer = client.get("/missions/1/participants.xlsx")  # in the reader's language (these read Russian)
        assert answer.status_code == 200, answer.text[:300]
        rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
        assert "DEMO" in answer.headers["content-disposition"]  # the demo mission is synthetic: the file says so
        header = next(i for i, row in enumerate(rows) if row[0] == "Компания")
        assert rows[header][8].startswith("Прибыл (Барнаул, UTC+7")  # the arrival's zone is named
        return {row[0] for row in rows[header + 1:]}

    visiting = {p.name("ru") for p in people.values() if p.participant.side == "visiting"}
    syrdarya = _as(two_sides, "syrdarya")
    assert companies(syrdarya) == visiting
    assert 'id="participants-xlsx"' in syrdarya.get("/missions/1").text
    assert companies(_as(two_sides, "fund")) == {p.name("ru") for p in people.values()}
    assert _as(two_sides, "tashkent").get("/missions/1/participants.xlsx").status_code == 403


def test_the_demo_shows_two_sides_online_meetings_a_message_and_first_day_check_ins(app, demo_settings):
    """Issue 29.6, on the demo as `make demo` builds it: the Syrdarya administration co-organises the visiting
    side with its own account, which signs in and sees only its side's registrations to approve."""
    from zoneinfo import ZoneInfo

    from hamkor.demo.two_sides import ONLINE_GUESTS, PARTNER_EMAIL

    services = app.state.web.services
    missions = services.missions
    organisers = {v.organisation.name_en: (v.role, v.side) for v in missions.organisers(1)}
    assert organisers == {"Altai Krai SME support fund (demo)": ("owner", "host"),
                          "Syrdarya regional administration (demo)": ("supporting", "visiting")}
    password = (demo_settings.data_dir / "demo" / "partner-sign-in.txt").read_text(encoding="utf-8").strip()
    partner = TestClient(app)
    answer = partner.post("/signin", data={"email": PARTNER_EMAIL, "password": password,
                                           "csrf": csrf_of(partner, "/signin")}, follow_redirects=False)
    assert answer.status_code == 303
    page = partner.get("/missions/1/registrations")
    assert page.status_code == 200 and "Sirdaryo" in page.text  # the partner reads Uzbek
    pending = re.findall(r'data-registration="(\d+)" data-status="pending"', page.text)
    all_pending = [r for r in missions.registrations(1) if r.registration.status == "pending"]
    assert len(pending) == 2 and {r.registration.side for r in all_pending} == {"host", "visiting"}
    assert {str(r.registration.id) for r in all_pending if r.registration.side == "visiting"} == set(pending)
    people = missions.people(1)
    online = [p for p in people.values() if p.participant.online]
    assert len(online) == ONLINE_GUESTS and {p.participant.side for p in online} == {"visiting"}
    calls = [m for m in missions.meetings(1) if not m.table_no and m.status != "cancelled"]
    assert calls, "the online companies' meetings are calls, at no table"
    [message] = missions.messages(1)
    assert message.message.audience["side"] == "visiting" and message.message.side == "visiting"
    assert {d.status for d in message.deliveries} == {"pending"}  # no mail server in the demo: they wait
    assert len(message.deliveries) == sum(1 for p in people.values() if p.participant.side == "visiting")
    mission = missions.mission(1)
    first_day = min(d["date"] for d in mission.days)
    arrived = [a for a in missions.arrivals(1) if a.arrived_at]
    assert len(arrived) > len(people) // 2
    assert {a.arrived_at.astimezone(ZoneInfo(mission.timezone)).date().isoformat() for a in arrived} == {first_day}


def test_what_the_outsider_reached_across_sides_is_closed(two_sides):
    """An outsider attacking the two sides found: the API's participant list gave a supporting organiser the other
    side; the API let them add the other side's company under their own side (past its organisers' decision); a
    message subject took line breaks; an organiser of another mission was told about sides instead of 'not yours'."""
    syrdarya, tashkent = _as(two_sides, "syrdarya"), _as(two_sides, "tashkent")
    services = two_sides["app"].state.web.services
    listed = syrdarya.get("/api/v1/missions/1/participants").json()
    assert listed and {p["side"] for p in listed} == {"visiting"}
    assert {p["side"] for p in _as(two_sides, "fund").get("/api/v1/missions/1/participants").json()} == {
        "host", "visiting"}
    from hamkor.companies.registry import CompanyData

    altai = services.registry.create(CompanyData(name_ru="ООО «Чужая сторона»", country="RU", region="RU-ALT"))
    smuggled = syrdarya.post("/api/v1/missions/1/participants", json={"company_id": altai.id, "side": "visiting"})
    assert smuggled.status_code == 403, smuggled.text
    assert altai.id not in {p.company.id for p in services.missions.people(1).values()}
    header = syrdarya.post("/api/v1/missions/1/messages", json={
        "group": "all", "subjects": {"uz": "Salom\r\nBcc: evil@example.org"}, "bodies": {"uz": "Matn"}})
    assert header.status_code == 422 and any(f["field"] == "subject_uz" for f in header.json()["fields"])
    looked = syrdarya.post("/api/v1/missions/1/messages", json={  # the dry run refuses what sending refuses
        "group": "side", "side": "host", "subjects": {"uz": "Salom"}, "bodies": {"uz": "Matn"}, "dry_run": True})
    assert looked.status_code == 403, looked.text
    outside = tashkent.get("/api/v1/missions/1/messages")
    assert outside.status_code == 403 and "organising this mission" in outside.text


def test_a_supporting_organisers_pages_show_no_count_or_request_form_of_the_other_side(two_sides):
    """The outsider's smaller finds: the registrations page gave the host side's count, the requests page offered a
    form (and the host companies in it) to an organiser the rule refuses requests."""
    syrdarya = _as(two_sides, "syrdarya")
    counts = syrdarya.get("/missions/1/registrations").text.split('id="counts">')[1].split("</p>")[0]
    assert "Сырдарь" in counts and "Алтай" not in counts
    assert 'id="new-request"' in _as(two_sides, "fund").get("/missions/1/requests").text  # requests are open
    assert 'id="new-request"' not in syrdarya.get("/missions/1/requests").text
