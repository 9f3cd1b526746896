"""The sectors a company can name, each in the three languages.

A company's sectors are stored as keys ("mining equipment"), so that a Russian and an Uzbek registration
of the same trade meet in one filter and matchmaking sees them as one; a person reads the name in their
language. A sector nobody listed here is kept as its author typed it and shown as typed.
"""

from __future__ import annotations

from hamkor.i18n import pick

SECTORS: dict[str, dict[str, str]] = {
    "agricultural machinery": {"ru": "сельхозмашиностроение", "uz": "qishloq xoʻjaligi mashinasozligi",
                               "en": "agricultural machinery"},
    "agriculture": {"ru": "сельское хозяйство", "uz": "qishloq xoʻjaligi", "en": "agriculture"},
    "building materials": {"ru": "строительные материалы", "uz": "qurilish materiallari", "en": "building materials"},
    "chemicals": {"ru": "химическая промышленность", "uz": "kimyo sanoati", "en": "chemicals"},
    "construction": {"ru": "строительство", "uz": "qurilish", "en": "construction"},
    "cotton": {"ru": "хлопок", "uz": "paxtachilik", "en": "cotton"},
    "dairy": {"ru": "молочная промышленность", "uz": "sut sanoati", "en": "dairy"},
    "education": {"ru": "образование", "uz": "taʼlim", "en": "education"},
    "energy": {"ru": "энергетика", "uz": "energetika", "en": "energy"},
    "food": {"ru": "пищевая промышленность", "uz": "oziq-ovqat sanoati", "en": "food"},
    "fruit and vegetables": {"ru": "плодоовощная продукция", "uz": "meva-sabzavotchilik", "en": "fruit and vegetables"},
    "logistics": {"ru": "логистика", "uz": "logistika", "en": "logistics"},
    "machinery": {"ru": "машиностроение", "uz": "mashinasozlik", "en": "machinery"},
    "metallurgy": {"ru": "металлургия", "uz": "metallurgiya", "en": "metallurgy"},
    "mining": {"ru": "горнодобывающая промышленность", "uz": "kon sanoati", "en": "mining"},
    "mining equipment": {"ru": "горно-шахтное оборудование", "uz": "kon uskunalari", "en": "mining equipment"},
    "pharmaceuticals": {"ru": "фармацевтика", "uz": "farmatsevtika", "en": "pharmaceuticals"},
    "railway": {"ru": "железнодорожное машиностроение", "uz": "temir yoʻl mashinasozligi", "en": "railway"},
    "textiles": {"ru": "текстильная промышленность", "uz": "toʻqimachilik sanoati", "en": "textiles"},
    "timber": {"ru": "лесная и деревообрабатывающая промышленность", "uz": "yogʻochsozlik", "en": "timber"},
    "tourism": {"ru": "туризм", "uz": "turizm", "en": "tourism"},
    "tyres": {"ru": "шинная промышленность", "uz": "shina sanoati", "en": "tyres"},
}
_BY_NAME = {name.casefold(): key for key, names in SECTORS.items() for name in (key, *names.values())}


def sector_name(sector: str, lang: str) -> str:
    """A sector in `lang` (by the one fallback rule); a sector not listed, as typed."""
    names = SECTORS.get(sector)
    return pick(names, lang) if names else sector


def sector_key(text: str) -> str:
    """The key of a sector typed by its name in any language ("машиностроение" -> "machinery"); else the text."""
    text = " ".join(text.split())
    return _BY_NAME.get(text.casefold(), text)
