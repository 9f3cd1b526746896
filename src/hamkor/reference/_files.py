from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from importlib import resources


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of a packaged TSV (optionally gzipped) as dicts."""
    data = resources.files("hamkor.reference").joinpath("data", name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    lines = (line for line in io.StringIO(data.decode("utf-8")) if not line.startswith("#"))  # notes on the source
    # csv.reader and a zip, not DictReader: the same rows in two thirds of the time (the nomenclature's
    # 44,000 rows are read by every process that names a code).
    rows = csv.reader(lines, delimiter="\t")
    header = next(rows, None)
    if header is None:
        return
    width = len(header)
    for row in rows:
        if row:  # as DictReader: blank lines are no rows, missing trailing fields are None
            yield dict(zip(header, row if len(row) >= width else row + [None] * (width - len(row)), strict=False))
