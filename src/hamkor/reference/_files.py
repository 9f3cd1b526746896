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
    yield from csv.DictReader(lines, delimiter="\t")
