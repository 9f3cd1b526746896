"""Opportunities on the demo world: the region inside the world matrix, both directions, explanations."""

import math

import numpy as np
import pytest

from hamkor.opportunities.analysis import Opportunity, _flag, find_opportunities, world_complexity
from hamkor.opportunities.explain import explain, factor_table
from hamkor.opportunities.potential import Assumptions
from hamkor.opportunities.world import Matrix, OpportunityError, insert_region
from hamkor.trade.warehouse import Warehouse


@pytest.fixture(scope="module")
def con(demo_settings):
    with Warehouse(demo_settings).reader() as connection:
        yield connection


@pytest.fixture(scope="module")
def exports(con):
    return find_opportunities(con, "RU-ALT", "UZ", "export")


@pytest.fixture(scope="module")
def imports(con):
    return find_opportunities(con, "RU-ALT", "UZ", "import")


def test_the_sectors_the_parties_named_appear(exports, imports):
    assert exports.synthetic and exports.year == 2024 and exports.years == [2024, 2023, 2022, 2021, 2020]
    top = [i.product for i in exports.items[:10]]
    # Mining and exploration equipment, wagons, boilers: named in the meetings
    assert {"8430", "8474", "8606", "8402"} <= set(top), top
    # ...next to what the data suggests besides, and pharmaceuticals among the nearby products
    assert set(top) - {"8430", "8474", "8606", "8402"}
    near = [i.product for i in exports.items[:15]] + [i.product for i in exports.diversification[:5]]
    assert any(code.startswith("30") or code.startswith("29") for code in near), near
    supplies = [i.product[:2] for i in imports.items[:10]]
    assert {"07", "08"} & set(supplies) and {"28", "31"} & set(supplies) and {"61", "62", "63"} & set(supplies)
    assert imports.exporter == "UZ" and imports.market == "RU-ALT"


def test_factors_multiply_back_and_contributions_add_up(exports, imports):
    for result in (exports, imports):
        for item in result.items[:50] + result.diversification[:20]:
            target = item.potential if item.kind == "potential" else item.score
            assert math.prod(item.factors().values()) == pytest.approx(target, rel=1e-9)
            if target > 0:
                assert sum(item.contributions().values()) == pytest.approx(math.log(target), rel=1e-9)
    rows = factor_table(exports.items[0], "en")
    assert [r[0] for r in rows][:2] == ["supply (share of world exports)", "demand (the market's imports)"]


def test_the_region_is_a_location_of_its_own(con, exports):
    result = world_complexity(con, region="RU-ALT")
    assert "RU-ALT" in result.locations and "RU" in result.locations
    assert np.corrcoef(result.eci, result.diversity)[0, 1] > 0  # the Atlas sign
    assert result.eci.mean() == pytest.approx(0.0, abs=1e-9) and result.eci.std() == pytest.approx(1.0)
    assert exports.exporter_eci is not None
    plain = world_complexity(con)
    assert "RU-ALT" not in plain.locations


def test_insert_region_takes_its_exports_out_of_its_country():
    matrix = Matrix(["KZ", "RU"], ["0101", "8474"], np.array([[5.0, 1.0], [100.0, 10.0]]))
    inserted, exceeds = insert_region(matrix, "RU-ALT", "RU", {"8474": 4.0, "0101": 120.0, "9999": 1.0})
    assert inserted.locations == ["KZ", "RU", "RU-ALT"] and inserted.products == ["0101", "8474", "9999"]
    assert inserted.values[1].tolist() == [0.0, 6.0, 0.0]  # never below zero
    assert inserted.values[2].tolist() == [120.0, 4.0, 1.0]
    assert exceeds == ["0101", "9999"]  # the region's own file says more than the world data has for RU


def test_sentences_in_three_languages(exports):
    item = next(i for i in exports.items if i.product == "8474")
    en = explain(item, exports, "en")
    assert en.startswith("Uzbekistan imports USD") and "HS 8474" in en and "Altai Krai exports it to 15 countries" in en
    assert "of the potential" in en and "untapped" in en
    ru = explain(item, exports, "ru")
    assert ru.startswith("Узбекистан импортирует") and "ТН ВЭД 8474" in ru and "в 15 стран" in ru
    uz = explain(item, exports, "uz")
    assert uz.startswith("Oʻzbekiston yiliga") and "Oltoy oʻlkasi" in uz
    div = explain(exports.diversification[0], exports, "en")
    assert "does not export" in div and "density" in div


def test_what_if_moves_the_ranking(con, exports):
    ahead = find_opportunities(con, "RU-ALT", "UZ", "export", assumptions=Assumptions(horizon_years=5,
                                                                                       demand_trend=1.0))
    before = [i.product for i in exports.items[:10]]
    after = [i.product for i in ahead.items[:10]]
    assert before != after and set(before) & set(after)
    # Fast-growing Uzbek demand for excavation machinery lifts its potential
    grow = {i.product: i.potential for i in ahead.items}
    now = {i.product: i.potential for i in exports.items}
    assert grow["8430"] > now["8430"] * 2
    # Nothing projected: the same answer as the default
    same = find_opportunities(con, "RU-ALT", "UZ", "export", assumptions=Assumptions(horizon_years=0,
                                                                                      supply_growth=0.5))
    assert [i.product for i in same.items] == [i.product for i in exports.items]


def test_country_pairs_and_clear_refusals(con):
    result = find_opportunities(con, "RU", "UZ", "export", year=2023)
    assert result.exporter == "RU" and result.year == 2023 and result.items
    assert result.years == [2023, 2022, 2021, 2020]
    with pytest.raises(OpportunityError, match="the partner must be a country"):
        find_opportunities(con, "RU", "UZ-SI")
    with pytest.raises(OpportunityError, match="has no 2019"):
        find_opportunities(con, "RU", "UZ", year=2019)
    with pytest.raises(OpportunityError, match="direction must be"):
        find_opportunities(con, "RU", "UZ", direction="both")
    with pytest.raises(OpportunityError, match="no world trade matrix"):
        find_opportunities(con, "RU", "UZ", source="uzstat")


def test_quality_flags():
    def item(product, demand):
        return Opportunity(product=product, kind="potential", potential=1.0, actual=0.0, untapped=1.0,
                           demand=demand, demand_growth=0.0, supply_share=0.1, rca=1.0, destinations=1,
                           distance=1.0, ease=1.0, competition=1.0, density=0.0, pci=None, gain=None, score=1.0)

    machinery = item("8474", 5e6)
    _flag(machinery, exports=200_000.0, imports=4_000_000.0, mirror=None)
    assert machinery.flags == ["re-export"] and "20x" in machinery.flag_details["re-export"]
    food = item("0806", 5e6)
    _flag(food, exports=200_000.0, imports=4_000_000.0, mirror=None)  # not a re-export chapter
    assert food.flags == []
    tiny = item("8474", 300_000.0)
    _flag(tiny, exports=50_000.0, imports=0.0, mirror="RU-ALT reports more than RU")
    assert tiny.flags == ["small-numbers", "mirror-gap"]
