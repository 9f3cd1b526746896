"""Each opportunity as a sentence a person can defend, in Russian, Uzbek or English."""

from __future__ import annotations

from hamkor.i18n import pick
from hamkor.i18n.numbers import format_money, format_number, format_percent, plural, uz_attributive
from hamkor.opportunities.analysis import Opportunities, Opportunity
from hamkor.reference.names import short_name, territory_name
from hamkor.reference.nomenclature import nomenclature

COUNTRY_FORMS = {"ru": {"one": "страну", "few": "страны", "many": "стран", "other": "страны"},
                 "uz": {"one": "mamlakatga", "other": "mamlakatga"},
                 "en": {"one": "country", "other": "countries"}}

POTENTIAL = {
    "ru": "{market} импортирует {demand} в год товаров {code} ({name}), {growth} в год; {exporter} "
          "экспортирует их в {count} {countries} с индексом сравнительных преимуществ (RCA) {rca}; "
          "потенциал {potential} в год реализован на {realised} (не реализовано {untapped}).",
    "uz": "{market} yiliga {demand} miqdorida {code} ({name}) import qiladi, yiliga {growth}; {exporter} "
          "uni {count} ta {countries} qiyosiy ustunlik indeksi (RCA) {rca} bilan eksport qiladi; "
          "yiliga {potential} salohiyatning {realised} qismi amalga oshirilgan ({untapped} foydalanilmagan).",
    "en": "{market} imports {demand} a year of {code} ({name}), {growth} a year; {exporter} exports it to "
          "{count} {countries} with RCA {rca}; {realised} of the potential of {potential} a year is realised "
          "({untapped} untapped).",
}
DIVERSIFICATION = {
    "ru": "{exporter} пока не экспортирует {code} ({name}), но близкие производства у него есть "
          "(плотность {density}); {market} импортирует {demand} в год, {growth} в год.",
    "uz": "{exporter} hali {code} ({name}) eksport qilmaydi, lekin unga yaqin ishlab chiqarishlar bor "
          "(zichlik {density}); {market} yiliga {demand} import qiladi, yiliga {growth}.",
    "en": "{exporter} does not export {code} ({name}) yet, but has related capabilities (density {density}); "
          "{market} imports {demand} a year, {growth} a year.",
}
FLAGS = {
    "re-export": {"ru": "вероятен реэкспорт", "uz": "qayta eksport ehtimoli", "en": "likely re-export"},
    "small-numbers": {"ru": "малые величины", "uz": "kichik qiymatlar", "en": "rests on small numbers"},
    "mirror-gap": {"ru": "расхождение источников", "uz": "manbalar mos emas", "en": "sources disagree"},
}
FACTOR_NAMES = {
    "supply": {"ru": "предложение (доля в мировом экспорте)", "uz": "taklif (jahon eksportidagi ulush)",
               "en": "supply (share of world exports)"},
    "demand": {"ru": "спрос (импорт рынка)", "uz": "talab (bozor importi)", "en": "demand (the market's imports)"},
    "distance": {"ru": "расстояние", "uz": "masofa", "en": "distance"},
    "ease": {"ru": "лёгкость торговли пары", "uz": "juftlik savdosi qulayligi", "en": "ease of trade of the pair"},
    "competition": {"ru": "конкуренция на рынке", "uz": "bozordagi raqobat", "en": "competition in the market"},
    "density": {"ru": "плотность (близкие производства)", "uz": "zichlik (yaqin ishlab chiqarishlar)",
                "en": "density (related capabilities)"},
}


def product_label(code: str, lang: str) -> str:
    label = pick({"ru": "ТН ВЭД", "uz": "TIF TN", "en": "HS"}, lang)
    return f"{label} {code}"


def product_name(code: str, lang: str) -> str:
    return short_name(nomenclature().name(code, lang, "HS2017") or nomenclature().name(code, lang), 60)


def explain(item: Opportunity, result: Opportunities, lang: str = "ru") -> str:
    values = {
        "market": territory_name(result.market, lang), "exporter": territory_name(result.exporter, lang),
        "code": product_label(item.product, lang), "name": product_name(item.product, lang),
        "demand": format_money(item.demand, lang), "growth": format_percent(item.demand_growth * 100, lang),
    }
    if item.kind == "diversification":
        return pick(DIVERSIFICATION, lang).format(**values, density=format_number(item.density, lang, 2))
    realised = item.realised
    return pick(POTENTIAL, lang).format(
        **values, count=item.destinations, countries=plural(item.destinations, pick(COUNTRY_FORMS, lang), lang),
        rca=format_number(item.rca, lang, 1), potential=uz_attributive(format_money(item.potential, lang)),
        realised=format_percent(None if realised is None else realised * 100, lang, signed=False),
        untapped=format_money(item.untapped, lang))


def flag_names(item: Opportunity, lang: str = "ru") -> list[str]:
    return [pick(FLAGS[f], lang) for f in item.flags]


def factor_table(item: Opportunity, lang: str = "ru") -> list[tuple[str, float, float]]:
    """(factor name, value, ln contribution) — the contributions add up to ln of the score."""
    return [(pick(FACTOR_NAMES[name], lang), value, contribution)
            for (name, value), contribution in zip(item.factors().items(), item.contributions().values(), strict=True)]


def section_name(numeral: str, lang: str = "ru", limit: int = 60) -> str:
    """"XVI — Машины, оборудование и механизмы…": a section as a reader knows it, not a bare numeral."""
    entry = nomenclature().get(numeral, "HS2017") or nomenclature().get(numeral)
    name = entry.name(lang) if entry else ""
    return f"{numeral} — {short_name(name, limit)}" if name else numeral


def section_of(code: str) -> str | None:
    """The HS section (Roman numeral) a heading belongs to."""
    path = nomenclature().path(code[:4], "HS2017") or nomenclature().path(code[:4])
    return path[0].code if path else None
