"""Export potential (ITC method): its invariants as properties, and its parts on hand-checked numbers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hamkor.opportunities.potential import (
    Assumptions,
    distance_factor,
    export_potential,
    project,
    weighted_demand,
    yearly_growth,
)

# Money as trade data carries it: zero, or from a cent to a billion dollars
money = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e9))


@st.composite
def markets(draw):
    exporters, products = draw(st.integers(2, 6)), draw(st.integers(1, 6))
    world = draw(arrays(float, (exporters, products), elements=money))
    # Sparse trade, as real trade is: many cells exactly zero
    bilateral = draw(arrays(float, (exporters, products), elements=money)) * draw(
        arrays(bool, (exporters, products)))
    demand = draw(arrays(float, (products,), elements=money))
    log_distance = draw(arrays(float, (exporters,), elements=st.floats(math.log(50), math.log(20000))))
    return world, bilateral, demand, log_distance


@settings(max_examples=300, deadline=None)
@given(markets())
def test_invariants(market):
    world, bilateral, demand, log_distance = market
    result = export_potential(world, bilateral, demand, log_distance)
    # The exporters' potentials in a product sum to the market's imports of it (where anyone can supply it)
    raw = result.supply * demand[None, :] * result.distance * result.ease[:, None]
    for k in range(len(demand)):
        if raw[:, k].sum() > 0:
            assert result.potential[:, k].sum() == pytest.approx(demand[k], rel=1e-9, abs=1e-6)
        else:
            assert (result.potential[:, k] == 0).all()
    # Untapped is never negative nor more than the potential
    assert (result.untapped >= 0).all() and (result.untapped <= result.potential + 1e-9).all()
    # No trade with the market, no ease, no potential
    silent = bilateral.sum(axis=1) == 0
    assert (result.ease[silent] == 0).all() and (result.potential[silent] == 0).all()
    # The five factors multiply back to the potential
    product = (result.supply * result.demand[None, :] * result.distance * result.ease[:, None]
               * result.competition[None, :])
    assert np.allclose(product, result.potential, rtol=1e-9, atol=1e-6)
    assert ((result.distance > 0) & (result.distance <= 1)).all()


def test_a_market_worked_by_hand():
    # Two exporters, one product: A sells 300 to the world, B 100; the market buys 50 from A, 0 from B.
    world = np.array([[300.0], [100.0]])
    bilateral = np.array([[50.0], [0.0]])
    result = export_potential(world, bilateral, np.array([80.0]), np.log([1000.0, 1000.0]))
    assert result.supply[:, 0].tolist() == [0.75, 0.25]
    assert result.ease.tolist() == [pytest.approx(50 / (0.75 * 80)), 0.0]
    assert result.potential[:, 0].tolist() == [pytest.approx(80.0), 0.0]  # B never traded: A gets it all
    assert result.untapped[0, 0] == pytest.approx(30.0)


def test_weighted_demand_and_growth():
    years = np.array([[500.0], [400.0], [300.0], [200.0], [100.0]])  # most recent first
    assert weighted_demand(years)[0] == pytest.approx((5 * 500 + 4 * 400 + 3 * 300 + 2 * 200 + 100) / 15)
    assert weighted_demand(years[:2])[0] == pytest.approx((5 * 500 + 4 * 400) / 9)  # fewer years renormalise
    assert yearly_growth(years)[0] == pytest.approx(5 ** 0.25 - 1)
    assert yearly_growth(years[:1])[0] == 0.0


def test_distance_factor_rewards_the_usual_distance():
    # The market buys product 0 from suppliers 1000 km away; a supplier that far is not penalised
    bilateral = np.array([[10.0], [10.0], [0.0]])
    log_distance = np.log([1000.0, 1000.0, 4000.0])
    factor = distance_factor(bilateral, log_distance)
    assert factor[0, 0] == pytest.approx(1.0) and factor[2, 0] == pytest.approx(0.25)
    unknown = distance_factor(bilateral, np.array([np.log(1000.0), np.nan, np.log(4000.0)]))
    assert unknown[1, 0] == 1.0  # no coordinates: neutral


def test_what_if_grows_the_exporter_and_the_trending_demand():
    world = np.array([[100.0, 100.0], [100.0, 100.0]])
    history = np.array([[200.0, 100.0], [100.0, 100.0]])  # product 0 doubled in a year
    same_world, demand = project(world, 0, history, Assumptions())
    assert (same_world == world).all() and demand.tolist() == pytest.approx([(5 * 200 + 4 * 100) / 9, 100.0])
    grown, projected = project(world, 0, history, Assumptions(horizon_years=2, supply_growth=0.1, demand_trend=0.5))
    assert grown[0].tolist() == pytest.approx([121.0, 121.0]) and grown[1].tolist() == [100.0, 100.0]
    assert projected[0] == pytest.approx(demand[0] * 1.5 ** 2) and projected[1] == pytest.approx(demand[1])
