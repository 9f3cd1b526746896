"""UI text through gettext catalogs (Babel), one per language, read from the package's .po files."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from hamkor.i18n.numbers import format_money, format_number, format_percent, locale_of

LANGUAGES = ("ru", "uz", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "uz": "Oʻzbekcha", "en": "English"}


@cache
def translations(lang: str) -> NullTranslations:
    path = resources.files("hamkor.web").joinpath("locales", lang, "LC_MESSAGES", "hamkor.po")
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale_of(lang))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


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
