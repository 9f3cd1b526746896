import pytest

from hamkor.trade import indices
from hamkor.trade.periods import Period, PeriodError


@pytest.mark.parametrize(("text", "first", "last", "kind"), [
    ("2025", (2025, 1), (2025, 12), "year"),
    ("2025-Q3", (2025, 7), (2025, 9), "quarter"),
    ("2025-09", (2025, 9), (2025, 9), "months"),
    ("2025-01..2025-09", (2025, 1), (2025, 9), "ytd"),
    ("2025-YTD-09", (2025, 1), (2025, 9), "ytd"),
    ("2024-10..2025-09", (2024, 10), (2025, 9), "months"),
])
def test_parse_periods(text, first, last, kind):
    period = Period.parse(text)
    assert (period.first, period.last, period.kind) == (first, last, kind)


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "2025-09..2025-01", "last year", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_period_arithmetic():
    period = Period.parse("2024-11..2025-02")
    assert period.month_list() == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
    assert period.previous_year().label() == "2023-11..2024-02"
    condition, params = Period.year(2023).sql()
    assert "month IS NULL" in condition and params[-2:] == [2023, 2023]  # annual rows count for whole years
    assert "month IS NULL" not in Period.months(2023, 1, 9).sql()[0]


def test_herfindahl():
    assert indices.herfindahl([50, 50]) == pytest.approx(0.5)
    assert indices.normalised_herfindahl([10, 10, 10]) == pytest.approx(0.0)
    assert indices.normalised_herfindahl([10]) == 1.0
    assert indices.normalised_herfindahl([]) is None
    assert indices.normalised_herfindahl([90, 10]) == pytest.approx((0.82 - 0.5) / 0.5)


def test_grubel_lloyd():
    assert indices.grubel_lloyd(10, 10) == 1.0
    assert indices.grubel_lloyd(10, 0) == 0.0
    assert indices.grubel_lloyd(30, 10) == pytest.approx(0.5)
    # aggregate: 1 - (|30-10| + |0-20|) / (40 + 20)
    assert indices.grubel_lloyd_aggregate({"a": 30, "b": 0}, {"a": 10, "b": 20}) == pytest.approx(1 - 40 / 60)
    assert indices.grubel_lloyd_aggregate({}, {}) is None


def test_complementarity_and_intensity():
    assert indices.trade_complementarity({"a": 1, "b": 3}, {"a": 10, "b": 30}) == pytest.approx(100.0)
    assert indices.trade_complementarity({"a": 1}, {"b": 1}) == pytest.approx(0.0)
    assert indices.trade_complementarity({"a": 1, "b": 1}, {"a": 1}) == pytest.approx(50.0)
    # 10% of exports go to a partner that takes 5% of world imports: twice the expected intensity
    assert indices.trade_intensity(10, 100, 5, 100) == pytest.approx(2.0)
    assert indices.trade_intensity(10, 0, 5, 100) is None
