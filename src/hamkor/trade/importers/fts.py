"""Russian customs (FTS) open data: the regional file (DATTSVT) and the national one."""

from __future__ import annotations

from hamkor.reference.countries import countries
from hamkor.reference.regions import regions
from hamkor.trade.facts import reject
from hamkor.trade.importers.base import (
    NON_NEGATIVE,
    OPTIONAL_NUMBER,
    DelimitedImporter,
    Field,
    ImportOptions,
    Lookup,
    Rule,
    TextSource,
    lookup_value,
    sql_str,
)

FLOW_CODES = {"ЭК": "export", "ИМ": "import", "EK": "export", "IM": "import",
              "ЭКСПОРТ": "export", "ИМПОРТ": "import"}
FLOW = Rule("flow must be ЭК (export) or ИМ (import)", allowed=frozenset(FLOW_CODES), prep="upper",
            via_lookup="flow_code")
PERIOD = Rule("period must be MM/YYYY", pattern=r"(0?[1-9]|1[0-2])/(19|20)[0-9][0-9]")
# Ten digits; a code that lost its leading zero in a spreadsheet (nine digits) is restored.
# X's: FTS hides confidential goods that way, and they stay as their own bucket.
TNVED = Rule("TN VED code must have 10 digits (or XXXXXXXXXX for confidential)",
             pattern=r"[0-9]{9,10}|X{10}", prep="upper")


def partner_rule() -> Rule:
    return Rule("unknown country code (ISO 3166-1 alpha-2 expected)",
                allowed=frozenset(countries().alpha2_codes()), prep="upper", via_lookup="partner_code")


def tnved_edition_sql(year: str) -> str:
    return (f"CASE WHEN {year} >= 2022 THEN 'TNVED2022' WHEN {year} >= 2017 THEN 'TNVED2017' "
            f"WHEN {year} >= 2012 THEN 'TNVED2012' ELSE 'TNVED2007' END")


class FtsNationalImporter(DelimitedImporter):
    kind = "fts-national"
    partner_key = "strana"

    fields = (
        Field("napr", ("napr",), FLOW),
        Field("period", ("period",), PERIOD),
        Field("strana", ("strana", "nastranapr"), None),
        Field("tnved", ("tnved",), TNVED),
        Field("edizm", ("edizm",), None, required=False),
        Field("stoim", ("stoim",), NON_NEGATIVE),
        Field("netto", ("netto",), OPTIONAL_NUMBER, required=False),
        Field("kol", ("kol",), OPTIONAL_NUMBER, required=False),
    )

    def rules(self, options: ImportOptions, source: TextSource) -> dict[str, Rule]:
        rules = super().rules(options, source)
        rules[self.partner_key] = partner_rule()
        return rules

    def open_source(self, path, progress, encoding=None):
        source = super().open_source(path, progress, encoding)
        if self.kind == "fts-national" and any(h.lower() == "region" for h in source.header):
            source.cleanup()
            raise reject(path, "this is an FTS regional file (it has a Region column): "
                         "import it with `hamkor import fts-regional`", line=1)
        return source

    def lookups(self, source: TextSource, options: ImportOptions):
        codes = {code: code for code in countries().alpha2_codes()}
        return {"partner_code": Lookup(self.partner_key, "upper", codes),
                "flow_code": Lookup("napr", "upper", FLOW_CODES)}

    def reporter_sql(self, source: TextSource, options: ImportOptions) -> str:
        return sql_str(options.reporter or "RU")

    def fact_sql(self, source: TextSource, options: ImportOptions) -> dict[str, str]:
        period = f"trim({self.col(source, 'period')})"
        year = f"CAST(split_part({period}, '/', 2) AS SMALLINT)"
        factor = self.value_factor(options)
        optional = {key: self.number(source, key) for key in ("netto", "kol")}
        unit = (f"NULLIF(trim({self.col(source, 'edizm')}), '')" if "edizm" in source.columns
                else "NULL")
        return {
            "reporter": self.reporter_sql(source, options),
            "partner": lookup_value("partner_code"),
            "flow": lookup_value("flow_code"),
            "year": year,
            "month": f"CAST(split_part({period}, '/', 1) AS TINYINT)",
            "commodity_code": f"lpad(upper(trim({self.col(source, 'tnved')})), 10, '0')",
            "nomenclature": sql_str(options.nomenclature) if options.nomenclature
            else tnved_edition_sql(year),
            "value_usd": f"{self.number(source, 'stoim')} * {factor!r}",
            "net_kg": optional["netto"],
            "qty": optional["kol"],
            "qty_unit": unit,
        }


class FtsRegionalImporter(FtsNationalImporter):
    kind = "fts-regional"
    partner_key = "nastranapr"

    fields = (
        Field("napr", ("napr",), FLOW),
        Field("period", ("period",), PERIOD),
        Field("nastranapr", ("nastranapr", "strana"), None),
        Field("tnved", ("tnved",), TNVED),
        Field("edizm", ("edizm",), None, required=False),
        Field("stoim", ("stoim",), NON_NEGATIVE),
        Field("netto", ("netto",), OPTIONAL_NUMBER, required=False),
        Field("kol", ("kol",), OPTIONAL_NUMBER, required=False),
        Field("region", ("region",), None),
        Field("region_s", ("region_s",), None, required=False),
    )

    def rules(self, options: ImportOptions, source: TextSource) -> dict[str, Rule]:
        rules = super().rules(options, source)
        rules["region"] = Rule("unknown FTS region code (5 digits, e.g. 01000 - Алтайский край)",
                               allowed=frozenset(regions().fts_codes()), prep="first5",
                               via_lookup="region_code")
        return rules

    def lookups(self, source: TextSource, options: ImportOptions):
        return {**super().lookups(source, options),
                "region_code": Lookup("region", "first5", regions().fts_codes())}

    def reporter_sql(self, source: TextSource, options: ImportOptions) -> str:
        return sql_str(options.reporter) if options.reporter else lookup_value("region_code")
