"""CEPII BACI: bilateral flows t,i,j,k,v,q (v in thousand USD, q in tonnes)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from hamkor.files import TABLE, FileRefused, table_lines
from hamkor.reference.countries import countries
from hamkor.trade.facts import reject
from hamkor.trade.importers._codes import m49_to_alpha2
from hamkor.trade.importers.base import (
    NON_NEGATIVE,
    DelimitedImporter,
    Field,
    ImportOptions,
    Lookup,
    Rule,
    TextSource,
    lookup_value,
    sql_str,
)

EDITION_IN_NAME = re.compile(r"HS(92|96|02|07|12|17|22)", re.IGNORECASE)
YEARS = frozenset(str(year) for year in range(1900, 2100))
EDITIONS = {"92": "HS1992", "96": "HS1996", "02": "HS2002", "07": "HS2007", "12": "HS2012",
            "17": "HS2017", "22": "HS2022"}


def baci_country_codes(path: Path) -> dict[str, str]:
    """BACI's country_codes file: numeric code -> alpha-2 (via its ISO columns)."""
    mapping: dict[str, str] = {}
    # Read line by line within the limits (a file of one 100 MB line is refused after its first megabyte);
    # the file lists some 250 countries.
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(table_lines(handle))
        try:
            for number, row in enumerate(rows, start=2):
                if number > TABLE.rows:
                    raise reject(path, "not a BACI country code file (country_code, country_iso2/3 expected)",
                                 line=number)
                _add_country(mapping, row)
        except FileRefused as refused:
            raise reject(path, refused.reason, line=refused.row) from None
        except (csv.Error, UnicodeDecodeError):
            raise reject(path, "not a BACI country code file (country_code, country_iso2/3 expected)",
                         line=rows.line_num) from None
    if not mapping:
        raise reject(path, "not a BACI country code file (country_code, country_iso2/3 expected)")
    return mapping


def _add_country(mapping: dict[str, str], row: dict) -> None:
    lowered = {k.lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items() if isinstance(k, str)}
    code = lowered.get("country_code", "").lstrip("0") or "0"
    iso2 = lowered.get("country_iso2") or lowered.get("iso_2digit_alpha") or ""
    iso3 = lowered.get("country_iso3") or lowered.get("iso_3digit_alpha") or ""
    country = countries().get(iso2) if len(iso2) == 2 else None
    country = country or (countries().get(iso3) if len(iso3) == 3 else None)
    if country:
        mapping[code] = country.alpha2


class BaciImporter(DelimitedImporter):
    kind = "baci"
    delimiters = (",", "\t", ";")
    quoted = True

    fields = (
        # A year is looked up among 1900-2099 (the same check as the pattern (19|20)[0-9][0-9], cheaper per row).
        Field("t", ("t",), Rule("year must have 4 digits", allowed=YEARS, via_lookup="year")),
        Field("i", ("i",), None),
        Field("j", ("j",), None),
        Field("k", ("k",), Rule("product code must have up to 6 digits", pattern=r"[0-9]{1,6}")),
        Field("v", ("v",), NON_NEGATIVE),
        Field("q", ("q",), Rule("not a number", numeric="any", prep="number", required=False,
                                missing=frozenset({"NA"})), required=False),
    )

    def country_map(self, options: ImportOptions, path: Path | None) -> dict[str, str]:
        mapping = m49_to_alpha2()
        codes_file = options.codes_file
        if codes_file is None and path is not None:
            beside = sorted(path.parent.glob("country_codes*.csv"))
            codes_file = beside[-1] if beside else None
        if codes_file is not None:
            mapping.update(baci_country_codes(Path(codes_file)))
        return mapping

    def rules(self, options: ImportOptions, source: TextSource) -> dict[str, Rule]:
        rules = super().rules(options, source)
        known = frozenset(self.country_map(options, source.original))
        reason = "unknown country code (not in BACI's country code file)"
        rules["i"] = Rule(reason, allowed=known, prep="m49", via_lookup="exporter")
        rules["j"] = Rule(reason, allowed=known, prep="m49", via_lookup="importer")
        return rules

    def lookups(self, source: TextSource, options: ImportOptions):
        mapping = self.country_map(options, source.original)
        return {"exporter": Lookup("i", "m49", mapping), "importer": Lookup("j", "m49", mapping),
                "year": Lookup("t", "trim", {year: year for year in YEARS})}

    def fact_sql(self, source: TextSource, options: ImportOptions) -> dict[str, str]:
        if options.nomenclature:
            edition = options.nomenclature
        else:
            found = EDITION_IN_NAME.search(source.original.name)
            edition = EDITIONS[found.group(1)] if found else "HS"
        q = "q" in source.columns
        tonnes = self.number(source, "q")
        return {
            "reporter": lookup_value("exporter"),
            "partner": lookup_value("importer"),
            "flow": "'export'",
            "year": f"CAST({lookup_value('year')} AS SMALLINT)",
            "month": "CAST(NULL AS TINYINT)",
            "commodity_code": f"lpad(trim({self.col(source, 'k')}), 6, '0')",
            "nomenclature": sql_str(edition),
            "value_usd": f"{self.number(source, 'v')} * {self.value_factor(options)!r}",
            "net_kg": f"{tonnes} * 1000.0",
            "qty": tonnes,
            "qty_unit": "'t'" if q else "NULL",
        }
