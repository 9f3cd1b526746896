"""A synthetic Altai Krai customs extract in the FTS regional format (DATTSVT).

Deterministic from a seed and calibrated to published facts, so the demo tells the true story
in shape while every figure in it is invented. It is written as a file and loaded through the
same importer a user's real file goes through.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hamkor.reference.nomenclature import nomenclature

REGION_CELL = "01000 - АЛТАЙСКИЙ КРАЙ"
DISTRICT_CELL = "Сибирский федеральный округ"
FIRST_YEAR, LAST_YEAR, LAST_MONTH = 2023, 2025, 9
CONFIDENTIAL_SHARE = 0.015  # FTS hides a small share of value behind XXXXXXXXXX

# Goods groups (code prefixes) with their weights in a flow.
# Mining and geological exploration equipment (8474, 8430) goes mostly to Kazakhstan and
# Mongolia so far: a small share to Uzbekistan leaves most of its potential there untapped.
UZ_EXPORTS = {"44": 30, "8606": 15, "4011": 10, "2608": 9, "30": 8, "8402": 4, "8403": 3,
              "8481": 5, "8428": 4, "8433": 4, "8432": 3, "1101": 3, "1512": 2, "8474": 2, "8430": 1}
UZ_IMPORTS = {"07": 18, "08": 30, "52": 10, "61": 6, "62": 5, "63": 4, "28": 5, "31": 4, "38": 4,
              "72": 10, "39": 4}
GENERIC_EXPORTS = {"10": 14, "11": 10, "15": 10, "19": 5, "44": 12, "84": 14, "8606": 6,
                   "29": 6, "40": 5, "23": 8, "04": 5, "73": 5, "8474": 6, "8430": 5, "9015": 1}
GENERIC_IMPORTS = {"84": 22, "85": 14, "87": 10, "39": 8, "08": 6, "07": 4, "72": 6, "73": 6,
                   "40": 4, "30": 5, "28": 5, "48": 5, "94": 5, "61": 3, "62": 2, "31": 2}

# Annual turnover in million USD for 2023 and its yearly growth; calibrated so that in
# Jan–Sep 2025 Kazakhstan and China lead and Uzbekistan is third (as the krai publishes).
PARTNERS = {
    #       turnover 2023, growth/yr, export share
    "KZ": (520.0, 0.06, 0.55),
    "CN": (430.0, 0.12, 0.35),
    "UZ": (125.0, 0.00, 0.70),  # exact path set by UZ_TURNOVER below
    "KG": (70.0, 0.05, 0.75),
    "BY": (60.0, 0.03, 0.40),
    "MN": (55.0, 0.04, 0.85),
    "TJ": (35.0, 0.05, 0.80),
    "TR": (30.0, 0.02, 0.50),
    "DE": (25.0, -0.05, 0.20),
    "IT": (15.0, -0.03, 0.15),
    "IN": (14.0, 0.08, 0.60),
    "AM": (10.0, 0.04, 0.70),
    "AZ": (9.0, 0.04, 0.70),
    "IR": (8.0, 0.06, 0.65),
    "VN": (7.0, 0.05, 0.30),
}
# Turnover with Uzbekistan, Jan–Sep, million USD: 2025 is 33% above 2024.
UZ_TURNOVER_JAN_SEP = {2023: 88.0, 2024: 102.0, 2025: 102.0 * 1.33}
UZ_TURNOVER_OCT_DEC = {2023: 34.0, 2024: 41.0}
UZ_EXPORT_SHARE = {2023: 0.66, 2024: 0.68, 2025: 0.70}  # exports grow faster than imports
SEASON = [0.72, 0.80, 0.95, 1.00, 1.02, 1.00, 0.98, 1.02, 1.10, 1.12, 1.10, 1.19]


@dataclass(frozen=True)
class Row:
    flow: str  # ЭК | ИМ
    year: int
    month: int
    partner: str
    code: str
    value: float
    net_kg: float
    qty: float | None
    unit: str


def months() -> Iterator[tuple[int, int]]:
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            if (year, month) <= (LAST_YEAR, LAST_MONTH):
                yield year, month


def monthly_turnover(partner: str, year: int, month: int) -> float:
    """USD for one partner and month, before noise."""
    if partner == "UZ":
        in_jan_sep = month <= 9
        months_in_block = range(1, 10) if in_jan_sep else range(10, 13)
        block = (UZ_TURNOVER_JAN_SEP if in_jan_sep else UZ_TURNOVER_OCT_DEC)[year]
        weight = SEASON[month - 1] / sum(SEASON[m - 1] for m in months_in_block)
        return block * 1e6 * weight
    base, growth, _ = PARTNERS[partner]
    annual = base * (1 + growth) ** (year - FIRST_YEAR)
    return annual * 1e6 * SEASON[month - 1] / sum(SEASON)


def codes_by_group(groups: dict[str, int]) -> dict[str, list[str]]:
    """Real 10-digit TN VED lines under each group prefix (so names resolve in the demo)."""
    lines = [e.code for e in nomenclature().entries("HS2022", "national")]
    lines += [e.code for e in nomenclature().entries("HS2017", "national")]
    found = {}
    for prefix in groups:
        candidates = sorted({code for code in lines if code.startswith(prefix)})
        if not candidates:
            raise LookupError(f"no TN VED line under {prefix}")
        found[prefix] = candidates
    return found


def split(total: float, groups: dict[str, int], rng: random.Random,
          drift: dict[str, float] | None = None) -> dict[str, float]:
    noisy = {g: w * rng.uniform(0.8, 1.2) * (drift or {}).get(g, 1.0) for g, w in groups.items()}
    scale = total / sum(noisy.values())
    return {g: w * scale for g, w in noisy.items()}


def generate(seed: int = 20251001) -> list[Row]:
    rng = random.Random(seed)
    mixes = {"UZ": (UZ_EXPORTS, UZ_IMPORTS)}
    catalogue = {**codes_by_group(UZ_EXPORTS), **codes_by_group(UZ_IMPORTS),
                 **codes_by_group(GENERIC_EXPORTS), **codes_by_group(GENERIC_IMPORTS)}
    # Each partner trades a fixed handful of lines per group, as real trade does.
    chosen: dict[tuple[str, str, str], list[str]] = {}
    rows: list[Row] = []
    # Each goods group drifts from year to year, so that some grow and some shrink.
    drift = {(group, year): rng.uniform(0.85, 1.2) for group in catalogue for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    for partner in PARTNERS:
        export_mix, import_mix = mixes.get(partner, (GENERIC_EXPORTS, GENERIC_IMPORTS))
        for year, month in months():
            export_share = UZ_EXPORT_SHARE[year] if partner == "UZ" else PARTNERS[partner][2]
            turnover = monthly_turnover(partner, year, month) * rng.uniform(0.9, 1.1)
            if partner == "UZ":
                turnover = monthly_turnover(partner, year, month)  # calibrated exactly
            for flow, mix, share in (("ЭК", export_mix, export_share), ("ИМ", import_mix, 1 - export_share)):
                flow_total = turnover * share
                hidden = flow_total * CONFIDENTIAL_SHARE
                rows.append(Row(flow, year, month, partner, "XXXXXXXXXX", hidden, 0.0, None, ""))
                year_drift = {group: drift[(group, year)] for group in mix}
                for group, value in split(flow_total - hidden, mix, rng, year_drift).items():
                    key = (partner, flow, group)
                    if key not in chosen:
                        pool = catalogue[group]
                        chosen[key] = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                    lines = chosen[key]
                    parts = [rng.uniform(0.5, 1.5) for _ in lines]
                    for code, part in zip(lines, parts, strict=True):
                        line_value = value * part / sum(parts)
                        price_per_kg = rng.uniform(0.3, 12.0)
                        rows.append(Row(flow, year, month, partner, code, line_value,
                                        line_value / price_per_kg, None, "166"))
    return rows


def country_floors(rows: list[Row], country: str = "RU") -> dict[tuple[str, str, str], float]:
    """(exporter, importer, HS4) -> the region's largest yearly flow: its country carries at least that."""
    yearly: dict[tuple[str, str, str, int], float] = {}
    for row in rows:
        if not row.code.isdigit():
            continue
        key = (country, row.partner) if row.flow == "ЭК" else (row.partner, country)
        cell = (*key, row.code[:4], row.year)
        yearly[cell] = yearly.get(cell, 0.0) + row.value
    floors: dict[tuple[str, str, str], float] = {}
    for (exporter, importer, code4, year), value in yearly.items():
        months = LAST_MONTH if year == LAST_YEAR else 12
        floors[(exporter, importer, code4)] = max(floors.get((exporter, importer, code4), 0.0), value * 12 / months)
    return floors


def fmt(number: float) -> str:
    """Decimal comma, as FTS writes it."""
    return f"{number:.2f}".replace(".", ",")


def write_fts_regional(rows: list[Row], path: Path) -> Path:
    """Write rows as an FTS regional file: tab-separated, CP1251, decimal comma."""
    header = ["napr", "period", "nastranapr", "tnved", "edizm", "Stoim", "Netto", "Kol", "Region",
              "Region_s"]
    lines = ["\t".join(header)]
    for row in rows:
        lines.append("\t".join([
            row.flow, f"{row.month:02d}/{row.year}", row.partner, row.code, row.unit,
            fmt(row.value), fmt(row.net_kg) if row.net_kg else "", "" if row.qty is None else fmt(row.qty),
            REGION_CELL, DISTRICT_CELL,
        ]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return path
