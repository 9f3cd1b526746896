"""Files a user gives us are recognised by what is in them, not by their name: a workbook saved as
`.dat`, or a CSV named `.xlsx`, is read (or refused) for what it is."""

from __future__ import annotations

import io
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive


def looks_like_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def open_xlsx(path: Path):
    """The workbook, whatever the file is called (openpyxl alone goes by the name's extension)."""
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
