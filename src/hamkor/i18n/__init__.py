"""Languages: Russian (default), Uzbek (Latin), English — and the one rule for falling back.

Two kinds of text go through here:
- UI sentences: gettext catalogs (`locales/{lang}/LC_MESSAGES/hamkor.po`, English message ids),
  read by `translations(lang)` / `gettext(lang, message)`.
- Phrases whose grammar differs per language (the brief's headline, an opportunity's sentence):
  tables keyed by language, read by `pick(table, lang)`.

Both fall back the same way: the language asked for, then Russian, then English (then Uzbek,
for a name given only in Uzbek).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from babel.support import NullTranslations

from hamkor.i18n import catalogs

LANGUAGES = ("ru", "uz", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "uz": "Oʻzbekcha", "en": "English"}
T = TypeVar("T")


def fallbacks(lang: str | None) -> tuple[str, ...]:
    """The languages tried for `lang`, in order: itself, then Russian, then English, then the rest."""
    order = [lang] if lang in LANGUAGES else []
    return tuple(dict.fromkeys([*order, DEFAULT_LANGUAGE, "en", *LANGUAGES]))


def language(lang: str | None) -> str:
    """A supported language: `lang` itself, or the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


_NO_DEFAULT = object()


def pick(table: Mapping[str, T], lang: str | None, default=_NO_DEFAULT) -> T:
    """The entry of a per-language table for `lang`, by the fallback rule; `default` when none has one."""
    for code in fallbacks(lang):
        if table.get(code) not in (None, ""):
            return table[code]
    if default is _NO_DEFAULT:
        raise LookupError(f"no text in any of {', '.join(fallbacks(lang))}")
    return default


def translations(lang: str) -> NullTranslations:
    return catalogs.translations(language(lang))


def gettext(lang: str, message: str, **values) -> str:
    """A UI sentence in `lang` from the catalogs (the English message id when it has no entry)."""
    text = translations(lang).gettext(message)
    return text % values if values else text
