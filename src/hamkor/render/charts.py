"""Charts as Vega-Lite specs: the page draws them with vega-embed; print draws bar charts as SVG itself
(hamkor.render.bars) and the rest, and the PNG for DOCX, with vl-convert.

The same spec serves an interactive page (vega-embed) and print. Rendering is offline:
`allowed_base_urls=[]`, data inline, and number formats from Babel (d3 has no Uzbek locale).
"""

from __future__ import annotations

from functools import cache

from babel.dates import get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol

from hamkor.i18n.numbers import locale_of
from hamkor.reference.names import short_name

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "DejaVu Sans"
PALETTE = {"current": "#1f5fa8", "previous": "#a9c4e4", "export": "#1f5fa8", "import": "#d9822b"}


@cache
def d3_format_locale(lang: str) -> dict:
    """A d3-format locale built from CLDR data, so that 1 234,5 reads right in every language."""
    locale = locale_of(lang)
    return {"decimal": get_decimal_symbol(locale), "thousands": get_group_symbol(locale),
            "grouping": [3], "currency": ["", " $"]}


def _base(title: str, width: int = 460, height: int = 200) -> dict:
    return {
        "$schema": SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width, "height": height,
        "config": {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 10, "titleFontSize": 10},
                   "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"}},
    }


SYNTHETIC_WORDS = {"ru": ("реальные", "синтетические"), "uz": ("haqiqiy", "sintetik"), "en": ("real", "synthetic")}


def monthly_turnover_spec(points: list[tuple], title: str, lang: str, unit_label: str,
                          divisor: float, height: int = 200) -> dict:
    """Grouped bars: each month of the period beside the same month a year earlier. A point may carry a
    fourth value, whether its month is synthetic: those bars are pale and hatched-looking (a lighter fill
    with a dashed outline), and the legend says so, so a real month never reads as one of them."""
    # CLDR's abbreviations are unique per language (cutting names to three letters is not: iyun/iyul)
    short = get_month_names("abbreviated", context="stand-alone", locale=locale_of(lang))
    real, synthetic = SYNTHETIC_WORDS.get(lang, SYNTHETIC_WORDS["en"])
    values = [{"month": short[p[1]].rstrip("."), "order": p[1], "year": str(p[0]), "value": round(p[2] / divisor, 3),
               "data": synthetic if len(p) > 3 and p[3] else real}
              for p in points]
    marked = any(v["data"] == synthetic for v in values)
    latest = max((int(v["year"]) for v in values), default=0)
    years = [str(latest - 1), str(latest)]
    spec = _base(title, height=height)
    spec.update({
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "month", "type": "nominal", "sort": {"field": "order", "op": "min"}, "title": None,
                  "axis": {"labelAngle": 0}},
            "xOffset": {"field": "year", "type": "nominal"},
            "y": {"field": "value", "type": "quantitative", "title": unit_label,
                  "axis": {"format": _axis_format(v["value"] for v in values)}},
            # the domain is both years, whichever are drawn: a period's own bar keeps the period's colour even
            # when the year before has no bar (left out, or no data)
            "color": {"field": "year", "type": "nominal", "title": None,
                      "scale": {"domain": years, "range": [PALETTE["previous"], PALETTE["current"]]}},
            "tooltip": [{"field": "year", "type": "nominal"}, {"field": "month", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "format": ",.1f", "title": unit_label}],
        },
    })
    if marked:
        spec["mark"] = {"type": "bar", "tooltip": True, "stroke": "#92400e", "strokeWidth": 1}
        spec["encoding"]["opacity"] = {"field": "data", "type": "nominal", "title": None,
                                       "scale": {"domain": [real, synthetic], "range": [1.0, 0.4]}}
        spec["encoding"]["strokeDash"] = {"field": "data", "type": "nominal", "title": None, "legend": None,
                                          "scale": {"domain": [real, synthetic], "range": [[1, 0], [3, 2]]}}
        spec["encoding"]["tooltip"].append({"field": "data", "type": "nominal", "title": None})
    return spec


def structure_spec(items: list[tuple[str, float]], title: str, flow: str, unit_label: str,
                   bar_height: int = 22) -> dict:
    """Horizontal bars of the largest goods groups, labelled with their share (`bar_height`: a printed
    brief sets them tighter than a page)."""
    # a label is cut where a reader would (at a word), never mid-word
    values = [{"name": short_name(name, 48), "share": round(share, 1), "order": i}
              for i, (name, share) in enumerate(items)]
    spec = _base(title, height=max(60, bar_height * len(values)))
    spec.update({
        "data": {"values": values},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": {"field": "order", "op": "min"}, "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "share", "type": "quantitative", "title": unit_label, "axis": {"format": ",.0f"}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": PALETTE[flow], "tooltip": True}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
             "encoding": {"text": {"field": "share", "type": "quantitative", "format": ",.1f"}}},
        ],
    })
    return spec


def to_svg(spec: dict, lang: str = "ru") -> str:
    """SVG for print: bar charts drawn by hamkor.render.bars (milliseconds, no JavaScript engine), any
    other chart by vl-convert."""
    from hamkor.render import bars

    drawn = bars.draw(spec, lang)
    if drawn is not None:
        return drawn
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec, allowed_base_urls=[], format_locale=d3_format_locale(lang))


def to_png(spec: dict, lang: str = "ru", scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, scale=scale, allowed_base_urls=[], format_locale=d3_format_locale(lang))


def _axis_format(values) -> str:
    """Whole numbers on an axis, or one decimal where the largest value is under ten: ticks at 0.5 steps
    written without decimals read "0 1 1 2 2"."""
    return ",.1f" if max(values, default=0.0) < 10 else ",.0f"


def ranking_spec(items: list[tuple[str, float, bool]], title: str, unit_label: str, divisor: float) -> dict:
    """Partners by turnover; the partner of interest stands out."""
    values = [{"name": name, "value": round(value / divisor, 3), "order": i, "focus": focus}
              for i, (name, value, focus) in enumerate(items)]
    spec = _base(title, height=max(60, 20 * len(values)))
    spec.update({
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": {"field": "order", "op": "min"}, "title": None},
            "x": {"field": "value", "type": "quantitative", "title": unit_label,
                  "axis": {"format": _axis_format(v["value"] for v in values)}},
            "color": {"field": "focus", "type": "nominal", "legend": None,
                      "scale": {"domain": [False, True], "range": [PALETTE["previous"], PALETTE["current"]]}},
            "tooltip": [{"field": "name", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "format": ",.1f", "title": unit_label}],
        },
    })
    return spec


def opportunity_bubbles_spec(points: list[dict], title: str, axis_titles: dict[str, str]) -> dict:
    """Potential against the share of it already realised, one bubble per product sized by the untapped part.

    points: {"code", "name", "potential", "actual", "untapped" (million USD), "realised" (%),
    "section"}. Potentials span orders of magnitude (log axis); the realised share runs 0..100.
    """
    spec = _base(title, 560, 320)
    spec["data"] = {"values": points}
    spec["mark"] = {"type": "circle", "opacity": 0.65, "stroke": "#333", "strokeWidth": 0.4}
    spec["encoding"] = {
        "x": {"field": "potential", "type": "quantitative", "scale": {"type": "log"},
              "title": axis_titles["potential"]},
        "y": {"field": "realised", "type": "quantitative", "scale": {"domain": [0, 100]},
              "title": axis_titles["realised"]},
        "size": {"field": "untapped", "type": "quantitative", "title": axis_titles["untapped"],
                 "scale": {"range": [20, 1400]}},
        "color": {"field": "section", "type": "nominal", "title": axis_titles["section"]},
        "tooltip": [{"field": "code", "title": "HS"}, {"field": "name"},
                    {"field": "potential", "format": ",.2f", "title": axis_titles["potential"]},
                    {"field": "actual", "format": ",.2f", "title": axis_titles["actual"]},
                    {"field": "realised", "format": ",.1f", "title": axis_titles["realised"]},
                    {"field": "untapped", "format": ",.2f", "title": axis_titles["untapped"]}],
    }
    return spec


def funnel_spec(steps: list[tuple[str, int]], title: str) -> dict:
    """A mission's follow-up funnel: one bar per stage, in order, labelled with its count."""
    values = [{"stage": stage, "meetings": count, "order": n} for n, (stage, count) in enumerate(steps)]
    spec = _base(title, width=420, height=max(60, 26 * len(values)))
    spec.update({
        "data": {"values": values},
        "encoding": {
            "y": {"field": "stage", "type": "nominal", "sort": {"field": "order", "op": "min"}, "title": None},
            "x": {"field": "meetings", "type": "quantitative", "title": None, "axis": {"format": ",.0f"}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": "#1f5fa8", "tooltip": True}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
             "encoding": {"text": {"field": "meetings", "type": "quantitative"}}},
        ],
    })
    return spec


def turnover_with_events_spec(points: list[tuple[int, int, float]], events: list[tuple[str, str]], title: str,
                              labels: dict[str, str], divisor: float = 1e6) -> dict:
    """Monthly turnover as a line, and each event as a vertical rule at its date (tooltip: its title).

    The time axis spans both the data and the events, so that every event the legend promises is drawn
    even when it falls after the last month of trade data (a meeting in December beside data to September).
    labels: the reader's words for "turnover" (with its unit), "month", "date" and "event".
    """
    real, synthetic = labels.get("real", "real"), labels.get("synthetic", "synthetic")
    # A point may say whether its month is synthetic: the line is then two lines that never join (a real
    # month is not drawn as the next step of synthetic ones), the synthetic one pale and dashed, with a legend.
    values = [{"month": f"{p[0]}-{p[1]:02d}-01", "turnover": round(p[2] / divisor, 3),
               "data": synthetic if len(p) > 3 and p[3] else real} for p in points]
    marked = any(v["data"] == synthetic for v in values)
    marks = [{"date": day, "event": name} for day, name in events]
    days = [v["month"] for v in values] + [m["date"] for m in marks]
    domain = [min(days), max(days)] if days else None
    x_scale = {"scale": {"domain": domain}} if domain else {}
    spec = _base(title, width=520, height=220)
    spec.update({"layer": [
        {"data": {"values": values}, "mark": {"type": "line", "point": True, "color": "#1f5fa8"},
         "encoding": {"x": {"field": "month", "type": "temporal", "title": None, "axis": {"format": "%Y-%m"},
                            **x_scale},
                      "y": {"field": "turnover", "type": "quantitative", "title": labels["turnover"],
                            "axis": {"format": ",.1f"}},
                      **({"color": {"field": "data", "type": "nominal", "title": None,
                                    "scale": {"domain": [real, synthetic], "range": ["#1f5fa8", "#b08a2e"]}},
                          "strokeDash": {"field": "data", "type": "nominal", "legend": None,
                                         "scale": {"domain": [real, synthetic], "range": [[1, 0], [4, 3]]}}}
                         if marked else {}),
                      "tooltip": [{"field": "month", "type": "temporal", "format": "%Y-%m", "title": labels["month"]},
                                  {"field": "turnover", "type": "quantitative", "format": ",.1f",
                                   "title": labels["turnover"]}]}},
        {"data": {"values": marks}, "mark": {"type": "rule", "color": "#b45309", "strokeDash": [4, 3],
                                             "strokeWidth": 2},
         "encoding": {"x": {"field": "date", "type": "temporal", **x_scale}, "tooltip": [
             {"field": "date", "type": "temporal", "format": "%Y-%m-%d", "title": labels["date"]},
             {"field": "event", "type": "nominal", "title": labels["event"]}]}},
    ]})
    return spec
