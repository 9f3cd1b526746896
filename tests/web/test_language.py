"""Issue 14, point 7: in the Russian and Uzbek interfaces no English is shown.

Every HTML page the route table has is rendered in ru and uz, with the demo's records, and so are the
pages a mistake leads to (a bad parameter, a refused form, a refused file). The visible text — the
charts' titles and tooltips included — must hold no English word. "English" is the vocabulary of the
English catalog and of the HS edition's English names, less the words Uzbek shares with it; what a
person typed or a file is called (e-mail and web addresses, `<code>`, text marked `lang="en"`) is not
the interface speaking.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
import time
from importlib import resources

import pytest
from sqlalchemy import select

from hamkor.accounts import links
from hamkor.accounts.permissions import SYSTEM
from hamkor.companies.registry import CompanyData
from hamkor.config import Settings
from hamkor.missions.service import Registration
from hamkor.store.models import OutboxMessage, SignedLink
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW, PASSWORD, add_users, copy_of_demo, csrf_of, signed_in

PERIOD = "2025-01..2025-09"
TRADE = f"reporter=RU-ALT&partner=UZ&period={PERIOD}"
WORD = re.compile(r"[A-Za-z][A-Za-zʻʼ'’-]*[A-Za-z]")
# Names and abbreviations that are the same in every language of the interface.
NOT_ENGLISH = {"english", "hamkor", "usd", "pdf", "docx", "xlsx", "csv", "ics", "api", "json", "fts", "baci",
               "cepii", "comtrade", "un", "iso", "iana", "utc", "b2b", "hs", "id", "ok"}


def _po_words(lang: str, part: str) -> set[str]:
    text = resources.files("hamkor.i18n").joinpath("locales", lang, "LC_MESSAGES", "hamkor.po").read_text("utf-8")
    return {w.lower() for line in text.splitlines() if line.startswith(part) for w in WORD.findall(line[len(part):])}


def _english() -> set[str]:
    words = _po_words("en", "msgstr ")
    with gzip.open(resources.files("hamkor.reference").joinpath("data", "hs.tsv.gz"), "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            words |= {w.lower() for w in WORD.findall(row["name_en"])}
    return {w for w in words if len(w) > 2} - _po_words("uz", "msgstr ") - NOT_ENGLISH


ENGLISH = _english()


def visible_text(page: str) -> str:
    """What a reader sees: the text outside tags, and the strings charts show (titles, tooltips, labels)."""
    chart_words = []
    for spec in re.findall(r'(?s)<script type="application/json"[^>]*>(.*?)</script>', page):
        def walk(node, key=None):
            if isinstance(node, dict):
                for name, value in node.items():
                    walk(value, name)
            elif isinstance(node, list):
                for value in node:
                    walk(value, key)
            elif isinstance(node, str) and key in ("title", "text"):
                chart_words.append(node)
        walk(json.loads(spec.replace("<\\/", "</")))
    page = re.sub(r"(?s)<(script|style|code)\b.*?</\1>", " ", page)
    page = re.sub(r'(?s)<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", page)  # a company's own English name
    page = html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))
    page = re.sub(r"[\w.+-]+@[\w.-]+|\b[\w-]+\.(?:example|org|com|uz|ru)\b", " ", page)  # addresses
    return page + " " + " ".join(chart_words)


def english_in(page: str) -> list[str]:
    """English words of the page; a word in capitals is a code (a file's column, an abbreviation), not prose."""
    return sorted({w for w in WORD.findall(visible_text(page)) if w.lower() in ENGLISH and not w.isupper()})


@pytest.fixture(scope="module")
def app(demo_settings, tmp_path_factory):
    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "language"))
    add_users(settings, [("admin@language.org", "admin", None)])
    application = create_app(settings, clock=lambda: DEMO_NOW)
    # The demo has no agreement: one, written as the department would, so that its pages render.
    application.state.web.services.cooperation.create("agreements", {
        "kind": "memorandum", "title": "Меморандум о сотрудничестве в торгово-экономической сфере",
        "partners": ["UZ-SI"], "signed_on": "2025-12-18", "status": "in_force"}, SYSTEM)
    yield application
    application.state.web.services.warehouse.close()


def _open_links(services) -> list[str]:
    """An invitation and a new address still to confirm: their pages show a form (the token is in the mail)."""
    if not services.accounts.find("invited@language.org"):
        services.accounts.invite("invited@language.org", "viewer")
        admin = services.accounts.find("admin@language.org")
        services.accounts.request_email_change(admin.id, "renamed@language.org", PASSWORD)
    bodies = " ".join(m.body_text for m in services.outbox.messages())
    return [re.search(r"https?://[^/]+(/welcome/\S+)", bodies).group(1),
            re.search(r"https?://[^/]+(/email/confirm/\S+)", bodies).group(1)]


def _pages(application) -> list[str]:
    services = application.state.web.services
    mission = services.missions.all()[0]
    person = next(iter(services.missions.people(mission.id).values()))
    company = services.registry.all()[0]
    pages = ["/", f"/?{TRADE}", f"/explorer?{TRADE}", f"/explorer?{TRADE}&level=chapter",
             f"/explorer?{TRADE}&level=section", f"/partners?reporter=RU-ALT&period={PERIOD}",
             "/mirror?reporter=RU&partner=UZ&years=2021", f"/brief?{TRADE}",
             f"/brief?{TRADE}&preview=true", "/companies", "/companies-import", "/companies/new",
             f"/companies/{company.id}", f"/companies/{company.id}/edit", "/cooperation", "/cooperation/partners/UZ",
             "/hs", "/hs?q=оборудование+для+геологоразведки", "/hs?q=geologiya+qidiruv+uskunalari", "/imports",
             "/matching", "/missions", "/missions/new", f"/missions/{mission.id}", f"/missions/{mission.id}/edit",
             f"/missions/{mission.id}/itinerary", f"/missions/{mission.id}/outcomes",
             f"/missions/{mission.id}/participants/{person.id}", f"/missions/{mission.id}/requests",
             f"/missions/{mission.id}/schedule", "/nomenclature", "/nomenclature?q=8430", "/opportunities",
             "/opportunities?q=оборудование+для+добычи+урана", "/opportunities?reporter=RU-ALT&partner=UZ",
             # where a mistake leads: a message page, with the wrong parameter named in the reader's words
             f"/explorer?{TRADE}&level=galaxy", f"/brief?{TRADE}&preview=true&period=2025-13",
             "/?reporter=RU-ALT&partner=ZZZ", "/missions/999999", "/companies/abc", "/account", "/users",
             "/outbox", "/password/forgot", "/welcome/not-a-token", "/password/reset/not-a-token",
             "/email/confirm/not-a-token", *_open_links(services), f"/join/{mission.id}",
             f"/missions/{mission.id}/registrations", "/join/confirm/not-a-token", "/followup/not-a-token",
             f"/join/{mission.id}/hs?offers_text=quritilgan+o%CA%BBrik",
             f"/missions/{mission.id}/followup", f"/missions/{mission.id}/organisers",
             f"/missions/{mission.id}/checkin", f"/missions/{mission.id}/messages"]
    for kind in ("events", "agreements", "commitments"):
        record = services.cooperation.list(kind)[0]
        pages += [f"/cooperation/{kind}", f"/cooperation/{kind}/new", f"/cooperation/{kind}/{record.id}",
                  f"/cooperation/{kind}/{record.id}/edit"]
    return pages


# Routes that answer with a file, a fragment, a redirect or a calendar, not a page a person reads as such.
NOT_PAGES = {"/healthz", "/metrics", "/signin", "/brief/download", "/brief/file/{job_id}", "/brief/job/{job_id}",
             "/companies/export.{fmt}", "/cooperation/agreements/{record_id}/document", "/cooperation/events.ics",
             "/explorer.{fmt}", "/jobs/{job_id}", "/missions/{mission_id}/agenda/{participant_id}.{fmt}",
             "/missions/{mission_id}/documents/{kind}", "/missions/{mission_id}/job/{job_id}",
             "/missions/{mission_id}/documents/job/{job_id}", "/missions/{mission_id}/documents/file/{job_id}",
             "/space/{mission_id}", "/space/{mission_id}/agenda.ics", "/missions/{mission_id}/report.{fmt}",
             "/missions/{mission_id}/participants.xlsx",
             "/space"}  # the representatives' own pages: test_no_english_in_a_participants_space reads them


def _route_pattern(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/?]+", re.escape(path)) + r"(\?.*)?$")


def test_every_page_of_the_route_table_is_checked(app):
    def all_routes(routes):
        for route in routes:
            yield from all_routes(route.original_router.routes) if hasattr(route, "original_router") else [route]

    gets = {r.path for r in all_routes(app.routes) if "GET" in (getattr(r, "methods", None) or ())
            and not r.path.startswith(("/api", "/static"))}
    pages = _pages(app)
    unchecked = [path for path in gets - NOT_PAGES if not any(_route_pattern(path).match(p) for p in pages)]
    assert not unchecked, f"pages the language test does not render: {unchecked}"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_no_english_on_any_page(app, lang):
    client = signed_in(app, "admin@language.org")
    client.cookies.set("lang", lang)
    found = {}
    for path in _pages(app):
        response = client.get(path)
        assert response.status_code in (200, 400, 404, 410, 422), (path, response.status_code)
        if words := english_in(response.text):
            found[path] = words
    assert not found, f"English words in the {lang} interface: {found}"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_no_english_where_input_is_refused(app, fixtures, lang):
    """A form with wrong values, a file of the wrong kind: the reasons are in the reader's language."""
    client = signed_in(app, "admin@language.org")
    client.cookies.set("lang", lang)
    token = csrf_of(client, "/companies/new")
    refused = client.post("/companies/new", data={"csrf": token, "name_ru": "", "country": "ZZ", "tax_id": "012",
                                                  "size": "giant", "languages": "xx1", "offers": "9999x"})
    assert refused.status_code == 422 and 'id="problems"' in refused.text
    mission = client.post("/missions/new", data={"csrf": token, "name": "", "host_territory": "RU-ALT",
                                                 "visiting_territory": "XX-YY", "timezone": "Mars/Olympus",
                                                 "day_0_date": "2026-13-40", "day_0_start": "09:00",
                                                 "day_0_end": "08:00", "slot_minutes": "2",
                                                 "tables": "0"})
    assert mission.status_code == 422
    upload = client.post("/imports", data={"kind": "baci", "csrf": token}, follow_redirects=False,
                         files={"file": ("выгрузка.csv", (fixtures / "fts" / "national_sample.csv").read_bytes())})
    job = upload.headers["location"].split("job=")[1]
    for _ in range(200):
        status = client.get(f"/jobs/{job}")
        if "job-running" not in status.text and "job-queued" not in status.text:
            break
        time.sleep(0.05)
    assert "job-failed" in status.text and "выгрузка.csv" in status.text
    assert not any(app.state.web.upload_dir.iterdir())  # a refused import leaves no upload behind
    assert not re.search(r"[0-9a-f]{16}-", status.text)  # never the temporary file's name
    weak = client.post("/account/password", data={"csrf": token, "current": "wrong", "password": "qwertyuiop12",
                                                  "repeated": "qwertyuiop12"})
    assert weak.status_code == 422 and 'id="problems"' in weak.text
    token_form = client.post("/account/tokens", data={"csrf": token, "name": "", "scope": "everything"})
    assert token_form.status_code == 422
    for response in (weak, token_form):
        assert not english_in(response.text), english_in(response.text)
    found = {name: words for name, response in (("company form", refused), ("mission form", mission),
                                                ("refused file", status)) if (words := english_in(response.text))}
    assert not found, f"English words in the {lang} interface: {found}"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_no_english_in_a_participants_space(app, lang):
    """What a company's representative reads: its space and its follow-up form."""
    services = app.state.web.services
    mission = services.missions.all()[0]
    person = next(p for p in services.missions.people(mission.id).values() if p.participant.side == "visiting")
    address = f"rep-{lang}@language.org"
    if not services.accounts.find(address):
        services.accounts.create_user(address, PASSWORD, "company", lang, person.company.id)
    client = signed_in(app, address)
    found = {}
    pages = [f"/space/{mission.id}", "/space"]  # one mission: "my missions" opens its space
    with services.db.session() as session:
        token = links.issue(session, "followup", services.clock(), None, {"participant": person.id})
    for path in [*pages, f"/followup/{token}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        if words := english_in(response.text):
            found[path] = words
    # a colleague invited, and a representative of a company in no mission yet
    token = csrf_of(client, f"/space/{mission.id}")
    invited = client.post(f"/space/{mission.id}/colleagues",
                          data={"csrf": token, "email": f"deputy-{lang}@language.org", "language": lang})
    assert invited.status_code == 200 and 'id="colleague-invited"' in invited.text
    idle = f"idle-{lang}@language.org"
    if not services.accounts.find(idle):
        services.accounts.create_user(idle, PASSWORD, "company", lang, services.registry.create(CompanyData(
            name_ru=f"ООО «Без миссий {lang}»", country="RU", region="RU-ALT"), SYSTEM).id)
    nothing = signed_in(app, idle).get("/space")
    assert 'id="no-missions"' in nothing.text
    for name, response in (("colleague invited", invited), ("no missions", nothing)):
        if words := english_in(response.text):
            found[name] = words
    assert not found, f"English words in the {lang} participant's pages: {found}"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_no_english_where_a_registration_waits_for_its_confirmation(app, lang):
    """Issue 27.2: the pages a company whose address is unconfirmed meets — its expired link offering a fresh one,
    the fresh one sent, and the sign-in that tells it what to do."""
    from fastapi.testclient import TestClient

    services = app.state.web.services
    mission = services.missions.all()[0]
    address = f"waiting-{lang}@language.org"
    if not services.accounts.find(address):
        services.missions.register(mission.id, Registration(
            email=address, password=PASSWORD, language=lang, attendees=[{"name": "Alisher Karimov"}],
            company=CompanyData(name_ru="ООО «Ждёт»", name_uz="Kutmoqda MChJ", country="UZ", region="UZ-SI",
                                tax_id="309999997" if lang == "ru" else "309999998", sectors=["food"])))
    user = services.accounts.find(address)
    with services.db.session() as session:  # the link has expired
        for link in session.scalars(select(SignedLink).where(SignedLink.user_id == user.id)):
            link.expires_at = DEMO_NOW.replace(year=2025)
    with services.db.session() as session:
        mail = session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.recipient == address)
                               .order_by(OutboxMessage.id.desc())).first()
    path = re.search(r"https?://[^/]+(/join/confirm/[^?\s]+)", mail).group(1)
    client = TestClient(app)
    expired = client.get(f"{path}?lang={lang}")
    token = re.search(r'name="csrf" value="([^"]+)"', expired.text).group(1)
    renewed = client.post(f"{path}/renew", data={"csrf": token})
    signin = client.post("/signin", data={"email": address, "password": PASSWORD, "csrf": token})
    assert (expired.status_code, renewed.status_code, signin.status_code) == (410, 200, 403)
    found = {name: words for name, response in (("expired", expired), ("renewed", renewed), ("signin", signin))
             if (words := english_in(response.text))}
    assert not found, f"English words in the {lang} interface: {found}"
