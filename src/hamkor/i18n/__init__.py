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

import re
from collections.abc import Mapping
from typing import TypeVar

from babel import Locale
from babel.support import NullTranslations

from hamkor.i18n import catalogs
from hamkor.i18n.fields import FIELD_LABELS
from hamkor.i18n.numbers import locale_of

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


def uzbek_apostrophes(text: str) -> str:
    """One apostrophe each, as Uzbek Latin writes them: ʻ (U+02BB) in oʻ and gʻ, ʼ (U+02BC) for the tutuq
    belgisi — not the ASCII ' or the typographic ‘ ’ that sources (CLDR, users) mix in."""
    text = re.sub(r"(?<=[oOgG])['‘’`ʼ]", "ʻ", text)
    return re.sub(r"(?<=\w)['‘’`](?=\w)", "ʼ", text)


def language_name(code: str, lang: str) -> str:
    """A language named in the reader's language ("uz" -> "узбекский" for a Russian reader)."""
    name = Locale.parse(locale_of(lang)).languages.get(code, code)
    return uzbek_apostrophes(name) if lang == "uz" else name


def translations(lang: str) -> NullTranslations:
    return catalogs.translations(language(lang))


def gettext(lang: str, message: str, **values) -> str:
    """A UI sentence in `lang` from the catalogs (the English message id when it has no entry)."""
    text = translations(lang).gettext(message)
    return text % values if values else text


class Msg(str):
    """A sentence for a person that remembers its message id and values.

    Domain code raises its reasons as `Msg("no participant %(id)s in this mission", id=7)`: read as a
    plain string it is the English sentence (logs, the CLI, tests), and an interface says it in its
    reader's language with `localize`. Values that are themselves `Msg` are translated too.
    """

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> Msg:
        # A list value (the choices a field takes) reads as its items joined; each item is translated alone.
        flat = {name: ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
                for name, value in values.items()}
        text = super().__new__(cls, template % flat if values else template)
        text.template, text.values = template, values
        return text

    @classmethod
    def coded(cls, code: str, message_id: str) -> Msg:
        """A code that reads as itself in English text and as its catalog name on a page ("micro", "size: micro")."""
        text = super().__new__(cls, code)
        text.template, text.values = message_id, {}
        return text

    def __reduce__(self):  # a Msg crossing a process boundary stays one
        return _rebuild_msg, (self.template, self.values)


def _rebuild_msg(template: str, values: dict) -> Msg:
    return Msg(template, **values)


def localize(text, lang: str) -> str:
    """`text` in `lang`: a `Msg` through the catalogs with its values, any other string as a message id."""
    if isinstance(text, Msg):
        # A value may be a sentence or a word of the catalogs ("pending"); names and numbers pass unchanged.
        # A value that knows how to say itself (a zone: 'Барнаул, UTC+7') is said in the reader's language.
        values = {name: value.localized(lang) if hasattr(value, "localized")
                  else localize(value, lang) if isinstance(value, str)
                  else ", ".join(localize(item, lang) for item in value) if isinstance(value, (list, tuple))
                  else value for name, value in text.values.items()}
        return gettext(lang, text.template, **values)
    return gettext(lang, text) if isinstance(text, str) and text else text


MAX_REASON_CHARS = 500


def place_in_file(file_name: str, places: list[str], value: str | None, reason: str, lang: str) -> str:
    """"file, line 3, column Value: '12,5x': not a number" in `lang`; places are already said in it."""
    shown = "" if not value else f" {value[:60]!r}:" if lang == "en" else f" «{value[:60]}»:"
    reason = localize(reason, lang)
    if len(reason) > MAX_REASON_CHARS:  # a reason quoting what a user wrote (a whole cell) is cut short
        reason = reason[:MAX_REASON_CHARS - 1] + "…"
    return f"{', '.join([file_name, *places])}:{shown} {reason}"


def field_label(name: str, lang: str) -> str:
    """What a form calls a record's field (`tax_id` -> "ИНН / STIR"); the name itself when unknown."""
    return gettext(lang, FIELD_LABELS.get(name, name))


def problem_text(problem, lang: str) -> str:
    """A `hamkor.errors.Problem` for a reader: its title, else each reason after its field's label."""
    if problem.title:
        return localize(problem.title, lang)
    default = getattr(problem, "default_field", None)
    return "; ".join(localize(reason, lang) if name == default
                     else f"{field_label(name, lang)}: {localize(reason, lang)}"
                     for name, reason in problem.problems)
