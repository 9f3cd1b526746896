"""Files a user gives us: recognised by what is in them, not by their name, and bounded before they are read.

A workbook saved as `.dat`, or a CSV named `.xlsx`, is read (or refused) for what it is. Whatever it is, it
is read within limits: an archive's parts, a sheet's rows, columns and cells, a line and a cell of text. The
limits are checked while the file is read, before anything is kept, so a hostile or broken file (a 2 KB
workbook declaring every cell of a sheet, a zip bomb, a 100 MB line) is refused in little memory and time.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from hamkor.i18n import Msg

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive
MIB = 1 << 20
# What a person is shown of a value, a header or a list of names: enough to find it, never the whole file.
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class TableLimits:
    """What a table read from a user's file may hold (a sheet of a workbook, or a delimited text)."""

    rows: int = 100_000
    columns: int = 1_000
    cells: int = 1_000_000  # per sheet: rows x columns is never trusted to be small
    cell_chars: int = 32_767  # Excel's own limit for a cell
    line_chars: int = MIB  # a line of a text table; no real one comes near


@dataclass(frozen=True)
class ArchiveLimits:
    """What an XLSX archive may hold. Its directory says how big each part unpacks, and Python's zipfile
    stops at that size (a part that inflates further fails its check), so the sizes are checked first."""

    members: int = 1_000  # a workbook has a few dozen parts
    directory_bytes: int = MIB  # the archive's own list of parts, read before any of them
    member_bytes: int = 64 * MIB
    total_bytes: int = 128 * MIB
    ratio: int = 200  # an ordinary workbook packs 4-20 to 1; deflate tops out near 1000 to 1
    ratio_from_bytes: int = MIB  # tiny parts pack oddly; only the big ones are worth a bomb
    elements: int = 5_000_000  # XML elements in the whole workbook
    loose_elements: int = 100_000  # per part, outside rows and shared strings (styles, the workbook, rels)
    unit_elements: int = 10_000  # within one row, or one shared string (its runs of rich text)


TABLE = TableLimits()
ARCHIVE = ArchiveLimits()


class FileRefused(ValueError):
    """A user's file breaks a limit or is not what it claims: the reason for a person, and where."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.row, self.column = reason, row, column


def excerpt(text, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text a person is shown (a value, a header): a report never carries a whole file."""
    if not isinstance(text, str):
        text = str(text)
    if "\x00" in text:  # a damaged file's NUL cannot be stored (PostgreSQL refuses it) nor seen: show its sign
        text = text.replace("\x00", "\u2400")
    return text if len(text) <= limit else text[: limit - 1] + "…"  # a short one stays itself (a Msg, say)


def names_excerpt(names, count: int = 12, limit: int = 40) -> str:
    """The first few of a list of names (a header, the sheets), each cut short."""
    names = list(names)
    shown = ", ".join(excerpt(name, limit) for name in names[:count])
    return shown + (", …" if len(names) > count else "")


def looks_like_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


# -- workbooks ---------------------------------------------------------------------------------

@contextmanager
def open_xlsx(path: Path, table: TableLimits = TABLE, archive: ArchiveLimits = ARCHIVE):
    """The workbook (read-only, values), whatever the file is called, once its archive is found within
    the limits; closed on leaving. openpyxl alone goes by the name's extension, trusts the archive's sizes
    and the sheet's declared dimension, and reads the file whole into memory first."""
    from openpyxl import load_workbook

    with open(path, "rb") as handle:
        check_xlsx(handle, table, archive)
        handle.seek(0)
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            yield workbook
        finally:
            workbook.close()


def sheet_rows(sheet, table: TableLimits = TABLE) -> Iterator[tuple]:
    """The values of a read-only sheet, row by row, each row as wide as its last cell.

    The sheet's declared dimension is not believed: openpyxl pads every row to its width and yields
    every row up to its height, so a workbook of a few cells declaring A1:XFD1048576 becomes 17 billion.
    The archive was checked (check_xlsx) before; the bounds are held here again all the same.
    """
    sheet.reset_dimensions()
    title = excerpt(sheet.title, 40)
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > table.rows:
            raise FileRefused(past_last_row(table), row=number, column=title)
        if len(row) > table.columns:
            raise FileRefused(past_last_column(len(row), table), row=number, column=title)
        yield row


def past_last_row(table: TableLimits) -> Msg:
    return Msg("the table goes on past row %(limit)s, the most that is read", limit=table.rows)


def past_last_column(column: int, table: TableLimits) -> Msg:
    return Msg("the table has a cell in column %(column)s; at most %(limit)s columns are read",
               column=column, limit=table.columns)


def too_many_cells(table: TableLimits) -> Msg:
    return Msg("the table holds more than %(limit)s cells, the most that are read", limit=table.cells)


def check_xlsx(handle: IO[bytes], table: TableLimits = TABLE, archive: ArchiveLimits = ARCHIVE) -> None:
    """Refuse (FileRefused) an XLSX whose archive or XML goes past the limits, reading nothing whole.

    First the archive's directory (how many parts, how big each unpacks, how tightly packed), then every
    XML part streamed through expat: how many elements, how long a text, and in a sheet how many rows,
    columns and cells. openpyxl then reads what has been measured.
    """
    def too_many_parts(count: int) -> FileRefused:
        return FileRefused(Msg("the workbook's archive lists %(count)s parts; a workbook has a few dozen, and at "
                               "most %(limit)s are read", count=count, limit=archive.members))

    entries, directory = _directory_size(handle)
    if entries > archive.members or directory > archive.directory_bytes:
        raise too_many_parts(entries)
    handle.seek(0)
    with zipfile.ZipFile(handle) as zipped:
        members = zipped.infolist()
        if len(members) > archive.members:  # the end record said fewer than the directory holds
            raise too_many_parts(len(members))
        total = 0
        for info in members:
            total += info.file_size
            name = excerpt(info.filename, 80)
            if info.file_size > archive.member_bytes:
                raise FileRefused(Msg("the workbook's part %(part)s unpacks to %(size)s MB, more than the "
                                      "%(limit)s MB a part may have", part=name, size=_mb(info.file_size),
                                      limit=archive.member_bytes // MIB))
            if (info.file_size > archive.ratio_from_bytes
                    and info.file_size > archive.ratio * max(info.compress_size, 1)):
                raise FileRefused(Msg("the workbook's part %(part)s unpacks %(ratio)s times larger than it is "
                                      "packed: an ordinary workbook packs far less tightly, so this one is not "
                                      "read (the file is damaged, or made to exhaust the server)",
                                      part=name, ratio=info.file_size // max(info.compress_size, 1)))
        if total > archive.total_bytes:
            raise FileRefused(Msg("the workbook unpacks to %(size)s MB, more than the %(limit)s MB that are read",
                                  size=_mb(total), limit=archive.total_bytes // MIB))
        budget = _Budget(archive.elements)
        for info in members:
            if not info.is_dir() and not _binary_part(info.filename):
                try:
                    part = zipped.open(info)
                except (NotImplementedError, RuntimeError):  # zipfile's words for a method it lacks, a password
                    raise FileRefused(Msg("the workbook's part %(part)s is encrypted or packed in a way that is "
                                          "not read: save the workbook again from Excel",
                                          part=excerpt(info.filename, 80))) from None
                with part:
                    _XmlScan(info.filename, table, archive, budget).run(part)


def _mb(size: int) -> str:
    return format(size / MIB, ".0f") if size >= 10 * MIB else format(size / MIB, ".1f")


def _binary_part(name: str) -> bool:
    """Parts openpyxl does not parse as XML: pictures, printer settings, macros, embedded files."""
    return not name.lower().endswith((".xml", ".rels", ".vml"))


def _directory_size(handle: IO[bytes]) -> tuple[int, int]:
    """How many parts the archive lists and how big its directory is, from its last bytes alone: Python's
    zipfile reads the whole directory into objects before it can be asked (millions, for a crafted one)."""
    handle.seek(0, 2)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)  # the end record, after at most a 64 KB comment
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise zipfile.BadZipFile("no end of central directory")
    _, _, _, _, entries, directory, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        # ZIP64: the counts are in a record the locator just before the end record points to.
        (record_at,) = struct.unpack("<Q", tail[at - 12:at - 4])
        handle.seek(record_at)
        record = handle.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


class _Budget:
    """What is left to read of the whole workbook, shared by the scans of its parts."""

    def __init__(self, elements: int) -> None:
        self.elements = elements


_CELL_COLUMN = re.compile(r"[A-Za-z]{1,7}")


def _column_number(reference: str) -> int:
    letters = _CELL_COLUMN.match(reference)
    number = 0
    for letter in letters.group(0).upper() if letters else "":
        number = number * 26 + ord(letter) - 64
    return number


class _XmlScan:
    """One XML part streamed through expat, counting what openpyxl would build from it.

    A sheet (root `worksheet`) is counted in rows, columns and cells, its rows being what openpyxl builds
    one at a time; the shared strings (root `sst`) in strings, all of which openpyxl keeps; any other part
    in elements, all of which openpyxl keeps. Text is counted as it comes, never gathered.
    """

    def __init__(self, part: str, table: TableLimits, archive: ArchiveLimits, budget: _Budget) -> None:
        self.part, self.table, self.archive, self.budget = excerpt(part, 80), table, archive, budget
        self.kind = None  # worksheet | sst | other, from the root element
        self.depth = 0
        self.unit_depth = 0  # depth of the open row or shared string; 0 outside one
        self.unit_elements = 0
        self.loose = 0
        self.rows = 0
        self.row = 0  # the open row's number
        self.column = 0  # the last cell's column in the open row
        self.cells = 0
        self.strings = 0
        self.text = 0  # characters of the open cell or string, or of the current run of text elsewhere

    def run(self, part: IO[bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        try:
            while chunk := part.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise FileRefused(Msg("the workbook's part %(part)s is not well-formed XML", part=self.part)) from None

    def refuse(self, reason: str, row: int | None = None):
        raise FileRefused(reason, row=row)

    def doctype(self, *_args) -> None:
        # Entities are how an XML bomb multiplies; no part of a workbook declares any.
        self.refuse(Msg("the workbook's part %(part)s declares a DOCTYPE, which no workbook does", part=self.part))

    def start(self, name: str, attributes: dict) -> None:
        local = name.rsplit(" ", 1)[-1]
        self.depth += 1
        self.budget.elements -= 1
        if self.budget.elements < 0:
            self.refuse(Msg("the workbook holds more than %(limit)s XML elements", limit=self.archive.elements))
        if self.kind is None:
            self.kind = local if local in ("worksheet", "sst") else "other"
        if self.unit_depth:
            self.unit_elements += 1
            if self.unit_elements > self.archive.unit_elements:
                self.refuse(Msg("the workbook's part %(part)s holds more than %(limit)s XML elements in one row "
                                "or string", part=self.part, limit=self.archive.unit_elements), row=self.row or None)
            if local == "c" and self.kind == "worksheet":
                self.cell(attributes)
            return
        if self.kind == "worksheet" and local == "row":
            self.open_row(attributes)
        elif self.kind == "sst" and local == "si":
            self.strings += 1
            if self.strings > self.table.cells:
                self.refuse(Msg("the workbook holds more than %(limit)s different texts",
                                limit=self.table.cells))
            self.open_unit()
        else:
            self.loose += 1
            if self.loose > self.archive.loose_elements:
                self.refuse(Msg("the workbook's part %(part)s holds more than %(limit)s XML elements",
                                part=self.part, limit=self.archive.loose_elements))
            self.text = 0

    def open_unit(self) -> None:
        self.unit_depth, self.unit_elements, self.text = self.depth, 0, 0

    def open_row(self, attributes: dict) -> None:
        self.rows += 1
        number = attributes.get("r")
        if number and number.isascii() and number.isdigit():
            self.row = int(number.lstrip("0")[:12] or "0")  # a thousand digits are past the limit all the same
        else:
            self.row += 1
        if self.row > self.table.rows or self.rows > self.table.rows:
            self.refuse(past_last_row(self.table), row=self.row)
        self.column = 0
        self.open_unit()

    def cell(self, attributes: dict) -> None:
        self.cells += 1
        if self.cells > self.table.cells:
            self.refuse(too_many_cells(self.table), row=self.row)
        reference = attributes.get("r")
        self.column = _column_number(reference) if reference else self.column + 1
        if self.column > self.table.columns:
            self.refuse(past_last_column(self.column, self.table), row=self.row)
        self.text = 0

    def end(self, name: str) -> None:
        if self.depth == self.unit_depth:
            self.unit_depth = 0
        self.depth -= 1
        if not self.unit_depth:
            self.text = 0

    def characters(self, data: str) -> None:
        # Within a row each cell's text is counted whole (its runs of rich text together); elsewhere each run.
        self.text += len(data)
        if self.text > self.table.cell_chars:
            self.refuse(Msg("a text in the workbook's part %(part)s is longer than %(limit)s characters, the "
                            "most a cell holds", part=self.part, limit=self.table.cell_chars),
                        row=self.row if self.unit_depth and self.kind == "worksheet" else None)


# -- text ---------------------------------------------------------------------------------------

def text_lines(handle: IO[str], limit_chars: int = TABLE.line_chars) -> Iterator[tuple[str | None, int]]:
    """Each line of a text file with its ending, and its size in UTF-8 (as DuckDB's reader counts it); a
    line longer than `limit_chars` comes as None, its size counted as the rest of it is skipped in pieces:
    a 100 MB file with no line break is never held whole."""
    while line := handle.readline(limit_chars + 1):
        size = len(line.encode("utf-8", "replace"))
        if len(line) <= limit_chars or line.endswith(("\n", "\r")):
            yield line, size
            continue
        while (piece := handle.readline(limit_chars)) and not piece.endswith(("\n", "\r")):
            size += len(piece.encode("utf-8", "replace"))
        size += len(piece.encode("utf-8", "replace"))
        yield None, size


def line_too_long(size: int, limit_chars: int = TABLE.line_chars) -> Msg:
    return Msg("the line is %(size)s MB long, more than the %(limit)s MB a line of a table may have (the file is "
               "damaged, or not a table)", size=round(size / 1e6, 1), limit=max(limit_chars // MIB, 1))


def table_lines(handle: IO[str], table: TableLimits = TABLE) -> Iterator[str]:
    """The lines of a text table, for csv.reader; refused (FileRefused) at the first one past the limit."""
    for number, (line, size) in enumerate(text_lines(handle, table.line_chars), start=1):
        if line is None:
            raise FileRefused(line_too_long(size, table.line_chars), row=number)
        yield line


def text_encoding(path: Path) -> str:
    """UTF-8 (with or without its mark) when the whole file reads as it, else CP1251: the two encodings
    our users' tables come in. Read in pieces, so a file of any size costs a megabyte to tell."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(MIB):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8-sig"
