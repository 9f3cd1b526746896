"""What every importer shares: options, field rules checked both in SQL and in Python.

A delimited file goes into the warehouse in one DuckDB statement: every value is checked by a
rule, and a row that breaks one aborts the statement (so nothing is written). Only then does a
slower Python pass walk the file to say exactly where and why, using the very same rules.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from hamkor.files import TABLE, excerpt, names_excerpt, text_lines
from hamkor.i18n import Msg
from hamkor.trade.facts import FACT_NAMES, ErrorReport, ImportRejected, reject
from hamkor.trade.formats import FILE_FORMATS, VALUE_UNITS, FileFormat
from hamkor.trade.warehouse import run_with_progress

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]  # (bytes done, bytes total)
SNIFF_BYTES = 1 << 20


@dataclass
class ImportOptions:
    value_unit: str | None = None  # None: the importer's default
    reporter: str | None = None
    flow: str | None = None
    nomenclature: str | None = None
    source: str | None = None  # the fact's source label; default: the importer's kind
    codes_file: Path | None = None  # BACI: its country code file


@dataclass(frozen=True)
class Rule:
    """A check on one field, expressed once and run both as SQL and as Python."""

    reason: str
    pattern: str | None = None  # full match on the prepared value
    allowed: frozenset[str] | None = None
    required: bool = True
    numeric: str | None = None  # "any" or "non_negative": the prepared value must be a number
    # In SQL, check `allowed` through this joined code table (see lookups) instead of an IN list.
    via_lookup: str | None = None
    prep: str = "trim"  # trim | upper | number | first5 | m49 (numeric code, no leading zeros)
    # Prepared values that mean "no value" (BACI writes NA where it has no quantity).
    missing: frozenset[str] = frozenset()

    def sql_prepared(self, column: str) -> str:
        col = f'"{column}"'
        return {
            "trim": f"trim({col})",
            "upper": f"upper(trim({col}))",
            "number": f"replace(replace(replace(trim({col}), ' ', ''), chr(160), ''), ',', '.')",
            "first5": f"left(trim({col}), 5)",
            "m49": f"CASE WHEN trim({col}) = '' THEN '' ELSE coalesce(NULLIF(ltrim(trim({col}), '0'), ''), '0') END",
        }[self.prep]

    def python_prepared(self, value: str) -> str:
        value = value.strip()
        if self.prep == "upper":
            return value.upper()
        if self.prep == "number":
            return value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if self.prep == "first5":
            return value[:5]
        if self.prep == "m49":
            return (value.lstrip("0") or "0") if value else ""
        return value

    def sql_valid_lookup(self, column: str) -> str:
        """The check of a code looked up in a table (the lookup column is NULL where it is unknown)."""
        empty = "false" if self.required else "true"
        # The value is prepared again only where the lookup found nothing: empty, or unknown.
        return (f"(CASE WHEN {lookup_value(self.via_lookup)} IS NOT NULL THEN true "
                f"WHEN \"{column}\" IS NULL OR {self.sql_prepared(column)} = '' THEN {empty} ELSE false END)")

    def sql_valid(self, prepared: str) -> str:
        """A SQL condition over the prepared value (a column computed once per row)."""
        checks = []
        if self.numeric == "non_negative":
            checks.append(f"TRY_CAST({prepared} AS DOUBLE) >= 0")  # NULL when not a number
        elif self.numeric is not None:
            checks.append(f"TRY_CAST({prepared} AS DOUBLE) IS NOT NULL")
        if self.pattern is not None:
            checks.append(f"regexp_full_match({prepared}, '{self.pattern}')")
        if self.via_lookup is not None:
            checks.append(f"{lookup_value(self.via_lookup)} IS NOT NULL")
        elif self.allowed is not None:
            listed = ", ".join(sql_str(item) for item in sorted(self.allowed))
            checks.append(f"{prepared} IN ({listed})")
        check = " AND ".join(checks) or "true"
        empty = "false" if self.required else "true"
        return f"(CASE WHEN {prepared} IS NULL OR {prepared} = '' THEN {empty} ELSE {check} END)"

    def sql_valid_number(self, parsed: str, column: str) -> str:
        """The check of a numeric rule over the value already parsed (sql_number); never NULL."""
        in_range = f"{parsed} >= 0" if self.numeric == "non_negative" else "true"
        empty = "false" if self.required else "true"
        nothing = ", ".join(sql_str(item) for item in sorted({"", *self.missing}))
        # Unparsed: either empty (allowed when optional) or not a number.
        return (f"(CASE WHEN {parsed} IS NOT NULL THEN {in_range} "
                f"WHEN \"{column}\" IS NULL OR {self.sql_prepared(column)} IN ({nothing}) THEN {empty} ELSE false END)")

    def python_problem(self, value: str | None) -> str | None:
        prepared = self.python_prepared(value or "")
        if not prepared or prepared in self.missing:
            return "required value is empty" if self.required else None
        if self.numeric is not None:
            number = _as_double(prepared)
            if number is None or (self.numeric == "non_negative" and not number >= 0):
                return self.reason
        if self.pattern is not None and not re.fullmatch(self.pattern, prepared):
            return self.reason
        if self.allowed is not None and prepared not in self.allowed:
            return self.reason
        return None


def _as_double(text: str) -> float | None:
    """What DuckDB's TRY_CAST(... AS DOUBLE) accepts, in Python (which also takes "1_0")."""
    if "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


NUMBER = Rule("not a number", numeric="any", prep="number")
OPTIONAL_NUMBER = Rule("not a number", numeric="any", prep="number", required=False)
NON_NEGATIVE = Rule("not a non-negative number", numeric="non_negative", prep="number")
NUMBER_PATTERN = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_number(column: str) -> str:
    """The number in a column as statistics write it (decimal comma, spaces in thousands); NULL if empty.

    Most values need no cleaning, and the cast alone reads them; only those it cannot read pay for
    the cleaning (COALESCE evaluates its second argument for those rows only). Where the plain cast
    succeeds the cleaned one gives the same number: the cast refuses inner spaces and trims outer ones.
    """
    # The reader gives NULL for an empty field: those rows skip both casts.
    return (f"CASE WHEN \"{column}\" IS NULL THEN NULL ELSE coalesce(TRY_CAST(replace(\"{column}\", ',', '.') "
            f"AS DOUBLE), TRY_CAST(NULLIF({NUMBER.sql_prepared(column)}, '') AS DOUBLE)) END")


def lookup_value(alias: str) -> str:
    """The column holding a lookup's result (see DelimitedImporter.lookups): NULL where the code is unknown."""
    return f'"__l_{alias}"'


def parsed_number(key: str) -> str:
    """The column holding a numeric field's value, parsed once (see DelimitedImporter.number)."""
    return f'"__n_{key}"'


@dataclass(frozen=True)
class Lookup:
    """A code table the file's values are looked up in: `key` is the field, `prep` how its value is prepared."""

    key: str
    prep: str
    mapping: dict[str, str]


def enum_lookup_sql(column: str, lookup: Lookup) -> str:
    """The looked-up value of a column, NULL where its prepared value is not a code of the table."""
    codes = sorted(lookup.mapping)
    prepared = Rule("", prep=lookup.prep)
    enum = "ENUM(" + ", ".join(sql_str(code) for code in codes) + ")"
    found = f"TRY_CAST({prepared.sql_prepared(column)} AS {enum})"
    if lookup.prep in ("trim", "upper", "m49") and all(prepared.python_prepared(code) == code for code in codes):
        # Where a raw value is usually a code already, and a code prepares to itself, only the
        # other values pay for preparing. (Not where raw values are rarely codes, as FTS's
        # "01000 - Алтайский край": a failed cast is dear, and every row would fail one.)
        found = f'coalesce(TRY_CAST("{column}" AS {enum}), {found})'
    if all(lookup.mapping[code] == code for code in codes):
        return f"CAST({found} AS VARCHAR)"
    values = "[" + ", ".join(sql_str(lookup.mapping[code]) for code in codes) + "]"
    return f"{values}[enum_code({found}) + 1]"


@dataclass(frozen=True)
class Field:
    key: str
    aliases: tuple[str, ...]
    rule: Rule | None = None  # None: read but not checked
    required: bool = True  # must the column exist in the header


@dataclass
class TextSource:
    """A delimited text file as DuckDB will read it (UTF-8; transcoded when it was not)."""

    original: Path
    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # field key -> header name
    temporary: bool = False

    def cleanup(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a multi-byte character may be cut at the end
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251"


def transcode_to_utf8(path: Path, encoding: str, progress: ProgressCallback | None) -> Path:
    total = path.stat().st_size
    done = 0
    with open(path, "rb") as src, tempfile.NamedTemporaryFile(
        "wb", suffix=".csv", delete=False, prefix="hamkor-utf8-"
    ) as dst:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines_before = 0
        try:
            while chunk := src.read(8 << 20):
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as error:
                    line = lines_before + chunk.count(b"\n", 0, error.start) + 1
                    raise reject(path, Msg("the text is neither UTF-8 nor %(value)s (byte 0x%(chunk)s cannot be read)",
                                           value=encoding.upper(), chunk=format(chunk[error.start], '02x')),
                                           line=line) from None
                lines_before += chunk.count(b"\n")
                done += len(chunk)
                if progress:
                    progress(done // 4, total)  # transcoding is a small share of the work
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        except BaseException:
            Path(dst.name).unlink(missing_ok=True)
            raise
        return Path(dst.name)


# No line of a trade table comes near this; DuckDB's reader and the exact pass stop at the same length.
MAX_LINE_BYTES = 1 << 20
# A trade file's header names a few dozen columns; one naming thousands is not one (and each would be a
# column of DuckDB's reader).
MAX_HEADER_COLUMNS = 1_000


def line_too_long(size: int) -> Msg:
    return Msg("the line is %(size)s MB long: a line of a trade file is a few hundred bytes (the file is damaged, "
               "or not of this kind)", size=round(size / 1e6, 1))


def last_line_too_long(path: Path) -> bool:
    """Whether the file's last line is longer than a line may be, from its last megabyte alone.

    DuckDB (2.0) drops a last line longer than its 32 MB buffer without a word, where it refuses one in
    the middle: the file would go in without it, so the exact pass is asked to say where it is instead.
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(max(0, size - MAX_LINE_BYTES - 2))
        tail = handle.read()
    tail = tail[:-2] if tail.endswith(b"\r\n") else tail[:-1] if tail.endswith((b"\n", b"\r")) else tail
    return len(tail) > MAX_LINE_BYTES and b"\n" not in tail and b"\r" not in tail


def split_line(line: str, delimiter: str, quoted: bool) -> list[str]:
    if not quoted:
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter))


class Importer:
    """Base of every importer: a kind (CLI name); its label, header and unit are in FILE_FORMATS."""

    kind: str = ""

    @property
    def file_format(self) -> FileFormat:
        return FILE_FORMATS[self.kind]

    @property
    def title(self) -> str:
        return self.file_format.title

    @property
    def default_value_unit(self) -> str:
        return self.file_format.default_value_unit

    def value_factor(self, options: ImportOptions) -> float:
        unit = (options.value_unit or self.default_value_unit).lower()
        if unit not in VALUE_UNITS:
            raise ValueError(Msg("unknown value unit '%(unit)s'; use one of %(value_units)s",
                                 unit=unit, value_units=tuple(VALUE_UNITS)))
        return VALUE_UNITS[unit]

    def source_label(self, options: ImportOptions) -> str:
        return options.source or self.kind

    def load(self, con: duckdb.DuckDBPyConnection, path: Path, batch_id: int,
             options: ImportOptions, progress: ProgressCallback | None) -> LoadResult:
        raise NotImplementedError


@dataclass
class LoadResult:
    rows_read: int
    rows_loaded: int
    rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)


class RowsImporter(Importer):
    """An importer for small files parsed in Python (tables, workbooks) into fact rows."""

    # Every figure is a dict in memory until the file has been read: a table of this kind holds a few
    # thousand (stat.uz's by partner and year, FTS's by partner and month).
    max_figures: int = 100_000

    def parse(self, path: Path, options: ImportOptions, report: ErrorReport) -> tuple[list[dict], int, int]:
        """Fact rows (without source and batch), rows read, rows skipped; problems into report."""
        raise NotImplementedError

    def load(self, con, path, batch_id, options, progress) -> LoadResult:
        report = ErrorReport(path)
        facts, read, skipped = self.parse(path, options, report)
        if report:
            raise ImportRejected(report)
        if progress:
            progress(path.stat().st_size // 2, path.stat().st_size)
        label = self.source_label(options)
        columns = {name: [row.get(name) for row in facts] for name in FACT_NAMES[2:]}
        table = pa.table({
            "source": pa.array([label] * len(facts), pa.string()),
            "batch_id": pa.array([batch_id] * len(facts), pa.int32()),
            **{name: pa.array(values, ARROW_TYPES[name]) for name, values in columns.items()},
        })
        con.register("incoming_rows", table)
        try:
            con.execute(f"INSERT INTO trade_flow SELECT {', '.join(FACT_NAMES)} FROM incoming_rows")
        finally:
            con.unregister("incoming_rows")
        if progress:
            progress(path.stat().st_size, path.stat().st_size)
        return LoadResult(read, len(facts), skipped)


def too_many_figures(limit: int) -> Msg:
    return Msg("the file holds more than %(limit)s figures; a table of this kind holds a few thousand",
               limit=limit)


ARROW_TYPES = {
    "reporter": pa.string(), "partner": pa.string(), "flow": pa.string(), "year": pa.int16(),
    "month": pa.int8(), "commodity_code": pa.string(), "nomenclature": pa.string(),
    "value_usd": pa.float64(), "net_kg": pa.float64(), "qty": pa.float64(), "qty_unit": pa.string(),
}


def parse_number(text: str) -> float | None:
    """A number as statistics tables write it: spaces or NBSP in thousands, decimal comma."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(NUMBER_PATTERN, cleaned):
        return None
    return float(cleaned)


class _NotUtf8(Exception):
    pass


class DelimitedImporter(Importer):
    """An importer for a delimited text file whose rows map one-to-one onto facts."""

    fields: tuple[Field, ...] = ()
    delimiters: tuple[str, ...] = ("\t", ";", ",")
    quoted: bool = False

    # -- to be provided by each format --------------------------------------------------
    def rules(self, options: ImportOptions, source: TextSource) -> dict[str, Rule]:
        """Rules for this run (some depend on options); default: the fields' own."""
        return {f.key: f.rule for f in self.fields if f.rule is not None}

    def fact_sql(self, source: TextSource, options: ImportOptions) -> dict[str, str]:
        """SQL expressions (over the file's columns) for the fact columns."""
        raise NotImplementedError

    def lookups(self, source: TextSource, options: ImportOptions) -> dict[str, Lookup]:
        """Code tables the file's values are looked up in: alias -> Lookup.

        A fact expression reads the result as `lookup_value(alias)`. The lookup is a cast to an ENUM
        of the codes: a hash probe per row, several times cheaper than a join on millions of rows
        (and than a CASE with a branch per code).
        """
        return {}

    def number(self, source: TextSource, key: str) -> str:
        """A numeric field's value for a fact expression: parsed once, where the check parsed it."""
        if key not in source.columns:
            return "NULL"
        spec = next(f for f in self.fields if f.key == key)
        if spec.rule is not None and spec.rule.numeric is not None:
            return parsed_number(key)
        return sql_number(source.columns[key])

    def skip_sql(self, source: TextSource, options: ImportOptions) -> str | None:
        """Rows that are read but deliberately not loaded (aggregates, re-exports)."""
        return None

    def skip_python(self, row: dict[str, str], options: ImportOptions) -> bool:
        return False

    # -- the shared machinery ---------------------------------------------------------------
    def col(self, source: TextSource, key: str) -> str:
        return f'"{source.columns[key]}"'

    def open_source(self, path: Path, progress: ProgressCallback | None, encoding: str | None = None) -> TextSource:
        encoding = encoding or detect_encoding(path)
        with open(path, encoding=encoding, errors="replace", newline="") as handle:
            first = ""
            # Lines are read within a limit: a file of one 100 MB line is refused after its first megabyte.
            for number, (line, size) in enumerate(text_lines(handle, TABLE.line_chars), start=1):
                if line is None:
                    raise reject(path, line_too_long(size), line=number)
                if line.strip():
                    first = line.rstrip("\r\n").lstrip("\ufeff")
                    break
        if not first:
            raise reject(path, "the file has no header line and no data (empty file)")
        delimiter = max(self.delimiters, key=first.count)
        try:
            header = [h.strip().strip('"') for h in split_line(first, delimiter, self.quoted)]
        except csv.Error:  # an unmatched quote, or a name longer than the csv module takes
            raise reject(path, "the header cannot be read as a line of a table", line=1) from None
        if len(header) > MAX_HEADER_COLUMNS:
            raise reject(path, Msg("the header names %(count)s columns; a trade file has a few dozen (found: "
                                   "%(header)s)", count=len(header), header=names_excerpt(header)), line=1)
        lowered = {h.lower(): h for h in header}
        columns: dict[str, str] = {}
        missing = []
        for spec in self.fields:
            name = next((lowered[a.lower()] for a in spec.aliases if a.lower() in lowered), None)
            if name is not None:
                columns[spec.key] = name
            elif spec.required:
                missing.append(spec.aliases[0])
        if missing:
            raise reject(path, Msg("this is not a %(title)s file: its header lacks %(missing)s (found: %(header)s)",
                                   title=self.title, missing=', '.join(missing), header=names_excerpt(header)), line=1)
        if len(set(header)) != len(header):
            raise reject(path, "the header names a column twice", line=1)
        source = TextSource(path, path, encoding, delimiter, header, columns)
        if encoding != "utf-8":
            source.path = transcode_to_utf8(path, encoding, progress)
            source.temporary = True
        return source

    def read_csv_sql(self, source: TextSource) -> str:
        delim = source.delimiter.replace("'", "''")
        quote = "quote='\"', escape='\"'" if self.quoted else "quote='', escape=''"
        columns = ", ".join(f"{sql_str(h)}: 'VARCHAR'" for h in source.header)
        return (f"read_csv({sql_str(source.path.as_posix())}, delim='{delim}', header=true, "
                f"{quote}, auto_detect=false, max_line_size={MAX_LINE_BYTES}, columns={{{columns}}})")

    def load(self, con, path, batch_id, options, progress) -> LoadResult:
        source = self.open_source(path, progress)
        try:
            return self._load(con, source, batch_id, options, progress)
        except _NotUtf8:
            # The start of the file looked like UTF-8 but a later part is not: a CP1251 file
            # whose first megabyte happens to be plain ASCII. The failed statement aborted the
            # load's transaction (which holds nothing else yet), so start it again.
            con.execute("ROLLBACK")
            con.execute("BEGIN TRANSACTION")
        finally:
            source.cleanup()
        source = self.open_source(path, progress, encoding="cp1251")
        try:
            return self._load(con, source, batch_id, options, progress)
        finally:
            source.cleanup()

    def _load(self, con, source: TextSource, batch_id: int, options: ImportOptions,
              progress: ProgressCallback | None) -> LoadResult:
        rules = {key: rule for key, rule in self.rules(options, source).items() if key in source.columns}
        # Each checked value is prepared once, in an inner projection, and tested there; a numeric
        # field is parsed there once and the fact reads that number.
        numeric = {f.key for f in self.fields
                   if f.rule is not None and f.rule.numeric is not None and f.key in source.columns}
        inner = [f"{sql_number(source.columns[key])} AS {parsed_number(key)}" for key in sorted(numeric)]
        checks = []
        for key, rule in rules.items():
            if key in numeric and rule.numeric is not None:
                checks.append(rule.sql_valid_number(parsed_number(key), source.columns[key]))
            elif rule.via_lookup is not None:
                checks.append(rule.sql_valid_lookup(source.columns[key]))
            else:
                inner.append(f'{rule.sql_prepared(source.columns[key])} AS "__p_{key}"')
                checks.append(rule.sql_valid(f'"__p_{key}"'))
        for alias, lookup in self.lookups(source, options).items():
            inner.append(f"{enum_lookup_sql(source.columns[lookup.key], lookup)} AS {lookup_value(alias)}")
        valid = " AND ".join(checks) or "true"
        exprs = self.fact_sql(source, options)
        exprs["source"] = sql_str(self.source_label(options))
        exprs["batch_id"] = str(int(batch_id))
        skip = self.skip_sql(source, options)
        # error() aborts the whole statement on the first bad row: nothing half-written. The
        # check sits in the filter so that it runs once per row, not once per column.
        guard = (f"CASE WHEN {skip or 'false'} THEN false WHEN {valid} THEN true "
                 f"ELSE error('invalid row') END")
        sql = (f"INSERT INTO trade_flow SELECT {', '.join(exprs[name] for name in FACT_NAMES)} "
               f"FROM (SELECT *{''.join(', ' + item for item in inner)} FROM {self.read_csv_sql(source)}) AS file"
               f" WHERE {guard}")
        if last_line_too_long(source.original):
            raise ImportRejected(self.locate_problems(source, options, "the last line is too long"))
        total = source.original.stat().st_size
        on_fraction = (lambda f: progress(int(total * (0.25 + 0.75 * f)), total)) if progress else None
        try:
            loaded = run_with_progress(con, sql, None, on_fraction)[0][0]
        except duckdb.Error as error:
            if source.encoding == "utf-8" and "unicode" in str(error).lower():
                raise _NotUtf8 from None
            raise ImportRejected(self.locate_problems(source, options, str(error))) from None
        read = loaded
        if skip:
            read = con.execute(f"SELECT count(*) FROM {self.read_csv_sql(source)}").fetchone()[0]
        return LoadResult(read, loaded, read - loaded)

    def locate_problems(self, source: TextSource, options: ImportOptions, engine_message: str) -> ErrorReport:
        """Walk the file line by line to say where each problem is (the slow, exact pass)."""
        report = ErrorReport(source.original)
        rules = self.rules(options, source)
        positions = {key: source.header.index(name) for key, name in source.columns.items()}
        width = len(source.header)
        with open(source.original, encoding=source.encoding, errors="strict", newline="") as handle:
            # A line longer than DuckDB takes is reported by its size and skipped in pieces, never held whole.
            lines = text_lines(handle, MAX_LINE_BYTES)
            line_no = 0
            try:
                for raw, _ in lines:
                    line_no += 1
                    if raw is None or raw.strip():
                        break  # the header (open_source refused one too long)
                for raw, size in lines:
                    line_no += 1
                    if raw is None or size > MAX_LINE_BYTES:
                        report.add(line_no, None, None, line_too_long(size))
                        continue
                    text = raw.rstrip("\r\n")
                    if not text.strip():
                        continue
                    try:
                        values = split_line(text, source.delimiter, self.quoted)
                    except csv.Error:
                        report.add(line_no, None, excerpt(text, 60), "cannot be read as a line of a table: an "
                                                                     "unmatched quote, or a field far too long")
                        continue
                    if len(values) != width:
                        report.add(line_no, None, excerpt(text, 60),
                                   Msg("expected %(width)s columns, found %(values)s", width=width, values=len(values)))
                        continue
                    row = {key: values[pos] for key, pos in positions.items()}
                    if self.skip_python(row, options):
                        continue
                    for key, rule in rules.items():
                        if key not in positions:
                            continue
                        reason = rule.python_problem(row[key])
                        if reason:
                            report.add(line_no, source.columns[key], row[key], reason)
            except UnicodeDecodeError as error:
                report.add(line_no + 1, None, None,
                           Msg("the text is not valid %(encoding)s: %(reason)s",
                               encoding=source.encoding, reason=error.reason))
        if not report:
            # The exact pass found nothing the engine did: say where it stopped, never its own message
            # (it holds the temporary file's path, the reader's settings and the whole line).
            logger.warning("import of %s: the engine refused what the exact pass accepted: %s",
                           source.original.name, engine_message[:2000])
            stopped = re.search(r"\bLine: (\d+)", engine_message)
            report.add(int(stopped.group(1)) if stopped else None, None, None,
                       "the table cannot be read from here on: an unmatched quote, a line too long or a broken "
                       "character")
        return report


def period_label(year: int, month: int | None) -> str:
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"
