"""The cooperation registry in the web: roles, forms with their problems, history on the record,
the dashboard and partner timeline, documents, the ICS feed, and the JSON API."""


import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from hamkor.accounts.service import Accounts
from hamkor.config import Settings
from hamkor.store.db import Database
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW, PASSWORD, copy_of_demo, csrf_of, signed_in


@pytest.fixture(scope="module")
def env(demo_settings, tmp_path_factory):
    folder = copy_of_demo(demo_settings, tmp_path_factory, "cooperation-web")
    settings = Settings(data_dir=folder, timezone="Asia/Barnaul")
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    tokens = {}
    for role in ("admin", "analyst", "organizer", "viewer", "company"):
        user = accounts.create_user(f"{role}@coop.org", PASSWORD, role, company_id=1 if role == "company" else None)
        tokens[role] = accounts.create_token(user.id, "tests")
    db.dispose()
    app = create_app(settings, clock=lambda: DEMO_NOW)
    yield app, tokens
    app.state.web.services.warehouse.close()


def client_for(app, role: str) -> TestClient:
    return signed_in(app, f"{role}@coop.org")


def test_dashboard_and_partner_timeline_show_the_demo_facts(env):
    app, _ = env
    viewer = client_for(app, "viewer")
    page = viewer.get("/cooperation").text
    assert "Провести бизнес-миссию компаний Сырдарьинской области" in page  # an open commitment
    assert 'href="/missions/' in page  # linked to the demo mission
    assert "Бизнес-миссия компаний Сырдарьинской области в Алтайский край (демо)" in page  # upcoming, marked
    partner = viewer.get("/cooperation/partners/UZ").text
    assert 'id="spec-trade"' in partner and "2025-12-18" in partner
    assert "Синтетические демо-данные" in partner  # the trade beside it rests on the synthetic extract
    assert viewer.get("/cooperation/events/new").status_code == 403  # a viewer only reads
    assert client_for(app, "company").get("/cooperation").status_code == 403


def test_forms_history_and_delete_by_role(env):
    app, _ = env
    analyst = client_for(app, "analyst")
    token = csrf_of(analyst, "/cooperation/commitments/new")
    bad = analyst.post("/cooperation/commitments/new", data={"csrf": token, "title": "", "status": "open",
                                                             "due_date": "31.12.2026"})
    assert bad.status_code == 422 and "не дата" in bad.text and "обязательно" in bad.text
    made = analyst.post("/cooperation/commitments/new",
                        data={"csrf": token, "title": "Подготовить дорожную карту", "status": "open",
                              "due_date": "2026-11-30", "partners": "UZ"}, follow_redirects=False)
    assert made.status_code == 303
    path = made.headers["location"]
    record = analyst.get(path).text
    assert "badge overdue" in record and "analyst@coop.org" in record  # past due; who made it
    edited = analyst.post(f"{path}/edit", data={"csrf": token, "title": "Подготовить дорожную карту",
                                                "status": "done", "done_on": "2026-12-01", "due_date": "2026-11-30",
                                                "partners": "UZ"}, follow_redirects=False)
    assert edited.status_code == 303
    history = analyst.get(path).text.split('id="history"')[1]
    assert history.split("<tbody>")[1].count("<tr>") == 2 and "открыто → готово" in history  # in words
    assert "Узбекистан" in history and "['UZ']" not in history and "partners" not in history  # names, no codes
    assert "badge overdue" not in analyst.get(path).text  # done: no longer overdue
    assert analyst.post(f"{path}/delete", data={"csrf": token}).status_code == 403  # analysts do not delete
    organizer = client_for(app, "organizer")
    token = csrf_of(organizer, path)
    assert organizer.post(f"{path}/delete", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert organizer.get(path).status_code == 404
    referenced = organizer.post("/cooperation/organisations/1/delete", data={"csrf": token})
    assert referenced.status_code == 409 and "ссылаются" in referenced.text


def test_agreement_document_and_the_events_feed(env):
    app, tokens = env
    organizer = client_for(app, "organizer")
    token = csrf_of(organizer, "/cooperation/agreements/new")
    made = organizer.post("/cooperation/agreements/new", data={"csrf": token, "kind": "memorandum",
                                                               "title": "Memorandum (test)", "status": "signed",
                                                               "signed_on": "2026-06-01", "parties": ["1", "2"],
                                                               "partners": "UZ"}, follow_redirects=False)
    path = made.headers["location"]
    uploaded = organizer.post(f"{path}/document", data={"csrf": token},
                              files={"file": ("memorandum.pdf", b"%PDF-1.4 memorandum", "application/pdf")},
                              follow_redirects=False)
    assert uploaded.status_code == 303
    assert organizer.get(f"{path}/document").content == b"%PDF-1.4 memorandum"
    anonymous = TestClient(app)
    assert anonymous.get("/cooperation/events.ics").status_code == 401
    # The feed opens with the user's own feed secret, never with an API token; the secret opens nothing else
    accounts = app.state.web.services.accounts
    secrets = {role: accounts.new_feed_secret(accounts.find(f"{role}@coop.org").id) for role in ("viewer", "company")}
    assert anonymous.get(f"/cooperation/events.ics?feed={tokens['viewer']}").status_code == 401
    assert anonymous.get(f"/cooperation/events.ics?token={tokens['viewer']}").status_code == 401
    assert anonymous.get(f"/cooperation/events.ics?feed={secrets['company']}").status_code == 403
    feed = anonymous.get(f"/cooperation/events.ics?feed={secrets['viewer']}")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert any(t.startswith("Рабочая встреча Генерального консула") for t in titles)
    as_bearer = TestClient(app, headers={"Authorization": f"Bearer {secrets['viewer']}"})
    assert as_bearer.get("/api/v1/cooperation/events").status_code == 401
    accounts.revoke_feed_secret(accounts.find("viewer@coop.org").id)
    assert anonymous.get(f"/cooperation/events.ics?feed={secrets['viewer']}").status_code == 401


def test_cooperation_api(env):
    app, tokens = env
    api = TestClient(app, headers={"Authorization": f"Bearer {tokens['analyst']}"})
    refused = api.post("/api/v1/cooperation/events", json={"kind": "party", "title": "x"})
    assert refused.status_code == 422
    assert {p["field"] for p in refused.json()["fields"]} == {"kind", "start_date"}
    made = api.post("/api/v1/cooperation/events", json={"kind": "forum", "title": "Innoprom Central Asia",
                                                        "start_date": "2027-04-20", "partners": ["UZ"],
                                                        "sources": [{"title": "Programme",
                                                                     "url": "https://example.org/p"}]})
    assert made.status_code == 201, made.text
    event = made.json()
    changed = api.patch(f"/api/v1/cooperation/events/{event['id']}", json={"place": "Tashkent"})
    assert changed.json()["place"] == "Tashkent" and changed.json()["start_date"] == "2027-04-20"
    history = api.get(f"/api/v1/cooperation/events/{event['id']}/history").json()
    assert [h["action"] for h in history] == ["create", "update"] and history[1]["user"] == "analyst@coop.org"
    assert history[1]["changes"] == {"place": [None, "Tashkent"]}
    timeline = api.get("/api/v1/cooperation/timeline?partner=UZ").json()
    assert timeline[0]["title"] == "Innoprom Central Asia" and timeline[0]["future"]
    reminders = api.get("/api/v1/cooperation/reminders?days=60").json()
    assert any(c["title"].startswith("Провести бизнес-миссию") for c in reminders["due_soon"])  # due 31.12
    assert not any(c["title"].startswith("Провести бизнес-миссию") for c in reminders["overdue"])
    assert api.delete(f"/api/v1/cooperation/events/{event['id']}").status_code == 403  # analysts do not delete
    admin = TestClient(app, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert admin.delete(f"/api/v1/cooperation/events/{event['id']}").status_code == 204
    assert admin.get(f"/api/v1/cooperation/events/{event['id']}").status_code == 404
    assert admin.delete("/api/v1/cooperation/organisations/1").status_code == 409
    assert admin.get("/api/v1/cooperation/commitments").json()[0]["overdue"] in (True, False)
