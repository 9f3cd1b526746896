"""Year-end projection from seasonality: exact on a made-up series, silent without a basis."""

import pytest

from hamkor.trade.projection import naive, project


def seasonal(years, level=100.0, growth=0.1):
    """Twice as much trade in the second half of each year, growing 10 % a year."""
    return {(y, m): level * (1 + growth) ** (y - years[0]) * (1 if m <= 6 else 2)
            for y in years for m in range(1, 13)}


def test_the_projection_follows_the_season_and_beats_the_naive_one():
    series = seasonal(range(2015, 2021))
    ytd = {k: v for k, v in series.items() if k[0] < 2020 or k[1] <= 6}
    result = project(ytd, 2020, 6)
    actual = sum(series[(2020, m)] for m in range(1, 13))
    assert result.value == pytest.approx(actual)  # the same seasonality every year: exact
    assert result.low == pytest.approx(actual) and result.high == pytest.approx(actual)
    assert result.years == (2015, 2016, 2017, 2018, 2019) and result.share == pytest.approx(1 / 3)
    assert abs(naive(result.year_to_date, 6) - actual) > 0.3 * actual  # six months x 2 misses the second half


def test_an_interval_from_years_that_differ():
    series = seasonal(range(2017, 2021))
    series[(2018, 12)] *= 3  # one December out of line
    result = project({k: v for k, v in series.items() if k[0] < 2020 or k[1] <= 9}, 2020, 9)
    assert result.low < result.value < result.high


@pytest.mark.parametrize("through, drop", [(12, None), (0, None), (9, (2020, 4)), (9, (2019, 3))])
def test_no_projection_without_a_basis(through, drop):
    series = {k: v for k, v in seasonal(range(2018, 2021)).items()}
    if drop:
        series.pop(drop)
        series.pop((2018, 1))  # 2018 incomplete too: with 2019 broken, fewer than two years remain
    assert project(series, 2020, through) is None


def test_the_interval_is_an_80_percent_t_interval_on_the_log_shares_whatever_the_number_of_years():
    """The min–max of two years' projections covered a third of outcomes: the interval is now Student's t
    on the log of the earlier shares, nominally 80 % (the backtest measures it on Russia's real trade)."""
    import math

    from hamkor.trade.projection import COVERAGE, project

    monthly = {}
    for year, share in ((2022, 0.70), (2023, 0.74), (2024, 0.72)):  # Jan–Sep made these shares of the year
        for month in range(1, 13):
            monthly[(year, month)] = share * 100 / 9 if month <= 9 else (1 - share) * 100 / 3
    monthly.update({(2025, m): 10.0 for m in range(1, 10)})
    found = project(monthly, 2025, 9, years_back=5)
    logs = [math.log(s) for s in (0.70, 0.74, 0.72)]
    centre = sum(logs) / 3
    sd = math.sqrt(sum((v - centre) ** 2 for v in logs) / 2)
    half = 1.886 * sd * math.sqrt(1 + 1 / 3)  # t(0.90; 2)
    assert found.coverage == COVERAGE == 0.8 and "Student's t" in found.method
    assert found.low == pytest.approx(90 / math.exp(centre + half)) and found.high == pytest.approx(
        90 / math.exp(centre - half))
    assert found.low < found.value < found.high and found.high - found.low > 90 / 0.70 - 90 / 0.74  # wider than min–max
