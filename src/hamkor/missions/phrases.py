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
}


def label(key: str, lang: str) -> str:
    return pick(LABELS[key], lang)
