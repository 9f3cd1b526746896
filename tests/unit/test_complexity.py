"""Economic complexity against the Stata `ecomplexity` ground truth (real HS92 sample, 1995-96)."""

import csv

import numpy as np
import pytest

from hamkor.opportunities.complexity import complexity, density, outlook, proximity, rca


def load(shared_raw, year: str):
    folder = shared_raw / "ecomplexity-fixtures"
    rows = [r for r in csv.DictReader(open(folder / "trade_data_sample.csv")) if r["year"] == year]
    locations = sorted({r["origin"] for r in rows})
    products = sorted({r["hs92"] for r in rows})
    exports = np.zeros((len(locations), len(products)))
    for r in rows:
        # Stata stored the values as float32: RCA matches it exactly only with the same rounding
        exports[locations.index(r["origin"]), products.index(r["hs92"])] = np.float32(float(r["export_val"]))
    countries = {r["origin"]: r for r in csv.DictReader(open(folder / "stata_ground_truth_eci_by_country.csv"))
                 if r["year"] == year}
    goods = {r["hs92"]: r for r in csv.DictReader(open(folder / "stata_ground_truth_pci_by_product.csv"))
             if r["year"] == year}
    return exports, locations, products, countries, goods


@pytest.mark.parametrize("year", ["1995", "1996"])
def test_matches_stata(shared_raw, year):
    exports, locations, products, countries, goods = load(shared_raw, year)
    result = complexity(exports)
    assert [int(d) for d in result.diversity] == [int(countries[c]["diversity"]) for c in locations]
    assert [int(u) for u in result.ubiquity] == [int(goods[p]["ubiquity"]) for p in products]
    # Stata standardises over its long table (locations x products rows, ddof = 1): a constant factor
    n = exports.size
    stata_scale = np.sqrt((n - 1) / n)
    eci = np.array([float(countries[c]["eci"]) for c in locations])
    pci = np.array([float(goods[p]["pci"]) for p in products])
    assert np.max(np.abs(result.eci * stata_scale - eci)) < 1e-6
    assert np.max(np.abs(result.pci * stata_scale - pci)) < 1e-6


def test_rca_values_from_the_source_note(shared_raw):
    exports, locations, products, _, _ = load(shared_raw, "1995")
    r = rca(exports)
    assert r[locations.index("aut"), products.index("1704")] == pytest.approx(0.5708342888507129, rel=1e-12)
    assert r[locations.index("pol"), products.index("7325")] == pytest.approx(4.111938069015488, rel=1e-12)


def test_sign_standardisation_and_outlook(shared_raw):
    exports, *_ = load(shared_raw, "1996")
    result = complexity(exports)
    assert np.corrcoef(result.eci, result.diversity)[0, 1] > 0
    assert result.eci.mean() == pytest.approx(0.0, abs=1e-12) and result.eci.std() == pytest.approx(1.0)
    phi = proximity(result.m)
    assert np.allclose(phi, phi.T) and np.allclose(np.diag(phi), 1.0) and (phi >= 0).all() and (phi <= 1).all()
    d = density(result.m, phi)
    assert d.shape == exports.shape and (d >= 0).all() and (d <= 1 + 1e-12).all()
    coi, cog = outlook(result.m, phi, result.pci)
    assert coi.shape == (exports.shape[0],) and cog.shape == exports.shape


def test_empty_rows_are_refused():
    with pytest.raises(ValueError, match="at least one RCA"):
        complexity(np.array([[1.0, 0.0], [0.0, 0.0]]))


def test_single_precision_proximity_keeps_the_definitions():
    """proximity, density and COI/COG run in float32 for speed: they must equal the float64 formulas."""
    rng = np.random.default_rng(1)
    exports = rng.lognormal(0, 2, (40, 300)) * (rng.random((40, 300)) < 0.5)
    result = complexity(exports[:, (exports > 0).any(axis=0)])
    m = result.m
    together = m.T @ m
    ubiquity = np.diag(together)
    phi64 = together / np.maximum.outer(ubiquity, ubiquity)
    d64 = (m @ phi64) / phi64.sum(axis=0)
    missing = 1 - m
    coi64 = (d64 * missing) @ result.pci
    cog64 = (missing * result.pci) @ (phi64 / phi64.sum(axis=0, keepdims=True)).T - (1 - d64) * result.pci
    phi = proximity(m)
    coi, cog = outlook(m, phi, result.pci)
    assert np.abs(phi - phi64).max() < 1e-6 and np.abs(density(m, phi) - d64).max() < 1e-5
    assert np.abs(coi - coi64).max() < 1e-4 * np.abs(coi64).max() and np.abs(cog - cog64).max() < 1e-4


def test_outlook_worked_by_hand():
    # Two locations, two products: location 0 makes product 0 only, location 1 makes both.
    m = np.array([[1.0, 0.0], [1.0, 1.0]])
    phi = proximity(m)  # ubiquity (2, 1), together [[2, 1], [1, 1]] -> [[1, 1/2], [1/2, 1]]
    assert np.allclose(phi, [[1.0, 0.5], [0.5, 1.0]])
    assert np.allclose(density(m, phi)[0], [2 / 3, 1 / 3])
    coi, cog = outlook(m, phi, np.array([-1.0, 1.0]))
    assert coi[0] == pytest.approx(1 / 3, abs=1e-6)  # d_01 (1 - M_01) PCI_1
    # COG_00 = phi_01 / 1.5 * PCI_1 - (1 - d_00) PCI_0; COG_01 = phi_11 / 1.5 * PCI_1 - (1 - d_01) PCI_1
    assert cog[0].tolist() == pytest.approx([0.5 / 1.5 + 1 / 3, 1 / 1.5 - 2 / 3], abs=1e-6)  # float32 inside
    assert coi[1] == 0.0  # location 1 already makes everything
