"""Companies take part themselves, through HTTP as a browser would, with mail read from a real SMTP server
on loopback: registration on the public page, e-mail confirmation, the organizer's decision, requests
and answers, the published schedule — and every refusal that must write nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hamkor.accounts.permissions import SYSTEM
from hamkor.accounts.service import Accounts
from hamkor.companies.registry import CompanyData, CompanyFilter, Contact, Registry
from hamkor.config import Settings
from hamkor.missions.representatives import COLLEAGUE_INVITATIONS_A_DAY
from hamkor.missions.service import MissionData, Missions
from hamkor.store.db import Database
from hamkor.store.models import Company, MissionRegistration, User
from hamkor.web.app import create_app
from tests.helpers import PASSWORD, Clock, csrf_of, deliver, mails_to, signed_in, text_of

SITE = "https://mission.example.org"


@pytest.fixture
def env(tmp_path, smtp_server):
    port, inbox = smtp_server
    settings = Settings(data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                        public_url=SITE, mail_interval_seconds=3600)
    db = Database(settings)
    db.upgrade()
    Accounts(db).create_user("organizer@altai.ru", PASSWORD, "organizer")
    known = Registry(db).create(CompanyData(name_ru="ООО «Алтайские сыры»", tax_id="2221000002", country="RU",
                                            region="RU-ALT", languages=["ru"], sectors=["food"],
                                            contacts=[Contact("Ирина", email="sales@cheese.ru")]))
    mission = Missions(db).create(MissionData(
        name="Бизнес-миссия Сырдарьи в Алтайский край", host_territory="RU-ALT", visiting_territory="UZ-SI",
        venue="Барнаул, Дом Союзов", timezone="Asia/Barnaul", tables=2,
        names={"name": {"uz": "Sirdaryo biznes-missiyasi Oltoy o‘lkasida"},
               "venue": {"uz": "Barnaul, Kasaba uyushmalari uyi"}},
        days=[{"date": "2026-12-15", "start": "10:00", "end": "11:00"}],
        request_deadline=datetime(2026, 12, 10, 12, 0, tzinfo=UTC)))
    db.dispose()
    clock = Clock()
    app = create_app(settings, clock=clock)
    yield {"app": app, "mission": mission, "known": known, "inbox": inbox, "clock": clock}
    app.state.web.services.close()


def registration_form(**values) -> dict:
    form = {"territory": "UZ-SI", "tax_id": "301234567", "name_uz": "Sirdaryo Agro MChJ",
            "name_ru": "ООО «Сырдарья Агро»",
            "sectors": "food", "offers_text": "плодоовощная продукция", "attendee_0_name": "Алишер Каримов",
            "attendee_0_role": "директор", "attendee_0_languages": ["uz", "ru"], "times": "all",
            "email": "director@agro.uz", "password": PASSWORD, "language": "uz"}
    form.update(values)
    return form


def register(app, mission_id: int, **values):
    client = TestClient(app)
    token = csrf_of(client, f"/join/{mission_id}")
    response = client.post(f"/join/{mission_id}", data={"csrf": token, **registration_form(**values)},
                       follow_redirects=False)
    return response


def confirm_from_mail(app, inbox, address: str) -> None:
    deliver(app)
    [message] = [m for m in mails_to(inbox, address) if "/join/confirm/" in text_of(m)]
    path = re.search(re.escape(SITE) + r"(/join/confirm/\S+)", text_of(message)).group(1)
    client = TestClient(app)
    token = csrf_of(client, path)
    assert client.post(path, data={"csrf": token}).status_code == 200


def counts(app) -> tuple[int, int, int]:
    with app.state.web.services.db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Company, User, MissionRegistration))


def test_companies_register_confirm_are_approved_and_meet(env):
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    closed = TestClient(app).get(f"/join/{mission.id}?lang=en")
    assert closed.status_code == 200 and 'id="closed"' in closed.text and "join-form" not in closed.text
    organizer = signed_in(app, "organizer@altai.ru")
    token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
    organizer.post(f"/missions/{mission.id}/registrations", data={"csrf": token, "action": "open"})
    public = TestClient(app).get(f"/join/{mission.id}?lang=uz")
    assert 'id="join-form"' in public.text and "Asia/Barnaul" in public.text
    assert "Kasaba uyushmalari uyi" in public.text and "Дом Союзов" not in public.text  # the Uzbek venue
    assert "Дом Союзов" in TestClient(app).get(f"/join/{mission.id}?lang=en").text  # no English one: the fallback

    # the HS assistant suggests codes from the company's own words, without sign-in
    hits = TestClient(app).get(f"/join/{mission.id}/hs", params={"offers_text": "сыры твёрдые"})
    # each a button that adds its code to the field beside the words, no word stems shown to a company
    assert hits.status_code == 200 and 'data-add-code="0406" data-target="offers"' in hits.text
    assert "words:" not in hits.text and "слова:" not in hits.text
    uz_hits = TestClient(app).get(f"/join/{mission.id}/hs", params={"needs_text": "pishloq", "lang": "uz"}).text
    assert 'data-add-code="0406" data-target="needs"' in uz_hits and 'lang="ru"' in uz_hits  # a Russian name, marked
    assert "soʻzlar" not in uz_hits

    # a new Uzbek company and one the registry knows (by its INN), each with its own account
    assert register(app, mission.id).status_code == 303
    assert register(app, mission.id, territory="RU-ALT", tax_id="2221000002", name_ru="", name_uz="",
                    email="export@cheese.ru", language="ru", attendee_0_name="Ирина Петрова").status_code == 303
    companies_after = counts(app)[0]
    assert companies_after == 2  # the known company was reused, not copied
    listing = organizer.get(f"/missions/{mission.id}/registrations").text
    assert "data-registration" not in listing  # not confirmed yet: the organizer does not see them
    assert Accounts(app.state.web.services.db).authenticate("director@agro.uz", PASSWORD) is None
    confirm_from_mail(app, inbox, "director@agro.uz")
    confirm_from_mail(app, inbox, "export@cheese.ru")
    [uz_mail] = [m for m in mails_to(inbox, "director@agro.uz")]
    assert "tasdiqlang" in uz_mail["Subject"].lower()  # in the registrant's language, the mission's name too
    assert "Sirdaryo biznes-missiyasi" in uz_mail["Subject"]
    listing = organizer.get(f"/missions/{mission.id}/registrations").text
    assert listing.count('data-status="pending"') == 2
    services = app.state.web.services
    registrations = services.missions.registrations(mission.id)
    for registration in registrations:
        token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
        # a reason typed and then Approve clicked: approved, and no reason kept or mailed (the outsider's find)
        organizer.post(f"/missions/{mission.id}/registrations/{registration.registration.id}",
                       data={"csrf": token, "decision": "approve", "reason": "Не представитель"})
    assert {(r.registration.status, r.registration.reason)
            for r in services.missions.registrations(mission.id)} == {("approved", None)}
    people = services.missions.people(mission.id)
    assert {p.participant.side for p in people.values()} == {"host", "visiting"}
    deliver(app)
    assert any("/space/" in text_of(m) for m in mails_to(inbox, "director@agro.uz"))

    # the Uzbek director finds the cheese maker in their space (suggested, with reasons) and asks to meet
    uz = signed_in_as(app, "director@agro.uz")
    host = next(p for p in people.values() if p.participant.side == "host")
    space = uz.get(f"/space/{mission.id}?lang=uz")
    suggested = space.text.split('id="suggested"')[1].split('id="search"')[0]
    assert space.status_code == 200 and f'data-participant="{host.id}"' in suggested  # both trade food
    token = csrf_of(uz, f"/space/{mission.id}")
    uz.post(f"/space/{mission.id}/request", data={"csrf": token, "target": host.id, "priority": "must",
                                                   "message": "Сыры для Ташкента"})
    deliver(app)
    [asked] = [m for m in mails_to(inbox, "export@cheese.ru") if "Запрос на встречу" in m["Subject"]]
    assert "Сыры для Ташкента" in text_of(asked) and asked.get_body(("html",)) is not None
    # two days before the deadline the cheese maker is reminded of the request waiting for its answer
    env["clock"].at = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)
    services.missions.send_due_notices()
    services.missions.send_due_notices()  # twice: still one reminder
    deliver(app)
    assert len([m for m in mails_to(inbox, "export@cheese.ru") if "ждут вашего ответа" in m["Subject"]]) == 1
    [request] = services.missions.requests(mission.id)
    ru = signed_in_as(app, "export@cheese.ru")
    incoming = ru.get(f"/space/{mission.id}").text
    assert f'data-request="{request.request.id}"' in incoming and "Сыры для Ташкента" in incoming
    token = csrf_of(ru, f"/space/{mission.id}")
    # neither an unknown answer, nor none, nor both at once declines it (the outsider's finds)
    for unknown in ({"answer": "zzz"}, {}, {"answer": ["accept", "decline"]}):
        assert ru.post(f"/space/{mission.id}/answer/{request.request.id}",
                       data={"csrf": token, **unknown}).status_code in (400, 422)
    assert services.missions.requests(mission.id)[0].request.status == "pending"
    # a word to the other company is at most what the form offers (5000 characters passed the page)
    long_word = ru.post(f"/space/{mission.id}/request", data={"csrf": token, "target": str(request.requester.id),
                                                              "message": "x" * 501})
    assert long_word.status_code == 422 and "500" in long_word.text, long_word.text[-1500:]
    # a browser sends each line break as CR LF: 479 characters in 30 lines are 479, not 508
    lines = "\r\n".join(["y" * 15] * 30)
    assert len(lines.replace("\r\n", "\n")) <= 500 < len(lines)
    # (asked of itself, so that the length passing is seen in the next refusal, and nothing is made)
    with_lines = ru.post(f"/space/{mission.id}/request", data={"csrf": token, "target": str(request.target.id),
                                                               "message": lines})
    assert with_lines.status_code == 422 and "с самим собой" in with_lines.text, with_lines.text[-1500:]
    assert "символов (здесь" not in with_lines.text
    ru.post(f"/space/{mission.id}/answer/{request.request.id}", data={"csrf": token, "answer": "accept"})
    deliver(app)
    assert any("qabul qildi" in m["Subject"] for m in mails_to(inbox, "director@agro.uz"))

    # the schedule is published: both hear of their meeting, time zone spelled out
    services.missions.schedule(mission.id, seconds=2)
    deliver(app)
    [published] = [m for m in mails_to(inbox, "export@cheese.ru") if "Ваши встречи" in m["Subject"]]
    assert "15.12.2026 10:" in text_of(published) and "миссии: Барнаул, UTC+7." in text_of(published)
    assert "по вашему" not in text_of(published) and "Ваше время" not in text_of(published)  # same zone: no sum
    # the Syrdarya company reads Barnaul times from Tashkent: told the mission's zone and how far theirs is
    [published_uz] = [m for m in mails_to(inbox, "director@agro.uz") if "15.12.2026 10:" in text_of(m)]
    assert "mintaqasida: Barnaul, UTC+7." in text_of(published_uz)
    assert "Sizning vaqtingiz (Toshkent, UTC+5) missiya vaqtidan 2 soat orqada" in text_of(published_uz)
    ru.get(f"/space/{mission.id}")  # the cheese maker looks at the agenda

    # the cheese maker can only come later: a re-plan moves the meeting, both are told and it shows as new
    [meeting] = services.missions.meetings(mission.id)
    later = next(s.id for s in services.missions.slots(services.missions.mission(mission.id)) if s.id > meeting.slot)
    services.missions.update_participant(mission.id, host.id, available=[later])
    env["clock"].at += timedelta(hours=1)
    services.missions.replan(mission.id, meeting.slot, seconds=2)
    deliver(app)
    [moved] = [m for m in mails_to(inbox, "export@cheese.ru") if "изменились" in m["Subject"]]
    old, new = meeting.slot.replace("T", " ").split(" "), later.replace("T", " ").split(" ")
    assert f"перенесено с {old[0][8:10]}.{old[0][5:7]}.{old[0][:4]} {old[1]}" in text_of(moved)
    assert f"{new[1]}" in text_of(moved)
    assert any("oʻzgardi" in m["Subject"] for m in mails_to(inbox, "director@agro.uz"))
    assert 'id="changed-meetings"' in ru.get(f"/space/{mission.id}").text

    # the day before: the agenda, attached as a PDF
    env["clock"].at = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    services.missions.send_due_notices()
    deliver(app)
    [tomorrow] = [m for m in mails_to(inbox, "director@agro.uz") if "Ertangi" in m["Subject"]]
    [attachment] = list(tomorrow.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content()[:4] == b"%PDF"

    # a month after, each side answers through its follow-up link; they disagree on what came of it
    env["clock"].at = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    services.missions.send_due_notices()
    deliver(app)
    answers = {"export@cheese.ru": ("held", "5", "contract", "0406", "120000"),
               "director@agro.uz": ("held", "4", "negotiation", "", "")}
    for address, (status, rating, stage, code, value) in answers.items():
        [follow] = [m for m in mails_to(inbox, address) if "/followup/" in text_of(m)]
        path = re.search(re.escape(SITE) + r"(/followup/\S+)", text_of(follow)).group(1)
        client = TestClient(app)
        form_page = client.get(path)
        assert form_page.status_code == 200 and f'name="status_{meeting.id}"' in form_page.text
        token = re.search(r'name="csrf" value="([^"]+)"', form_page.text).group(1)
        saved = client.post(path, data={"csrf": token, f"status_{meeting.id}": status, f"rating_{meeting.id}": rating,
                                        f"stage_{meeting.id}": stage, f"hs_{meeting.id}": code,
                                        f"value_{meeting.id}": value})
        assert saved.status_code == 200 and 'id="done"' in saved.text
        assert client.get(path).status_code == 410  # the link worked once
    follow_page = organizer.get(f"/missions/{mission.id}/followup").text
    assert 'class="disagree"' in follow_page and 'id="deals"' in follow_page and "0406" in follow_page
    pdf = organizer.get(f"/missions/{mission.id}/report.pdf?lang=uz")
    xlsx = organizer.get(f"/missions/{mission.id}/report.xlsx?lang=en")
    assert pdf.content[:4] == b"%PDF" and xlsx.content[:2] == b"PK"


def signed_in_as(app, address: str) -> TestClient:
    client = TestClient(app)
    token = csrf_of(client, "/signin")
    response = client.post("/signin", data={"email": address, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def test_refusals_write_nothing_and_links_say_why(env):
    app, mission, inbox, clock = env["app"], env["mission"], env["inbox"], env["clock"]
    app.state.web.services.missions.set_registration(mission.id, True)
    before = counts(app)
    bad = register(app, mission.id, tax_id="12", email="not an address", password="short",
                   attendee_0_name="")
    assert bad.status_code == 422 and 'id="problems"' in bad.text and counts(app) == before
    assert "Сырдарья Агро" in bad.text  # what was typed is kept
    elsewhere = register(app, mission.id, territory="RU-ALT", tax_id="2221000002", email="x@cheese.ru",
                         name_ru="Сыры", language="ru")
    assert elsewhere.status_code == 303
    # an address with an account: answered as any registration, nothing written, its owner told by mail (an
    # account whose address is still unconfirmed gets its confirmation again instead: issue 27.2)
    confirm_from_mail(app, inbox, "x@cheese.ru")
    # the company is registered (and its registrant's address confirmed): a second registrant is sent to sign in
    twice = register(app, mission.id, territory="RU-ALT", tax_id="2221000002", email="y@cheese.ru",
                     language="ru")
    assert twice.status_code == 409 and "/signin" in twice.text and "зарегистрирован" in twice.text
    taken = register(app, mission.id, email="x@cheese.ru", language="ru")
    assert taken.status_code == 303 and taken.headers["location"] == "/signin?notice=registered"
    deliver(app)
    assert any("Регистрация с вашим адресом" in m["Subject"] for m in mails_to(inbox, "x@cheese.ru"))
    with_one = counts(app)
    assert with_one == (before[0], before[1] + 1, before[2] + 1)
    assert TestClient(app).get("/join/confirm/forged-token").status_code == 410
    deliver(app)
    path = re.search(re.escape(SITE) + r"(/join/confirm/\S+)", text_of(mails_to(inbox, "x@cheese.ru")[0])).group(1)
    used = TestClient(app).get(path)
    assert used.status_code == 410 and 'data-state="used"' in used.text
    client = TestClient(app)
    token = csrf_of(client, f"/join/{mission.id}")  # the form was open when the page was loaded…
    clock.at = datetime(2026, 12, 11, tzinfo=UTC)  # …and is sent past the deadline
    late = client.post(f"/join/{mission.id}", data={"csrf": token, **registration_form(email="late@agro.uz")})
    assert late.status_code == 409 and 'id="closed"' in late.text and counts(app) == with_one


def test_the_space_filters_sets_times_subscribes_and_answers_and_organizers_invite(env):
    app, mission, inbox, clock = env["app"], env["mission"], env["inbox"], env["clock"]
    services = app.state.web.services
    missions, registry = services.missions, services.registry
    missions.set_registration(mission.id, True)
    # bulk invitation: the registry company with a contact gets the page; one without an address is named
    silent = registry.create(CompanyData(name_ru="ООО «Без почты»", tax_id="301234568", country="UZ",
                                         region="UZ-SI", sectors=["textiles"]))
    organizer = signed_in(app, "organizer@altai.ru")
    token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
    invited = organizer.post(f"/missions/{mission.id}/registrations",
                             data={"csrf": token, "action": "invite", "companies": [env["known"].id, silent.id]})
    assert 'id="invited"' in invited.text
    deliver(app)
    [invitation] = mails_to(inbox, "sales@cheese.ru")
    assert f"/join/{mission.id}?lang=ru" in text_of(invitation)

    host = missions.add_participant(mission.id, env["known"].id, "host", ["Ирина"])
    guest = missions.add_participant(mission.id, silent.id, "visiting", ["Алишер"])
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", env["known"].id)
    rep = signed_in_as(app, "rep@cheese.ru")
    space = rep.get(f"/space/{mission.id}", params={"sector": "textiles"}).text
    assert f'data-participant="{guest.id}"' in space.split('id="listed"')[1]
    nothing = rep.get(f"/space/{mission.id}", params={"sector": "food"}).text
    assert 'data-participant' not in nothing.split('id="listed"')[1]
    token = csrf_of(rep, f"/space/{mission.id}")
    first_slot = missions.slots(missions.mission(mission.id))[0].id
    rep.post(f"/space/{mission.id}/availability", data={"csrf": token, "times": "some", "available": [first_slot]})
    assert missions.person(mission.id, host.id).participant.available == [first_slot]
    feed = rep.post(f"/space/{mission.id}/feed", data={"csrf": token})
    address = re.search(r'id="feed-url">[^<]*<code>([^<]+)</code>', feed.text).group(1)
    calendar = TestClient(app).get(address.replace(SITE, ""))
    assert calendar.status_code == 200 and calendar.text.startswith("BEGIN:VCALENDAR")
    assert TestClient(app).get(f"/space/{mission.id}/agenda.ics?feed=forged").status_code == 404
    # after the first day the space asks what came of the meetings
    missions.add_meeting(mission.id, host.id, guest.id, first_slot)
    clock.at = datetime(2026, 12, 16, tzinfo=UTC)
    [meeting] = missions.meetings(mission.id)
    page_text = rep.get(f"/space/{mission.id}").text
    assert 'id="feedback-form"' in page_text
    token = csrf_of(rep, f"/space/{mission.id}")
    refused = rep.post(f"/space/{mission.id}/outcomes", data={"csrf": token, f"status_{meeting.id}": "held",
                                                              f"rating_{meeting.id}": "9"})
    assert refused.status_code == 422 and not missions.feedback_of(host.id)
    rep.post(f"/space/{mission.id}/outcomes", data={"csrf": token, f"status_{meeting.id}": "held",
                                                    f"rating_{meeting.id}": "4", f"stage_{meeting.id}": "contact"})
    assert missions.feedback_of(host.id)[meeting.id].stage == "contact"


def test_a_registration_desk_on_shared_wifi_works_and_a_flood_is_stopped(env):
    """Issue 27.4: ten forms per address in ten minutes locked out a registration desk (one Wi-Fi for the
    whole hall). Twenty-five companies register from one address, mistakes on the way included; a flood
    of forms from it is stopped all the same, and so is a flood of registrations."""
    app, mission = env["app"], env["mission"]
    app.state.web.services.missions.set_registration(mission.id, True)
    desk = [register(app, mission.id, tax_id=f"3{n:08d}", email=f"desk{n}@agro.uz").status_code for n in range(1, 26)]
    typos = [register(app, mission.id, tax_id="12", email=f"typo{n}@agro.uz").status_code for n in range(5)]
    assert desk == [303] * 25 and typos == [422] * 5
    flood = [register(app, mission.id, tax_id="12", email=f"x{n}@agro.uz").status_code for n in range(32)]
    assert flood[:30] == [422] * 30 and flood[30:] == [429, 429]  # 60 forms in ten minutes, then refused
    throttle = app.state.web.public_throttle
    throttle.succeeded("testclient")  # ten minutes later: forms are welcome again, registrations counted apart
    more = [register(app, mission.id, tax_id=f"4{n:08d}", email=f"more{n}@agro.uz").status_code for n in range(1, 18)]
    assert more[:15] == [303] * 15 and more[15:] == [429, 429]  # forty registrations an hour per address


# ---- issue 25.1: registering with a known tax ID is a claim, never the company ------------------------
def test_a_stranger_registering_with_a_known_tax_id_gets_nothing_of_the_company_until_approved(env):
    app, mission, inbox, known = env["app"], env["mission"], env["inbox"], env["known"]
    services = app.state.web.services
    services.missions.set_registration(mission.id, True)
    # the cheese maker takes part in another mission already, with a representative and a request waiting
    other = services.missions.create(MissionData(
        name="Другая миссия", host_territory="RU-ALT", visiting_territory="UZ-SI", timezone="Asia/Barnaul",
        days=[{"date": "2026-12-20", "start": "10:00", "end": "11:00"}],
        request_deadline=datetime(2026, 12, 18, 12, 0, tzinfo=UTC)))
    services.missions.add_participant(other.id, known.id, "host", ["Ирина"])
    assert register(app, mission.id, territory="RU-ALT", tax_id="2221000002", email="attacker@evil.example",
                    name_ru="", name_uz="", language="ru").status_code == 303
    confirm_from_mail(app, inbox, "attacker@evil.example")
    attacker = TestClient(app)
    token = csrf_of(attacker, "/signin")
    landed = attacker.post("/signin", data={"email": "attacker@evil.example", "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"].startswith("/account")
    account = attacker.get("/account")
    assert account.status_code == 200 and 'class="hint claim-waiting"' in account.text
    # not even whose the tax ID is (the outsider read the company's name here)
    assert "Алтайские сыры" not in account.text and "компания с ИНН 2221000002" in account.text
    # nothing of the company: not its profile, its edit form, its space in either mission, nor the API
    for path in (f"/companies/{known.id}", f"/companies/{known.id}/edit", f"/space/{mission.id}",
                 f"/space/{other.id}", f"/missions/{other.id}", "/companies", f"/api/v1/companies/{known.id}"):
        assert attacker.get(path, follow_redirects=False).status_code == 403, path
    token = csrf_of(attacker, "/account")
    renamed = attacker.post(f"/companies/{known.id}/edit", data={"csrf": token, "name_ru": "Захвачено",
                                                                  "country": "RU", "tax_id": "2221000002"})
    assert renamed.status_code == 403
    assert services.registry.company(known.id).name_ru == "ООО «Алтайские сыры»"
    assert [c.email for c in services.registry.contacts(known.id)] == ["sales@cheese.ru"]  # not made a contact
    # the organizer sees it is a claim on a known company before deciding
    organizer = signed_in(app, "organizer@altai.ru")
    listing = organizer.get(f"/missions/{mission.id}/registrations").text
    assert 'class="warning claim"' in listing
    [view] = services.missions.registrations(mission.id)
    token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
    organizer.post(f"/missions/{mission.id}/registrations/{view.registration.id}",
                   data={"csrf": token, "decision": "refuse", "reason": "не представитель компании"})
    assert attacker.get(f"/companies/{known.id}/edit").status_code == 403  # refused: still nothing


def test_a_claim_is_granted_by_the_organizer_or_by_the_companys_known_address(env):
    app, mission, inbox, known = env["app"], env["mission"], env["inbox"], env["known"]
    services = app.state.web.services
    services.missions.set_registration(mission.id, True)
    # the address the registry holds for the company confirms: that is the company itself
    register(app, mission.id, territory="RU-ALT", tax_id="2221000002", email="sales@cheese.ru", language="ru")
    confirm_from_mail(app, inbox, "sales@cheese.ru")
    rep = signed_in_as(app, "sales@cheese.ru")
    assert rep.get(f"/companies/{known.id}/edit").status_code == 200
    organizer = signed_in(app, "organizer@altai.ru")
    assert "адрес — один из её известных контактов" in organizer.get(f"/missions/{mission.id}/registrations").text
    # a new company's representative: its company is out of the registry others read until approved
    register(app, mission.id)
    confirm_from_mail(app, inbox, "director@agro.uz")
    new_id = services.registry.find(CompanyFilter(text="Sirdaryo Agro"), SYSTEM)[0].id
    assert all(c["id"] != new_id for c in rep.get("/api/v1/companies").json())
    assert rep.get(f"/companies/{new_id}").status_code == 404 and "Sirdaryo" not in rep.get("/companies").text
    uz = signed_in_as(app, "director@agro.uz")
    # nor does its registrant read it, nor any mission or the registry, until the organizers approve: an address
    # confirmed with a made-up tax ID read every mission's participants (the outsider's find)
    for path in (f"/companies/{new_id}", "/companies", f"/missions/{mission.id}", f"/space/{mission.id}",
                 f"/api/v1/missions/{mission.id}/participants"):
        assert uz.get(path, follow_redirects=False).status_code == 403, path
    assert "Sirdaryo Agro" in uz.get("/account").text  # its own registration, as it typed it
    staff_row = organizer.get("/companies").text.split(f'href="/companies/{new_id}"')[1].split("</tr>")[0]
    assert "ждёт одобрения" in staff_row  # staff see it, marked as not yet in the registry others read
    for view in services.missions.registrations(mission.id):
        token = csrf_of(organizer, f"/missions/{mission.id}/registrations")
        organizer.post(f"/missions/{mission.id}/registrations/{view.registration.id}",
                       data={"csrf": token, "decision": "approve"})
    assert any(c["id"] == new_id for c in rep.get("/api/v1/companies").json())
    assert "ждёт одобрения" not in organizer.get("/companies").text
    assert uz.get(f"/companies/{new_id}").status_code == 200  # approved: its own


def test_a_representative_sees_its_own_companys_tax_id_only(env):
    app, known = env["app"], env["known"]
    services = app.state.web.services
    other = services.registry.create(CompanyData(name_ru="ООО «Другая»", tax_id="2221000010", country="RU",
                                                 region="RU-ALT"))
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", known.id)
    rep = signed_in_as(app, "rep@cheese.ru")
    listed = {c["id"]: c["tax_id"] for c in rep.get("/api/v1/companies").json()}
    assert listed == {known.id: "2221000002", other.id: None}
    assert rep.get(f"/api/v1/companies/{other.id}").json()["tax_id"] is None
    assert "2221000010" not in rep.get(f"/companies/{other.id}").text
    assert "2221000010" not in rep.get("/companies/export.csv").text
    assert rep.get("/api/v1/companies", params={"q": "2221000010"}).json() == []  # no probing by search
    organizer = signed_in(app, "organizer@altai.ru")
    assert organizer.get(f"/api/v1/companies/{other.id}").json()["tax_id"] == "2221000010"


# ---- issue 25.6: what a representative sees of a mission's outcomes --------------------------------------
def test_a_representative_sees_the_funnel_of_its_own_meetings_only(env):
    app, mission, known = env["app"], env["mission"], env["known"]
    services = app.state.web.services
    missions, registry = services.missions, services.registry
    others = [registry.create(CompanyData(name_ru=f"ООО «Узбек {n}»", tax_id=f"30123456{n}", country="UZ",
                                          region="UZ-SI")) for n in (1, 2)]
    third = registry.create(CompanyData(name_ru="ООО «Алтай 3»", tax_id="2221000034", country="RU", region="RU-ALT"))
    host = missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    guest1 = missions.add_participant(mission.id, others[0].id, "visiting", ["Алишер"])
    host3 = missions.add_participant(mission.id, third.id, "host", ["Пётр"])
    guest2 = missions.add_participant(mission.id, others[1].id, "visiting", ["Бахтиёр"])
    slots = [s.id for s in missions.slots(missions.mission(mission.id))]
    own = missions.add_meeting(mission.id, host.id, guest1.id, slots[0])
    theirs = missions.add_meeting(mission.id, host3.id, guest2.id, slots[0])
    missions.record_outcome(mission.id, theirs.id, "held", 5, "contract", "0406", 900000)
    missions.record_outcome(mission.id, own.id, "held", 3, "contact")
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", known.id)
    services.accounts.create_user("outsider@elsewhere.ru", PASSWORD, "company", "ru", registry.create(CompanyData(
        name_ru="ООО «Не участник»", tax_id="2221000041", country="RU", region="RU-ALT")).id)
    for address, held, contract_value in (("rep@cheese.ru", 1, 0), ("outsider@elsewhere.ru", 0, 0),
                                          ("organizer@altai.ru", 2, 900000)):
        client = signed_in_as(app, address)
        funnel = client.get(f"/api/v1/missions/{mission.id}/funnel").json()
        steps = {s["stage"]: s for s in funnel["steps"]}
        assert steps["held"]["meetings"] == held, address
        assert steps["contract"]["value_usd"] == contract_value, address


def test_a_role_the_sight_rule_does_not_name_sees_nothing(env):
    from hamkor.accounts.permissions import Actor
    from hamkor.missions.requests import SIGHT_BY_ROLE

    missions = env["app"].state.web.services.missions
    assert not missions.sight(env["mission"].id, Actor(1, "x@y.z", "guest")).everything
    assert not missions.sight(env["mission"].id, Actor(1, "x@y.z", "guest")).sees(1, 2)
    assert set(SIGHT_BY_ROLE) == {"admin", "organizer", "analyst", "viewer", "company"}


def test_digits_that_are_not_ascii_in_a_tax_id_are_a_message_not_a_crash(env):
    """Found by the outsider pass: "²" passes str.isdigit and then int() refused it (a 500, anonymous)."""
    app, mission = env["app"], env["mission"]
    app.state.web.services.missions.set_registration(mission.id, True)
    for odd in ("²", "①", "1²34567890"):
        assert register(app, mission.id, tax_id=odd, email=f"x{len(odd)}@agro.uz").status_code == 422
    organizer = signed_in(app, "organizer@altai.ru")
    made = organizer.post("/api/v1/companies", json={"country": "RU", "name_ru": "Тест", "tax_id": "²"})
    assert made.status_code == 422


def test_a_representative_cannot_take_another_tax_id_for_its_company(env):
    """Found by the outsider pass: a representative set its company's tax ID to another company's number, so
    the real company's own registration was turned away; the refusal named the other company."""
    app, known = env["app"], env["known"]
    services = app.state.web.services
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", known.id)
    rep = signed_in_as(app, "rep@cheese.ru")
    token = csrf_of(rep, f"/companies/{known.id}/edit")
    changed = rep.post(f"/companies/{known.id}/edit", data={"csrf": token, "name_ru": "ООО «Алтайские сыры»",
                                                            "country": "RU", "region": "RU-ALT",
                                                            "tax_id": "7700003338"})
    assert changed.status_code == 403 and services.registry.company(known.id).tax_id == "2221000002"


# ---- issue 27.2: nobody locked out ------------------------------------------------------------------------
def links_in(inbox, address: str, path: str) -> list[str]:
    """Every link to `path` mailed to `address`, oldest first (the language parameter kept)."""
    return [re.search(re.escape(SITE) + "(" + re.escape(path) + r"\S+)", text_of(m)).group(1)
            for m in mails_to(inbox, address) if SITE + path in text_of(m)]


def sign_in_answer(app, address: str, password: str = PASSWORD, lang: str = "ru"):
    client = TestClient(app)
    token = csrf_of(client, f"/signin?lang={lang}")
    return client, client.post("/signin", data={"email": address, "password": password, "csrf": token},
                               follow_redirects=False)


def test_an_expired_confirmation_link_offers_a_fresh_one_and_nothing_to_a_stranger(env):
    """Reported: the link had expired, "forgot password" sent nothing, sign-in said "wrong password" and a new
    registration was refused. The expired link's page now sends a new link to the registered address."""
    app, mission, inbox, clock = env["app"], env["mission"], env["inbox"], env["clock"]
    app.state.web.services.missions.set_registration(mission.id, True)
    assert register(app, mission.id).status_code == 303
    deliver(app)
    [old] = links_in(inbox, "director@agro.uz", "/join/confirm/")
    assert old.endswith("?lang=uz")
    clock.at += timedelta(days=4)  # the link lived three days
    client = TestClient(app)
    expired = client.get(old)
    assert expired.status_code == 410 and 'data-state="expired"' in expired.text
    assert 'id="renew"' in expired.text and "director@agro.uz" not in expired.text
    token = re.search(r'name="csrf" value="([^"]+)"', expired.text).group(1)
    renewed = client.post(old.split("?")[0] + "/renew", data={"csrf": token})
    assert renewed.status_code == 200 and 'id="renewed"' in renewed.text
    deliver(app)
    first, fresh = links_in(inbox, "director@agro.uz", "/join/confirm/")
    assert first == old and fresh != old and fresh.endswith("?lang=uz")
    assert TestClient(app).get(old).status_code == 410  # the old one stays dead
    confirmed = TestClient(app)
    token = csrf_of(confirmed, fresh)
    assert 'id="done"' in confirmed.post(fresh, data={"csrf": token}).text
    assert sign_in_answer(app, "director@agro.uz")[1].status_code == 303
    # once confirmed, the old link offers nothing more: it is a plain dead link, and asking anyway sends nothing
    again = TestClient(app).get(old)
    assert again.status_code == 410 and 'id="renew"' not in again.text
    deliver(app)  # the organizers' notice that the confirmed registration waits for them
    before = len(inbox.messages)
    client = TestClient(app)
    token = csrf_of(client, "/password/forgot")
    assert client.post(old.split("?")[0] + "/renew", data={"csrf": token}).status_code in (200, 410)
    deliver(app)
    assert len(inbox.messages) == before
    # a made-up link offers no button, and its POST sends nothing either
    forged = TestClient(app).get("/join/confirm/made-up-token")
    assert forged.status_code == 410 and 'id="renew"' not in forged.text
    client = TestClient(app)
    token = csrf_of(client, "/password/forgot")
    assert client.post("/join/confirm/made-up-token/renew", data={"csrf": token}).status_code == 410
    deliver(app)
    assert len(inbox.messages) == before


def test_forgot_password_and_a_second_registration_send_an_unconfirmed_address_its_confirmation(env):
    app, mission, inbox, clock = env["app"], env["mission"], env["inbox"], env["clock"]
    app.state.web.services.missions.set_registration(mission.id, True)
    register(app, mission.id)
    clock.at += timedelta(days=4)
    client = TestClient(app)
    token = csrf_of(client, "/password/forgot")
    asked = client.post("/password/forgot", data={"csrf": token, "email": "Director@agro.uz"})
    assert asked.status_code == 200 and 'id="sent"' in asked.text
    deliver(app)
    links = links_in(inbox, "director@agro.uz", "/join/confirm/")
    assert len(links) == 2  # the registration's own, then a fresh one: no password link for an unconfirmed account
    assert not links_in(inbox, "director@agro.uz", "/password/reset/")
    # registering again with the same address, not yet confirmed, is answered as before and mails a fresh link
    assert register(app, mission.id, tax_id="301234569", name_uz="Boshqa MChJ").status_code == 303
    deliver(app)
    links = links_in(inbox, "director@agro.uz", "/join/confirm/")
    assert len(links) == 3 and TestClient(app).get(links[1]).status_code == 410  # the newest link replaces it
    confirmed = TestClient(app)
    token = csrf_of(confirmed, links[2])
    assert 'id="done"' in confirmed.post(links[2], data={"csrf": token}).text
    assert counts(app)[2] == 1  # still the one registration


def test_sign_in_tells_an_unconfirmed_person_what_to_do_only_when_the_password_is_right(env):
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    app.state.web.services.missions.set_registration(mission.id, True)
    register(app, mission.id)
    client, right = sign_in_answer(app, "director@agro.uz", lang="uz")
    assert right.status_code == 403 and 'id="unconfirmed"' in right.text and "Неверная почта" not in right.text
    # the page offers the new link at once: the address is posted to "forgot password", which sends it
    token = re.search(r'name="csrf" value="([^"]+)"', right.text).group(1)
    form = right.text.split('id="unconfirmed"')[1].split("</form>")[0]
    assert 'action="/password/forgot"' in form and 'value="director@agro.uz"' in form
    client.post("/password/forgot", data={"csrf": token, "email": "director@agro.uz"})
    deliver(app)
    assert len(links_in(inbox, "director@agro.uz", "/join/confirm/")) == 2
    # a wrong password, or an address nobody has, reads exactly as before: nothing learnt by guessing
    wrong = sign_in_answer(app, "director@agro.uz", "not the password at all")[1]
    nobody = sign_in_answer(app, "nobody@agro.uz")[1]
    for answer in (wrong, nobody):
        assert answer.status_code == 401 and 'id="unconfirmed"' not in answer.text
        assert "Неверная почта или пароль" in answer.text
    # an account an admin deactivated is not "unconfirmed": the right password still opens nothing, says nothing
    services = app.state.web.services
    services.accounts.create_user("gone@cheese.ru", PASSWORD, "company", "ru", env["known"].id)
    services.accounts.set_active(services.accounts.find("gone@cheese.ru").id, False)
    gone = sign_in_answer(app, "gone@cheese.ru")[1]
    assert gone.status_code == 401 and 'id="unconfirmed"' not in gone.text


def test_the_organizer_invites_a_company_it_added_which_then_answers_what_waited(env):
    """Reported: a company the organizer added from the registry had no account and could not register;
    requests to it mailed nobody. The organizer now sees that it has nobody to answer and invites its contact."""
    app, mission, inbox, known = env["app"], env["mission"], env["inbox"], env["known"]
    services = app.state.web.services
    missions, registry = services.missions, services.registry
    guest_company = registry.create(CompanyData(name_ru="ООО «Сырдарья Агро»", tax_id="301234567", country="UZ",
                                                region="UZ-SI", languages=["uz"]))
    host = missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    guest = missions.add_participant(mission.id, guest_company.id, "visiting", ["Алишер"])
    services.accounts.create_user("director@agro.uz", PASSWORD, "company", "uz", guest_company.id)
    uz = signed_in_as(app, "director@agro.uz")
    token = csrf_of(uz, f"/space/{mission.id}")
    uz.post(f"/space/{mission.id}/request", data={"csrf": token, "target": host.id, "priority": "must",
                                                   "message": "Pishloq"})
    deliver(app)
    assert not mails_to(inbox, "sales@cheese.ru")  # nobody to tell yet
    organizer = signed_in(app, "organizer@altai.ru")
    [waiting] = missions.requests(mission.id)
    row = organizer.get(f"/missions/{mission.id}/requests").text.split(f'data-request="{waiting.request.id}"')[1]
    assert 'class="badge warn nobody"' in row.split("</tr>")[0]
    setup = organizer.get(f"/missions/{mission.id}").text
    host_row = setup.split(f'data-participant="{host.id}"')[1].split("</tr>")[0]
    assert 'data-representation="nobody"' in host_row and 'value="sales@cheese.ru"' in host_row
    assert 'data-representation="ready"' in setup.split(f'data-participant="{guest.id}"')[1].split("</tr>")[0]
    # a wrong address and one that has an account already are refused with a reason, and nothing is written
    users = counts(app)[1]
    token = csrf_of(organizer, f"/missions/{mission.id}")
    invite = f"/missions/{mission.id}/participants/{host.id}/invite"
    bad = organizer.post(invite, data={"csrf": token, "email": "not an address", "language": "ru"})
    taken = organizer.post(invite, data={"csrf": token, "email": "director@agro.uz", "language": "ru"})
    assert bad.status_code == 422 and taken.status_code == 409 and counts(app)[1] == users
    assert "director@agro.uz" in taken.text
    sent = organizer.post(invite, data={"csrf": token, "email": "sales@cheese.ru", "language": "ru"},
                          follow_redirects=False)
    assert sent.status_code == 303
    assert 'data-representation="invited"' in organizer.get(f"/missions/{mission.id}").text.split(
        f'data-participant="{host.id}"')[1].split("</tr>")[0]
    deliver(app)
    [welcome] = links_in(inbox, "sales@cheese.ru", "/welcome/")
    assert welcome.endswith("?lang=ru")
    [letter] = mails_to(inbox, "sales@cheese.ru")
    assert "Алтайские сыры" in text_of(letter) and "Бизнес-миссия Сырдарьи" in text_of(letter)
    # the link lets the person choose a password and language, and lands them in the mission's space
    client = TestClient(app)
    form = client.get(welcome)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    saved = client.post(welcome.split("?")[0], data={"csrf": token, "password": PASSWORD, "repeated": PASSWORD,
                                                     "language": "ru"}, follow_redirects=False)
    assert saved.status_code == 303 and f"next=/space/{mission.id}" in saved.headers["location"]
    user = services.accounts.find("sales@cheese.ru")
    assert (user.role, user.company_id, user.language) == ("company", known.id, "ru")
    landed, answer = sign_in_answer(app, "sales@cheese.ru")
    space = landed.get(answer.headers["location"])
    assert space.url.path == f"/space/{mission.id}"
    incoming = space.text.split('id="incoming"')[1].split('id="outgoing"')[0]
    assert f'data-request="{waiting.request.id}"' in incoming and "Pishloq" in incoming  # what waited is there
    token = csrf_of(landed, f"/space/{mission.id}")
    landed.post(f"/space/{mission.id}/answer/{waiting.request.id}", data={"csrf": token, "answer": "accept"})
    assert missions.requests(mission.id)[0].request.status == "accepted"
    assert 'data-representation="ready"' in organizer.get(f"/missions/{mission.id}").text.split(
        f'data-participant="{host.id}"')[1].split("</tr>")[0]
    # the organizer may also type an address the registry does not hold; it becomes one of the company's contacts
    token = csrf_of(organizer, f"/missions/{mission.id}")
    organizer.post(invite, data={"csrf": token, "email": "Export@Cheese.ru", "language": "uz"})
    deliver(app)
    assert links_in(inbox, "export@cheese.ru", "/welcome/")[0].endswith("?lang=uz")
    assert "export@cheese.ru" in [c.email for c in registry.contacts(known.id)]
    # an invitation is for a participant of this mission only
    other = missions.create(MissionData(name="Другая миссия", host_territory="RU-ALT", visiting_territory="UZ-SI",
                                        days=[{"date": "2026-12-20", "start": "10:00", "end": "11:00"}]))
    assert organizer.post(f"/missions/{other.id}/participants/{host.id}/invite",
                          data={"csrf": token, "email": "x@cheese.ru", "language": "ru"}).status_code == 404


def test_a_representative_invites_a_colleague_and_both_hear_of_the_companys_requests(env):
    app, mission, inbox, known = env["app"], env["mission"], env["inbox"], env["known"]
    services = app.state.web.services
    missions, registry = services.missions, services.registry
    guest_company = registry.create(CompanyData(name_ru="ООО «Сырдарья Агро»", tax_id="301234567", country="UZ",
                                                region="UZ-SI", languages=["uz"]))
    missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    missions.add_participant(mission.id, guest_company.id, "visiting", ["Алишер"])
    services.accounts.create_user("director@agro.uz", PASSWORD, "company", "uz", guest_company.id)
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", known.id)
    services.accounts.create_user("someone@else.uz", PASSWORD, "viewer", "uz")
    uz = signed_in_as(app, "director@agro.uz")
    space = uz.get(f"/space/{mission.id}").text
    assert 'id="colleagues"' in space and f'action="/space/{mission.id}/colleagues"' in space
    token = csrf_of(uz, f"/space/{mission.id}")
    invited = uz.post(f"/space/{mission.id}/colleagues", data={"csrf": token, "email": "deputy@agro.uz",
                                                               "language": "uz"})
    assert invited.status_code == 200 and 'id="colleague-invited"' in invited.text
    assert [r.status_code for r in invited.history] == [303]  # a reload of the page it lands on sends nothing
    assert "deputy@agro.uz" not in str(invited.url)
    # an address that has an account of its own is answered the same (the page does not tell who has an
    # account); its owner is told by mail, and the account is not changed
    same = uz.post(f"/space/{mission.id}/colleagues", data={"csrf": token, "email": "someone@else.uz",
                                                            "language": "uz"})
    assert same.status_code == 200 and 'id="colleague-invited"' in same.text
    assert services.accounts.find("someone@else.uz").role == "viewer"
    bad = uz.post(f"/space/{mission.id}/colleagues", data={"csrf": token, "email": "nope", "language": "uz"})
    assert bad.status_code == 422 and 'id="problems"' in bad.text
    deliver(app)
    assert not links_in(inbox, "someone@else.uz", "/welcome/") and mails_to(inbox, "someone@else.uz")
    [welcome] = links_in(inbox, "deputy@agro.uz", "/welcome/")
    assert welcome.endswith("?lang=uz")
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get(welcome).text).group(1)
    client.post(welcome.split("?")[0], data={"csrf": token, "password": PASSWORD, "repeated": PASSWORD,
                                             "language": "uz"})
    deputy = services.accounts.find("deputy@agro.uz")
    assert (deputy.role, deputy.company_id) == ("company", guest_company.id)
    deputy_client, answer = sign_in_answer(app, "deputy@agro.uz")
    assert deputy_client.get(answer.headers["location"]).url.path == f"/space/{mission.id}"
    colleagues = deputy_client.get(f"/space/{mission.id}").text.split('id="colleagues"')[1].split("</section>")[0]
    assert "director@agro.uz" in colleagues and "deputy@agro.uz" in colleagues
    # both hear of a request to their company
    rep = signed_in_as(app, "rep@cheese.ru")
    token = csrf_of(rep, f"/space/{mission.id}")
    guest = missions.participant_of_company(mission.id, guest_company.id)
    rep.post(f"/space/{mission.id}/request", data={"csrf": token, "target": guest.id, "message": "Sir"})
    deliver(app)
    for address in ("director@agro.uz", "deputy@agro.uz"):
        assert any("Sir" in text_of(m) for m in mails_to(inbox, address)), address
    # a colleague is invited to one's own company only, and only by its people
    assert rep.get(f"/space/{mission.id}").text.split('id="colleagues"')[1].count("agro.uz") == 0
    viewer = signed_in_as(app, "someone@else.uz")
    assert viewer.post(f"/space/{mission.id}/colleagues", data={"csrf": csrf_of(viewer, "/account"),
                                                                "email": "x@agro.uz"}).status_code == 403
    # a company's people send a handful of invitations a day, however many of them send (the outsider's find: the
    # form mailed any address, an organiser's too, as often as it was sent)
    token = csrf_of(deputy_client, f"/space/{mission.id}")
    answers = [deputy_client.post(f"/space/{mission.id}/colleagues", data={
        "csrf": token, "email": f"organizer{n}@altai.ru", "language": "ru"}).status_code for n in range(12)]
    assert answers.count(200) == COLLEAGUE_INVITATIONS_A_DAY - 3 and answers[-1] == 429, answers  # 3 sent above
    refused = deputy_client.post(f"/space/{mission.id}/colleagues", data={"csrf": token, "email": "z@agro.uz"})
    assert refused.status_code == 429 and "bir kunda" in refused.text  # said in the reader's language
    # nor does an invitation not yet accepted hear of the company's requests (any address may have been typed)
    deliver(app)
    other_host = registry.create(CompanyData(name_ru="ООО «Бийский маслозавод»", tax_id="2204000002", country="RU",
                                             region="RU-ALT", languages=["ru"]))
    missions.add_participant(mission.id, other_host.id, "host", ["Пётр"])
    services.accounts.create_user("rep@butter.ru", PASSWORD, "company", "ru", other_host.id)
    butter = signed_in_as(app, "rep@butter.ru")
    butter.post(f"/space/{mission.id}/request", data={"csrf": csrf_of(butter, f"/space/{mission.id}"),
                                                      "target": guest.id, "message": "Maslo"})
    deliver(app)
    assert any("Maslo" in text_of(m) for m in mails_to(inbox, "deputy@agro.uz"))  # who took their account
    assert not any("Maslo" in text_of(m) for m in mails_to(inbox, "organizer0@altai.ru"))  # invited, not accepted


def test_a_representative_lands_in_their_space_and_sees_only_the_menu_they_can_use(env):
    app, mission, known = env["app"], env["mission"], env["known"]
    services = app.state.web.services
    missions = services.missions
    missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    services.accounts.create_user("rep@cheese.ru", PASSWORD, "company", "ru", known.id)
    client, landed = sign_in_answer(app, "rep@cheese.ru")
    assert landed.status_code == 303
    assert client.get(landed.headers["location"]).url.path == f"/space/{mission.id}"  # one mission: its space
    page_text = client.get(f"/space/{mission.id}").text
    menu = page_text.split("<nav>")[1].split("</nav>")[0]
    assert 'href="/space"' in menu
    for href in re.findall(r'href="([^"]+)"', menu):
        assert client.get(href).status_code == 200, href  # every entry opens
    assert 'class="brand" href="/space"' in page_text
    # with two missions: a short list of them, each leading to its space
    other = missions.create(MissionData(name="Вторая миссия", host_territory="RU-ALT", visiting_territory="UZ-SI",
                                        days=[{"date": "2026-12-20", "start": "10:00", "end": "11:00"}]))
    missions.add_participant(other.id, known.id, "host", ["Ирина"])
    listing = client.get("/space")
    assert listing.status_code == 200
    assert f'href="/space/{mission.id}"' in listing.text and f'href="/space/{other.id}"' in listing.text
    # staff have no "my missions" entry; an organizer's "/" is the dashboard as before
    organizer = signed_in(app, "organizer@altai.ru")
    assert 'href="/space"' not in organizer.get("/missions").text.split("<nav>")[1].split("</nav>")[0]
    # a representative of a company in no mission is told so, not sent in circles
    services.accounts.create_user("idle@firm.ru", PASSWORD, "company", "ru", services.registry.create(
        CompanyData(name_ru="ООО «Без миссий»", tax_id="2221000010", country="RU", region="RU-ALT")).id)
    idle = signed_in_as(app, "idle@firm.ru")
    nothing = idle.get("/space")
    assert nothing.status_code == 200 and 'id="no-missions"' in nothing.text


@pytest.mark.parametrize("lang, email_label, registration_label", [("ru", "Эл. почта", "Регистрация"),
                                                                   ("uz", "E-pochta", "Roʻyxatdan oʻtish")])
def test_every_problem_list_names_its_field_by_its_label_in_the_readers_language(env, lang, email_label,
                                                                                  registration_label):
    """Reported: the organizer's pages listed problems under the code's names («email: …», «registration: …»)."""
    app, mission, known = env["app"], env["mission"], env["known"]
    services = app.state.web.services
    host = services.missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    services.accounts.create_user(f"organizer-{lang}@altai.ru", PASSWORD, "organizer", lang)
    organizer = signed_in(app, f"organizer-{lang}@altai.ru")
    token = csrf_of(organizer, f"/missions/{mission.id}")
    bad = organizer.post(f"/missions/{mission.id}/participants/{host.id}/invite",
                         data={"csrf": token, "email": "not an address", "language": "ru"})
    listed = bad.text.split('id="problems"')[1].split("</ul>")[0]
    assert bad.status_code == 422 and f"<b>{email_label}</b>" in listed and "<b>email</b>" not in listed
    none = organizer.post(f"/missions/{mission.id}/registrations/424242", data={"csrf": token, "decision": "approve"})
    listed = none.text.split('id="problems"')[1].split("</ul>")[0]
    assert none.status_code == 422 and f"<b>{registration_label}</b>" in listed and "<b>registration</b>" not in listed


def test_a_company_registering_online_takes_part_online_once_approved(env):
    """Issue 29.4: the public form asks on site or online; the organizer sees it, and approving makes the
    participant an online one (its meetings calls, at no table)."""
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    organizer = signed_in(app, "organizer@altai.ru")
    organizer.post(f"/missions/{mission.id}/registrations", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "action": "open"})
    form = TestClient(app).get(f"/join/{mission.id}?lang=uz").text
    assert 'name="attendance" value="online"' in form and "Ishtirok shakli" in form
    refused = register(app, mission.id, attendance="by pigeon")
    # a value the form does not offer: the form again, the field named in the reader's words; nothing written
    assert refused.status_code == 422 and "Формат участия" in refused.text and counts(app)[2] == 0
    assert register(app, mission.id, attendance="online").status_code == 303
    confirm_from_mail(app, inbox, "director@agro.uz")
    listing = organizer.get(f"/missions/{mission.id}/registrations").text
    assert 'class="badge online"' in listing
    [registration] = app.state.web.services.missions.registrations(mission.id)
    organizer.post(f"/missions/{mission.id}/registrations/{registration.registration.id}", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "decision": "approve"})
    [person] = app.state.web.services.missions.people(mission.id).values()
    assert person.participant.online


def test_the_public_form_takes_its_own_sectors_only_and_names_no_company_by_its_tax_id(env):
    app, mission, known = env["app"], env["mission"], env["known"]
    organizer = signed_in(app, "organizer@altai.ru")
    organizer.post(f"/missions/{mission.id}/registrations", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "action": "open"})
    junk = register(app, mission.id, sectors="<b>nonsense</b>")
    assert junk.status_code == 422 and counts(app) == (1, 1, 0)  # nothing written
    assert register(app, mission.id, territory="RU-ALT", tax_id=known.tax_id, name_ru="", name_uz="",
                    email="first@cheese.ru", language="ru").status_code == 303
    confirm_from_mail(app, env["inbox"], "first@cheese.ru")
    again = register(app, mission.id, territory="RU-ALT", tax_id=known.tax_id, name_ru="", name_uz="",
                     email="stranger@example.org", language="ru")
    assert again.status_code == 409 and "Алтайские сыры" not in again.text  # whose tax ID it is stays unsaid


def test_a_registration_whose_address_is_not_confirmed_holds_no_tax_id(env):
    """The outsider's find: a stranger registered a real company's tax ID first, never confirmed, and the company
    was refused its own registration (409). Now nothing unconfirmed holds: the company registers, the first to
    confirm makes the company's record, and the stranger, confirming later, only claims it for the organizers to
    decide, who can approve one registration of it."""
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    services = app.state.web.services
    organizer = signed_in(app, "organizer@altai.ru")
    organizer.post(f"/missions/{mission.id}/registrations", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "action": "open"})
    squat = register(app, mission.id, name_uz="Soxta MChJ", name_ru="ООО «Подделка»", email="squatter@evil.example")
    assert squat.status_code == 303
    real = register(app, mission.id, email="director@agro.uz")  # the same tax ID, the company's own people
    assert real.status_code == 303, real.text[-2000:]
    confirm_from_mail(app, inbox, "director@agro.uz")
    with services.db.session() as session:
        [company] = session.scalars(select(Company).where(Company.tax_id == "301234567",
                                                          Company.provisional.is_(False))).all()
        assert company.name_uz == "Sirdaryo Agro MChJ"  # the confirmed registrant's record, not the stranger's
        real_user = session.scalar(select(User).where(User.email == "director@agro.uz"))
        assert real_user.active and real_user.company_id is None  # speaks for it once the organizers approve
    confirm_from_mail(app, inbox, "squatter@evil.example")  # the stranger confirms later: a claim, nothing more
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Company).where(Company.tax_id == "301234567")) == 1
        squatter = session.scalar(select(User).where(User.email == "squatter@evil.example"))
        assert squatter.company_id is None  # speaks for no company
        registrations = session.scalars(select(MissionRegistration).where(
            MissionRegistration.mission_id == mission.id).order_by(MissionRegistration.id)).all()
        assert [(r.company_id, r.claim, r.status) for r in registrations] == [
            (company.id, True, "pending"), (company.id, False, "pending")]
    listing = organizer.get(f"/missions/{mission.id}/registrations")
    assert listing.status_code == 200 and listing.text.count("Sirdaryo Agro") + listing.text.count("Сырдарья Агро") >= 2
    stranger_s, real_s = registrations
    decide = csrf_of(organizer, f"/missions/{mission.id}/registrations")
    approved = organizer.post(f"/missions/{mission.id}/registrations/{real_s.id}",
                              data={"csrf": decide, "decision": "approve"})
    assert approved.status_code in (200, 303), approved.text[-2000:]
    second = organizer.post(f"/missions/{mission.id}/registrations/{stranger_s.id}",
                            data={"csrf": decide, "decision": "approve"})
    # one registration of a company takes part: the second is refused, its reason said
    assert second.status_code == 422 and "уже участвует" in second.text, second.text[-2000:]
    assert [p.company.id for p in services.missions.people(mission.id).values()] == [company.id]
    assert services.accounts.find("director@agro.uz").company_id == company.id  # approved: it speaks for it
    assert services.accounts.find("squatter@evil.example").company_id is None


def test_a_registration_the_organizers_refused_does_not_keep_the_company_out(env):
    """A stranger with a real mailbox confirms first: the company is then refused (409) until the organizers refuse
    the stranger's registration; after that it registers with its own record, not the stranger's."""
    app, mission, inbox = env["app"], env["mission"], env["inbox"]
    organizer = signed_in(app, "organizer@altai.ru")
    organizer.post(f"/missions/{mission.id}/registrations", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "action": "open"})
    assert register(app, mission.id, name_uz="Soxta MChJ", email="squatter@evil.example").status_code == 303
    confirm_from_mail(app, inbox, "squatter@evil.example")
    blocked = register(app, mission.id, email="director@agro.uz")
    assert blocked.status_code == 409
    [stranger] = app.state.web.services.missions.registrations(mission.id)
    refused = organizer.post(f"/missions/{mission.id}/registrations/{stranger.registration.id}", data={
        "csrf": csrf_of(organizer, f"/missions/{mission.id}/registrations"), "decision": "refuse",
        "reason": "the tax ID is another company's"})
    assert refused.status_code in (200, 303), refused.text[-1500:]
    assert register(app, mission.id, email="director@agro.uz").status_code == 303
    confirm_from_mail(app, inbox, "director@agro.uz")
    waiting = [r for r in app.state.web.services.missions.registrations(mission.id)
               if r.registration.status == "pending"]
    assert [r.registration.claim for r in waiting] == [False]
    assert waiting[0].registration.company_id != stranger.registration.company_id
    assert waiting[0].company.name_uz == "Sirdaryo Agro MChJ"  # its own name, not the stranger's "Soxta MChJ"


def test_a_stranger_refused_a_space_leaves_every_participants_space_working(env):
    """The outsider's find: a company account whose company does not take part opened /space/1 (403) while the
    mission's shared records were being read; its refused request's rollback expired those records, and every
    participant's space answered 500 until the mission next changed."""
    app, mission, known = env["app"], env["mission"], env["known"]
    services = app.state.web.services
    guest_company = services.registry.create(CompanyData(name_ru="ООО «Сырдарья Агро»", tax_id="301234567",
                                                         country="UZ", region="UZ-SI", languages=["uz"]))
    services.missions.add_participant(mission.id, known.id, "host", ["Ирина"])
    services.missions.add_participant(mission.id, guest_company.id, "visiting", ["Алишер"])
    stranger_company = services.registry.create(CompanyData(name_ru="ООО «Посторонние»", tax_id="302345678",
                                                            country="UZ", region="UZ-SI", languages=["uz"]))
    services.accounts.create_user("director@agro.uz", PASSWORD, "company", "uz", guest_company.id)
    services.accounts.create_user("stranger@other.uz", PASSWORD, "company", "uz", stranger_company.id)
    stranger = signed_in_as(app, "stranger@other.uz")
    assert stranger.get(f"/space/{mission.id}").status_code == 403  # the first to read the records since the change
    participant = signed_in_as(app, "director@agro.uz")
    for _ in range(2):
        answer = participant.get(f"/space/{mission.id}")
        assert answer.status_code == 200 and ("Алтайские сыры" in answer.text or "Ирина" in answer.text), \
            answer.text[-1500:]
