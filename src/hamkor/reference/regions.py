"""Sub-national regions: Russia's federal subjects (with FTS codes) and Uzbekistan's regions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from hamkor.i18n import pick
from hamkor.reference._files import read_table


@dataclass(frozen=True)
class Region:
    iso: str  # ISO 3166-2, e.g. RU-ALT
    country: str
    fts_code: str | None  # 5-digit code of FTS regional files, e.g. 01000
    soato: str | None
    names: dict[str, str] = field(hash=False, compare=False)
    district: dict[str, str] = field(hash=False, compare=False)

    def name(self, lang: str = "ru") -> str:
        return pick(self.names, lang, self.iso)


class Regions:
    def __init__(self) -> None:
        self._by_iso: dict[str, Region] = {}
        self._by_fts: dict[str, Region] = {}
        for row in read_table("regions.tsv"):
            region = Region(
                row["iso"], row["country"], row["fts_code"] or None, row["soato"] or None,
                {k: row[f"name_{k}"] for k in ("ru", "en", "uz") if row[f"name_{k}"]},
                {k: row[f"district_{k}"] for k in ("ru", "en") if row[f"district_{k}"]},
            )
            self._by_iso[region.iso] = region
            if region.fts_code:
                self._by_fts[region.fts_code] = region

    def __iter__(self):
        return iter(self._by_iso.values())

    def get(self, iso: str) -> Region | None:
        return self._by_iso.get(iso.strip().upper())

    def by_fts_code(self, code: str) -> Region | None:
        """'01000', or the whole FTS cell '01000 - АЛТАЙСКИЙ КРАЙ'."""
        return self._by_fts.get(code.strip()[:5])

    def fts_codes(self) -> dict[str, str]:
        return {code: region.iso for code, region in self._by_fts.items()}

    def of_country(self, alpha2: str) -> list[Region]:
        return [r for r in self._by_iso.values() if r.country == alpha2]


@cache
def regions() -> Regions:
    return Regions()
