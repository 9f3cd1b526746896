"""The canonical trade fact (DESIGN.md) and the problems an import can report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hamkor.files import excerpt
from hamkor.i18n import gettext, place_in_file

FACT_COLUMNS: list[tuple[str, str]] = [
    ("source", "VARCHAR NOT NULL"),
    ("batch_id", "INTEGER NOT NULL"),
    ("reporter", "VARCHAR NOT NULL"),  # ISO 3166-1 alpha-2 country or ISO 3166-2 region
    ("partner", "VARCHAR NOT NULL"),  # alpha-2; XX = not allocated by country
    ("flow", "VARCHAR NOT NULL"),  # export | import
    ("year", "SMALLINT NOT NULL"),
    ("month", "TINYINT"),  # NULL = annual figure
    ("commodity_code", "VARCHAR NOT NULL"),  # TOTAL = all goods; X's = confidential
    ("nomenclature", "VARCHAR NOT NULL"),  # TNVED2022, HS2017, HS1992, TOTAL ...
    ("value_usd", "DOUBLE NOT NULL"),
    ("net_kg", "DOUBLE"),
    ("qty", "DOUBLE"),
    ("qty_unit", "VARCHAR"),
]
FACT_NAMES = [name for name, _ in FACT_COLUMNS]
ALL_GOODS = "TOTAL"
SYNTHETIC_SOURCE = "demo-synthetic"
# The synthetic world matrix of the demo: synthetic too, and a world matrix (see WORLD_SOURCES).
WORLD_SYNTHETIC_SOURCE = "demo-synthetic-world"
SYNTHETIC_SQL = "starts_with(source, 'demo-synthetic')"
# Sources that hold every country's trade with every other (BACI-like): the opportunities read
# them; the trade monitor falls back on them only when a reporter has nothing of its own.
WORLD_SOURCES = ("baci", WORLD_SYNTHETIC_SOURCE)


# What each source is called where a person reads it (English message ids of the catalogs); an unknown
# source (a label given on import) shows as its label.
SOURCE_TITLES = {
    "fts-regional": "FTS regional customs statistics", "fts-national": "FTS national customs statistics",
    "fts-partners": "FTS trade with main partners", "comtrade": "UN Comtrade", "baci": "CEPII BACI world matrix",
    "uzstat": "Uzbekistan statistics agency", SYNTHETIC_SOURCE: "synthetic demo data",
    WORLD_SYNTHETIC_SOURCE: "synthetic demo world matrix",
}


def is_synthetic(source: str | None) -> bool:
    return bool(source) and source.startswith(SYNTHETIC_SOURCE)


def source_title(source: str) -> str:
    return SOURCE_TITLES.get(source, source)


# A report keeps the first problems, each value cut to an excerpt, and counts the rest: a file with a million
# bad lines, or one 100 MB line, gets a report of a few kilobytes wherever it is kept or shown.
MAX_REPORTED_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def describe(self, file_name: str, lang: str = "en") -> str:
        """"file, line 3, column Value: '12,5x': not a number", in `lang`."""
        places = ([gettext(lang, "line %(line)s", line=self.line)] if self.line else []) + \
                 ([gettext(lang, "column %(column)s", column=self.column)] if self.column else [])
        return place_in_file(file_name, places, self.value, self.reason, lang)


@dataclass
class ErrorReport:
    file: Path
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    shown_name: str | None = None  # the name its reader knows the file by (an upload's own, not its temp file)

    def add(self, line: int | None, column: str | None, value: str | None, reason: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(line, None if column is None else excerpt(column, 80),
                                         None if value is None else excerpt(value), reason))

    def __bool__(self) -> bool:
        return self.count > 0

    def lines(self, lang: str = "en") -> list[str]:
        shown = [p.describe(self.shown_name or self.file.name, lang) for p in self.problems]
        if self.count > len(self.problems):
            shown.append(gettext(lang, "… and %(count)s more problems", count=self.count - len(self.problems)))
        return shown

    def summary(self) -> str:
        return "\n".join(self.lines())


class ImportRejected(Exception):
    """The file cannot be imported; the report says where and why."""

    def __init__(self, report: ErrorReport) -> None:
        super().__init__(report.summary())
        self.report = report


def reject(path: Path, reason: str, line: int | None = None, column: str | None = None,
           value: str | None = None) -> ImportRejected:
    report = ErrorReport(path)
    report.add(line, column, value, reason)
    return ImportRejected(report)
