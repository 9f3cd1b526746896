"""The web's shape as a user meets it: one answer for each kind of bad request on both faces, the same
options through the page and the API, and an instance set up for another region working as it is."""

from __future__ import annotations

import csv
import io
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from hamkor.config import Settings
from hamkor.i18n import gettext
from hamkor.trade.importers import ImportOptions
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW, add_users, copy_of_demo, csrf_of, problem_text, signed_in

PERIOD = "2025-01..2025-09"


@pytest.fixture(scope="module")
def app(demo_settings, tmp_path_factory):
    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "shape"))
    tokens = add_users(settings, [("analyst@shape.org", "analyst", None)])
    application = create_app(settings, clock=lambda: DEMO_NOW)
    yield application, tokens["analyst@shape.org"]
    application.state.web.services.warehouse.close()


@pytest.mark.parametrize("path", [
    f"/explorer.csv?reporter=RU-ALT&period={PERIOD}&level=bogus",
    f"/explorer.csv?reporter=RU-ALT&period={PERIOD}&partner=ZZZ",
    f"/explorer.xlsx?reporter=RU-ALT&period={PERIOD}&flow=sideways",
    f"/explorer.xlsx?reporter=RU-ALT&period={PERIOD}&within=zz",
    f"/explorer?reporter=RU-ALT&period={PERIOD}&level=bogus",
    f"/brief?preview=true&reporter=RU-ALT&partner=ZZZ&period={PERIOD}",
])
def test_bad_query_parameters_are_a_message_not_a_server_error(app, path):
    application, _ = app
    response = signed_in(application, "analyst@shape.org").get(path)
    assert response.status_code == 400, response.text[:300]
    assert "<p class=\"error\">" in response.text


@pytest.mark.parametrize("path", [
    f"/api/v1/trade/structure?reporter=RU-ALT&period={PERIOD}&within=zz",
    f"/api/v1/trade/summary?reporter=RU-ALT&period={PERIOD}&partner=ZZZ",
    f"/api/v1/briefs?reporter=RU-ALT&partner=ZZZ&period={PERIOD}&format=md",
    "/api/v1/trade/summary?reporter=RU-ALT&period=2025-13",
])
def test_the_api_answers_bad_parameters_with_a_json_problem(app, path):
    application, token = app

    response = TestClient(application, headers={"Authorization": f"Bearer {token}"}).get(path)
    assert response.status_code == 422, response.text
    assert problem_text(response)  # field and reason, never a bare string or a traceback


def test_missing_records_are_404_on_both_faces(app):
    application, token = app

    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    missing = api.get("/api/v1/missions/424242")
    assert missing.status_code == 404 and missing.json()["fields"][0]["field"] == "id"
    assert api.get("/api/v1/companies/424242").status_code == 404
    assert api.get("/api/v1/cooperation/events/424242").status_code == 404
    page = signed_in(application, "analyst@shape.org").get("/missions/424242")
    assert page.status_code == 404 and gettext("ru", "No such mission.") in page.text  # in the reader's language
    assert gettext("ru", "No such mission.") != "No such mission."


def test_an_upload_takes_the_same_options_through_the_page_and_the_api(app, fixtures):
    """The API honours the value unit as the page does, and both refuse an unknown kind or unit alike."""
    application, token = app

    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    content = (fixtures / "fts" / "national_sample.csv").read_bytes()
    for kind, unit in (("galaxy", None), ("fts-national", "gazillion")):
        refused = api.post("/api/v1/imports", data={"kind": kind, **({"value_unit": unit} if unit else {})},
                           files={"file": ("n.csv", content)})
        page_client = signed_in(application, "analyst@shape.org")
        page = page_client.post("/imports", data={"kind": kind, "value_unit": unit or "", "csrf": csrf_of(
            page_client, "/imports")}, files={"file": ("n.csv", content)})
        assert refused.status_code == page.status_code == 422, (refused.text, page.text[:200])
    job = api.post("/api/v1/imports", data={"kind": "fts-national", "value_unit": "thousand",
                                            "source": "ignored"}, files={"file": ("national.csv", content)}).json()
    for _ in range(200):
        status = api.get(f"/api/v1/jobs/{job['id']}").json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done" and status["result"]["status"] == "loaded", status
    with application.state.web.services.warehouse.reader() as con:
        value = con.execute("SELECT value_usd FROM trade_flow WHERE batch_id = ? AND commodity_code = '8606990000'",
                            [status["result"]["batch"]]).fetchone()[0]
    assert value == pytest.approx(2_500_000 * 1000)  # 2 500 000 thousand USD in the file


@pytest.fixture(scope="module")
def syrdarya(demo_settings, tmp_path_factory):
    """An instance set up by Syrdarya region, its partner Altai Krai: settings only, no code change.
    Its own customs extract (an FTS-format national file) is loaded as reporter UZ-SI."""
    folder = copy_of_demo(demo_settings, tmp_path_factory, "syrdarya")
    settings = Settings(data_dir=folder, home_territory="UZ-SI", main_partner="RU-ALT", timezone="Asia/Tashkent")
    extract = folder / "syrdarya.csv"
    extract.write_text("NAPR;PERIOD;STRANA;TNVED;EDIZM;STOIM;NETTO;KOL\n"
                       + "".join(f"ЭК;{m:02d}/2025;RU;5201000000;166;{100000 + 1000 * m},00;{50000 + m};\n"
                                 f"ИМ;{m:02d}/2025;RU;8430410000;796;{70000 + 500 * m},00;{9000 + m};{m}\n"
                                 for m in range(1, 10)), encoding="utf-8")
    add_users(settings, [("organizer@syrdarya.uz", "organizer", None)])
    application = create_app(settings, clock=lambda: DEMO_NOW)
    outcome = application.state.web.services.imports.import_file(
        "fts-national", extract, ImportOptions(reporter="UZ-SI", source="sirdaryo-customs"))
    assert outcome.status == "loaded", outcome.report and outcome.report.lines()
    yield application
    application.state.web.services.warehouse.close()


def test_an_instance_for_syrdarya_works_without_a_code_change(syrdarya):
    client = signed_in(syrdarya, "organizer@syrdarya.uz")
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert '<option value="UZ-SI" selected>' in dashboard.text  # its own region opens first
    assert "2025-01..2025-09" in dashboard.text  # the latest period of its own data
    overview = client.get("/api/v1/trade/overview?reporter=UZ-SI&period=2025-01..2025-09")
    assert overview.status_code == 200 and overview.json()["partner"] == "RU"  # the partner region's country
    new_mission = client.get("/missions/new").text
    assert 'value="UZ-SI"' in new_mission and 'value="RU-ALT"' in new_mission and "Asia/Tashkent" in new_mission
    matching = client.get("/matching")
    assert matching.status_code == 200 and '<option value="UZ-SI" selected>' in matching.text
    assert '<option value="RU-ALT" selected>' in matching.text
    assert client.get("/opportunities").status_code == 200
    assert 'name="country" value="UZ"' in client.get("/companies/new").text


def test_the_api_says_where_each_figure_comes_from(demo_settings, tmp_path_factory, tmp_path):
    """An October file beside the demo's extract: the summary names both sources with their batches and
    months, compares like with like, and a pinned source answers alone."""

    settings = Settings(data_dir=copy_of_demo(demo_settings, tmp_path_factory, "provenance"))
    token = add_users(settings, [("analyst@provenance.org", "analyst", None)])["analyst@provenance.org"]
    october = tmp_path / "october.csv"
    october.write_text("napr\tperiod\tnastranapr\ttnved\tedizm\tStoim\tNetto\tKol\tRegion\tRegion_s\n"
                       "ЭК\t10/2025\tUZ\t4407111000\t113\t1000000,00\t1\t1\t01000 - АЛТАЙСКИЙ КРАЙ\tСФО\n",
                       encoding="utf-8")
    application = create_app(settings, clock=lambda: DEMO_NOW)
    try:
        loaded = application.state.web.services.imports.import_file("fts-regional", october)
        api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
        answer = api.get("/api/v1/trade/summary?reporter=RU-ALT&partner=UZ&period=2025-01..2025-10").json()
        origins = {p["source"]: p for p in answer["provenance"]}
        assert origins["fts-regional"]["batches"] == [loaded.batch_id] and origins["fts-regional"]["months"] == \
            "2025-10" and not origins["fts-regional"]["synthetic"]
        assert origins["demo-synthetic"]["months"] == "2024-01..2025-09" and origins["demo-synthetic"]["synthetic"]
        assert answer["comparable_months"][-1] == "2025-09" and not answer["like_for_like"]
        assert answer["current"]["exports"] > 1_000_000  # October's million, on top of January–September
        pinned = api.get("/api/v1/trade/summary?reporter=RU-ALT&partner=UZ&period=2025-10&source=fts-regional").json()
        assert pinned["sources"] == ["fts-regional"] and pinned["current"]["exports"] == 1_000_000
        assert pinned["growth_pct"]["exports"] is None  # nothing from that source a year earlier
        # The goods table, the partners and the explorer's files say the same: sources, and what growth compares
        ten_months = "reporter=RU-ALT&partner=UZ&period=2025-01..2025-10"
        goods = api.get(f"/api/v1/trade/structure?{ten_months}&level=heading").json()
        assert {p["source"] for p in goods["provenance"]} == {"demo-synthetic", "fts-regional"}
        assert goods["comparable_months"][-1] == "2025-09" and not goods["like_for_like"]
        lumber = next(i for i in goods["items"] if i["code"] == "4407")
        alike = api.get("/api/v1/trade/structure?reporter=RU-ALT&partner=UZ&period=2025-01..2025-09&level=heading")
        same_months = next(i for i in alike.json()["items"] if i["code"] == "4407")
        assert lumber["previous"] == same_months["previous"] and lumber["growth_pct"] == same_months["growth_pct"]
        assert not api.get("/api/v1/trade/partners?reporter=RU-ALT&period=2025-01..2025-10").json()["like_for_like"]
        browser = signed_in(application, "analyst@provenance.org")
        explorer = browser.get(f"/explorer?{ten_months}&level=heading").text
        note = explorer.split('class="warn like-for-like">')[1].split("</p>")[0]
        assert "январь–сентябрь 2025" in note
        sources = explorer.split('class="provenance">')[1].split("</p>")[0]
        assert "региональная таможенная статистика ФТС (2025-10; партия" in sources
        assert "синтетические демо-данные (2024-01..2025-09" in sources
        partners = browser.get("/partners?reporter=RU-ALT&period=2025-01..2025-10").text
        assert 'class="warn like-for-like"' in partners and 'class="provenance"' in partners
        csv_text = browser.get(f"/explorer.csv?{ten_months}&level=heading").content.decode("utf-8-sig")
        assert csv_text.splitlines()[0] == "code,name,value_usd,previous_usd,share_pct,growth_pct,compared_usd,data"
        # each row carries its own mark: the heading the real October file holds adds it to nine synthetic
        # months (partly synthetic); a heading only the synthetic months hold is synthetic
        rows = {row[0]: row[-1] for row in csv.reader(csv_text.splitlines()[1:]) if row and row[0].isdigit()}
        assert rows["4407"] == "частично синтетические"
        assert set(rows.values()) <= {"частично синтетические", "синтетические"} and "синтетические" in rows.values()
        assert f"региональная таможенная статистика ФТС (2025-10; партия {loaded.batch_id})" in csv_text
        assert "январь–сентябрь 2025" in csv_text and "Синтетические демо-данные" in csv_text
        book = load_workbook(io.BytesIO(browser.get(f"/explorer.xlsx?{ten_months}&level=heading").content))
        cells = [row[0] for row in book.active.iter_rows(values_only=True) if row and row[0]]
        assert book.active["A1"].value == "Код" and book.active["C1"].value == "Сумма, долл. США"
        assert any(str(c).startswith("Источники: ") and "партия" in str(c) for c in cells)
    finally:
        application.state.web.services.warehouse.close()


def test_the_dashboard_projects_the_year_end(app):
    """January–September of the demo: the year carried forward by the 2023–2024 seasonality, with its interval."""
    application, token = app

    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    data = api.get(f"/api/v1/trade/overview?reporter=RU-ALT&partner=UZ&period={PERIOD}").json()
    projection, turnover = data["projection"], data["tiles"][0]["value"]
    assert projection["seasonality_years"] == [2023, 2024] and projection["through_month"] == 9
    assert projection["low"] <= projection["turnover"] <= projection["high"] and projection["turnover"] > turnover
    page = signed_in(application, "analyst@shape.org").get(f"/?reporter=RU-ALT&partner=UZ&period={PERIOD}").text
    assert "Прогноз на весь 2025 год" in page and "Это оценка, а не статистика." in page
    whole_year = api.get("/api/v1/trade/overview?reporter=RU-ALT&partner=UZ&period=2024").json()
    assert whole_year["projection"] is None  # a finished year is not projected


def test_opportunities_take_words_and_codes_and_lead_on(app):
    """The meeting's wording leads to the equipment headings in two steps (type, look), each product linked to
    the explorer and the registered companies, sections named."""
    application, token = app

    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    wording = "Equipment for geological exploration and uranium mining"
    answer = api.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "q": wording,
                                                      "top": 50}).json()
    assert {"8430", "8474", "9015", "8207"} <= set(answer["resolved_codes"])
    assert answer["items"] and all(i["code"][:4] in answer["resolved_codes"] for i in answer["items"])
    assert all(i["section_name"].startswith(i["section"] + " — ") for i in answer["items"])
    typed = api.get("/api/v1/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "q": "8430 8474"}).json()
    assert typed["resolved_codes"] == ["8430", "8474"] and {i["code"][:4] for i in typed["items"]} <= {"8430", "8474"}
    page = signed_in(application, "analyst@shape.org").get(
        "/opportunities", params={"reporter": "RU-ALT", "partner": "UZ", "q": "оборудование для геологоразведки"}).text
    assert "«оборудование для геологоразведки» → " in page and "8430" in page
    assert 'href="/companies?code=' in page and "/explorer?reporter=RU-ALT&amp;partner=UZ&amp;flow=export" in page
    assert "XVI — Машины, оборудование и механизмы" in page  # the section select names its sections


def test_small_things_that_misled(app, fixtures):
    """Point 11 of issue 14, the parts done: the menu, the language switch, a refused import, confirmations,
    the reporter picker, a mission in the past, file names."""
    application, _ = app
    settings = application.state.web.settings
    add_users(settings, [("rep@shape.org", "company", 1)])
    rep_menu = signed_in(application, "rep@shape.org").get("/companies").text.split("<nav>")[1].split("</nav>")[0]
    assert 'href="/imports"' not in rep_menu and 'href="/cooperation"' not in rep_menu
    assert 'href="/brief"' not in rep_menu and 'href="/companies"' in rep_menu
    analyst = signed_in(application, "analyst@shape.org")
    page = analyst.get(f"/explorer?reporter=RU-ALT&partner=UZ&period={PERIOD}&level=chapter").text
    assert f'name="next" value="/explorer?reporter=RU-ALT&amp;partner=UZ&amp;period={PERIOD}&amp;level=chapter"' \
        in page  # switching language keeps the filters
    refused = analyst.post("/imports", data={"kind": "baci", "csrf": csrf_of(analyst, "/imports")},
                           files={"file": ("not-baci.csv", (fixtures / "fts" / "national_sample.csv").read_bytes())},
                           follow_redirects=False)
    job_id = int(refused.headers["location"].split("job=")[1])
    for _ in range(200):
        text = analyst.get(f"/jobs/{job_id}").text
        if "job-running" not in text and "job-queued" not in text:
            break
        time.sleep(0.05)
    assert "job-failed" in text and "<progress" not in text  # no full bar saying "done" for a refused file
    assert "data-confirm=" in analyst.get("/imports").text
    reporters = analyst.get("/").text.split('name="reporter"')[1].split("</select>")[0]
    order = [code for code in ("RU-ALT", "RU", "UZ", "AE") if f'value="{code}"' in reporters]
    assert order[0] == "RU-ALT" and reporters.index('value="UZ"') < reporters.index('value="AE"')  # world-only last
    mission = application.state.web.services.missions.all()[0]
    assert "This mission is in the past" not in analyst.get(f"/missions/{mission.id}").text  # DEMO_NOW: before it
    person = next(iter(application.state.web.services.missions.people(mission.id).values()))
    add_users(settings, [("organizer@shape.org", "organizer", None)])
    agenda = signed_in(application, "organizer@shape.org").get(f"/missions/{mission.id}/agenda/{person.id}.ics")
    disposition = agenda.headers["content-disposition"]
    assert "agenda-" in disposition and f"-{person.id}." not in disposition and "-DEMO.ics" in disposition


def test_no_raw_codes_where_a_person_reads(app):
    """Sizes and languages in words; the registry's recent changes name their fields (issue 14, point 8, in part)."""
    application, _ = app
    add_users(application.state.web.settings, [("organizer8@shape.org", "organizer", None)])
    client = signed_in(application, "organizer8@shape.org")
    company = next(c for c in application.state.web.services.registry.all() if c.size and c.languages)
    profile = client.get(f"/companies/{company.id}").text
    assert gettext("ru", f"size: {company.size}") in profile and f"<dd>{company.size}</dd>" not in profile
    assert "русский" in profile or "узбекский" in profile
    changes = client.get("/cooperation").text.split('id="changes"')[1].split("</table>")[0]
    assert "name_ru" not in changes and "partners" not in changes and "start_date" not in changes


def test_mirror_data_on_a_page_and_in_the_api_with_both_directions_and_the_valuation_note(app):
    """2021: Russia's FTS table against Uzbekistan's stat.uz, both real, both directions, each with its source."""
    application, token = app
    api = TestClient(application, headers={"Authorization": f"Bearer {token}"})
    data = api.get("/api/v1/trade/mirror", params={"reporter": "RU", "partner": "UZ", "years": "2021"}).json()
    flows = {r["flow"]: r for r in data["rows"]}
    assert set(flows) == {"export", "import"} and "FOB" in data["note"] and "CIF" in data["note"]
    assert flows["export"]["reported"] == pytest.approx(5205.129e6, rel=1e-6)  # what the CLI prints for 2021
    assert flows["export"]["mirror"] == pytest.approx(5462.245e6, rel=1e-6)
    assert flows["export"]["reported_source"] == "fts-partners" and flows["export"]["mirror_source"] == "uzstat"
    bad = api.get("/api/v1/trade/mirror", params={"reporter": "RU", "partner": "UZ", "years": "2021..1999"})
    assert bad.status_code == 422
    page_client = signed_in(application, "analyst@shape.org")
    accounts = application.state.web.services.accounts
    analyst = accounts.find("analyst@shape.org")
    for lang, words in (("ru", ("ФОБ", "экспорт: Россия → Узбекистан", "5\u00a0205,1")),
                        ("uz", ("FOB", "eksport: Rossiya → Oʻzbekiston", "5\u00a0205,1")),
                        ("en", ("FOB", "exports of Russia to Uzbekistan", "5,205.1"))):
        accounts.set_language(analyst.id, lang)  # the reader's own language, as the account page sets it
        shown = page_client.get("/mirror", params={"reporter": "RU", "partner": "UZ", "years": "2021"})
        assert shown.status_code == 200 and all(w in shown.text for w in words), (lang, shown.text[-3000:])
    accounts.set_language(analyst.id, "ru")
    refused = page_client.get("/mirror", params={"years": "²⁰²¹"})
    assert refused.status_code == 200 and "годы указываются так" in refused.text
