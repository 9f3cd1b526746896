"""The participants' whole loop in a real browser (Debian's chromium) against a real server on loopback, with
the mail read from a real SMTP server: registration on the public page, e-mail confirmation, approval,
a request asked and accepted in the participants' own space (on a phone-sized screen), the published
schedule, a re-plan, and the follow-up answered through the mailed link."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from hamkor.accounts.service import Accounts
from hamkor.companies.registry import CompanyData, Contact, Registry
from hamkor.config import Settings
from hamkor.missions.service import MissionData, Missions
from hamkor.store.db import Database
from tests.helpers import PASSWORD, Clock

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (CI installs it)")


@pytest.fixture
def world(tmp_path, smtp_server):
    import uvicorn

    from hamkor.web.app import create_app

    smtp_port, inbox = smtp_server
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = f"http://127.0.0.1:{port}"
    settings = Settings(data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False,
                        public_url=site, mail_interval_seconds=0.3)
    db = Database(settings)
    db.upgrade()
    Accounts(db).create_user("organizer@altai.ru", PASSWORD, "organizer")
    Registry(db).create(CompanyData(name_ru="ООО «Алтайские сыры»", tax_id="2221000002", country="RU",
                                    region="RU-ALT", languages=["ru"], sectors=["food"], offers=["0406"],
                                    offers_text="сыры твёрдые", contacts=[Contact("Ирина", email="sales@cheese.ru")]))
    mission = Missions(db).create(MissionData(
        name="Бизнес-миссия Сырдарьи в Алтайский край", host_territory="RU-ALT", visiting_territory="UZ-SI",
        venue="Барнаул", timezone="Asia/Barnaul", tables=2, days=[{"date": "2026-12-15", "start": "10:00",
                                                                   "end": "11:00"}],
        request_deadline=datetime(2026, 12, 10, 12, 0, tzinfo=UTC),
        names={"name": {"uz": "Sirdaryo biznes-missiyasi"}}))
    db.dispose()
    clock = Clock()
    app = create_app(settings, clock=clock)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    yield {"site": site, "app": app, "inbox": inbox, "mission": mission, "clock": clock}
    server.should_exit = True
    thread.join(timeout=10)


def mail(inbox, address: str, contains: str, timeout: float = 10.0):
    """The message to `address` whose text contains `contains`, waiting for the server's mail worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for to, raw in inbox.messages:
            message = email.message_from_string(raw, policy=email.policy.default)
            text = message.get_body(("plain",)).get_content()
            if address in to and contains in (message["Subject"] + text):
                return message, text
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} with {contains!r}: {[m[1][:200] for m in inbox.messages]}")


def link(text: str, site: str, path: str) -> str:
    return re.search(re.escape(site) + "(" + re.escape(path) + r"\S+)", text).group(1)


def sign_in(page, site: str, address: str) -> None:
    page.goto(f"{site}/signin")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_load_state()


def register(page, site: str, mission_id: int, fields: dict, languages: list[str]) -> None:
    page.goto(f"{site}/join/{mission_id}?lang={fields.pop('lang')}")
    if fields.get("offers_text"):  # the HS assistant answers as the words are typed
        page.locator("textarea[name=offers_text]").press_sequentially(fields.pop("offers_text"), delay=20)
        page.locator("#offers-hits li").first.wait_for()
    page.select_option("select[name=territory]", fields.pop("territory"))
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    for code in languages:
        page.check(f"input[name=attendee_0_languages][value={code}]")
    page.check("input[name=sectors][value=food]")
    page.click("#join-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/signin\?notice=registered"))


def test_companies_take_part_themselves_in_the_browser(world):
    from playwright.sync_api import sync_playwright

    site, app, inbox, mission, clock = (world[k] for k in ("site", "app", "inbox", "mission", "clock"))
    services = app.state.web.services
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        organizer = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        phone = {"viewport": {"width": 360, "height": 780}}
        uz, ru = browser.new_context(**phone).new_page(), browser.new_context(**phone).new_page()

        sign_in(organizer, site, "organizer@altai.ru")
        organizer.goto(f"{site}/missions/{mission.id}/registrations")
        organizer.click("#registration-switch button[value=open]")
        assert organizer.locator("#join-url").count() == 1

        register(uz, site, mission.id, {"lang": "uz", "territory": "UZ-SI", "tax_id": "301234567",
                                        "name_uz": "Sirdaryo Agro MChJ", "offers_text": "сыры твёрдые",
                                        "needs": "0406",
                                        "attendee_0_name": "Alisher Karimov", "email": "director@agro.uz",
                                        "password": PASSWORD}, ["uz", "ru"])
        register(ru, site, mission.id, {"lang": "ru", "territory": "RU-ALT", "tax_id": "2221000002",
                                        "attendee_0_name": "Ирина Петрова", "email": "export@cheese.ru",
                                        "password": PASSWORD}, ["ru"])
        for page, address in ((uz, "director@agro.uz"), (ru, "export@cheese.ru")):
            _, text = mail(inbox, address, "/join/confirm/")
            page.goto(site + link(text, site, "/join/confirm/"))
            page.click("form button[type=submit]")
            assert page.locator("#done").count() == 1

        organizer.goto(f"{site}/missions/{mission.id}/registrations")
        for _ in range(2):
            organizer.locator("button[name=decision][value=approve]").first.click()
            organizer.wait_for_load_state()
        assert organizer.locator("tr[data-status=approved]").count() == 2
        assert organizer.locator("tr[data-status=pending]").count() == 0
        assert len(services.missions.people(mission.id)) == 2
        mail(inbox, "director@agro.uz", "/space/")

        sign_in(uz, site, "director@agro.uz")
        uz.goto(f"{site}/space/{mission.id}")
        assert uz.evaluate("document.documentElement.scrollWidth") <= 360  # usable on a phone
        # the header keeps to a line or two (it took 210 of 740 px with menus a company cannot use), and
        # every tab link and button is a finger's size
        assert uz.locator("header.top").bounding_box()["height"] <= 140
        # and the account page is in the menu (the address that links to it on a wide screen is hidden here)
        assert uz.locator("header.top nav a[href='/account']").is_visible()
        small = uz.evaluate("""() => Array.from(document.querySelectorAll(
            'header.top a, header.top button, .space-nav a, .space button, .space select, .space textarea'))
            .filter(el => el.offsetParent !== null).map(el => [el.textContent.trim().slice(0, 20),
            el.getBoundingClientRect().height]).filter(([, h]) => h < 44)""")
        assert small == [], small
        # the search searches (it returned every company for any text): Uzbek for cheese finds the cheese
        # maker by its products; nonsense finds nobody
        for words, found in (("qwerty asdf", 0), ("pishloq", 1)):
            uz.fill("#search input[name=q]", words)
            uz.locator("#search form.filters button").click()
            uz.wait_for_load_state()
            assert uz.locator("#listed li").count() == found, words
        uz.goto(f"{site}/space/{mission.id}")
        uz.locator("#suggested form.ask textarea[name=message]").first.fill("Quritilgan meva va pishloq")
        uz.locator("#suggested form.ask button").first.click()
        mail(inbox, "export@cheese.ru", "Quritilgan meva va pishloq")

        sign_in(ru, site, "export@cheese.ru")
        ru.goto(f"{site}/space/{mission.id}")
        ru.locator("#incoming button[value=accept]").click()
        mail(inbox, "director@agro.uz", "qabul qildi")

        services.missions.schedule(mission.id, seconds=2)  # the organizer publishes the schedule
        mail(inbox, "export@cheese.ru", "Ваши встречи")
        mail(inbox, "director@agro.uz", "Uchrashuvlaringiz")
        for page, counterpart in ((uz, "Алтайские сыры"), (ru, "Sirdaryo Agro")):
            page.goto(f"{site}/space/{mission.id}")
            assert counterpart in page.locator("#agenda").inner_text()

        [meeting] = services.missions.meetings(mission.id)
        people = services.missions.people(mission.id)
        host = next(p for p in people.values() if p.participant.side == "host")
        slots = services.missions.slots(services.missions.mission(mission.id))
        later = next(s.id for s in slots if s.id > meeting.slot)
        services.missions.update_participant(mission.id, host.id, available=[later])
        clock.at += timedelta(hours=1)
        services.missions.replan(mission.id, meeting.slot, seconds=2)
        mail(inbox, "export@cheese.ru", "перенесено")
        mail(inbox, "director@agro.uz", "koʻchirildi")
        ru.goto(f"{site}/space/{mission.id}")
        assert ru.locator("#changed-meetings").count() == 1

        clock.at = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # a month after: the worker sends the follow-ups
        for page, address, stage in ((uz, "director@agro.uz", "negotiation"), (ru, "export@cheese.ru", "contract")):
            _, text = mail(inbox, address, "/followup/")
            page.goto(site + link(text, site, "/followup/"))
            page.select_option(f"select[name=status_{meeting.id}]", "held")
            page.select_option(f"select[name=rating_{meeting.id}]", "5")
            page.select_option(f"select[name=stage_{meeting.id}]", stage)
            page.click("#feedback-form button")
            assert page.locator("#done").count() == 1
        organizer.goto(f"{site}/missions/{mission.id}/followup")
        assert organizer.locator("#side-answers tr.disagree").count() == 1  # negotiation against contract
        browser.close()


def mail_links(inbox, address: str, site: str, path: str) -> list[str]:
    """Every link to `path` mailed to `address` so far, oldest first."""
    found = []
    for to, raw in inbox.messages:
        text = email.message_from_string(raw, policy=email.policy.default).get_body(("plain",)).get_content()
        if address in to and site + path in text:
            found.append(link(text, site, path))
    return found


def wait_for_links(inbox, address: str, site: str, path: str, count: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(found := mail_links(inbox, address, site, path)) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} links {path} to {address}")


def test_nobody_is_locked_out_in_the_browser(world):
    """Issue 27.2 in a real browser with real mail: a registration whose confirmation link expired gets a fresh
    link from the dead one's page and is confirmed; a company the organizer added from the registry (no account,
    a request already waiting for it) takes its account from the organizer's invitation and answers the request."""
    from playwright.sync_api import sync_playwright

    site, app, inbox, mission, clock = (world[k] for k in ("site", "app", "inbox", "mission", "clock"))
    services = app.state.web.services
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        organizer = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        phone = {"viewport": {"width": 360, "height": 780}}
        uz, ru = browser.new_context(**phone).new_page(), browser.new_context(**phone).new_page()

        sign_in(organizer, site, "organizer@altai.ru")
        organizer.goto(f"{site}/missions/{mission.id}/registrations")
        organizer.click("#registration-switch button[value=open]")
        register(uz, site, mission.id, {"lang": "uz", "territory": "UZ-SI", "tax_id": "301234567",
                                        "name_uz": "Sirdaryo Agro MChJ", "attendee_0_name": "Alisher Karimov",
                                        "email": "director@agro.uz", "password": PASSWORD}, ["uz", "ru"])
        [old] = wait_for_links(inbox, "director@agro.uz", site, "/join/confirm/", 1)

        # four days later the link is dead; its page sends a fresh one to the registered address
        clock.at += timedelta(days=4)
        uz.goto(site + old)
        assert uz.locator("#link-problem[data-state=expired]").count() == 1
        uz.click("#renew button[type=submit]")
        assert uz.locator("#renewed").count() == 1
        _, fresh = wait_for_links(inbox, "director@agro.uz", site, "/join/confirm/", 2)
        assert fresh != old and fresh.endswith("?lang=uz")
        uz.goto(site + fresh)
        uz.click("form button[type=submit]")
        assert uz.locator("#done").count() == 1

        organizer.goto(f"{site}/missions/{mission.id}/registrations")
        organizer.locator("button[name=decision][value=approve]").first.click()
        organizer.wait_for_load_state()
        # the organizer adds the cheese maker from the registry: it has no account, nobody to answer
        cheese = next(c for c in services.registry.all() if c.tax_id == "2221000002")
        organizer.goto(f"{site}/missions/{mission.id}")
        organizer.select_option("#add-participants select[name=company]", str(cheese.id))
        organizer.select_option("#add-participants select[name=side]", "host")
        organizer.click("#add-participants button")
        organizer.wait_for_load_state()
        host = services.missions.participant_of_company(mission.id, cheese.id)

        # the Uzbek director lands in the space and asks the cheese maker to meet
        sign_in(uz, site, "director@agro.uz")
        assert uz.url.endswith(f"/space/{mission.id}")
        uz.locator(f"#listed li[data-participant='{host.id}'] textarea[name=message]").fill("Pishloq kerak")
        uz.locator(f"#listed li[data-participant='{host.id}'] form.ask button").click()
        uz.wait_for_load_state()
        [waiting] = services.missions.requests(mission.id)

        organizer.goto(f"{site}/missions/{mission.id}/requests")
        assert organizer.locator(f"tr[data-request='{waiting.request.id}'] .nobody").count() == 1
        organizer.goto(f"{site}/missions/{mission.id}")
        row = organizer.locator(f"tr[data-participant='{host.id}']")
        assert row.locator("td[data-representation=nobody]").count() == 1
        row.locator("details.invite summary").click()
        assert row.locator("input[name=email]").input_value() == "sales@cheese.ru"  # the registry's contact
        row.locator("details.invite button").click()
        organizer.wait_for_load_state()
        [welcome] = wait_for_links(inbox, "sales@cheese.ru", site, "/welcome/", 1)

        # the contact chooses a password and language, signs in and lands in the space, the request waiting there
        ru.goto(site + welcome)
        ru.fill("input[name=password]", PASSWORD)
        ru.fill("input[name=repeated]", PASSWORD)
        ru.select_option("select[name=language]", "ru")
        ru.click("form button[type=submit]")
        ru.wait_for_url(re.compile(r".*/signin\?notice=password-set"))
        ru.fill("input[name=email]", "sales@cheese.ru")
        ru.fill("input[name=password]", PASSWORD)
        ru.click("form[action='/signin'] button[type=submit]")
        ru.wait_for_url(re.compile(rf".*/space/{mission.id}$"))
        assert "Pishloq kerak" in ru.locator("#incoming").inner_text()
        ru.locator("#incoming button[value=accept]").click()
        mail(inbox, "director@agro.uz", "qabul qildi")
        organizer.goto(f"{site}/missions/{mission.id}")
        assert organizer.locator(f"tr[data-participant='{host.id}'] td[data-representation=ready]").count() == 1
        browser.close()
