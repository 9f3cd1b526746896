"""stat.uz: Uzbekistan's exports or imports by partner country, one column per year."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from hamkor.files import FileRefused, names_excerpt, table_lines, text_encoding
from hamkor.i18n import Msg
from hamkor.reference.countries import UNALLOCATED, countries
from hamkor.trade.facts import ALL_GOODS, ErrorReport, reject
from hamkor.trade.importers.base import ImportOptions, RowsImporter, parse_number, too_many_figures

# The SIAT export does not say which way the goods went; its table numbers do.
FLOW_BY_TABLE = {"1105": "export", "1176": "import"}
YEAR = re.compile(r"(19|20)[0-9][0-9]")
MISSING = {"", "-", "–", "—", "..", "x", "X"}


class UzstatImporter(RowsImporter):
    kind = "uzstat"

    def flow(self, path: Path, options: ImportOptions) -> str:
        if options.flow:
            if options.flow not in ("export", "import"):
                raise reject(path, Msg("flow must be export or import, not '%(flow)s'", flow=options.flow))
            return options.flow
        for table, flow in FLOW_BY_TABLE.items():
            if table in path.name:
                return flow
        raise reject(path, "the file does not say whether it holds exports or imports: "
                     "give --flow export or --flow import")

    def parse(self, path: Path, options: ImportOptions, report: ErrorReport):
        flow = self.flow(path, options)
        # Read line by line within the limits: a file of one 100 MB line is refused after its first megabyte.
        with open(path, encoding=text_encoding(path), newline="") as handle:
            rows = csv.reader(table_lines(handle))
            try:
                return self._read(path, rows, flow, options, report)
            except FileRefused as refused:
                raise reject(path, refused.reason, line=refused.row) from None
            except csv.Error:  # a field longer than the csv module takes, or a NUL
                raise reject(path, "cannot be read as a line of a table: an unmatched quote, or a field far too "
                                   "long", line=rows.line_num) from None

    def _read(self, path: Path, rows, flow: str, options: ImportOptions, report: ErrorReport):
        factor = self.value_factor(options)
        reporter = options.reporter or "UZ"
        header = [h.strip() for h in next(rows, [])]
        if "Code" not in header:
            raise reject(path, Msg("this is not a %(title)s table: no Code column (found: %(header)s)",
                                   title=self.title, header=names_excerpt(header, 8)), line=1)
        years = {i: int(h) for i, h in enumerate(header) if YEAR.fullmatch(h)}
        if not years:
            raise reject(path, "no year columns (2010, 2011, ...) in the header", line=1)
        code_at = header.index("Code")
        facts, read, skipped = [], 0, 0
        for line_no, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue
            read += 1
            if len(values) != len(header):
                report.add(line_no, None, ",".join(values[:20])[:60],
                           Msg("expected %(header)s columns, found %(values)s", header=len(header), values=len(values)))
                continue
            code = values[code_at].strip()
            if code.lstrip("0") == "":
                partner = UNALLOCATED  # "Other countries": not allocated, still in the total
            else:
                country = countries().get(code) if code.isdigit() else None
                if country is None:
                    report.add(line_no, "Code", code, "unknown ISO 3166 numeric country code")
                    continue
                partner = country.alpha2
            for index, year in years.items():
                cell = values[index].strip()
                if cell in MISSING:
                    skipped += 1
                    continue
                number = parse_number(cell)
                if number is None or number < 0:
                    report.add(line_no, header[index], cell, "not a non-negative number")
                    continue
                if number == 0:
                    skipped += 1
                    continue
                if len(facts) >= self.max_figures:
                    raise reject(path, too_many_figures(self.max_figures))
                facts.append({"reporter": reporter, "partner": partner, "flow": flow, "year": year,
                              "month": None, "commodity_code": ALL_GOODS, "nomenclature": ALL_GOODS,
                              "value_usd": number * factor})
        return facts, read, skipped
