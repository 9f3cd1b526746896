"""UN Comtrade CSV, as its bulk download and its API return it."""

from __future__ import annotations

from hamkor.trade.importers._codes import WORLD, m49_to_alpha2
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

HS_EDITIONS = {"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007", "H4": "HS2012",
               "H5": "HS2017", "H6": "HS2022"}
KEPT_FLOWS = {"X": "export", "M": "import"}


def code_sql(column: str) -> str:
    # Spreadsheets turn "0101" into 101 and "004" into 4: compare codes without leading zeros.
    return f"ltrim(trim({column}), '0')"


class ComtradeImporter(DelimitedImporter):
    kind = "comtrade"
    delimiters = (",", "\t", ";")
    quoted = True

    fields = (
        Field("period", ("period", "refPeriodId", "Period"), Rule(
            "period must be YYYY or YYYYMM", pattern=r"(19|20)[0-9][0-9](0[1-9]|1[0-2])?")),
        Field("reporter", ("reporterCode", "Reporter Code"), None),
        Field("partner", ("partnerCode", "Partner Code"), None),
        Field("flow", ("flowCode", "Trade Flow Code"), Rule(
            "flow code must be letters such as X or M", pattern=r"[A-Z]{1,4}", prep="upper")),
        Field("cmd", ("cmdCode", "Commodity Code"), Rule(
            "commodity code must be TOTAL or up to 6 digits", pattern=r"TOTAL|[0-9]{1,6}",
            prep="upper")),
        Field("value", ("primaryValue", "Trade Value (US$)"), NON_NEGATIVE),
        Field("classification", ("classificationCode", "Classification"), None, required=False),
        Field("net", ("netWgt", "Netweight (kg)"), OPTIONAL_NUMBER, required=False),
        Field("qty", ("qty", "Qty"), OPTIONAL_NUMBER, required=False),
        Field("qty_unit", ("qtyUnitAbbr", "Qty Unit"), None, required=False),
        Field("partner2", ("partner2Code", "2nd Partner Code"), None, required=False),
        Field("customs", ("customsCode",), None, required=False),
        Field("mot", ("motCode",), None, required=False),
    )

    def rules(self, options: ImportOptions, source: TextSource) -> dict[str, Rule]:
        rules = super().rules(options, source)
        known = frozenset(m49_to_alpha2()) | {WORLD}
        reason = "unknown country code (UN M49 numeric expected)"
        # Rules compare the code without leading zeros (prep "trim" then ltrim in SQL/Python).
        rules["reporter"] = Rule(reason, allowed=known - {WORLD}, prep="m49", via_lookup="reporter_code")
        rules["partner"] = Rule(reason, allowed=known, prep="m49", via_lookup="partner_code")
        return rules

    def lookups(self, source: TextSource, options: ImportOptions):
        mapping = m49_to_alpha2()
        return {"reporter_code": Lookup("reporter", "m49", mapping), "partner_code": Lookup("partner", "m49", mapping)}

    def skip_sql(self, source: TextSource, options: ImportOptions) -> str:
        parts = [f"{code_sql(self.col(source, 'partner'))} IN ('', '0')",
                 f"upper(trim({self.col(source, 'flow')})) NOT IN ('X', 'M')"]
        for key, total in (("partner2", "0"), ("customs", "C00"), ("mot", "0")):
            if key in source.columns:
                col = f"trim({self.col(source, key)})"
                parts.append(f"NOT (coalesce({col}, '') IN ('', '{total}'))")
        return " OR ".join(parts)

    def skip_python(self, row: dict[str, str], options: ImportOptions) -> bool:
        if row["partner"].strip().lstrip("0") in ("", "0") or row["flow"].strip().upper() not in KEPT_FLOWS:
            return True
        for key, total in (("partner2", "0"), ("customs", "C00"), ("mot", "0")):
            if key in row and row[key].strip() not in ("", total):
                return True
        return False

    def fact_sql(self, source: TextSource, options: ImportOptions) -> dict[str, str]:
        period = f"trim({self.col(source, 'period')})"
        cmd = f"upper(trim({self.col(source, 'cmd')}))"
        if options.nomenclature:
            nomenclature = sql_str(options.nomenclature)
        elif "classification" in source.columns:
            editions = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in HS_EDITIONS.items())
            nomenclature = (f"CASE WHEN {cmd} = 'TOTAL' THEN 'TOTAL' ELSE CASE upper(trim("
                            f"{self.col(source, 'classification')})) {editions} ELSE 'HS' END END")
        else:
            nomenclature = f"CASE WHEN {cmd} = 'TOTAL' THEN 'TOTAL' ELSE 'HS' END"
        optional = {key: self.number(source, key) for key in ("net", "qty")}
        unit = (f"NULLIF(trim({self.col(source, 'qty_unit')}), '')" if "qty_unit" in source.columns
                else "NULL")
        return {
            "reporter": lookup_value("reporter_code"),
            "partner": lookup_value("partner_code"),
            "flow": f"CASE upper(trim({self.col(source, 'flow')})) WHEN 'X' THEN 'export' ELSE 'import' END",
            "year": f"CAST(left({period}, 4) AS SMALLINT)",
            "month": f"CAST(NULLIF(substr({period}, 5, 2), '') AS TINYINT)",
            # An odd length means a spreadsheet dropped the leading zero.
            "commodity_code": f"CASE WHEN {cmd} = 'TOTAL' THEN 'TOTAL' "
                              f"WHEN length({cmd}) % 2 = 1 THEN '0' || {cmd} ELSE {cmd} END",
            "nomenclature": nomenclature,
            "value_usd": f"{self.number(source, 'value')} * {self.value_factor(options)!r}",
            "net_kg": optional["net"],
            "qty": optional["qty"],
            "qty_unit": unit,
        }
