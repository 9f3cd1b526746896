"""The trade file formats hamkor reads: what each is called, what its header looks like and the unit its
values are in — without the code that reads it. Kept apart from the importers so that listing the formats
(`hamkor import --help`, the CLI's start-up) loads no parser, DuckDB or Arrow."""

from __future__ import annotations

from dataclasses import dataclass

# What a file's values may be counted in, and the factor to USD.
VALUE_UNITS = {"usd": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}


@dataclass(frozen=True)
class FileFormat:
    kind: str  # the CLI's and the API's name for it
    title: str
    file_hint: str
    default_value_unit: str = "usd"


FILE_FORMATS: dict[str, FileFormat] = {
    f.kind: f
    for f in (
        FileFormat("fts-regional", "FTS regional open-data (DATTSVT)",
                   "napr, period, nastranapr, tnved, edizm, Stoim, Netto, Kol, Region, Region_s"),
        FileFormat("fts-national", "FTS national open-data", "NAPR, PERIOD, STRANA, TNVED, EDIZM, STOIM, NETTO, KOL"),
        FileFormat("comtrade", "UN Comtrade",
                   "refYear/period, reporterCode, partnerCode, flowCode, cmdCode, primaryValue ..."),
        FileFormat("baci", "CEPII BACI", "t,i,j,k,v,q (+ country_codes_V*.csv beside it)", "thousand"),
        FileFormat("uzstat", "stat.uz trade by partner",
                   "Code, Klassifikator, Klassifikator_ru, Klassifikator_en, 2010, 2011, ...", "thousand"),
        FileFormat("fts-partners", "FTS trade-with-main-partners workbook",
                   "XLSX with sheets Экспорт / Импорт: a partner per column, a month per row", "million"),
    )
}
