"""The organizer's side of a mission (issue 27, point 5), through HTTP as a browser would, with mail read from
a real SMTP server on loopback: the set-up form, registrations waiting for approval, the schedule previewed
before it is published, bulk invitations, the reasons of a no-show re-plan, both sides' answers beside the
organizer's, and the organizer's Uzbek interface."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from hamkor.accounts.service import Accounts
from hamkor.companies.registry import CompanyData, Contact, Registry
from hamkor.config import Settings
from hamkor.missions.service import MissionData, Missions
from hamkor.store.db import Database
from hamkor.web.app import create_app
from tests.helpers import DEMO_NOW, PASSWORD, csrf_of, signed_in
from tests.web.test_registration_web import confirm_from_mail, register

SITE = "https://mission.example.org"


class Clock:
    at = DEMO_NOW

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def env(tmp_path, smtp_server):
    port, inbox = smtp_server
    settings = Settings(data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                        public_url=SITE, mail_interval_seconds=3600)
    db = Database(settings)
    db.upgrade()
    accounts = Accounts(db)
    accounts.create_user("organizer@altai.ru", PASSWORD, "organizer", "ru")
    accounts.create_user("tashkilotchi@sirdaryo.uz", PASSWORD, "organizer", "uz")
    registry = Registry(db)
    companies = {
        "cheese": registry.create(CompanyData(name_ru="ООО «Алтайские сыры»", tax_id="2221000002", country="RU",
                                              region="RU-ALT", languages=["ru"], sectors=["food"],
                                              contacts=[Contact("Ирина", email="sales@cheese.ru")])),
        "tractor": registry.create(CompanyData(name_ru="АО «Алтайские тракторы»", tax_id="2221000010", country="RU",
                                               region="RU-ALT", languages=["ru"], sectors=["agri_machinery"],
                                               contacts=[Contact("Пётр", email="sales@tractor.ru")])),
        "cotton": registry.create(CompanyData(name_ru="ООО «Сырдарья Текстиль»", name_uz="Sirdaryo Tekstil MChJ",
                                              tax_id="301234575", country="UZ", region="UZ-SI", languages=["uz"],
                                              sectors=["textiles"],
                                              contacts=[Contact("Aziz", email="aziz@tekstil.uz")])),
        "fruit": registry.create(CompanyData(name_ru="ООО «Сырдарья Агро»", name_uz="Sirdaryo Agro MChJ",
                                             tax_id="301234567", country="UZ", region="UZ-SI", languages=["uz", "ru"],
                                             sectors=["food"], contacts=[Contact("Alisher", email="agro@agro.uz")])),
    }
    mission = Missions(db).create(MissionData(
        name="Бизнес-миссия Сырдарья — Алтай", host_territory="RU-ALT", visiting_territory="UZ-SI",
        venue="Барнаул, Дом Союзов", timezone="Asia/Barnaul", tables=2,
        names={"name": {"uz": "Sirdaryo — Oltoy biznes-missiyasi"}, "venue": {"uz": "Barnaul, Kasaba uyushmalari uyi"}},
        days=[{"date": "2026-12-15", "start": "10:00", "end": "11:00"}],
        request_deadline=datetime(2026, 12, 10, 12, 0, tzinfo=UTC)))
    db.dispose()
    clock = Clock()
    app = create_app(settings, clock=clock)
    yield {"app": app, "mission": mission, "companies": companies, "inbox": inbox, "clock": clock}
    app.state.web.services.close()


def deliver(app) -> None:
    app.state.web.services.outbox.send_due()


def mails_to(inbox, address: str) -> list:
    return [email.message_from_string(raw, policy=email.policy.default) for to, raw in inbox.messages
            if address in to]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


# ---- 3. the set-up form ----------------------------------------------------------------------------------
def test_the_set_up_form_chooses_territories_and_sectors_and_takes_days_and_interpreters_in_rows(env):
    """Reported: territories were typed as codes (UZ-SI), the sector boxes ran together, and days and
    interpreters were written in a text syntax. Now they are lists to choose from and rows of fields."""
    app = env["app"]
    organizer = signed_in(app, "organizer@altai.ru")
    form = organizer.get("/missions/new").text
    host = between(form, '<select name="host_territory"', "</select>")
    assert '<option value="RU-ALT" selected>Алтайский край</option>' in host  # the home territory, by its name
    assert '>Сырдарьинская область</option>' in host and 'placeholder="XX-YYY"' not in form
    assert 'name="days"' not in form and 'name="interpreters"' not in form  # no text syntax left
    sectors = between(form, '<fieldset class="choices" id="sectors">', "</fieldset>")
    labels = re.findall(r'<label class="check">(.*?)</label>', sectors, re.S)
    assert len(labels) >= 10 and all(label.count('type="checkbox"') == 1 for label in labels)  # a label each
    assert "<span>сельское хозяйство</span>" in sectors
    token = csrf_of(organizer, "/missions/new")
    fields = {"csrf": token, "name": "Ответный визит", "host_territory": "UZ-SI", "visiting_territory": "RU-ALT",
              "timezone": "Asia/Tashkent", "slot_minutes": "30", "tables": "4", "sectors": ["food", "textiles"],
              "day_0_date": "2027-03-10", "day_0_start": "10:00", "day_0_end": "17:00",
              "day_0_break_start": "13:00", "day_0_break_end": "14:00",
              "day_1_date": "2027-03-11", "day_1_start": "10:00", "day_1_end": "12:00",
              "day_1_break_start": "", "day_1_break_end": "",
              "day_2_date": "", "day_2_start": "", "day_2_end": "",  # an empty row is skipped
              "pool_0_a": "uz", "pool_0_b": "ru", "pool_0_count": "3", "pool_1_a": "", "pool_1_b": "",
              "pool_1_count": ""}
    wrong = organizer.post("/missions/new", data={**fields, "day_1_end": "09:00"})
    assert wrong.status_code == 422 and "день 2" in between(wrong.text, 'id="problems"', "</ul>")
    assert 'name="day_1_end" value="09:00"' in wrong.text  # what was typed is there to correct
    made = organizer.post("/missions/new", data=fields, follow_redirects=False)
    assert made.status_code == 303
    mission = app.state.web.services.missions.mission(int(made.headers["location"].rsplit("/", 1)[1]))
    assert mission.days == [{"date": "2027-03-10", "start": "10:00", "end": "17:00", "breaks": [["13:00", "14:00"]]},
                            {"date": "2027-03-11", "start": "10:00", "end": "12:00", "breaks": []}]
    assert mission.interpreters == [{"languages": ["ru", "uz"], "count": 3}]
    assert (mission.host_territory, mission.visiting_territory, mission.sectors) == ("UZ-SI", "RU-ALT",
                                                                                     ["food", "textiles"])
    edit = organizer.get(f"/missions/{mission.id}/edit").text
    assert 'name="day_0_break_start" value="13:00"' in edit and 'name="day_1_date" value="2027-03-11"' in edit
    assert '<option value="ru" selected>' in between(edit, 'name="pool_0_a"', "</select>")
    assert 'name="pool_0_count" min="0" max="1000" value="3"' in edit
    assert '<option value="UZ-SI" selected>' in between(edit, '<select name="host_territory"', "</select>")
    # a count that is not a number is named, not a crash
    bad_count = organizer.post(f"/missions/{mission.id}/edit", data={**fields, "pool_0_count": "²"})
    assert bad_count.status_code == 422 and "группа 1" in bad_count.text


# ---- 4. a registration waiting for approval -------------------------------------------------------------
def test_organizers_hear_of_a_registration_waiting_for_them_and_the_tabs_count_it(env):
    """Reported: nothing told the organizer that a registration waited for approval. Once the company confirms
    its address, each organizer gets a mail in their own language, and the mission's tabs count what waits."""
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    organizer = signed_in(app, "organizer@altai.ru")
    token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
    organizer.post(f"/missions/{mission.id}/registrations", data={"csrf": token, "action": "open"})
    assert register(app, mission.id, tax_id="301234583", name_uz="Guliston Meva MChJ", name_ru="ООО «Гулистан Мева»",
                    email="director@meva.uz").status_code == 303
    deliver(app)
    assert not mails_to(inbox, "organizer@altai.ru")  # an address nobody confirmed is nothing to decide on yet
    assert 'id="waiting-count"' not in organizer.get(f"/missions/{mission.id}").text
    confirm_from_mail(app, inbox, "director@meva.uz")
    deliver(app)
    [russian] = mails_to(inbox, "organizer@altai.ru")
    [uzbek] = mails_to(inbox, "tashkilotchi@sirdaryo.uz")
    assert russian["Subject"] == "Регистрация ждёт вашего решения: Бизнес-миссия Сырдарья — Алтай"
    assert uzbek["Subject"] == "Roʻyxatdan oʻtish qaroringizni kutmoqda: Sirdaryo — Oltoy biznes-missiyasi"
    assert "ООО «Гулистан Мева»" in text_of(russian) and "Guliston Meva MChJ" in text_of(uzbek)
    assert f"{SITE}/missions/{mission.id}/registrations?lang=ru" in text_of(russian)
    assert f"{SITE}/missions/{mission.id}/registrations?lang=uz" in text_of(uzbek)
    for path in ("", "/requests", "/schedule", "/outcomes"):
        shown = organizer.get(f"/missions/{mission.id}{path}").text
        assert '<span class="badge count" id="waiting-count"' in shown and 'id="registrations-waiting"' in shown
        assert between(shown, 'id="waiting-count"', "</span>").endswith(">1")
    [waiting] = app.state.web.services.missions.registrations(mission.id)
    organizer.post(f"/missions/{mission.id}/registrations/{waiting.registration.id}",
                   data={"csrf": token, "decision": "approve"})
    assert 'id="waiting-count"' not in organizer.get(f"/missions/{mission.id}").text  # decided: nothing waits
