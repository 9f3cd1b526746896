"""Countries: ISO 3166-1 codes and names in Russian, Uzbek (Latin) and English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from hamkor.i18n import pick, uzbek_apostrophes
from hamkor.reference._files import read_table

# Buckets that are not countries but must stay in the totals.
UNALLOCATED = "XX"  # partner not stated / "other countries" in a publication

# Russian customs publications write some partners their own way (and with Latin letters
# that look Cyrillic); these are the spellings the FTS tables use.
FTS_ALIASES = {
    "сша": "US", "соединенные штаты": "US", "великобритания": "GB", "соединенное королевство": "GB",
    "республика корея": "KR", "корея, республика": "KR", "южная корея": "KR",
    "чешская республика": "CZ", "чехия": "CZ", "тайвань": "TW", "тайвань (китай)": "TW",
    "китай": "CN", "вьетнам": "VN", "нидерланды": "NL", "киргизия": "KG", "молдавия": "MD",
    "беларусь": "BY", "белоруссия": "BY", "оаэ": "AE", "объединенные арабские эмираты": "AE",
    "иран": "IR", "сирия": "SY", "лаос": "LA", "кндр": "KP", "македония": "MK",
    "северная македония": "MK", "словакия": "SK", "турция": "TR", "россия": "RU",
}
# Numeric codes withdrawn from ISO 3166-1 that older statistics still use, mapped to the
# successor that took over most of the territory (Netherlands Antilles -> Curaçao).
WITHDRAWN_NUMERIC = {"736": "SD", "530": "CW", "891": "RS", "890": "RS", "200": "CZ", "810": "RU",
                     "230": "ET", "720": "YE", "886": "YE", "278": "DE", "280": "DE"}
_HOMOGLYPHS = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")


def normalise_name(name: str) -> str:
    """Fold a country name for matching: Cyrillic look-alikes, case, whitespace, ё."""
    text = name.translate(_HOMOGLYPHS) if re.search("[а-яА-ЯёЁ]", name) else name
    text = text.replace("ё", "е").replace("Ё", "Е").replace("’", "'").replace("ʻ", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: str
    names: dict[str, str] = field(hash=False, compare=False)

    def name(self, lang: str = "ru") -> str:
        return pick(self.names, lang, self.alpha2)


class Countries:
    def __init__(self) -> None:
        self._by_alpha2: dict[str, Country] = {}
        self._by_alpha3: dict[str, Country] = {}
        self._by_numeric: dict[str, Country] = {}
        self._by_name: dict[str, str] = {}
        for row in read_table("countries.tsv.gz"):
            country = Country(
                row["alpha2"], row["alpha3"], row["numeric"],
                {"en": row["name_en"], "ru": row["name_ru"], "uz": uzbek_apostrophes(row["name_uz"]),
                 "uz_Cyrl": row["name_uz_cyrl"]},
            )
            self._by_alpha2[country.alpha2] = country
            self._by_alpha3[country.alpha3] = country
            self._by_numeric[country.numeric] = country
            for name in (row["name_en"], row["name_ru"], row["name_uz"], row["name_uz_cyrl"],
                         row["name_en_iso"], row["name_ru_iso"]):
                self._by_name.setdefault(normalise_name(name), country.alpha2)
        for row in read_table("uzstat_partner_names.tsv.gz"):
            country = self._by_numeric.get(row["numeric"])
            if country:
                self._by_name.setdefault(normalise_name(row["name"]), country.alpha2)
        for alias, alpha2 in FTS_ALIASES.items():
            self._by_name[normalise_name(alias)] = alpha2

    def __iter__(self):
        return iter(self._by_alpha2.values())

    def __len__(self) -> int:
        return len(self._by_alpha2)

    def get(self, code: str) -> Country | None:
        """By alpha-2, alpha-3 or numeric code."""
        code = code.strip().upper()
        if code.isdigit():
            code = code.zfill(3)
            found = self._by_numeric.get(code)
            if found is None and code in WITHDRAWN_NUMERIC:
                found = self._by_alpha2.get(WITHDRAWN_NUMERIC[code])
            return found
        return self._by_alpha2.get(code) if len(code) == 2 else self._by_alpha3.get(code)

    def is_known(self, alpha2: str) -> bool:
        return alpha2 in self._by_alpha2 or alpha2 == UNALLOCATED

    def alpha2_codes(self) -> list[str]:
        return [*self._by_alpha2, UNALLOCATED]

    def by_name(self, name: str) -> Country | None:
        alpha2 = self._by_name.get(normalise_name(name))
        return self._by_alpha2.get(alpha2) if alpha2 else None

    def name(self, alpha2: str, lang: str = "ru") -> str:
        if alpha2 == UNALLOCATED:
            return {"ru": "Не распределено по странам", "uz": "Mamlakatlar boʻyicha taqsimlanmagan",
                    "en": "Not allocated by country"}.get(lang, "Not allocated by country")
        country = self._by_alpha2.get(alpha2)
        return country.name(lang) if country else alpha2


@cache
def countries() -> Countries:
    return Countries()
