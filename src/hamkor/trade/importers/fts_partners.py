"""FTS workbook of Russia's monthly trade with its main partners (like 96stran.xlsx)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

from hamkor.files import FileRefused, looks_like_xlsx, names_excerpt, open_xlsx, sheet_rows
from hamkor.i18n import Msg
from hamkor.reference.countries import countries
from hamkor.trade.facts import ALL_GOODS, ErrorReport, reject
from hamkor.trade.importers.base import ImportOptions, RowsImporter, too_many_figures

MONTHS = {name: i for i, name in enumerate(
    ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
     "октябрь", "ноябрь", "декабрь"], start=1)}
SHEET_FLOWS = {"экспорт": "export", "импорт": "import"}
UNIT_WORDS = {"млрд": "billion", "млн": "million", "тыс": "thousand"}


class FtsPartnersImporter(RowsImporter):
    kind = "fts-partners"

    def parse(self, path: Path, options: ImportOptions, report: ErrorReport):
        if not looks_like_xlsx(path):
            raise reject(path, "not an XLSX workbook: its content is not one, whatever its name (save it from "
                               "Excel as .xlsx)")
        try:
            with open_xlsx(path) as workbook:
                return self._read(path, workbook, options, report)
        except FileRefused as refused:  # past a limit: said as such, with the sheet and row when known
            raise reject(path, refused.reason, line=refused.row, column=refused.column) from None
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
            raise reject(path, "not an XLSX workbook: the archive is damaged or holds no sheets") from None

    def _read(self, path: Path, workbook, options: ImportOptions, report: ErrorReport):
        sheets = [(ws, SHEET_FLOWS[ws.title.strip().lower()]) for ws in workbook.worksheets
                  if ws.title.strip().lower() in SHEET_FLOWS]
        if not sheets:
            raise reject(path, Msg("no sheet named Экспорт or Импорт: this is not an FTS partners workbook "
                                   "(sheets: %(sheetnames)s)",
                                   sheetnames=names_excerpt(workbook.sheetnames)))
        reporter = options.reporter or "RU"
        facts, read, skipped = [], 0, 0
        for sheet, flow in sheets:
            rows = list(sheet_rows(sheet))
            factor = self.value_factor(self._unit_options(rows, options))
            header_at = self._header_row(rows)
            if header_at is None:
                report.add(None, sheet.title, None, "no row of partner names found")
                continue
            partners: dict[int, str] = {}
            for index, name in enumerate(rows[header_at]):
                if index == 0 or name is None or not str(name).strip():
                    continue
                country = countries().by_name(str(name))
                if country is None:
                    report.add(header_at + 1, Msg("%(title)s!%(number)s",
                                                  title=sheet.title, number=get_column_letter(index + 1)),
                               str(name), "unknown partner name")
                    continue
                partners[index] = country.alpha2
            year = None
            for row_no, row in enumerate(rows[header_at + 1:], start=header_at + 2):
                label = row[0] if row else None
                if isinstance(label, (int, float)) and 1900 < label < 2100:
                    year = int(label)
                    continue
                if isinstance(label, str) and re.fullmatch(r"\s*(19|20)\d\d\s*(г\.?)?\s*", label):
                    year = int(label.strip()[:4])
                    continue
                month = MONTHS.get(str(label).strip().lower()) if label is not None else None
                if month is None:
                    continue  # notes, totals and blank rows carry no monthly figures
                if year is None:
                    report.add(row_no, Msg("%(title)s!A", title=sheet.title), str(label), "a month before any year row")
                    continue
                read += 1
                for index, partner in partners.items():
                    cell = row[index] if index < len(row) else None
                    # "…" is how the publication marks a figure it does not release.
                    if cell is None or (isinstance(cell, str) and cell.strip() in ("", "-", "–", "…", "...")):
                        skipped += 1
                        continue
                    if not isinstance(cell, (int, float)) or cell < 0:
                        report.add(row_no, Msg("%(title)s!%(number)s",
                                               title=sheet.title, number=get_column_letter(index + 1)),
                                   str(cell), "not a non-negative number")
                        continue
                    if len(facts) >= self.max_figures:
                        raise reject(path, too_many_figures(self.max_figures))
                    facts.append({"reporter": reporter, "partner": partner, "flow": flow,
                                  "year": year, "month": month, "commodity_code": ALL_GOODS,
                                  "nomenclature": ALL_GOODS, "value_usd": float(cell) * factor})
        return facts, read, skipped

    @staticmethod
    def _header_row(rows: list[tuple]) -> int | None:
        for at, row in enumerate(rows[:30]):
            names = [c for c in row[1:] if isinstance(c, str) and c.strip()]
            if len(names) >= 2 and sum(countries().by_name(n) is not None for n in names) >= 2:
                return at
        return None

    @staticmethod
    def _unit_options(rows: list[tuple], options: ImportOptions) -> ImportOptions:
        """The unit the sheet states in its title rows, unless the user said otherwise."""
        if options.value_unit:
            return options
        for row in rows[:6]:
            for cell in row:
                if isinstance(cell, str) and "доллар" in cell.lower():
                    for word, unit in UNIT_WORDS.items():
                        if word in cell.lower():
                            return ImportOptions(**{**options.__dict__, "value_unit": unit})
        return options
