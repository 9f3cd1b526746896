"""The organizer's side in a real browser (Debian's chromium) against a real server on loopback, with mail read
from a real SMTP server: the set-up form as a finger uses it on a phone, and a schedule drafted, looked at and
published."""

from __future__ import annotations

import time

from hamkor.companies.registry import CompanyData
from tests.e2e.test_participants_browser import (  # noqa: F401 - the fixture and the skip rule are borrowed
    ARGS,
    CHROMIUM,
    mail,
    pytestmark,
    sign_in,
    world,
)
from tests.helpers import PASSWORD


def boxes(page, selector: str) -> list[dict]:
    script = ("els => els.map(e => { const r = e.getBoundingClientRect(); "
              "return {x: r.x, y: r.y, w: r.width, h: r.height, text: e.innerText}; })")
    return page.eval_on_selector_all(selector, script)


def test_the_set_up_form_on_a_phone_and_a_draft_schedule_published(world):  # noqa: F811 - the borrowed fixture
    """Reported: the sector boxes ran together («сельхозмашиностроениесельское хозяйство»), territories were typed
    as codes, days and interpreters in a text syntax; and a schedule was mailed to everyone before anybody saw
    it."""
    from playwright.sync_api import sync_playwright

    site, app, inbox = world["site"], world["app"], world["inbox"]
    services = app.state.web.services
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
        sign_in(phone, site, "organizer@altai.ru")
        phone.goto(f"{site}/missions/new")
        phone.click("#for-participants summary")  # the sectors sought are among what participants read
        labels = boxes(phone, "#sectors label.check")
        assert len(labels) >= 10
        for box in labels:
            assert box["h"] >= 44, box  # a finger's target
        for one, other in zip(labels, labels[1:], strict=False):
            if abs(one["y"] - other["y"]) < 5:  # side by side: a visible gap between them
                assert other["x"] - (one["x"] + one["w"]) >= 6, (one, other)
            else:
                assert other["y"] >= one["y"] + one["h"], (one, other)  # on the next line, not over it
        for label in phone.locator("#sectors label.check").all()[:3]:
            box, text = label.locator("input").bounding_box(), label.locator("span").bounding_box()
            assert box["x"] + box["width"] <= text["x"] and abs((box["y"] + box["height"] / 2) - (
                text["y"] + text["height"] / 2)) < 8  # the box beside its words, not above them
        text = phone.inner_text("#sectors")
        assert "сельхозмашиностроение" in text and "сельхозмашиностроениесельское" not in text
        phone.fill("input[name=name]", "Ответный визит")
        phone.select_option("select[name=host_territory]", label="Сырдарьинская область")
        phone.select_option("select[name=visiting_territory]", label="Алтайский край")
        phone.fill("input[name=timezone]", "Asia/Tashkent")
        phone.fill("input[name=day_0_date]", "2027-03-10")
        phone.fill("input[name=day_0_start]", "10:00")
        phone.fill("input[name=day_0_end]", "12:00")
        phone.fill("input[name=day_0_break_start]", "")
        phone.fill("input[name=day_0_break_end]", "")
        phone.fill("input[name=day_1_date]", "2027-03-11")
        phone.fill("input[name=day_1_start]", "09:00")
        phone.fill("input[name=day_1_end]", "11:00")
        phone.select_option("select[name=pool_0_a]", "ru")
        phone.select_option("select[name=pool_0_b]", "uz")
        phone.fill("input[name=pool_0_count]", "2")
        phone.locator("#sectors label.check", has_text="пищевая").first.click()  # a tap on the words ticks it
        phone.click("form.stack > p > button")
        phone.wait_for_url(f"{site}/missions/*")
        made = services.missions.mission(int(phone.url.rsplit("/", 1)[1]))
        assert (made.host_territory, made.visiting_territory) == ("UZ-SI", "RU-ALT")
        assert [d["date"] for d in made.days] == ["2027-03-10", "2027-03-11"] and made.days[1]["start"] == "09:00"
        assert made.interpreters == [{"languages": ["ru", "uz"], "count": 2}] and made.sectors

        # the registry's mission: two companies a side meet; the organizer drafts, looks, then publishes
        mission = world["mission"]
        accounts, registry, missions = services.accounts, services.registry, services.missions
        people = []
        for n, (name, tax_id, region, side) in enumerate((
                ("ООО «Алтайский мёд»", "2221000010", "RU-ALT", "host"),
                ("Sirdaryo Paxta MChJ", "301234583", "UZ-SI", "visiting"))):
            company = registry.create(CompanyData(name_ru=name, tax_id=tax_id, country=region[:2], region=region,
                                                  languages=["ru"]))
            accounts.create_user(f"rep{n}@example.org", PASSWORD, "company", "ru", company.id)
            people.append(missions.add_participant(mission.id, company.id, side))
        missions.request(mission.id, people[1].id, people[0].id, "must", status="accepted", origin="organizer")
        desk = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        sign_in(desk, site, "organizer@altai.ru")
        desk.goto(f"{site}/missions/{mission.id}/schedule")
        desk.click("#make-draft button")
        desk.locator("#mission-job.job-done a").click()
        assert desk.locator("#draft-grid .meeting").count() == 1 and desk.locator("#publish-draft").count() == 1
        time.sleep(1)  # the mail worker passes every 0.3 s: nothing is sent for a draft
        assert not [m for m in inbox.messages if "rep0@example.org" in m[0]]
        desk.click("#publish-draft button")
        desk.wait_for_url(f"{site}/missions/{mission.id}/schedule?published=1")
        assert desk.locator("#published").count() == 1 and desk.locator("#grid .meeting").count() == 1
        mail(inbox, "rep0@example.org", "Sirdaryo Paxta")  # the meeting reaches both sides by mail
        mail(inbox, "rep1@example.org", "Алтайский мёд")
        browser.close()
