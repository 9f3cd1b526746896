"""The cooperation registry's demo: the real, public facts of the working meeting of 18 December 2025
between the Consul General of Uzbekistan in Novosibirsk, Aslam Akbarov, and the Governor of Altai
Krai, Viktor Tomenko, as Sputnik Uzbekistan reported it that day. Nothing here is invented beyond
what the report says, except the link to the demo mission, whose dates and participants are
synthetic (marked as such).
"""

from __future__ import annotations

from datetime import date

from hamkor.accounts.permissions import Actor
from hamkor.cooperation.service import Cooperation
from hamkor.store.db import Database

# The report the seeded meeting follows, cited as a Russian reader finds it.
SOURCE = [{"title": "Sputnik Узбекистан, 18.12.2025: рабочая встреча Генерального консула Узбекистана в Новосибирске "
                    "Аслама Акбарова и Губернатора Алтайского края Виктора Томенко", "url": ""}]
DEMO = Actor(None, "demo")
DUE = date(2026, 12, 31)  # "planned for 2026": by the end of the year


def seed_cooperation(db: Database, mission_id: int | None = None,
                     mission_dates: tuple[str, str] = ("2026-12-15", "2026-12-16")) -> bool:
    """Once: False when the registry already holds the meeting. `mission_dates`: the demo mission's first and
    last days, as the demo was built (they follow the day it is built)."""
    coop = Cooperation(db)
    if any(e.start_date == date(2025, 12, 18) for e in coop.list("events")):
        return False
    altai = coop.create("organisations", {"name_ru": "Правительство Алтайского края",
                                          "name_en": "Government of Altai Krai", "name_uz": "Oltoy oʻlkasi hukumati",
                                          "kind": "government", "territory": "RU-ALT"}, DEMO)
    consulate = coop.create("organisations", {
        "name_ru": "Генеральное консульство Республики Узбекистан в Новосибирске",
        "name_en": "Consulate General of the Republic of Uzbekistan in Novosibirsk",
        "name_uz": "Oʻzbekiston Respublikasining Novosibirskdagi Bosh konsulxonasi",
        "kind": "consulate", "territory": "UZ"}, DEMO)
    council = coop.create("organisations", {
        "name_ru": "Совет регионов Республики Узбекистан и Российской Федерации",
        "name_en": "Council of Regions of the Republic of Uzbekistan and the Russian Federation",
        "name_uz": "Oʻzbekiston Respublikasi va Rossiya Federatsiyasi hududlari kengashi",
        "kind": "council", "territory": "UZ"}, DEMO)
    tomenko = coop.create("people", {"name": "Виктор Томенко", "name_latin": "Viktor Tomenko"}, DEMO)
    akbarov = coop.create("people", {"name": "Аслам Акбаров", "name_latin": "Aslam Akbarov"}, DEMO)
    coop.create("positions", {"person_id": tomenko.id, "organisation_id": altai.id,
                              "title": "Губернатор Алтайского края"}, DEMO)
    coop.create("positions", {"person_id": akbarov.id, "organisation_id": consulate.id,
                              "title": "Генеральный консул Республики Узбекистан в Новосибирске"}, DEMO)
    meeting = coop.create("events", {
        "kind": "meeting", "title": "Рабочая встреча Генерального консула Узбекистана и Губернатора Алтайского края",
        "title_uz": "Oʻzbekiston Bosh konsuli va Oltoy oʻlkasi gubernatorining ishchi uchrashuvi",
        "title_en": "Working meeting of the Consul General of Uzbekistan and the Governor of Altai Krai",
        "summary_uz": "2025-yil yakunlari koʻrib chiqildi: Oʻzbekiston oʻlkaning uchinchi tashqi savdo hamkori, "
                      "2025-yil yanvar–sentabr oylarida tovar aylanmasi 33 % ga oʻsdi. 2026-yilga Sirdaryo "
                      "viloyati kompaniyalarining Oltoy oʻlkasiga biznes-missiyasi rejalashtirildi. Gubernator "
                      "Oʻzbekistonga rasmiy tashrifga taklif qilindi. Hamkorlik maydoni sifatida Oʻzbekiston "
                      "Respublikasi va Rossiya Federatsiyasi hududlari kengashi tilga olindi. 2026-yil ustuvor "
                      "yoʻnalishlari: geologiya-qidiruv va uran qazib olish uchun uskunalar yetkazib berish; oʻzbek "
                      "tomoni uchun — kimyo-texnologiya va toʻqimachilik tarmoqlari, qishloq xoʻjaligi.",
        "summary_en": "The results of 2025 were reviewed: Uzbekistan is the region's third foreign trade partner; "
                      "turnover in January–September 2025 grew by 33%. A business mission of Syrdarya region "
                      "companies to Altai Krai is planned for 2026. The Governor was invited on an official visit "
                      "to Uzbekistan. The Council of Regions of the Republic of Uzbekistan and the Russian "
                      "Federation was named as a platform for cooperation. Priorities for 2026: equipment for "
                      "geological exploration and uranium mining; for the Uzbek side, the chemical and textile "
                      "industries and agriculture.",
        "start_date": "2025-12-18", "partners": ["UZ", "RU-ALT"], "organisations": [altai.id, consulate.id],
        "people": [tomenko.id, akbarov.id],
        "summary": "Подведены итоги 2025 года: Узбекистан — третий внешнеторговый партнёр края, товарооборот "
                   "за январь–сентябрь 2025 года вырос на 33%. На 2026 год запланирована бизнес-миссия компаний "
                   "Сырдарьинской области в Алтайский край. Губернатор приглашён с официальным визитом в "
                   "Узбекистан. Площадкой сотрудничества назван Совет регионов Республики Узбекистан и "
                   "Российской Федерации. Приоритеты на 2026 год: поставки оборудования для геологоразведки и "
                   "добычи урана; для узбекской стороны — химико-технологическая и текстильная отрасли, "
                   "сельское хозяйство.",
        "sources": SOURCE}, DEMO)
    if mission_id is not None:
        coop.create("events", {
            "kind": "mission", "title": "Бизнес-миссия компаний Сырдарьинской области в Алтайский край (демо)",
            "title_uz": "Sirdaryo viloyati kompaniyalarining Oltoy oʻlkasiga biznes-missiyasi (demo)",
            "title_en": "Business mission of Syrdarya region companies to Altai Krai (demo)",
            "summary_uz": "Demo: bu missiyaning sanalari, ishtirokchilari va jadvali sintetik.",
            "summary_en": "Demo: this mission's dates, participants and schedule are synthetic.",
            "start_date": mission_dates[0], "end_date": mission_dates[1], "place": "Барнаул",
            "partners": ["UZ-SI", "UZ", "RU-ALT"],
            "organisations": [altai.id], "mission_id": mission_id,
            "summary": "Демо: даты, участники и расписание этой миссии синтетические."}, DEMO, synthetic=True)
    coop.create("commitments", {
        "title": "Провести бизнес-миссию компаний Сырдарьинской области в Алтайский край",
        "title_uz": "Sirdaryo viloyati kompaniyalarining Oltoy oʻlkasiga biznes-missiyasini oʻtkazish",
        "title_en": "Hold a business mission of Syrdarya region companies to Altai Krai", "due_date": DUE,
        "status": "open", "organisation_id": altai.id, "event_id": meeting.id, "mission_id": mission_id,
        "partners": ["UZ-SI", "UZ", "RU-ALT"]}, DEMO)
    coop.create("commitments", {
        "title": "Официальный визит Губернатора Алтайского края в Узбекистан (по приглашению)",
        "title_uz": "Oltoy oʻlkasi gubernatorining Oʻzbekistonga rasmiy tashrifi (taklifga binoan)",
        "title_en": "Official visit of the Governor of Altai Krai to Uzbekistan (by invitation)",
        "status": "open", "person_id": tomenko.id, "organisation_id": altai.id, "event_id": meeting.id,
        "partners": ["UZ", "RU-ALT"]}, DEMO)
    coop.create("commitments", {
        "title": "Развивать сотрудничество на площадке Совета регионов Республики Узбекистан и Российской Федерации",
        "title_uz": "Oʻzbekiston Respublikasi va Rossiya Federatsiyasi hududlari kengashi maydonida hamkorlikni "
                    "rivojlantirish",
        "title_en": "Develop cooperation through the Council of Regions of the Republic of Uzbekistan and the "
                    "Russian Federation",
        "status": "open", "organisation_id": council.id, "event_id": meeting.id, "partners": ["UZ", "RU-ALT"]}, DEMO)
    return True
