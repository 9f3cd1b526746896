"""The helpers a template gets for its reader's language (catalogs and numbers live in hamkor.i18n)."""

from __future__ import annotations

from babel.dates import format_datetime

from hamkor.i18n import translations
from hamkor.i18n.numbers import format_money, format_number, format_percent, locale_of


def template_helpers(lang: str) -> dict:
    """Per-request helpers (never installed on the shared environment: requests differ in language)."""
    t = translations(lang)

    def gettext(message: str, **values) -> str:
        text = t.gettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, num: int, **values) -> str:
        return t.ngettext(singular, plural, num) % {"num": num, **values}

    def when(moment) -> str:
        return format_datetime(moment, format="short", locale=locale_of(lang)) if moment else ""

    return {
        "_": gettext, "ngettext": ngettext, "lang": lang, "when": when,
        "money": lambda v: format_money(v, lang),
        "number": lambda v, digits=1: format_number(v, lang, digits),
        "percent": lambda v: format_percent(v, lang),
    }
