"""Companies in and out of spreadsheets: CSV or XLSX with a column mapping, a validation report,
duplicates found by tax ID and by fuzzy name; all rows or none."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from rapidfuzz import fuzz, process

from hamkor.companies.registry import CompanyData, Contact, Registry, company_name, validate
from hamkor.files import (
    TABLE,
    FileRefused,
    TableLimits,
    excerpt,
    looks_like_xlsx,
    names_excerpt,
    open_xlsx,
    past_last_column,
    past_last_row,
    sheet_rows,
    table_lines,
    text_encoding,
    too_many_cells,
)
from hamkor.i18n import Msg, gettext, place_in_file
from hamkor.render.sheets import append_row, csv_row
from hamkor.store.models import Company

FIELDS = ("name_ru", "name_uz", "name_en", "tax_id", "country", "region", "city", "sectors", "size", "website",
          "languages", "export_experience", "offers", "offers_text", "needs", "needs_text", "contact_name",
          "contact_role", "contact_phone", "contact_email")
LIST_FIELDS = {"sectors", "languages", "offers", "needs"}
# Headers people write, lower-cased, in the three languages -> field.
ALIASES = {
    "name_ru": ["name_ru", "наименование", "название", "наименование (ru)", "компания", "организация"],
    "name_uz": ["name_uz", "nomi", "korxona nomi", "kompaniya nomi", "наименование (uz)"],
    "name_en": ["name_en", "name", "company", "company name", "legal name", "наименование (en)"],
    "tax_id": ["tax_id", "tax id", "inn", "инн", "stir", "стир", "inn/stir", "инн/стир", "tin"],
    "country": ["country", "страна", "mamlakat", "davlat"],
    "region": ["region", "регион", "субъект", "область", "viloyat", "hudud"],
    "city": ["city", "город", "shahar"],
    "sectors": ["sectors", "sector", "отрасль", "отрасли", "soha", "tarmoq"],
    "size": ["size", "размер"],
    "website": ["website", "site", "сайт", "web", "veb-sayt"],
    "languages": ["languages", "языки", "tillar"],
    "export_experience": ["export_experience", "export experience", "опыт экспорта", "eksport tajribasi"],
    "offers": ["offers", "offer codes", "предлагает (коды)", "коды предложения", "taklif kodlari"],
    "offers_text": ["offers_text", "offer", "предлагает", "предложение", "taklif"],
    "needs": ["needs", "need codes", "ищет (коды)", "коды спроса", "talab kodlari"],
    "needs_text": ["needs_text", "need", "ищет", "спрос", "потребность", "talab"],
    "contact_name": ["contact_name", "contact", "контакт", "контактное лицо", "mas'ul shaxs"],
    "contact_role": ["contact_role", "position", "должность", "lavozim"],
    "contact_phone": ["contact_phone", "phone", "телефон", "telefon"],
    "contact_email": ["contact_email", "email", "e-mail", "эл. почта", "почта"],
}
LEGAL_FORMS = re.compile(r"\b(ооо|оао|зао|пао|ао|ип|ooo|mchj|xk|aj|qk|llc|ltd|jsc|inc|gmbh|ооо\.|кх|фх)\b",
                         re.IGNORECASE)
SIMILAR_NAMES = 92  # rapidfuzz token-sort ratio at or above which two names are probably one company
# Pairs of names compared at once: their scores, and the pairs alike if all are, take some 30 MB.
SIMILAR_PAIRS = 1_000_000
# A report keeps the first errors and warnings and counts the rest: a file of a hundred thousand bad rows
# gets a page a person can read, not a hundred thousand lines.
MAX_REPORTED = 100
# A CSV is read into memory whole before its rows are checked; a region's registry is a few megabytes.
MAX_TEXT_BYTES = 64 << 20
# A region's registry holds thousands of companies. Each row's name is compared with every other's of its
# country (20 000 alike: some 20 s), and all rows are written in one transaction.
LIMITS = replace(TABLE, rows=20_000)


@dataclass
class ImportProblem:
    row: int | None  # spreadsheet row (the header is row 1)
    column: str | None
    value: str | None
    reason: str

    def __post_init__(self) -> None:
        # What a person is shown of a cell, not the cell: a report never carries a whole file.
        if self.value is not None:
            self.value = excerpt(self.value)
        if self.column is not None:
            self.column = excerpt(self.column, 80)

    def describe(self, file_name: str, lang: str = "en") -> str:
        places = ([gettext(lang, "row %(row)s", row=self.row)] if self.row else []) + \
                 ([gettext(lang, "column %(column)s", column=self.column)] if self.column else [])
        return place_in_file(file_name, places, self.value, self.reason, lang)


@dataclass
class ImportReport:
    file_name: str
    mapping: dict[str, str]  # header -> field
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportProblem] = field(default_factory=list)  # the first MAX_REPORTED
    warnings: list[ImportProblem] = field(default_factory=list)
    error_count: int = 0  # all of them
    warning_count: int = 0

    def __post_init__(self) -> None:
        self.error_count = max(self.error_count, len(self.errors))
        self.warning_count = max(self.warning_count, len(self.warnings))

    def error(self, problem: ImportProblem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(problem)

    def warn(self, problem: ImportProblem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append(problem)

    @property
    def ok(self) -> bool:
        return not self.error_count

    def lines(self, lang: str = "en") -> list[str]:
        lines = [f"error: {p.describe(self.file_name, lang)}" for p in self.errors]
        if self.error_count > len(self.errors):
            lines.append(gettext(lang, "… and %(count)s more problems", count=self.error_count - len(self.errors)))
        lines += [f"warning: {p.describe(self.file_name, lang)}" for p in self.warnings]
        if self.warning_count > len(self.warnings):
            lines.append(gettext(lang, "… and %(count)s more problems",
                                 count=self.warning_count - len(self.warnings)))
        return lines


class ImportRefused(ValueError):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("\n".join(report.lines()))
        self.report = report


def read_table(path: Path, limits: TableLimits = LIMITS) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (UTF-8 or CP1251; comma, semicolon or tab) or XLSX (first sheet), read
    within the limits: a file past one is refused with the limit it broke, before it is read whole."""
    def refused(reason, row=None, column=None) -> ImportRefused:
        return ImportRefused(ImportReport(path.name, {}, errors=[ImportProblem(row, column, None, reason)]))

    workbook = looks_like_xlsx(path)
    if not workbook and path.suffix.lower() in (".xlsx", ".xlsm"):
        raise refused("not an XLSX workbook: its content is not one, whatever its name (save it from Excel as .xlsx)")
    try:
        return _read_table(path, workbook, limits)
    except ImportRefused:
        raise
    except FileRefused as past:  # a limit: said as such, with the row and column when known
        raise refused(past.reason, past.row, past.column) from None
    except (csv.Error, OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        # the reader's own words (in English, about its internals) help nobody fix the file
        raise refused(Msg("cannot be read as %(kind)s; save it as XLSX or CSV",
                          kind="an XLSX workbook" if workbook else "a CSV table")) from None


def _read_table(path: Path, workbook: bool, limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    if workbook:  # by content: a workbook is one whatever it is called
        with open_xlsx(path, limits) as book:
            if not book.worksheets:
                raise ValueError("no sheet")
            values = _kept(([("" if v is None else str(v).strip()) for v in row]
                            for row in sheet_rows(book.worksheets[0], limits)), limits)
    else:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise FileRefused(Msg("the file is %(size)s MB; a table of companies is read up to %(limit)s MB",
                                  size=(size + (1 << 20) - 1) >> 20, limit=MAX_TEXT_BYTES >> 20))  # rounded up
        with open(path, encoding=text_encoding(path), newline="") as handle:
            head = handle.read(4096)
            handle.seek(0)
            sample = head[:head.rfind("\n") + 1] or head  # whole lines: a line cut short misleads the sniffer
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
            values = _kept(([cell.strip() for cell in row]
                            for row in csv.reader(table_lines(handle, limits), dialect)), limits)
    if not values:
        raise ImportRefused(ImportReport(path.name, {}, errors=[ImportProblem(None, None, None, "the file is empty")]))
    return values[0], values[1:]


def _kept(rows, limits: TableLimits) -> list[list[str]]:
    """The rows that hold anything, refused at the first one past a limit (before the rest is read)."""
    kept, cells = [], 0
    for number, row in enumerate(rows, start=1):
        if number > limits.rows:
            raise FileRefused(past_last_row(limits), row=number)
        if len(row) > limits.columns:
            raise FileRefused(past_last_column(len(row), limits), row=number)
        cells += len(row)
        if cells > limits.cells:
            raise FileRefused(too_many_cells(limits), row=number)
        for column, cell in enumerate(row, start=1):
            if len(cell) > limits.cell_chars:
                raise FileRefused(Msg("a cell is longer than %(limit)s characters, the most a cell holds",
                                      limit=limits.cell_chars), row=number, column=str(column))
        if any(row):
            kept.append(row)
    return kept


def auto_mapping(header: list[str]) -> dict[str, str]:
    """Header -> field for the headers it recognises."""
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    found = {}
    for column in header:
        name = lookup.get(column.strip().lower())
        if name and name not in found.values():
            found[column] = name
    return found


def _split(value: str, codes: bool = False) -> list[str]:
    """List cells: codes may be separated by spaces too; sectors may have spaces in them."""
    return [part.strip() for part in re.split(r"[;,\s]+" if codes else r"[;,\n]", value) if part.strip()]


def _bare(name: str) -> str:
    return " ".join(LEGAL_FORMS.sub(" ", name.lower().replace("«", " ").replace("»", " ").replace('"', " ")).split())


def import_companies(registry: Registry, path: Path, mapping: dict[str, str] | None = None,
                     update_existing: bool = False, synthetic: bool = False) -> ImportReport:
    """Validate every row, then write all of them in one transaction; any error writes nothing."""
    header, rows = read_table(path)
    chosen = auto_mapping(header)
    for column, name in (mapping or {}).items():
        if column not in header:
            raise ImportRefused(ImportReport(path.name, chosen, errors=[
                ImportProblem(None, column, None, Msg("no such column (the file has: %(header)s)",
                                                      header=names_excerpt(header, 40)))]))
        if name not in FIELDS:
            raise ImportRefused(ImportReport(path.name, chosen, errors=[
                ImportProblem(None, column, name, Msg("unknown field (known: %(fields)s)", fields=', '.join(FIELDS)))]))
        chosen = {c: f for c, f in chosen.items() if f != name and c != column}
        chosen[column] = name
    report = ImportReport(path.name, chosen, rows=len(rows))
    if not ({"name_ru", "name_uz", "name_en"} & set(chosen.values())) or "country" not in chosen.values():
        report.error(ImportProblem(None, None, None, Msg("the mapping needs a name column and a country "
                                                         "column (recognised: %(value)s)",
                                                         value=excerpt(chosen or 'none'))))
        raise ImportRefused(report)
    index = {name: header.index(column) for column, name in chosen.items()}
    existing = registry.all()
    by_tax = {(c.country, c.tax_id): c for c in existing if c.tax_id}
    seen_tax: dict[tuple[str, str], int] = {}
    planned: list[tuple[int, CompanyData, Company | None]] = []
    for number, row in enumerate(rows, start=2):
        cell = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        data = CompanyData(
            **{name: cell.get(name) or None for name in ("name_ru", "name_uz", "name_en", "tax_id", "region", "city",
                                                         "size", "website", "export_experience", "offers_text",
                                                         "needs_text")},
            country=cell.get("country", ""), synthetic=synthetic,
            **{name: _split(cell.get(name, ""), codes=name in ("offers", "needs")) for name in LIST_FIELDS},
            contacts=[Contact(cell.get("contact_name", ""), cell.get("contact_role"), cell.get("contact_phone"),
                              cell.get("contact_email"))])
        clean, problems = validate(data)
        column_of = {name: column for column, name in chosen.items()}
        for name, reason in problems:
            column = column_of.get(name) or column_of.get(f"{name}_ru") or name
            report.error(ImportProblem(number, column, cell.get(name), reason))
        target = None
        if clean.tax_id:
            key = (clean.country, clean.tax_id)
            if key in seen_tax:
                report.error(ImportProblem(number, column_of.get("tax_id"), clean.tax_id,
                                           Msg("the same tax ID as row %(seen_tax)s", seen_tax=seen_tax[key])))
            seen_tax[key] = number
            target = by_tax.get(key)
            if target is not None and not update_existing:
                report.error(ImportProblem(
                    number, column_of.get("tax_id"), clean.tax_id,
                    Msg("already registered as company #%(id)s (%(target)s); import with update_existing to update it",
                        id=target.id, target=company_name(target))))
        planned.append((number, clean, target))
    _similar_names(planned, existing, report)
    if not report.ok:
        raise ImportRefused(report)
    with registry.db.session() as session:
        for _, clean, target in planned:
            company = session.get(Company, target.id) if target else Company(created_at=datetime.now(UTC))
            Registry._apply(session, company, clean)
            report.updated += target is not None
            report.created += target is None
    return report


def _similar_names(planned, existing: list[Company], report: ImportReport) -> None:
    """Warn where two names look like one company (legal forms and quotes aside): each row's name against
    the registry's and the earlier rows' of its country, unless their tax IDs differ.

    The token-sort ratio of two names is the plain ratio of their words sorted, so the words are sorted once
    and the pairs compared by rapidfuzz a block of rows at a time (cdist), the pairs then sifted by numpy: a
    loop over the pairs in Python took hours on a file of 50 000 rows. Only the warnings the report keeps
    are made; the others are counted (a file of one name 20 000 times has 200 million pairs alike).
    """
    # country -> (label, company id or 0, tax ID, bare name, position among the planned rows or None)
    by_country: dict[str, list[tuple]] = {}
    for company in existing:
        bare = _bare(company_name(company))
        if bare:
            by_country.setdefault(company.country, []).append(
                (f"company #{company.id}", company.id, company.tax_id, bare, None))
    for position, (number, clean, _) in enumerate(planned):
        bare = _bare(clean.display_name)
        if bare:
            by_country.setdefault(clean.country, []).append((f"row {number}", 0, clean.tax_id, bare, position))
    first, total = [], 0
    for entries in by_country.values():
        names = [" ".join(sorted(entry[3].split())) for entry in entries]
        tax_ids: dict[str, int] = {}
        tax = np.array([tax_ids.setdefault(entry[2], len(tax_ids) + 1) if entry[2] else 0 for entry in entries])
        company = np.array([entry[1] for entry in entries])
        # the company a row updates (-1: none), which it does not resemble but is
        updates = np.array([-1 if entry[4] is None or planned[entry[4]][2] is None else planned[entry[4]][2].id
                            for entry in entries])
        rows = [at for at, entry in enumerate(entries) if entry[4] is not None and at > 0]
        kept, block_rows = 0, max(1, SIMILAR_PAIRS // len(entries))
        for start in range(0, len(rows), block_rows):
            block = np.array(rows[start:start + block_rows])
            scores = process.cdist([names[at] for at in block], names[:block[-1]], scorer=fuzz.ratio,
                                   score_cutoff=SIMILAR_NAMES, dtype=np.uint8, workers=1)
            row_at, other = np.nonzero(scores)  # row by row, each row's in order: the registry, then rows above
            at = block[row_at]
            alike = ((other < at) & (company[other] != updates[at])
                     & ~((tax[at] > 0) & (tax[other] > 0) & (tax[at] != tax[other])))
            at, other = at[alike], other[alike]
            total += len(at)
            for one, another in zip(at[:MAX_REPORTED - kept].tolist(), other[:MAX_REPORTED - kept].tolist(),
                                    strict=True):
                first.append((entries[one][4], another, one, entries, names))
            kept = min(MAX_REPORTED, kept + len(at))
    first.sort(key=lambda item: item[:2])
    for position, other, at, entries, names in first[:MAX_REPORTED]:
        number, clean, _ = planned[position]
        score = fuzz.ratio(names[at], names[other])
        report.warn(ImportProblem(number, None, clean.display_name,
                                  Msg("looks like %(label)s (%(other)s), similarity %(score)s",
                                      label=entries[other][0], other=excerpt(entries[other][3], 80),
                                      score=format(score, '.0f'))))
    report.warning_count += total - len(first[:MAX_REPORTED])


def export_companies(companies: list[Company], contacts: dict[int, list], fmt: str = "xlsx",
                     tax_id_shown=lambda company_id: True) -> bytes:
    """The registry as XLSX or CSV, in the import's own columns (so that it reads back in); a tax ID the
    reader may not see is left empty."""
    contact_fields = ["contact_name", "contact_role", "contact_phone", "contact_email"]
    header = [f for f in FIELDS if not f.startswith("contact_")] + ["synthetic", *contact_fields]
    rows = []
    for company in companies:
        first = (contacts.get(company.id) or [None])[0]
        values = [("; ".join(getattr(company, f) or []) if f in LIST_FIELDS else getattr(company, f) or "")
                  if f != "tax_id" or tax_id_shown(company.id) else "" for f in header[: -len(contact_fields) - 1]]
        values.append("demo (synthetic)" if company.synthetic else "")
        values += [first.name, first.role or "", first.phone or "", first.email or ""] if first else ["", "", "", ""]
        rows.append(values)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(csv_row(row) for row in rows)
        return buffer.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    sheet.title = "companies"
    sheet.append(header)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
