"""Spreadsheet and CSV cells from user input, written as text, never as formulas (OWASP CSV injection):
a company called `=HYPERLINK("http://…")` must stay a name when the export is opened in Excel."""

from __future__ import annotations

# A cell that starts with one of these is read as a formula (or starts one) by Excel, LibreOffice, Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A text that would start a formula gets a leading apostrophe, as OWASP advises; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(row) -> list:
    return [csv_cell(value) for value in row]


def append_row(sheet, row) -> None:
    """Append to an openpyxl sheet with every string stored as a string: openpyxl would otherwise store
    a text starting with '=' as a live formula."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
