"""The sentences of a brief, written for each language.

Russian phrasing declines a reporter's name where a rule is sure of it ("партнёр Алтайского края",
hamkor.i18n.russian); elsewhere it keeps the name in the nominative after a generic noun in quotes
("региона «…»").
Plural forms come from CLDR through `plural`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hamkor.i18n import pick
from hamkor.i18n.numbers import format_money, format_percent, ordinal, period_phrase, plural


@dataclass(frozen=True)
class Facts:
    """What the headline says, already in the brief's language where it is a name."""

    reporter: str
    reporter_is_region: bool
    partner: str
    partner_is_group: bool
    period: tuple  # (first, last, kind)
    previous_year: int
    turnover: float | None  # None: missing (a source without one of the flows, or no data at all)
    exports: float | None
    imports: float | None
    turnover_growth: float | None
    export_growth: float | None
    import_growth: float | None
    rank: int | None
    partner_count: int
    divisor: float
    # When growth rests on fewer months than the period (a month one source lacks a year earlier): the
    # months it compares as the brief's language writes them, said in the headline itself.
    comparable: str | None = None
    reporter_genitive: str | None = None  # Russian: "Алтайского края", where the name declines surely
    # Why the turnover has no growth or no value, in the brief's language (from trade.figures)
    turnover_note: str | None = None
    # The months the figures add up, where the data cover the asked period only in part ("январь–октябрь
    # 2025 г." for the year 2025): the sentence never calls ten months a year
    period_text: str | None = None
    # Where a month of the period names too few partners to rank on, the months the rank rests on
    rank_months: str | None = None


NO_DATA = {"ru": "нет данных", "uz": "maʼlumot yoʻq", "en": "no data"}


def _money(value: float | None, lang: str, facts: Facts) -> str:
    return NO_DATA[lang] if value is None else format_money(value, lang, facts.divisor)


NO_COMPARISON = {"ru": "без сравнения", "uz": "taqqoslashsiz", "en": "no comparison"}


def _growth(value: float | None, lang: str) -> str:
    """A flow's growth beside its value; «без сравнения» where there is none («н/д» beside a value reads as
    if the value itself were missing)."""
    return NO_COMPARISON[lang] if value is None else format_percent(value, lang)


def headline(facts: Facts, lang: str) -> str:
    return pick({"ru": _headline_ru, "uz": _headline_uz, "en": _headline_en}, lang)(facts)


def _headline_ru(f: Facts) -> str:
    period = f.period_text or period_phrase(*f.period, "ru")
    holder = f.reporter_genitive or (f"региона «{f.reporter}»" if f.reporter_is_region else f"страны «{f.reporter}»")
    parts = []
    if f.rank and not f.partner_is_group:
        parts.append(f"{f.partner} — {ordinal(f.rank, 'ru')} по объёму товарооборота внешнеторговый "
                     f"партнёр {holder}" + (f" (по данным за {f.rank_months})." if f.rank_months else "."))
    turnover = f"За {period} товарооборот составил {_money(f.turnover, 'ru', f)}"
    if f.turnover is None:
        turnover = f"За {period} данных о товарообороте нет ({f.turnover_note})."
    elif f.comparable and f.turnover_growth is not None:
        verb = "вырос" if f.turnover_growth > 0 else "сократился"
        turnover += (f"; за сопоставимые месяцы ({f.comparable}) он {verb} на "
                     f"{format_percent(abs(f.turnover_growth), 'ru', signed=False)} по сравнению с теми же "
                     f"месяцами {f.previous_year} г.")
    elif f.turnover_growth is None and f.turnover_note:
        turnover += f"; сравнения с прошлым годом нет ({f.turnover_note})."
    elif f.turnover_growth is None:
        turnover += f"; данных за аналогичный период {f.previous_year} г. нет."
    elif abs(f.turnover_growth) < 0.05:
        turnover += f" и не изменился по сравнению с аналогичным периодом {f.previous_year} г."
    else:
        verb = "вырос" if f.turnover_growth > 0 else "сократился"
        turnover += (f" и {verb} на {format_percent(abs(f.turnover_growth), 'ru', signed=False)} "
                     f"по сравнению с аналогичным периодом {f.previous_year} г.")
    parts.append(turnover)
    parts.append(f"Экспорт — {_money(f.exports, 'ru', f)} ({_growth(f.export_growth, 'ru')}), "
                 f"импорт — {_money(f.imports, 'ru', f)} ({_growth(f.import_growth, 'ru')}).")
    return " ".join(parts)


def _headline_uz(f: Facts) -> str:
    period = f.period_text or period_phrase(*f.period, "uz")
    parts = []
    if f.rank and not f.partner_is_group:
        parts.append(f"{f.partner} — {f.reporter} uchun tovar aylanmasi hajmi boʻyicha {ordinal(f.rank, 'uz')} "
                     "tashqi savdo hamkori" + (f" ({f.rank_months} maʼlumotlari boʻyicha)." if f.rank_months else "."))
    turnover = f"{period} davomida tovar aylanmasi {_money(f.turnover, 'uz', f)}ni tashkil etdi"
    if f.turnover is None:
        turnover = f"{period} davomida tovar aylanmasi boʻyicha maʼlumot yoʻq ({f.turnover_note})."
    elif f.comparable and f.turnover_growth is not None:
        verb = "oʻsdi" if f.turnover_growth > 0 else "kamaydi"
        turnover += (f"; taqqoslanadigan oylarda ({f.comparable}) u "
                     f"{f.previous_year}-yilning shu oylariga nisbatan "
                     f"{format_percent(abs(f.turnover_growth), 'uz', signed=False)}ga {verb}.")
    elif f.turnover_growth is None and f.turnover_note:
        turnover += f"; oʻsishni koʻrsatib boʻlmaydi ({f.turnover_note})."
    elif f.turnover_growth is None:
        turnover += f"; {f.previous_year}-yilning shu davri uchun maʼlumot yoʻq."
    elif abs(f.turnover_growth) < 0.05:
        turnover += f" va {f.previous_year}-yilning shu davriga nisbatan oʻzgarmadi."
    else:
        verb = "oʻsdi" if f.turnover_growth > 0 else "kamaydi"
        turnover += (f" va {f.previous_year}-yilning shu davriga nisbatan "
                     f"{format_percent(abs(f.turnover_growth), 'uz', signed=False)}ga {verb}.")
    parts.append(turnover)
    parts.append(f"Eksport — {_money(f.exports, 'uz', f)} ({_growth(f.export_growth, 'uz')}), "
                 f"import — {_money(f.imports, 'uz', f)} ({_growth(f.import_growth, 'uz')}).")
    return " ".join(parts)


def _headline_en(f: Facts) -> str:
    period = f.period_text or period_phrase(*f.period, "en")
    parts = []
    if f.rank and not f.partner_is_group:
        which = "largest" if f.rank == 1 else f"{ordinal(f.rank, 'en')}-largest"
        parts.append(f"{f.partner} is the {which} trade partner of {f.reporter} by turnover"
                     + (f" (on the data for {f.rank_months})." if f.rank_months else "."))
    turnover = f"In {period}, turnover amounted to {_money(f.turnover, 'en', f)}"
    if f.turnover is None:
        turnover = f"For {period} there are no turnover data ({f.turnover_note})."
    elif f.comparable and f.turnover_growth is not None:
        direction = "up" if f.turnover_growth > 0 else "down"
        turnover += (f"; over the comparable months ({f.comparable}) it was "
                     f"{direction} {format_percent(abs(f.turnover_growth), 'en', signed=False)} on the same months "
                     f"of {f.previous_year}.")
    elif f.turnover_growth is None and f.turnover_note:
        turnover += f"; no growth can be given ({f.turnover_note})."
    elif f.turnover_growth is None:
        turnover += f"; there are no data for the same period of {f.previous_year}."
    elif abs(f.turnover_growth) < 0.05:
        turnover += f", unchanged on the same period of {f.previous_year}."
    else:
        direction = "up" if f.turnover_growth > 0 else "down"
        turnover += (f", {direction} {format_percent(abs(f.turnover_growth), 'en', signed=False)} "
                     f"on the same period of {f.previous_year}.")
    parts.append(turnover)
    parts.append(f"Exports: {_money(f.exports, 'en', f)} ({_growth(f.export_growth, 'en')}); "
                 f"imports: {_money(f.imports, 'en', f)} ({_growth(f.import_growth, 'en')}).")
    return " ".join(parts)


def partners_sentence(count: int, lang: str, months: str | None = None) -> str:
    """How many partners traded; `months` where the count rests on part of the period only."""
    if lang == "ru":
        word = plural(count, {"one": "страной-партнёром", "few": "странами-партнёрами",
                              "many": "странами-партнёрами", "other": "странами-партнёрами"}, "ru")
        when = f"за {months}" if months else "в отчётном периоде"
        return f"Всего {when} торговля велась с {count} {word}."
    if lang == "uz":
        when = months if months else "Hisobot davrida"
        return f"{when[0].upper() + when[1:]} jami {count} ta hamkor mamlakat bilan savdo qilindi."
    word = plural(count, {"one": "partner country", "other": "partner countries"}, "en")
    return f"In {months or 'the period'}, trade was conducted with {count} {word}."


def few_partners_sentence(left_out: str, lang: str) -> str:
    """A month that names only a few partners (a file for one partner loaded on its own) is no ground for a
    rank: the brief says so rather than calling the one partner the first."""
    return pick({"ru": f"Место партнёра и число партнёров за {left_out} не определяются: данные за этот период "
                       "есть лишь по немногим партнёрам.",
                 "uz": f"{left_out} uchun hamkor oʻrni va hamkorlar soni aniqlanmaydi: bu davr maʼlumotlari faqat "
                       "bir necha hamkor boʻyicha.",
                 "en": f"No partner rank or partner count for {left_out}: its data name only a few partners."}, lang)


LABELS = {
    "title": {"ru": "Справка к встрече", "uz": "Uchrashuv uchun maʼlumotnoma", "en": "Meeting brief"},
    "trade_with": {"ru": "Торговля: {reporter} — {partner}", "uz": "Savdo: {reporter} — {partner}",
                   "en": "Trade: {reporter} — {partner}"},
    "headline": {"ru": "Основные показатели", "uz": "Asosiy koʻrsatkichlar", "en": "Headline figures"},
    "indicator": {"ru": "Показатель", "uz": "Koʻrsatkich", "en": "Indicator"},
    "turnover": {"ru": "Товарооборот", "uz": "Tovar aylanmasi", "en": "Turnover"},
    "exports": {"ru": "Экспорт", "uz": "Eksport", "en": "Exports"},
    "imports": {"ru": "Импорт", "uz": "Import", "en": "Imports"},
    "balance": {"ru": "Сальдо", "uz": "Saldo", "en": "Balance"},
    "growth": {"ru": "Темп прироста", "uz": "Oʻsish surʼati", "en": "Growth"},
    "share": {"ru": "Доля, %", "uz": "Ulush, %", "en": "Share, %"},
    "goods": {"ru": "Товарная группа (ТН ВЭД)", "uz": "Tovar guruhi (TIF TN)", "en": "Goods group (HS)"},
    "top_exports": {"ru": "Экспорт: основные товары", "uz": "Eksport: asosiy tovarlar", "en": "Exports: main goods"},
    "top_imports": {"ru": "Импорт: основные товары", "uz": "Import: asosiy tovarlar", "en": "Imports: main goods"},
    "movers": {"ru": "Заметные изменения", "uz": "Sezilarli oʻzgarishlar", "en": "Notable changes"},
    "grew": {"ru": "Рост", "uz": "Oʻsish", "en": "Growth"},
    "fell": {"ru": "Снижение", "uz": "Pasayish", "en": "Decline"},
    "mirror": {"ru": "Зеркальные данные", "uz": "Koʻzgu maʼlumotlari", "en": "Mirror data"},
    "sources": {"ru": "Источники", "uz": "Manbalar", "en": "Sources"},
    "projection": {"ru": "Прогноз на весь {year} г. по сезонности {years} гг.: товарооборот около {value} "
                         "(80-процентный интервал прогноза — от {low} до {high}; t-интервал Стьюдента "
                         "по логарифму доли периода январь–{month} в годовом объёме каждого из прошлых лет). "
                         "Это оценка, а не статистика.",
                   "uz": "{year}-yil uchun {years}-yillar mavsumiyligi boʻyicha prognoz: tovar aylanmasi taxminan "
                         "{value} (80 foizli prognoz oraligʻi: {low}dan {high}gacha; oldingi yillarda yanvar–{month} "
                         "ulushining logarifmi boʻyicha Styudent t-oraligʻi). Bu statistika emas, taxminiy hisob.",
                   "en": "Projection for the whole of {year}, from the seasonality of {years}: turnover of about "
                         "{value} (80% prediction interval {low} to {high}: Student's t on the logarithm of the share "
                         "January–{month} made up of each earlier year). A projection, not statistics."},
    "cooperation": {"ru": "Сотрудничество: встречи и договорённости", "uz": "Hamkorlik: uchrashuvlar va kelishuvlar",
                    "en": "Cooperation: meetings and commitments"},
    "coop_meetings": {"ru": "Последние встречи", "uz": "Soʻnggi uchrashuvlar", "en": "Recent meetings"},
    "coop_commitments": {"ru": "Открытые обязательства", "uz": "Ochiq majburiyatlar", "en": "Open commitments"},
    "coop_agreements": {"ru": "Соглашения в силе", "uz": "Amaldagi kelishuvlar", "en": "Agreements in force"},
    "due": {"ru": "срок — {date}", "uz": "muddati — {date}", "en": "due {date}"},
    "no_due": {"ru": "срок не установлен", "uz": "muddati belgilanmagan", "en": "no due date"},
    "overdue_since": {"ru": "просрочено: срок был {date}", "uz": "muddati oʻtgan: {date}",
                      "en": "overdue since {date}"},
    "signed_on": {"ru": "подписано {date}", "uz": "imzolangan: {date}", "en": "signed {date}"},
    "valid_until": {"ru": "действует до {date}", "uz": "{date} gacha amal qiladi", "en": "valid until {date}"},
    "expiring": {"ru": "срок действия истекает", "uz": "amal qilish muddati tugamoqda", "en": "running out"},
    "synthetic_record": {"ru": "демо, синтетическая запись", "uz": "demo, sintetik yozuv",
                         "en": "demo, synthetic record"},
    "promising": {"ru": "Перспективные направления сотрудничества", "uz": "Hamkorlikning istiqbolli yoʻnalishlari",
                  "en": "Promising areas of cooperation"},
    "promising_export": {"ru": "Экспорт: {exporter} → {market}", "uz": "Eksport: {exporter} → {market}",
                         "en": "Exports: {exporter} → {market}"},
    "promising_import": {"ru": "Поставки: {exporter} → {market}", "uz": "Yetkazib berish: {exporter} → {market}",
                         "en": "Supplies: {exporter} → {market}"},
    "monthly": {"ru": "Товарооборот по месяцам", "uz": "Oylar boʻyicha tovar aylanmasi",
                "en": "Monthly turnover"},
    "export_structure": {"ru": "Структура экспорта, %", "uz": "Eksport tarkibi, %", "en": "Export structure, %"},
    "import_structure": {"ru": "Структура импорта, %", "uz": "Import tarkibi, %", "en": "Import structure, %"},
    "synthetic": {
        "ru": "Внимание: показатели пары «{who}» рассчитаны на синтетических демонстрационных данных "
              "и не являются реальной статистикой.",
        "uz": "Diqqat: {who} boʻyicha koʻrsatkichlar sintetik namoyish maʼlumotlari asosida hisoblangan "
              "va haqiqiy statistika emas.",
        "en": "Warning: the figures for {who} rest on synthetic demo data; they are not real statistics.",
    },
    "promising_basis": {"ru": "по данным: {source}, {year} г.", "uz": "maʼlumotlar: {source}, {year}-yil",
                        "en": "from {source}, {year}"},
    "goods_months": {"ru": "Стоимость и доля — за {months}; рост — {compared}, база сравнения — {before}",
                     "uz": "Qiymat va ulush — {months}; oʻsish — {compared}, taqqoslash bazasi — {before}",
                     "en": "Value and share over {months}; growth over {compared} on {before}"},
    # there is no Uzbek edition of the TN VED among our sources: the Uzbek brief says why names are Russian
    "russian_names": {"ru": "Наименования товаров — по ТН ВЭД на русском языке.",
                      "uz": "Tovar nomlari TIF TN ning rus tilidagi nashridan olingan: oʻzbekcha nashri mavjud emas.",
                      "en": "Goods names from the TN VED's Russian edition."},
    "unknown_codes": {"ru": "Коды ТН ВЭД, которых нет в справочнике (учтены в своих группах): {codes}.",
                      "uz": "TIF TN maʼlumotnomasida yoʻq kodlar (oʻz guruhlarida hisobga olingan): {codes}.",
                      "en": "TN VED codes not in the nomenclature (counted in their chapters): {codes}."},
    "goods_months_no_growth": {"ru": "Стоимость и доля — за {months}; рост не рассчитывается: нет сопоставимых "
                                     "месяцев годом ранее.",
                               "uz": "Qiymat va ulush — {months}; oʻsish hisoblanmaydi: bir yil oldin taqqoslanadigan "
                                     "oylar yoʻq.",
                               "en": "Value and share over {months}; no growth: no like months a year earlier."},
    "movers_months": {"ru": "{months}, база сравнения — {before}", "uz": "{months}, taqqoslash bazasi — {before}",
                      "en": "{months} on {before}"},
    "mixed_note": {"ru": "Показатели за {whole} сложены из синтетических демонстрационных данных ({synthetic}) "
                         "и реальных ({real}).",
                   "uz": "{whole} koʻrsatkichlari sintetik namoyish maʼlumotlari ({synthetic}) va haqiqiy "
                         "maʼlumotlardan ({real}) tashkil topgan.",
                   "en": "The figures for {whole} add synthetic demo data ({synthetic}) to real data ({real})."},
    "untranslated": {"ru": "(перевода в реестре нет)", "uz": "(reyestrda tarjimasi yoʻq)",
                     "en": "(not translated in the registry)"},
    "uncited": {"ru": "(источник в реестре не указан)", "uz": "(reyestrda manba koʻrsatilmagan)",
                "en": "(the registry names no source)"},
    "partly_synthetic": {
        "ru": "Внимание: часть показателей пары «{who}» рассчитана на синтетических демонстрационных данных "
              "(не реальная статистика): {parts}. Реальные и синтетические месяцы между собой не сравниваются.",
        "uz": "Diqqat: {who} boʻyicha koʻrsatkichlarning bir qismi sintetik namoyish maʼlumotlari asosida "
              "hisoblangan (haqiqiy statistika emas): {parts}. Haqiqiy va sintetik oylar oʻzaro solishtirilmaydi.",
        "en": "Warning: part of the figures for {who} rest on synthetic demo data (not real statistics): {parts}. "
              "Real and synthetic months are never compared with each other.",
    },
    "partial": {
        "ru": "Данные охватывают {present} из {expected} месяцев периода.",
        "uz": "Maʼlumotlar davrning {expected} oyidan {present} tasini qamrab oladi.",
        "en": "The data cover {present} of the period's {expected} months.",
    },
    "annual_only": {
        "ru": "Источник содержит только годовые данные; помесячные показатели недоступны.",
        "uz": "Manbada faqat yillik maʼlumotlar bor; oylik koʻrsatkichlar mavjud emas.",
        "en": "The source has annual figures only; monthly figures are not available.",
    },
    "a_year_earlier": {"ru": "Год назад", "uz": "Bir yil oldin", "en": "A year earlier"},
    "like_for_like": {
        "ru": "Темп прироста рассчитан за месяцы, для которых есть данные того же источника за оба года: "
              "{months} против тех же месяцев годом ранее; за весь период ({whole}) данные приведены отдельно.",
        "uz": "Oʻsish surʼati ikkala yil uchun bir manbadan maʼlumot bor oylar boʻyicha hisoblangan: {months} "
              "bir yil oldingi shu oylarga nisbatan; butun davr ({whole}) maʼlumotlari alohida keltirilgan.",
        "en": "Growth compares the months both years have from the same source: {months} against the same "
              "months a year earlier; the whole period ({whole}) is shown on its own.",
    },
    "no_data": {"ru": "Нет данных за этот период.", "uz": "Bu davr uchun maʼlumot yoʻq.",
                "en": "No data for this period."},
    "prepared": {"ru": "Подготовлено", "uz": "Tayyorlandi", "en": "Prepared"},
    "confidential_note": {
        "ru": "В том числе {value} — товары, код которых скрыт таможней (конфиденциально).",
        "uz": "Shu jumladan {value} — kodi bojxona tomonidan yashirilgan tovarlar (maxfiy).",
        "en": "Including {value} of goods whose code customs withhold (confidential).",
    },
}

SOURCE_NAMES = {
    "fts-regional": {"ru": "ФТС России, региональные данные о внешней торговле",
                     "uz": "Rossiya FBX, mintaqaviy tashqi savdo maʼlumotlari",
                     "en": "Russian Federal Customs Service (FTS), regional trade data"},
    "fts-national": {"ru": "ФТС России, данные о внешней торговле", "uz": "Rossiya FBX, tashqi savdo maʼlumotlari",
                     "en": "Russian Federal Customs Service (FTS), trade data"},
    "fts-partners": {"ru": "ФТС России, «Внешняя торговля Российской Федерации с основными странами»",
                     "uz": "Rossiya FBX, «Rossiya Federatsiyasining asosiy mamlakatlar bilan tashqi savdosi»",
                     "en": "Russian FTS, 'Foreign trade of the Russian Federation with main partners'"},
    "uzstat": {"ru": "Агентство статистики при Президенте Республики Узбекистан (stat.uz)",
               "uz": "Oʻzbekiston Respublikasi Prezidenti huzuridagi Statistika agentligi (stat.uz)",
               "en": "Statistics Agency of Uzbekistan (stat.uz)"},
    "comtrade": {"ru": "ООН, база данных UN Comtrade", "uz": "BMT, UN Comtrade", "en": "UN Comtrade"},
    "baci": {"ru": "CEPII, база данных BACI", "uz": "CEPII BACI", "en": "CEPII BACI"},
    "demo-synthetic": {"ru": "Синтетические демонстрационные данные hamkor (не реальные)",
                       "uz": "hamkor sintetik namoyish maʼlumotlari (haqiqiy emas)",
                       "en": "hamkor synthetic demo data (not real)"},
    "demo-synthetic-world": {"ru": "Синтетическая мировая торговая матрица hamkor (не реальные данные)",
                             "uz": "hamkor sintetik jahon savdo matritsasi (haqiqiy emas)",
                             "en": "hamkor synthetic world trade matrix (not real)"},
}


def label(key: str, lang: str, **values) -> str:
    text = pick(LABELS[key], lang)
    return text.format(**values) if values else text


def source_name(source: str, lang: str) -> str:
    names = SOURCE_NAMES.get(source)
    return pick(names, lang) if names else source
