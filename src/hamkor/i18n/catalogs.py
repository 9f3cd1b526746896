"""The gettext catalogs, compiled from the packaged .po files on first use (Babel)."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from hamkor.i18n.numbers import locale_of


@cache
def translations(lang: str) -> NullTranslations:
    path = resources.files("hamkor.i18n").joinpath("locales", lang, "LC_MESSAGES", "hamkor.po")
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale_of(lang))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)
