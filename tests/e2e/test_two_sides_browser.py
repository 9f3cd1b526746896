"""The two-sided loop in a real browser (Debian's chromium) against a real server, with mail from a real SMTP
server: the owner invites the partner side's organiser, who accepts by the mailed link, sees and approves a company
of their own side only, then checks it in by its code on a 360 px phone."""

from __future__ import annotations

from datetime import UTC, datetime

from hamkor.companies.registry import CompanyData
from hamkor.store.models import MissionRegistration
from tests.e2e.test_participants_browser import (  # noqa: F401 - the fixture and the skip rule are borrowed
    ARGS,
    CHROMIUM,
    link,
    mail,
    pytestmark,
    sign_in,
    world,
)
from tests.helpers import PASSWORD


def test_the_partner_organiser_approves_their_side_and_checks_in_by_code(world):  # noqa: F811
    from playwright.sync_api import sync_playwright

    site, app, inbox, mission = world["site"], world["app"], world["inbox"], world["mission"]
    services = app.state.web.services
    pending = {}
    for side, territory, name in (("visiting", "UZ-SI", "«Sirdaryo paxta» MChJ"), ("host", "RU-ALT", "ООО «Бийск»")):
        company = services.registry.create(CompanyData(name_ru=name, country=territory[:2], region=territory,
                                                       languages=["ru"], sectors=["food"]))
        with services.db.session() as session:
            session.add(MissionRegistration(mission_id=mission.id, company_id=company.id, side=side, status="pending",
                                            attendees=[{"name": "Aziz", "role": "", "languages": ["uz"]}],
                                            languages=["uz"], created_at=datetime(2026, 12, 1, tzinfo=UTC)))
        pending[side] = company
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        owner = browser.new_context().new_page()
        sign_in(owner, site, "organizer@altai.ru")
        owner.goto(f"{site}/missions/{mission.id}/organisers")
        owner.select_option("#kind", "administration")
        owner.select_option("#territory", "UZ-SI")
        owner.fill("input[name=name_ru]", "Хокимият Сырдарьинской области")
        owner.fill("input[name=name_uz]", "Sirdaryo viloyati hokimligi")
        owner.select_option("#role", "supporting")
        owner.fill("#email", "hokim@sirdaryo.uz")
        owner.select_option("#invite-organiser select[name=language]", "uz")
        owner.click("#invite-organiser button")
        owner.wait_for_selector("#invited")
        assert "Sirdaryo" in owner.inner_text("#organisers") or "Сырдарь" in owner.inner_text("#organisers")

        _, text = mail(inbox, "hokim@sirdaryo.uz", "/welcome/")
        phone = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
        phone.goto(site + link(text, site, "/welcome/"))
        phone.fill("input[name=password]", PASSWORD)
        phone.fill("input[name=repeated]", PASSWORD)
        phone.click("form button")
        phone.wait_for_url("**/signin**")
        phone.fill("input[name=email]", "hokim@sirdaryo.uz")
        phone.fill("input[name=password]", PASSWORD)
        phone.click("form[action='/signin'] button[type=submit]")
        phone.wait_for_url(f"{site}/missions/{mission.id}")

        phone.goto(f"{site}/missions/{mission.id}/registrations")
        rows = phone.inner_text("#registrations")
        assert "Sirdaryo paxta" in rows and "Бийск" not in rows  # their own side's registration only
        phone.click("#registrations button[value=approve]")
        phone.wait_for_load_state()
        taking_part = services.missions.participant_of_company(mission.id, pending["visiting"].id)
        assert taking_part is not None and taking_part.participant.side == "visiting"

        phone.goto(f"{site}/missions/{mission.id}/checkin")
        code = taking_part.participant.checkin_code
        phone.fill("#code", f"{code[:4].lower()} {code[4:]}")  # as read aloud and typed
        phone.click("#checkin-form button[type=submit], #checkin-form p > button:not([type])")
        phone.wait_for_selector("#checked")
        assert "Sirdaryo paxta" in phone.inner_text("#checked")
        wide = phone.evaluate("Array.from(document.querySelectorAll('body *')).filter(e => "
                              "e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '#' + e.id + "
                              "'.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide  # nothing wider than the phone
        field = phone.locator("#code").bounding_box()
        assert field["width"] >= 200 and field["height"] >= 30
        # every tab of the mission is in sight on the phone (one scrolled out of view was not found), and no tab's
        # page scrolls sideways: a wide table scrolls inside itself
        tabs = phone.eval_on_selector_all("nav.tabs a", "links => links.map(a => a.getAttribute('href'))")
        assert len(tabs) >= 6, tabs
        for href in tabs:
            phone.goto(site + href)
            hidden = phone.eval_on_selector_all("nav.tabs a", "links => links.filter(a => "
                                                "a.getBoundingClientRect().right > 361).map(a => a.textContent)")
            assert not hidden, (href, hidden)
            wide = phone.evaluate("Array.from(document.querySelectorAll('body *')).filter(e => "
                                  "e.getBoundingClientRect().right > 361 && !e.closest('table, nav, figure'))"
                                  ".slice(0, 8).map(e => e.tagName + '.' + e.className)")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (href, wide)
        arrived = services.missions.arrivals(mission.id)
        assert [a.participant_id for a in arrived if a.arrived_at] == [taking_part.id]
        browser.close()
