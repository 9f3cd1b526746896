"""The helpers a template gets for its reader's language (catalogs and numbers live in hamkor.i18n)."""

from __future__ import annotations

from babel.dates import format_datetime

from hamkor.companies.sectors import sector_name
from hamkor.i18n import Msg, field_label, language_name, localize, translations
from hamkor.i18n.numbers import format_money, format_number, format_percent, locale_of, month_name
from hamkor.trade.facts import source_title
from hamkor.trade.figures import money_text, months_text


def template_helpers(lang: str) -> dict:
    """Per-request helpers (never installed on the shared environment: requests differ in language)."""
    t = translations(lang)

    def gettext(message: str, **values) -> str:
        if isinstance(message, Msg):  # a domain's sentence with its values
            return localize(message, lang)
        text = t.gettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, num: int, **values) -> str:
        return t.ngettext(singular, plural, num) % {"num": num, **values}

    def when(moment) -> str:
        return format_datetime(moment, format="short", locale=locale_of(lang)) if moment else ""

    return {
        "_": gettext, "ngettext": ngettext, "lang": lang, "when": when,
        "field_name": lambda name: field_label(name, lang),
        "source_title": lambda source: gettext(source_title(source)),
        "sector": lambda key: sector_name(key, lang),
        "language_list": lambda codes: ", ".join(language_name(code, lang) for code in codes or []),
        "sector_list": lambda keys: ", ".join(sector_name(key, lang) for key in keys or []),
        "money": lambda v: format_money(v, lang),
        "number": lambda v, digits=1: format_number(v, lang, digits),
        "percent": lambda v: format_percent(v, lang),
        # a trade figure (trade.figures.Figure): its value, or «нет данных»; the months a figure adds up
        "figure": lambda f: money_text(f, lang),
        "months": lambda keys: months_text(keys, lang),
        "month_label": lambda month: month_name(month, lang),
    }
