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


def _svg(text: str):
    import xml.etree.ElementTree as ET

    return ET.fromstring(text)


SVG = "{http://www.w3.org/2000/svg}"


def test_print_bars_are_drawn_here_to_scale_with_the_readers_numbers():
    """The structure chart of a brief: one bar per group, lengths in proportion to the shares, values and
    axis written the reader's way (27,0 in Russian), long names cut to the label limit."""
    items = [("44 Древесина и изделия из нее; древесный уголь и прочие длинные слова", 27.0),
             ("84 Реакторы ядерные", 13.5), ("Прочие", 3.5)]
    svg = charts.to_svg(charts.structure_spec(items, "Структура экспорта, %", "export", "%"), "ru")
    root = _svg(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(b.get("width")) for b in bars]
    assert len(bars) == 3
    assert abs(widths[0] / widths[1] - 2.0) < 0.01 and abs(widths[0] / widths[2] - 27.0 / 3.5) < 0.02
    assert {b.get("fill") for b in bars} == {charts.PALETTE["export"]}
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Структура экспорта, %" in texts and "27,0" in texts and "13,5" in texts
    label = next(t for t in texts if t and t.startswith("44 "))
    assert label.endswith("…") and bars_text_width(label) <= 260 + 1


def bars_text_width(text: str) -> float:
    from hamkor.render.bars import text_width

    return text_width(text, 10)


def test_grouped_months_keep_each_year_its_colour_and_a_legend():
    points = [(2023, m, 10.0 * m) for m in range(1, 4)] + [(2024, m, 20.0 * m) for m in range(1, 4)]
    svg = charts.to_svg(charts.monthly_turnover_spec(points, "Товарооборот", "ru", "млн долл. США", 1.0), "ru")
    root = _svg(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 6
    by_year = {}
    for bar in bars:
        year = bar.find(f"{SVG}title").text.split(":")[0].split()[-1]
        by_year.setdefault(year, []).append(float(bar.get("height")))
    assert set(by_year) == {"2023", "2024"}
    assert all(abs(b / a - 2.0) < 0.01 for a, b in zip(by_year["2023"], by_year["2024"], strict=True))
    fills = {bar.find(f"{SVG}title").text.split(":")[0].split()[-1]: bar.get("fill") for bar in bars}
    assert fills == {"2023": charts.PALETTE["previous"], "2024": charts.PALETTE["current"]}
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2023" in texts and "2024" in texts and "млн долл. США" in texts


def test_ticks_are_round_and_cover_the_largest_value():
    from hamkor.render.bars import nice_ticks

    assert nice_ticks(27.0, whole=True) == [0, 5, 10, 15, 20, 25, 30]
    assert nice_ticks(2.9, whole=True)[-1] >= 2.9 and all(t == int(t) for t in nice_ticks(2.9, whole=True))
    assert nice_ticks(0.37, whole=False)[-1] >= 0.37


def test_charts_print_bars_cannot_draw_go_to_vl_convert():
    """Bubbles are not bars: vl-convert draws them, as before."""
    from hamkor.render.bars import draw

    spec = charts.opportunity_bubbles_spec(
        [{"code": "0802", "name": "nuts", "potential": 5.0, "actual": 1.0, "untapped": 4.0, "realised": 20.0,
          "section": "II"}], "t", {k: k for k in ("potential", "realised", "untapped", "section", "actual")})
    assert draw(spec, "en") is None
    assert "<svg" in charts.to_svg(spec, "en")


def test_an_axis_of_small_values_keeps_a_decimal_so_its_ticks_do_not_repeat():
    small = charts.ranking_spec([("Узбекистан", 4.9e6, True), ("Казахстан", 2.0e6, False)], "", "млн", 1e6)
    large = charts.ranking_spec([("Казахстан", 410e6, False)], "", "млн", 1e6)
    assert small["encoding"]["x"]["axis"]["format"] == ",.1f" and large["encoding"]["x"]["axis"]["format"] == ",.0f"
    drawn = charts.to_svg(small, "ru")
    ticks = [t for t in re.findall(r">([0-9][0-9 ,.\u00a0]*)</text>", drawn)]
    assert len(ticks) == len(set(ticks)), ticks  # "0 1 1 2 2" no more
