"""The words of printed mission documents (agendas, table sheets, workbook) in ru, uz and en."""

from __future__ import annotations

from hamkor.i18n import pick

LABELS: dict[str, dict[str, str]] = {
    "agenda": {"ru": "Программа встреч", "uz": "Uchrashuvlar dasturi", "en": "Meeting agenda"},
    "time": {"ru": "Время", "uz": "Vaqt", "en": "Time"},
    "table": {"ru": "Стол", "uz": "Stol", "en": "Table"},
    "counterpart": {"ru": "Партнёр по встрече", "uz": "Uchrashuv hamkori", "en": "Counterpart"},
    "attendees": {"ru": "Участники", "uz": "Ishtirokchilar", "en": "Attendees"},
    "interpreter": {"ru": "Переводчик", "uz": "Tarjimon", "en": "Interpreter"},
    "yes": {"ru": "да", "uz": "ha", "en": "yes"},
    "visit": {"ru": "Посещение предприятия", "uz": "Korxonaga tashrif", "en": "Enterprise visit"},
    "venue": {"ru": "Место", "uz": "Joy", "en": "Venue"},
    "no_meetings": {"ru": "Встреч не назначено.", "uz": "Uchrashuvlar belgilanmagan.",
                    "en": "No meetings scheduled."},
    "table_sheet": {"ru": "Лист стола", "uz": "Stol varagʻi", "en": "Table sheet"},
    "host": {"ru": "Принимающая сторона", "uz": "Qabul qiluvchi tomon", "en": "Host"},
    "visiting": {"ru": "Делегация", "uz": "Delegatsiya", "en": "Visiting"},
    "free": {"ru": "свободно", "uz": "boʻsh", "en": "free"},
    "synthetic": {"ru": "ДЕМО: синтетические данные, не реальные компании",
                  "uz": "DEMO: sintetik maʼlumotlar, haqiqiy kompaniyalar emas",
                  "en": "DEMO: synthetic data, not real companies"},
    "prepared": {"ru": "Подготовлено в hamkor", "uz": "hamkor tizimida tayyorlandi", "en": "Prepared with hamkor"},
    "day": {"ru": "День", "uz": "Kun", "en": "Day"},
    # the mission report
    "report": {"ru": "Итоги бизнес-миссии", "uz": "Biznes-missiya yakunlari", "en": "Business mission report"},
    "registrations": {"ru": "Регистрации", "uz": "Roʻyxatdan oʻtishlar", "en": "Registrations"},
    "requests": {"ru": "Запросы на встречи", "uz": "Uchrashuv soʻrovlari", "en": "Meeting requests"},
    "meetings": {"ru": "Встречи", "uz": "Uchrashuvlar", "en": "Meetings"},
    "funnel": {"ru": "Результаты встреч", "uz": "Uchrashuvlar natijalari", "en": "What came of the meetings"},
    "followup": {"ru": "Ответы участников", "uz": "Ishtirokchilar javoblari", "en": "Participants' answers"},
    "answered": {"ru": "ответили", "uz": "javob berdi", "en": "answered"},
    "not_answered": {"ru": "не ответили", "uz": "javob bermadi", "en": "not answered"},
    "disagree": {"ru": "расхождения сторон", "uz": "tomonlar javoblaridagi farqlar", "en": "sides disagree"},
    "rating": {"ru": "Средняя оценка", "uz": "Oʻrtacha baho", "en": "Average rating"},
    "deals": {"ru": "Сделки и таможенная статистика", "uz": "Bitimlar va bojxona statistikasi",
              "en": "Deals and customs statistics"},
    "deal": {"ru": "Сделка", "uz": "Bitim", "en": "Deal"},
    "product": {"ru": "Товар", "uz": "Tovar", "en": "Product"},
    "value": {"ru": "Сумма, долл. США", "uz": "Summa, AQSH dollari", "en": "Value, USD"},
    "before": {"ru": "Годом ранее", "uz": "Bir yil oldin", "en": "A year earlier"},
    "after": {"ru": "После миссии", "uz": "Missiyadan keyin", "en": "After the mission"},
    "export": {"ru": "Экспорт", "uz": "Eksport", "en": "Export"},
    "import": {"ru": "Импорт", "uz": "Import", "en": "Import"},
    "no_data_after": {"ru": "Таможенных данных после миссии пока нет (последний месяц: {latest}).",
                      "uz": "Missiyadan keyingi bojxona maʼlumotlari hali yoʻq (oxirgi oy: {latest}).",
                      "en": "No customs data after the mission yet (latest month: {latest})."},
    "months_note": {"ru": "Месяцы {first}–{last} против тех же месяцев годом ранее; источник: {sources}.",
                    "uz": "{first}–{last} oylari bir yil oldingi shu oylar bilan; manba: {sources}.",
                    "en": "Months {first}–{last} against the same months a year earlier; source: {sources}."},
    "partner_note": {"ru": "Партнёр в таможенной статистике — страна {country}: регионы-партнёры в ней не выделены.",
                     "uz": "Bojxona statistikasida hamkor — {country} davlati: undagi hamkor viloyatlar ajratilmagan.",
                     "en": "The partner in customs statistics is the country {country}: it does not single out "
                           "partner regions."},
    "no_deals": {"ru": "Участники пока не сообщили о контрактах с кодом товара и суммой.",
                 "uz": "Ishtirokchilar hali tovar kodi va summasi koʻrsatilgan shartnomalar haqida xabar bermadi.",
                 "en": "No participant has reported a contract with a product code and value yet."},
    "status": {"ru": "Статус", "uz": "Holat", "en": "Status"},
    "count": {"ru": "Число", "uz": "Soni", "en": "Count"},
    "side": {"ru": "Сторона", "uz": "Tomon", "en": "Side"},
    "company": {"ru": "Компания", "uz": "Kompaniya", "en": "Company"},
    "months": {"ru": "Месяцы", "uz": "Oylar", "en": "Months"},
    "sources": {"ru": "Источники", "uz": "Manbalar", "en": "Sources"},
    "answers": {"ru": "Ответы сторон о встрече", "uz": "Tomonlarning uchrashuv haqidagi javoblari",
                "en": "Both sides' answers"},
}


def label(key: str, lang: str) -> str:
    return pick(LABELS[key], lang)
