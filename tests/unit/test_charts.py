"""Charts as a reader sees them: the months of the monthly chart stay in calendar order."""

import re

from hamkor.render import charts


def test_months_stay_in_calendar_order_when_a_month_has_one_year_only():
    """October with a bar for one year only was drawn between May and June (its order summed over the
    years it has: 10, against 2 x 5 and 2 x 6)."""
    points = [(2024, m, 10.0 + m) for m in range(1, 11)] + [(2025, m, 12.0 + m) for m in range(1, 10)]
    svg = charts.to_svg(charts.monthly_turnover_spec(points, "", "en", "USD million", 1.0), "en")
    labels = re.findall(r">([A-Z][a-z]{2,3})</text>", svg)  # CLDR abbreviations: "Sept" in English
    assert labels[:10] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct"]
