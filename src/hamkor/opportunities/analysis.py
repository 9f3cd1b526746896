"""Promising areas of cooperation for a pair, in either direction, with their reasons.

Reads the world matrix and the region's own data from the warehouse, runs the pure methods
(complexity, export potential) and keeps for each product the figures an explanation needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import numpy as np

from hamkor.i18n import Msg
from hamkor.opportunities.complexity import complexity, density, outlook, proximity, rca
from hamkor.opportunities.potential import Assumptions, export_potential, project, yearly_growth
from hamkor.opportunities.world import (
    OpportunityError,
    RegionData,
    WorldSource,
    find_world_source,
    flows_into,
    insert_region,
    is_region,
    load_region,
    world_exports,
)
from hamkor.reference.geography import distance_km
from hamkor.trade.facts import is_synthetic

DIRECTIONS = ("export", "import")
RE_EXPORT_CHAPTERS = {"73", "84", "85", "86", "87", "88", "89", "90"}
RE_EXPORT_RATIO = 20.0
SMALL_EXPORTS_USD = 100_000.0  # an exporter's sales of a product below this say little of its capability
SMALL_DEMAND_USD = 1_000_000.0  # nor does a market buying less than this a year
MIRROR_TOLERANCE = 1.5  # two sources farther apart than this factor disagree


@dataclass
class Opportunity:
    product: str
    kind: str  # potential | diversification
    potential: float  # USD a year (0 for diversification)
    actual: float
    untapped: float
    demand: float  # the market's weighted imports, USD a year
    demand_growth: float  # yearly, fraction
    supply_share: float
    rca: float
    destinations: int  # countries the exporter sells it to
    distance: float
    ease: float
    competition: float
    density: float
    pci: float | None
    gain: float | None  # complexity outlook gain
    score: float  # what the list is ranked by (untapped USD, or density x demand)
    flags: list[str] = field(default_factory=list)
    flag_details: dict[str, str] = field(default_factory=dict)

    @property
    def realised(self) -> float | None:
        return None if self.potential <= 0 else min(self.actual, self.potential) / self.potential

    def factors(self) -> dict[str, float]:
        """The multiplicative factors of the score; their product is the score."""
        if self.kind == "potential":
            return {"supply": self.supply_share, "demand": self.demand, "distance": self.distance,
                    "ease": self.ease, "competition": self.competition}
        return {"density": self.density, "demand": self.demand}

    def contributions(self) -> dict[str, float]:
        """ln of each factor: log-additive parts summing to ln of the score (potential or score)."""
        return {name: math.log(value) if value > 0 else float("-inf") for name, value in self.factors().items()}


@dataclass
class Opportunities:
    reporter: str
    partner: str
    direction: str
    exporter: str
    market: str
    year: int
    years: list[int]
    world: WorldSource
    region_source: str | None
    assumptions: Assumptions
    level: int
    ease: float
    exporter_eci: float | None
    items: list[Opportunity]
    diversification: list[Opportunity]
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return self.world.synthetic or is_synthetic(self.region_source)

    @property
    def total_potential(self) -> float:
        return sum(i.potential for i in self.items)

    @property
    def total_untapped(self) -> float:
        return sum(i.untapped for i in self.items)


def _pick_year(world: WorldSource, region: RegionData | None, year: int | None) -> int:
    if year is not None:
        if year not in world.years:
            raise OpportunityError(Msg("the world trade matrix (%(source)s) has no %(year)s; it covers %(items)s",
                                       source=world.source, year=year, items=', '.join(map(str, world.years))))
        return year
    for candidate in sorted(world.years, reverse=True):
        if region is None or region.months.get(candidate, 0) == 12:
            return candidate
    # No year complete on both sides: the latest the region has at all, annualised later.
    shared = [y for y in world.years if region and region.months.get(y)]
    if not shared:
        raise OpportunityError(Msg("%(code)s has no data in any year of the world trade matrix (%(items)s)",
                                   code=region.code, items=', '.join(map(str, world.years))))
    return max(shared)


def _log_distances(locations: list[str], market: str) -> np.ndarray:
    values = []
    for location in locations:
        km = distance_km(location, market) if location != market else None
        values.append(math.log(km) if km else math.nan)
    return np.array(values)


def _by_product(flows: dict[tuple[str, str], float], products: dict[str, int], who: str | None = None) -> np.ndarray:
    out = np.zeros(len(products))
    for (partner, product), value in flows.items():
        if (who is None or partner == who) and product in products:
            out[products[product]] += value
    return out


def find_opportunities(con: duckdb.DuckDBPyConnection, reporter: str, partner: str, direction: str = "export",
                       year: int | None = None, assumptions: Assumptions | None = None, level: int = 4,
                       source: str | None = None) -> Opportunities:
    """Export opportunities of the reporter in the partner (direction export), or what the
    partner could supply the reporter (direction import: sourcing and import substitution)."""
    if direction not in DIRECTIONS:
        raise OpportunityError(Msg("direction must be export or import, not '%(direction)s'", direction=direction))
    if level not in (4, 6):
        raise OpportunityError("level must be 4 (HS headings) or 6 (HS subheadings)")
    reporter, partner = reporter.strip().upper(), partner.strip().upper()
    if is_region(partner):
        raise OpportunityError(Msg("the partner must be a country (alpha-2), not the region %(partner)s: world "
                                   "trade data knows countries only",
                                   partner=partner))
    assumptions = assumptions or Assumptions()
    world = find_world_source(con, source)
    notes: list[str] = []
    region = None
    if is_region(reporter):
        region = load_region(con, reporter, list(range(max(world.years), min(world.years) - 1, -1)), level)
    year = _pick_year(world, region, year)
    years = [y for y in range(year, year - 5, -1) if y in world.years]
    exporter, market = (reporter, partner) if direction == "export" else (partner, reporter)

    matrix = world_exports(con, world, year, level)
    annualise = 1.0
    if region is not None:
        months = region.months.get(year, 0)
        if months == 0:
            raise OpportunityError(Msg("%(reporter)s has no data for %(year)s (%(source)s)",
                                       reporter=reporter, year=year, source=region.source))
        if months < 12:
            annualise = 12 / months
            notes.append(Msg("%(reporter)s: %(year)s has %(months)s months of data; its figures are scaled to a year",
                             reporter=reporter, year=year, months=months))
        exports = {}
        for (_, product), value in region.exports.get(year, {}).items():
            exports[product] = exports.get(product, 0.0) + value * annualise
        matrix, exceeds = insert_region(matrix, reporter, region.country, exports)
        if exceeds:
            notes.append(Msg("%(reporter)s exports more than %(country)s in the world data in %(exceeds)s "
                             "products (%(products)s): the two sources disagree there",
                             reporter=reporter, country=region.country, exceeds=len(exceeds),
                             products=", ".join(exceeds[:5]) + ("…" if len(exceeds) > 5 else "")))
    if exporter not in matrix.locations:
        raise OpportunityError(Msg("%(exporter)s exports nothing in the world trade matrix in %(year)s",
                                   exporter=exporter, year=year))
    columns = {p: i for i, p in enumerate(matrix.products)}
    e = matrix.locations.index(exporter)

    # What the market bought from each exporter (latest year) and in all (each year, most recent first).
    bilateral = np.zeros_like(matrix.values)
    rows = {c: i for i, c in enumerate(matrix.locations)}
    if is_region(market):
        by_year = {y: {k: v * (annualise if y == year else 1.0) for k, v in region.imports.get(y, {}).items()}
                   for y in years if region.months.get(y)}
        if not by_year:
            raise OpportunityError(Msg("%(market)s has no imports in %(years)s–%(years2)s",
                                       market=market, years=years[-1], years2=years[0]))
        if len(by_year) < len(years):
            notes.append(Msg("%(market)s: demand averages %(by_year)s year(s) of imports, not five",
                             market=market, by_year=len(by_year)))
        for (supplier, product), value in by_year.get(year, {}).items():
            if supplier in rows and product in columns:
                bilateral[rows[supplier], columns[product]] += value
        history = np.stack([_by_product(by_year[y], columns) for y in sorted(by_year, reverse=True)])
    else:
        flows = flows_into(con, world, market, years, level)
        if not flows.get(year):
            raise OpportunityError(Msg("nobody exports to %(market)s in the world trade matrix in %(year)s",
                                       market=market, year=year))
        for (supplier, product), value in flows[year].items():
            if supplier in rows and product in columns:
                bilateral[rows[supplier], columns[product]] += value
        if region is not None and exporter == reporter:
            own = _by_product({k: v * annualise for k, v in region.exports.get(year, {}).items()}, columns, market)
            country_row = rows[region.country] if region.country in rows else None
            if country_row is not None:
                bilateral[country_row] = np.maximum(bilateral[country_row] - own, 0.0)
            bilateral[e] = own
        history = np.stack([_by_product(flows.get(y, {}), columns) for y in years])
        if len([y for y in years if flows.get(y)]) < 5:
            notes.append(Msg("%(market)s: demand averages %(value)s year(s), not five",
                             market=market, value=len([y for y in years if flows.get(y)])))

    supply_matrix, demand = project(matrix.values, e, history, assumptions)
    log_distance = _log_distances(matrix.locations, market)
    if math.isnan(log_distance[e]):
        notes.append(Msg("no capital coordinates for %(exporter)s or %(market)s: the distance factor is left at 1",
                         exporter=exporter, market=market))
    result = export_potential(supply_matrix, bilateral, demand, log_distance)
    growth = yearly_growth(history)

    # Complexity of the world with the region in it; density for products not yet exported.
    # One RCA of the whole matrix serves the table and the trimming (empty rows and columns have
    # RCA 0 there, so they fall out with the rest that has no advantage anywhere).
    r_full = rca(matrix.values)
    keep_rows, keep_cols = (r_full >= 1).any(axis=1), (r_full >= 1).any(axis=0)
    eci_value, pci_full, density_row, gain_row = None, np.full(len(matrix.products), np.nan), None, None
    try:
        cx = complexity(matrix.values[np.ix_(keep_rows, keep_cols)])
        phi = proximity(cx.m)
        coi, cog = outlook(cx.m, phi, cx.pci)
        col_index = np.nonzero(keep_cols)[0]
        row_index = np.nonzero(keep_rows)[0]
        pci_full[col_index] = cx.pci
        if e in row_index:
            local = int(np.nonzero(row_index == e)[0][0])
            eci_value = float(cx.eci[local])
            density_row = np.zeros(len(matrix.products))
            density_row[col_index] = density(cx.m, phi)[local]
            gain_row = np.full(len(matrix.products), np.nan)
            gain_row[col_index] = cog[local]
    except ValueError as failure:
        notes.append(Msg("economic complexity could not be computed: %(failure)s", failure=failure))

    destinations = _destinations(con, world, region, exporter, year, level, columns)
    exporter_imports = _exporter_imports(con, world, region, exporter, year, level, columns, annualise)
    mirror = _mirror(con, world, region, exporter, market, year, level, columns, bilateral[e], annualise)

    items, diversification = [], []
    for product, k in columns.items():
        base = dict(product=product, demand=float(result.demand[k]), demand_growth=float(growth[k]),
                    supply_share=float(result.supply[e, k]), rca=float(r_full[e, k]),
                    destinations=destinations.get(product, 0), distance=float(result.distance[e, k]),
                    ease=float(result.ease[e]), competition=float(result.competition[k]),
                    density=float(density_row[k]) if density_row is not None else 0.0,
                    pci=None if np.isnan(pci_full[k]) else float(pci_full[k]),
                    gain=None if gain_row is None or np.isnan(gain_row[k]) else float(gain_row[k]))
        if matrix.values[e, k] > 0 and (result.potential[e, k] > 0 or result.actual[e, k] > 0):
            item = Opportunity(kind="potential", potential=float(result.potential[e, k]),
                               actual=float(result.actual[e, k]), untapped=float(result.untapped[e, k]),
                               score=float(result.untapped[e, k]), **base)
            _flag(item, matrix.values[e, k], exporter_imports[k], mirror.get(product))
            items.append(item)
        elif matrix.values[e, k] == 0 and result.demand[k] > 0 and density_row is not None:
            item = Opportunity(kind="diversification", potential=0.0, actual=0.0, untapped=0.0,
                               score=float(density_row[k] * result.demand[k]), **base)
            _flag(item, 0.0, exporter_imports[k], None)
            diversification.append(item)
    items.sort(key=lambda i: (-i.score, i.product))
    diversification.sort(key=lambda i: (-i.score, i.product))
    return Opportunities(reporter, partner, direction, exporter, market, year, years, world,
                         region.source if region else None, assumptions, level, float(result.ease[e]),
                         eci_value, items, diversification, notes)


def _trim_masks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Locations and products that keep at least one RCA >= 1 (complexity needs both)."""
    m = rca(values) >= 1
    return m.any(axis=1), m.any(axis=0)


def _flag(item: Opportunity, exports: float, imports: float, mirror: str | None) -> None:
    if item.product[:2] in RE_EXPORT_CHAPTERS and exports > 0 and imports >= RE_EXPORT_RATIO * exports:
        item.flags.append("re-export")
        item.flag_details["re-export"] = (f"imports {imports:,.0f} USD ≥ {RE_EXPORT_RATIO:.0f}x "
                                          f"exports {exports:,.0f} USD")
    small = []
    if 0 < exports < SMALL_EXPORTS_USD:
        small.append(f"exports {exports:,.0f} USD")
    if item.demand < SMALL_DEMAND_USD:
        small.append(f"market imports {item.demand:,.0f} USD")
    if small:
        item.flags.append("small-numbers")
        item.flag_details["small-numbers"] = "; ".join(small)
    if mirror:
        item.flags.append("mirror-gap")
        item.flag_details["mirror-gap"] = mirror


def _destinations(con, world: WorldSource, region: RegionData | None, exporter: str, year: int, level: int,
                  columns: dict[str, int]) -> dict[str, int]:
    if region is not None and exporter == region.code:
        partners: dict[str, set[str]] = {}
        for (partner, product), value in region.exports.get(year, {}).items():
            if value > 0 and partner != "XX":
                partners.setdefault(product, set()).add(partner)
        return {p: len(s) for p, s in partners.items()}
    rows = con.execute(
        f"""SELECT left(commodity_code, {level}), count(DISTINCT partner) FROM trade_flow
            WHERE source = ? AND reporter = ? AND year = ? AND flow = 'export' AND value_usd > 0 AND partner <> 'XX'
            GROUP BY 1""", [world.source, exporter, year]).fetchall()
    return {p: int(n) for p, n in rows}


def _exporter_imports(con, world: WorldSource, region: RegionData | None, exporter: str, year: int, level: int,
                      columns: dict[str, int], annualise: float) -> np.ndarray:
    if region is not None and exporter == region.code:
        return _by_product(region.imports.get(year, {}), columns) * annualise
    flows = flows_into(con, world, exporter, [year], level).get(year, {})
    return _by_product(flows, columns)


def _mirror(con, world: WorldSource, region: RegionData | None, exporter: str, market: str, year: int,
            level: int, columns: dict[str, int], bilateral_row: np.ndarray, annualise: float) -> dict[str, str]:
    """Where two sources tell different stories about the pair's trade in a product."""
    gaps: dict[str, str] = {}
    if region is not None:
        # The region's own figure for its trade with the market against its country's in the world data.
        country = region.country
        other = market if exporter == region.code else exporter
        if exporter == region.code:
            own = _by_product({k: v * annualise for k, v in region.exports.get(year, {}).items()}, columns, other)
            national = _by_product(flows_into(con, world, other, [year], level).get(year, {}), columns, country)
        else:
            own = _by_product({k: v * annualise for k, v in region.imports.get(year, {}).items()}, columns, other)
            national = _by_product(flows_into(con, world, country, [year], level).get(year, {}), columns, other)
        for product, k in columns.items():
            if own[k] > max(national[k] * MIRROR_TOLERANCE, SMALL_EXPORTS_USD):
                gaps[product] = (f"{region.code} reports {own[k]:,.0f} USD, more than all of {country} "
                                 f"({national[k]:,.0f} USD) in {world.source}")
        return gaps
    # Two countries: the market's own itemised import figures, where loaded, against the world matrix.
    rows = con.execute(
        f"""SELECT source, left(commodity_code, {level}), sum(value_usd) FROM trade_flow
            WHERE reporter = ? AND partner = ? AND flow = 'import' AND year = ? AND source <> ?
              AND regexp_full_match(commodity_code, '[0-9]+') GROUP BY ALL""",
        [market, exporter, year, world.source]).fetchall()
    for source, product, value in rows:
        k = columns.get(product)
        if k is None:
            continue
        world_value = bilateral_row[k]
        high, low = max(value, world_value), min(value, world_value)
        if high > SMALL_EXPORTS_USD and high > low * MIRROR_TOLERANCE:
            gaps[product] = f"{market} reports {value:,.0f} USD ({source}), {world.source} {world_value:,.0f} USD"
    return gaps



@dataclass
class WorldComplexity:
    year: int
    world: WorldSource
    region: str | None
    locations: list[str]
    eci: np.ndarray
    diversity: np.ndarray
    products: list[str]
    pci: np.ndarray
    ubiquity: np.ndarray
    dropped_locations: list[str]
    dropped_products: list[str]


def world_complexity(con: duckdb.DuckDBPyConnection, year: int | None = None, region: str | None = None,
                     source: str | None = None, level: int = 4) -> WorldComplexity:
    """ECI per location and PCI per product of the world matrix (a region inserted if asked)."""
    world = find_world_source(con, source)
    data = None
    if region:
        region = region.strip().upper()
        if not is_region(region):
            raise OpportunityError(Msg("%(region)s is not a region code (ISO 3166-2, e.g. RU-ALT)", region=region))
        data = load_region(con, region, sorted(world.years, reverse=True), level)
    year = _pick_year(world, data, year)
    matrix = world_exports(con, world, year, level)
    if data is not None:
        months = data.months.get(year, 0)
        if not months:
            raise OpportunityError(Msg("%(region)s has no data for %(year)s", region=region, year=year))
        exports: dict[str, float] = {}
        for (_, product), value in data.exports.get(year, {}).items():
            exports[product] = exports.get(product, 0.0) + value * 12 / months
        matrix, _ = insert_region(matrix, region, data.country, exports)
    keep_rows, keep_cols = _trim_masks(matrix.values)
    result = complexity(matrix.values[np.ix_(keep_rows, keep_cols)])
    locations = [c for c, keep in zip(matrix.locations, keep_rows, strict=True) if keep]
    products = [p for p, keep in zip(matrix.products, keep_cols, strict=True) if keep]
    return WorldComplexity(year, world, region, locations, result.eci, result.diversity, products, result.pci,
                           result.ubiquity,
                           [c for c, keep in zip(matrix.locations, keep_rows, strict=True) if not keep],
                           [p for p, keep in zip(matrix.products, keep_cols, strict=True) if not keep])
