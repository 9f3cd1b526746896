"""The world trade matrix read from the warehouse, with a region inserted as a location of its own.

A world matrix is a source holding many reporters' trade itemised by product (BACI, or the
demo's synthetic one). A region (ISO 3166-2, e.g. RU-ALT) comes from its own source (an FTS
regional file): its exports are taken out of its country's, so that it has comparative
advantages of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

from hamkor.errors import Problem
from hamkor.i18n import Msg
from hamkor.reference.regions import regions
from hamkor.trade.facts import is_synthetic
from hamkor.trade.periods import Period
from hamkor.trade.stats import pick_source

MIN_WORLD_REPORTERS = 10
DIGITS = "regexp_full_match(commodity_code, '[0-9]+')"


class OpportunityError(Problem):
    """What was asked cannot be answered from the data loaded; the message says why."""


@dataclass(frozen=True)
class WorldSource:
    source: str
    years: list[int]
    reporters: int

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.source)


def find_world_source(con: duckdb.DuckDBPyConnection, source: str | None = None) -> WorldSource:
    """The source with the most reporters itemised by product in annual figures."""
    # The batches' coverage says it without reading the rows (see trade.warehouse.batch_coverage).
    rows = con.execute(
        f"""SELECT source, count(DISTINCT reporter), list(DISTINCT year ORDER BY year)
            FROM batch_coverage WHERE month IS NULL AND itemised
              AND length(reporter) = 2 {'AND source = ?' if source else ''}
            GROUP BY source ORDER BY 2 DESC, source LIMIT 1""", [source] if source else []).fetchall()
    if not rows or rows[0][1] < MIN_WORLD_REPORTERS:
        reporters = rows[0][1] if rows else 0
        raise OpportunityError(
            Msg("no world trade matrix is loaded (source '%(source)s' has %(reporters)s reporters): import BACI "
                "covering at least %(least)s exporting countries itemised by product",
                source=source, reporters=reporters, least=MIN_WORLD_REPORTERS) if source else
            Msg("no world trade matrix is loaded: import BACI covering at least %(least)s exporting countries "
                "itemised by product", least=MIN_WORLD_REPORTERS))
    return WorldSource(rows[0][0], [int(y) for y in rows[0][2]], int(rows[0][1]))


@dataclass
class RegionData:
    """A region's own trade by partner and product, for the years asked (most recent first)."""

    code: str
    country: str
    source: str
    months: dict[int, int]  # year -> months with data
    exports: dict[int, dict[tuple[str, str], float]] = field(default_factory=dict)  # year -> (partner, k) -> USD
    imports: dict[int, dict[tuple[str, str], float]] = field(default_factory=dict)


def is_region(code: str) -> bool:
    return "-" in code


def country_of(code: str) -> str:
    if not is_region(code):
        return code
    region = regions().get(code)
    if region is None:
        raise OpportunityError(Msg("unknown region '%(code)s': use an ISO 3166-2 code such as RU-ALT", code=code))
    return region.country


def load_region(con: duckdb.DuckDBPyConnection, code: str, years: list[int], level: int) -> RegionData:
    country = country_of(code)
    source = pick_source(con, code, Period((years[-1], 1), (years[0], 12)))
    if source is None:
        raise OpportunityError(Msg("no trade data of %(code)s for %(years)s–%(years2)s: import its customs file first",
                                   code=code, years=years[-1], years2=years[0]))
    rows = con.execute(
        f"""SELECT year, flow, partner, left(commodity_code, {level}), sum(value_usd)
            FROM trade_flow WHERE reporter = ? AND source = ? AND year BETWEEN ? AND ? AND {DIGITS}
              AND length(commodity_code) >= {level}
            GROUP BY ALL""", [code, source, min(years), max(years)]).fetchall()
    # an annual figure (month NULL) covers the whole year
    months = con.execute(
        "SELECT year, CASE WHEN bool_or(month IS NULL) THEN 12 ELSE count(DISTINCT month) END FROM trade_flow "
        "WHERE reporter = ? AND source = ? AND year BETWEEN ? AND ? GROUP BY year",
        [code, source, min(years), max(years)]).fetchall()
    data = RegionData(code, country, source, {int(y): int(m) for y, m in months})
    for year, flow, partner, product, value in rows:
        side = data.exports if flow == "export" else data.imports
        side.setdefault(int(year), {})[(partner, product)] = float(value)
    return data


@dataclass
class Matrix:
    """Locations x products for one year (USD)."""

    locations: list[str]
    products: list[str]
    values: np.ndarray


def world_exports(con: duckdb.DuckDBPyConnection, world: WorldSource, year: int, level: int) -> Matrix:
    # Summed by the code as stored first, then checked and cut to the level on those few hundred thousand
    # sums rather than on every row; each cell's place in the matrix comes from the engine (dense ranks),
    # and numpy puts the values there in one step.
    found = con.execute(
        f"""WITH stored AS (SELECT reporter, commodity_code, sum(value_usd) AS value FROM trade_flow
                            WHERE source = ? AND year = ? AND flow = 'export'
                              AND length(reporter) = 2 AND reporter <> 'XX' GROUP BY ALL),
                 cut AS (SELECT reporter, left(commodity_code, {level}) AS product, sum(value) AS value
                         FROM stored WHERE {DIGITS} GROUP BY ALL)
            SELECT dense_rank() OVER (ORDER BY reporter) - 1 AS row, dense_rank() OVER (ORDER BY product) - 1 AS col,
                   reporter, product, value FROM cut""", [world.source, year]).fetchnumpy()
    if len(found["value"]) == 0:
        raise OpportunityError(Msg("the world trade matrix (%(source)s) has no exports for %(year)s; "
                                   "it covers %(items)s", source=world.source, year=year,
                                   items=', '.join(map(str, world.years))))
    rows, columns = found["row"].astype(np.int64), found["col"].astype(np.int64)
    locations = np.empty(rows.max() + 1, dtype=object)
    locations[rows] = found["reporter"]
    products = np.empty(columns.max() + 1, dtype=object)
    products[columns] = found["product"]
    values = np.zeros((len(locations), len(products)))
    values[rows, columns] = np.asarray(found["value"], dtype=float)
    return Matrix(locations.tolist(), products.tolist(), values)


def flows_into(con: duckdb.DuckDBPyConnection, world: WorldSource, market: str, years: list[int],
               level: int) -> dict[int, dict[tuple[str, str], float]]:
    """year -> (exporter, product) -> USD that the market bought (as its suppliers report it)."""
    rows = con.execute(
        f"""SELECT year, reporter, left(commodity_code, {level}), sum(value) FROM (
              SELECT year, reporter, commodity_code, sum(value_usd) AS value FROM trade_flow
              WHERE source = ? AND partner = ? AND flow = 'export' AND year BETWEEN ? AND ? GROUP BY ALL)
            WHERE {DIGITS} GROUP BY ALL""", [world.source, market, min(years), max(years)]).fetchall()
    result: dict[int, dict[tuple[str, str], float]] = {}
    for year, exporter, product, value in rows:
        result.setdefault(int(year), {})[(exporter, product)] = float(value)
    return result


def insert_region(matrix: Matrix, region: str, country: str,
                  region_exports: dict[str, float]) -> tuple[Matrix, list[str]]:
    """The region as a location of its own, its exports taken out of its country's.

    Returns the new matrix and the products where the region's own figure exceeds its
    country's in the world matrix (the two sources disagree; the country keeps zero there).
    """
    products = sorted(set(matrix.products) | set(region_exports))
    where_p = {p: i for i, p in enumerate(products)}
    values = np.zeros((len(matrix.locations) + 1, len(products)))
    for old, product in enumerate(matrix.products):
        values[:-1, where_p[product]] = matrix.values[:, old]
    row = np.zeros(len(products))
    for product, value in region_exports.items():
        row[where_p[product]] = value
    exceeds: list[str] = []
    if country in matrix.locations:
        c = matrix.locations.index(country)
        exceeds = [products[i] for i in np.nonzero(row > values[c] * (1 + 1e-9))[0]]
        values[c] = np.maximum(values[c] - row, 0.0)
    values[-1] = row
    return Matrix([*matrix.locations, region], products, values), exceeds
