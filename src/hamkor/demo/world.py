"""A synthetic world trade matrix (about 60 countries x HS 4-digit headings, 2020-2024) in BACI's format.

Deterministic from a seed. Every figure in it is invented; its shape follows what real world
trade looks like: a nested structure (diverse, capable economies export most products, simple
products are exported by many), gravity (nearer and larger markets take more), product and
market trends. It is calibrated so that the sectors the Altai Krai and Uzbek parties name in
their meetings show up in the opportunities, next to others the data suggests:

- Uzbekistan imports a lot of, and ever more, mining and geological exploration equipment
  (uranium and gold mining), boilers, wagons and medicines;
- Uzbekistan exports cotton, textiles and garments, fertilisers and other chemicals, fruit and
  vegetables.

It is written as a BACI file (one HS6 subheading stands for each heading) with its country code
file beside it, and loaded through the BACI importer marked `demo-synthetic-world`.
"""

from __future__ import annotations

import numpy as np

from hamkor.reference.countries import countries
from hamkor.reference.geography import distance_km
from hamkor.reference.nomenclature import nomenclature

YEARS = range(2020, 2025)
FILE_NAME = "BACI_HS17_Y2020-2024_demo-synthetic-world.csv"
CODES_FILE = "country_codes_demo-synthetic-world.csv"

# alpha-2: (exports in billion USD, capability 0..1 — how far up the complexity ladder it reaches)
COUNTRIES = {
    "CN": (3300, 0.82), "US": (2000, 0.95), "DE": (1650, 0.98), "JP": (750, 0.99), "KR": (680, 0.94),
    "NL": (900, 0.80), "FR": (600, 0.88), "IT": (650, 0.86), "GB": (520, 0.90), "IN": (450, 0.62),
    "CA": (590, 0.65), "MX": (580, 0.75), "RU": (450, 0.55), "SG": (480, 0.85), "ES": (420, 0.74),
    "BE": (470, 0.76), "CH": (400, 0.96), "PL": (360, 0.78), "AU": (410, 0.40), "BR": (330, 0.52),
    "SE": (200, 0.92), "AT": (220, 0.90), "CZ": (240, 0.91), "TR": (255, 0.66), "TH": (285, 0.68),
    "MY": (350, 0.72), "VN": (370, 0.58), "ID": (290, 0.48), "SA": (320, 0.30), "AE": (380, 0.45),
    "HU": (150, 0.87), "SK": (110, 0.86), "RO": (100, 0.72), "DK": (130, 0.80), "NO": (250, 0.45),
    "FI": (85, 0.88), "PT": (90, 0.65), "GR": (60, 0.55), "IL": (70, 0.85), "ZA": (120, 0.55),
    "EG": (50, 0.45), "MA": (45, 0.48), "NG": (60, 0.20), "AR": (90, 0.45), "CL": (95, 0.35),
    "CO": (55, 0.40), "PE": (60, 0.32), "PH": (80, 0.62), "PK": (35, 0.38), "BD": (55, 0.30),
    "KZ": (80, 0.35), "UZ": (25, 0.40), "KG": (4, 0.30), "TJ": (2.5, 0.25), "TM": (10, 0.20),
    "BY": (40, 0.62), "UA": (45, 0.55), "AZ": (35, 0.25), "GE": (6, 0.40), "AM": (5, 0.42),
    "MN": (12, 0.22), "IR": (90, 0.45), "AF": (2, 0.10), "BG": (50, 0.64),
}

# Chapters' place on the complexity ladder (0 = simplest); a heading scatters around its chapter's.
def _chapter_complexity(chapter: int) -> float:
    if chapter <= 24:
        return 0.15  # food and agriculture
    if chapter <= 27:
        return 0.05  # ores and fuels
    if chapter <= 38:
        return 0.60  # chemicals and pharmaceuticals
    if chapter <= 40:
        return 0.55  # plastics and rubber
    if chapter <= 49:
        return 0.30  # hides, wood, paper
    if chapter <= 63:
        return 0.25  # textiles and garments
    if chapter <= 71:
        return 0.35  # footwear, stone, glass, precious metals
    if chapter <= 83:
        return 0.45  # base metals
    if chapter <= 85:
        return 0.75  # machinery and electrical equipment
    if chapter <= 89:
        return 0.65  # vehicles
    if chapter <= 92:
        return 0.85  # instruments
    return 0.40


# Who makes what more than their capability alone says (exporter, code prefix) -> factor.
EXPORT_STRENGTHS = {
    "UZ": {"52": 40, "61": 12, "62": 8, "63": 14, "5205": 20, "08": 14, "07": 16, "0806": 10, "0813": 10,
           "31": 12, "28": 6, "2814": 6, "3102": 10, "29": 3, "74": 8, "7403": 10, "27": 3},
    "RU": {"27": 12, "72": 4, "44": 6, "10": 6, "31": 6, "28": 2, "76": 4, "8606": 4, "8474": 2,
           "8402": 2, "3004": 0.5, "47": 3},
    "KZ": {"26": 10, "27": 8, "72": 4, "10": 4, "28": 3},
    "CN": {"85": 2, "84": 1.6, "61": 2, "62": 2, "63": 3, "8474": 1.5, "8430": 1.5},
    "DE": {"87": 2, "84": 1.6, "30": 1.8, "8474": 1.5},
    "CH": {"30": 4, "91": 6},
    "IN": {"30": 3, "52": 3, "10": 3},
    "TR": {"61": 3, "62": 3, "08": 2, "87": 1.4},
    "IT": {"84": 1.4, "64": 3, "30": 1.3},
    "US": {"84": 1.3, "88": 3, "30": 1.3, "9015": 2},
    "BY": {"87": 2, "8429": 3, "04": 4, "31": 5},
    "AU": {"26": 10, "27": 4, "7108": 4},
    "SA": {"27": 20}, "AE": {"27": 10, "71": 4}, "NO": {"27": 10, "03": 6},
}
# Whose markets take more than their size alone says (importer, code prefix) -> factor, and their
# growth a year: Uzbekistan is investing in mining, energy and railways.
IMPORT_NEEDS = {
    "UZ": {"8474": (60, 0.16), "8430": (50, 0.15), "9015": (25, 0.12), "8429": (15, 0.10),
           "8402": (25, 0.12), "8403": (18, 0.10), "8404": (10, 0.08), "8606": (40, 0.14),
           "8607": (15, 0.10), "3004": (8, 0.12), "3002": (6, 0.10), "4407": (10, 0.08),
           "4011": (6, 0.06), "8481": (6, 0.08), "8433": (6, 0.06), "8432": (6, 0.06), "1001": (4, 0.04)},
    "RU": {"08": (3, 0.04), "07": (3, 0.04), "52": (2, 0.03), "61": (2, 0.05), "62": (2, 0.05),
           "31": (1.5, 0.03)},
    "KZ": {"8474": (6, 0.06), "8430": (6, 0.06), "8606": (4, 0.05)},
}


def _boost(table: dict[str, dict], who: str, codes: list[str]) -> np.ndarray:
    factor = np.ones(len(codes))
    for prefix, value in table.get(who, {}).items():
        chosen = np.array([c.startswith(prefix) for c in codes])
        factor[chosen] *= value if not isinstance(value, tuple) else value[0]
    return factor


def _trend(who: str, codes: list[str]) -> np.ndarray:
    growth = np.zeros(len(codes))
    for prefix, (_, rate) in IMPORT_NEEDS.get(who, {}).items():
        growth[np.array([c.startswith(prefix) for c in codes])] = rate
    return growth


def headings() -> tuple[list[str], list[str]]:
    """HS 2017 headings, each with the first subheading under it (BACI speaks HS6)."""
    entries = nomenclature().entries("HS2017")
    first_sub: dict[str, str] = {}
    for entry in entries:
        if entry.level == "subheading":
            first_sub.setdefault(entry.code[:4], entry.code)
    heads = sorted(e.code for e in entries if e.level == "heading" and e.code in first_sub)
    return heads, [first_sub[h] for h in heads]


Floors = dict[tuple[str, str, str], float]


def generate(seed: int = 20240601, floors: Floors | None = None
             ) -> tuple[list[str], list[str], dict[int, np.ndarray]]:
    """Country codes, HS6 codes, and per year an exporters x importers x products array (USD).

    floors: (exporter, importer, HS4) -> USD a year the flow must at least carry, so that a
    region's own file never shows more trade than its whole country has in the world matrix.
    """
    rng = np.random.default_rng(seed)
    codes4, codes6 = headings()
    names = list(COUNTRIES)
    size = np.array([COUNTRIES[c][0] for c in names]) * 1e9
    capability = np.array([COUNTRIES[c][1] for c in names])
    n, p = len(names), len(codes4)
    chapters = np.array([int(c[:2]) for c in codes4])
    complexity = np.clip(np.array([_chapter_complexity(ch) for ch in chapters]) + rng.normal(0, 0.15, p), 0, 1)
    market = rng.lognormal(0.0, 1.3, p)  # how large the world market of each product is

    # Nestedness: the further a product sits above a country's capability, the less likely it makes it.
    reach = 1 / (1 + np.exp(-(capability[:, None] - complexity[None, :] + 0.05) * 9))
    makes = rng.random((n, p)) < reach
    strength = np.stack([_boost(EXPORT_STRENGTHS, c, codes4) for c in names])
    makes |= strength > 1  # a named strength is always exported
    exports = makes * market[None, :] * rng.lognormal(0.0, 1.1, (n, p)) * strength * reach
    exports *= (size / exports.sum(axis=1))[:, None]

    distance = np.array([[distance_km(a, b) or 5000.0 for b in names] for a in names])
    np.fill_diagonal(distance, np.inf)
    needs = np.stack([_boost(IMPORT_NEEDS, c, codes4) for c in names])  # importers x products
    appetite = (size ** 0.9)[:, None] * rng.lognormal(0.0, 0.7, (n, p)) * needs
    # Each exporter sells a product to a handful of markets, drawn by gravity (Gumbel top-K = a
    # weighted draw without replacement); more capable exporters reach more markets.
    gravity = appetite[None, :, :] / distance[:, :, None]  # exporters x importers x products
    with np.errstate(divide="ignore"):  # a country is no market of its own: log(0) = -inf never drawn
        perturbed = np.log(gravity) + rng.gumbel(size=gravity.shape)
    markets = 1 + np.round(3 * capability).astype(int)
    keep = np.zeros_like(gravity, dtype=bool)
    for e in range(n):
        cut = np.partition(perturbed[e], -markets[e], axis=0)[-markets[e]]
        keep[e] = perturbed[e] >= cut
    keep &= makes[:, None, :]
    shares = np.where(keep, gravity, 0.0)
    shares /= np.where(shares.sum(axis=1, keepdims=True) > 0, shares.sum(axis=1, keepdims=True), 1.0)
    base = shares * exports[:, None, :]
    where = {c: i for i, c in enumerate(names)}
    column = {c: i for i, c in enumerate(codes4)}
    for (exporter, importer, code4), value in (floors or {}).items():
        if exporter in where and importer in where and code4 in column:
            cell = (where[exporter], where[importer], column[code4])
            base[cell] = max(base[cell], 3.0 * value)  # room for the years' trends and noise

    product_growth = rng.normal(0.04, 0.05, p)
    exporter_growth = rng.normal(0.03, 0.03, n)
    market_growth = np.stack([_trend(c, codes4) for c in names])  # importers x products
    years = {}
    for offset, year in enumerate(YEARS):
        scale = ((1 + product_growth)[None, None, :] * (1 + exporter_growth)[:, None, None]
                 * (1 + market_growth)[None, :, :]) ** offset
        noise = rng.lognormal(0.0, 0.08, base.shape)
        years[year] = base * scale * noise
    return names, codes6, years


def write_baci(folder, seed: int = 20240601, floors: Floors | None = None):
    """The BACI file and its country code file; returns the data file's path."""
    names, codes6, years = generate(seed, floors)
    folder.mkdir(parents=True, exist_ok=True)
    numeric = {c: countries().get(c).numeric.lstrip("0") for c in names}
    with open(folder / CODES_FILE, "w", encoding="utf-8") as handle:
        handle.write("country_code,country_name,country_iso2,country_iso3\n")
        for c in names:
            country = countries().get(c)
            handle.write(f"{numeric[c]},\"{country.name('en')}\",{c},{country.alpha3}\n")
    path = folder / FILE_NAME
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("t,i,j,k,v,q\n")
        for year, flows in years.items():
            # BACI drops flows under $1,000; the demo drops the dust under $20,000 to stay small
            e, i, k = np.nonzero(flows >= 20000.0)
            values = flows[e, i, k] / 1000.0
            lines = [f"{year},{numeric[names[a]]},{numeric[names[b]]},{codes6[c]},{v:.3f},NA\n"
                     for a, b, c, v in zip(e.tolist(), i.tolist(), k.tolist(), values.tolist(), strict=True)]
            handle.writelines(lines)
    return path
