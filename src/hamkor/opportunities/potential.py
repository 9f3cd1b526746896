"""Export potential after ITC's published methodology (Decreux & Spies, 2016; 2023 revision),
with what can be computed from trade data alone. Pure functions over arrays.

For a market j, every exporter i and product k:

- supply      s_ik = X_ik / sum_i X_ik, the exporter's share of world exports of k
                     (optionally grown by an assumed yearly supply growth);
- demand      D_k  = j's imports of k, the average of the last five years weighted 5..1
                     (most recent = 5), optionally projected along each product's trend;
- distance    delta_ik = exp(-|avg ln dist_jk - ln dist_ij|), avg over j's suppliers of k,
                     weighted by what each supplies: a supplier as far away as j's usual ones
                     is not penalised, a much nearer or farther one is;
- ease        e_i = actual trade i -> j / sum_k s_ik D_k delta_ik, how much more (or less) the
                     pair trades than supply and demand alone would say; zero without trade;
- potential   P_ik = s_ik D_k delta_ik e_i c_k with c_k = D_k / sum_i s_ik D_k delta_ik e_i,
                     so that the exporters' potentials in k sum to j's imports of k;
- untapped    U_ik = P_ik - min(actual_ik, P_ik).

The five factors multiply back to the potential; their logarithms are the additive
contributions an explanation reads from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FACTORS = ("supply", "demand", "distance", "ease", "competition")
YEAR_WEIGHTS = (5, 4, 3, 2, 1)  # most recent year first


@dataclass(frozen=True)
class Assumptions:
    """A what-if: project supply and demand a number of years ahead."""

    horizon_years: int = 0
    supply_growth: float = 0.0  # the exporter's exports, yearly rate (0.05 = +5 % a year)
    demand_trend: float = 1.0  # how much of each product's observed import growth continues (0..1+)

    @property
    def projects(self) -> bool:
        return self.horizon_years > 0


@dataclass(frozen=True)
class Potential:
    supply: np.ndarray  # exporters x products: share of world exports
    demand: np.ndarray  # products: the market's (projected) weighted imports
    distance: np.ndarray  # exporters x products: delta
    ease: np.ndarray  # exporters
    competition: np.ndarray  # products: c_k
    potential: np.ndarray  # exporters x products, USD
    actual: np.ndarray  # exporters x products, USD
    untapped: np.ndarray  # exporters x products, USD

    def factors(self, exporter: int, product: int) -> dict[str, float]:
        return {"supply": float(self.supply[exporter, product]), "demand": float(self.demand[product]),
                "distance": float(self.distance[exporter, product]), "ease": float(self.ease[exporter]),
                "competition": float(self.competition[product])}


def weighted_demand(imports_by_year: np.ndarray) -> np.ndarray:
    """Years (most recent first, up to five) x products -> weighted average, weights 5..1.

    Fewer years than five use the weights of the years present (renormalised).
    """
    years = np.asarray(imports_by_year, dtype=float)[: len(YEAR_WEIGHTS)]
    weights = np.array(YEAR_WEIGHTS[: len(years)], dtype=float)
    return weights @ years / weights.sum()


def yearly_growth(imports_by_year: np.ndarray) -> np.ndarray:
    """Compound yearly growth from the oldest to the most recent year (rows most recent first).

    Zero where the oldest year is empty or only one year is known; kept within -50 %..+100 %
    so that one odd year cannot run away with a projection.
    """
    years = np.asarray(imports_by_year, dtype=float)
    if len(years) < 2:
        return np.zeros(years.shape[1:])
    latest, oldest = years[0], years[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where((oldest > 0) & (latest > 0), (latest / oldest) ** (1 / (len(years) - 1)) - 1, 0.0)
    return np.clip(growth, -0.5, 1.0)


def distance_factor(bilateral: np.ndarray, log_distance: np.ndarray) -> np.ndarray:
    """delta_ik = exp(-|avg ln dist_jk - ln dist_ij|); unknown distances (NaN) get 1.

    The average is over j's suppliers of k weighted by what they supply; where j imports none
    of k from a supplier with a known distance, over all its imports.
    """
    known = ~np.isnan(log_distance)
    ld = np.where(known, log_distance, 0.0)
    weight = bilateral * known[:, None]
    per_product = weight.sum(axis=0)
    overall = (weight.sum(axis=1) @ ld) / weight.sum() if weight.sum() > 0 else float(np.nanmean(log_distance))
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(per_product > 0, (ld @ weight) / per_product, overall)
    factor = np.exp(-np.abs(average[None, :] - ld[:, None]))
    factor[~known, :] = 1.0
    return factor


def export_potential(world_exports: np.ndarray, bilateral: np.ndarray, demand: np.ndarray,
                     log_distance: np.ndarray) -> Potential:
    """Every exporter's potential in one market.

    world_exports: exporters x products, what each exporter sells to the world (USD);
    bilateral: exporters x products, what the market bought from each (USD, latest year);
    demand: products, the market's weighted imports (see weighted_demand);
    log_distance: exporters, ln km from each exporter to the market (NaN if unknown).
    """
    x = np.asarray(world_exports, dtype=float)
    b = np.asarray(bilateral, dtype=float)
    d = np.asarray(demand, dtype=float)
    totals = x.sum(axis=0)
    supply = np.divide(x, totals, out=np.zeros_like(x), where=totals > 0)
    delta = distance_factor(b, np.asarray(log_distance, dtype=float))
    expected = supply * d[None, :] * delta
    expected_by_exporter = expected.sum(axis=1)
    actual_by_exporter = b.sum(axis=1)
    ease = np.divide(actual_by_exporter, expected_by_exporter, out=np.zeros_like(actual_by_exporter),
                     where=expected_by_exporter > 0)
    raw = expected * ease[:, None]
    raw_totals = raw.sum(axis=0)
    competition = np.divide(d, raw_totals, out=np.zeros_like(d), where=raw_totals > 0)
    # Shares first (each <= 1), then the market: stays finite however small the raw figures are.
    shares = np.divide(raw, raw_totals[None, :], out=np.zeros_like(raw), where=raw_totals[None, :] > 0)
    potential = shares * d[None, :]
    untapped = potential - np.minimum(b, potential)
    return Potential(supply, d, delta, ease, competition, potential, b, untapped)


def project(world_exports: np.ndarray, exporter: int, imports_by_year: np.ndarray,
            assumptions: Assumptions) -> tuple[np.ndarray, np.ndarray]:
    """World exports with the exporter's grown, and the projected weighted demand."""
    x = np.array(world_exports, dtype=float)
    demand = weighted_demand(imports_by_year)
    if not assumptions.projects:
        return x, demand
    x[exporter] *= (1 + assumptions.supply_growth) ** assumptions.horizon_years
    trend = yearly_growth(imports_by_year) * assumptions.demand_trend
    return x, demand * (1 + trend) ** assumptions.horizon_years
