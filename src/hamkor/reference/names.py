"""Names a person reads for territories and partner groups, and the short form of long product names.

They sit here, below every domain package, because the statistics, the brief, the opportunities and
every page name territories the same way.
"""

from __future__ import annotations

from functools import lru_cache

from hamkor.i18n import pick
from hamkor.reference.countries import countries
from hamkor.reference.regions import regions

# Groups a partner can be: what the customs publications use.
GROUPS = {
    "CIS": ("AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "TM", "UZ"),
    "EAEU": ("AM", "BY", "KZ", "KG", "RU"),
    "EU": ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
           "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
}
WORLD = "WORLD"
GROUP_NAMES = {
    "CIS": {"ru": "СНГ", "uz": "MDH", "en": "CIS"},
    "EAEU": {"ru": "ЕАЭС", "uz": "YeOII", "en": "EAEU"},
    "EU": {"ru": "ЕС", "uz": "YeI", "en": "EU"},
    WORLD: {"ru": "Все страны", "uz": "Barcha mamlakatlar", "en": "World"},
}


def is_group(code: str) -> bool:
    return code.upper() in GROUP_NAMES


@lru_cache(maxsize=8192)  # the reference data do not change while a process runs; a page names hundreds
def territory_name(code: str, lang: str) -> str:
    """A country (UZ), a region (RU-ALT) or a group (CIS, WORLD) by its name in `lang`."""
    if is_group(code):
        return pick(GROUP_NAMES[code.upper()], lang)
    region = regions().get(code) if "-" in code else None
    if region:
        return region.name(lang)
    return countries().name(code.upper(), lang)


def short_name(name: str, limit: int = 70) -> str:
    """Nomenclature names run long; a reader wants the head of the name, cut where a reader would."""
    if len(name) <= limit:
        return name
    for separator in ("; ", " (", ", "):
        cut = name.find(separator)
        if 15 <= cut <= limit:
            return name[:cut] + "…"
    return name[: name.rfind(" ", 0, limit)] + "…"
