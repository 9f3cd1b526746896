"""Bar charts for print, drawn as SVG here from the same Vega-Lite specs the pages show.

Why not vl-convert for these: it starts a JavaScript engine (0.4 s) in every process and takes about
0.15 s a chart, so the three charts of a meeting brief cost a fresh process most of a second. The two
shapes print uses are simple enough to draw directly:

- horizontal bars: a nominal `y` (names) against a quantitative `x`, optionally a text layer with each
  value, one colour or a colour by a field (a ranking's partner of interest);
- grouped columns: a nominal `x` (months), a nominal `xOffset` (years) coloured by the same field, a
  quantitative `y`, with a legend.

Anything else (bubbles, lines with event rules) returns None and is drawn by vl-convert. The pages keep
Vega-Lite in the browser, interactive. Numbers are written by Babel in the reader's language.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from hamkor.i18n.numbers import format_number

FONT = "DejaVu Sans"
TITLE_SIZE = 13
LABEL_SIZE = 10
AXIS_COLOUR = "#888888"
GRID_COLOUR = "#dddddd"
TEXT_COLOUR = "#000000"
LABEL_COLOUR = "#333333"
DEFAULT_BAR_COLOUR = "#4c78a8"  # Vega-Lite's first category colour, for a bar spec that names none
LABEL_LIMIT = 180  # Vega-Lite's default longest axis label, in pixels
BAND_PADDING = 0.1


def draw(spec: dict, lang: str) -> str | None:
    """The spec as SVG when it is one of the two bar shapes; None otherwise."""
    encoding = spec.get("encoding", {})
    marks = [spec.get("mark")] + [layer.get("mark") for layer in spec.get("layer", [])]
    kinds = {m if isinstance(m, str) else (m or {}).get("type") for m in marks} - {None}
    if "data" not in spec or not kinds <= {"bar", "text"} or "bar" not in kinds:
        return None
    x, y = encoding.get("x", {}), encoding.get("y", {})
    if y.get("type") == "nominal" and x.get("type") == "quantitative" and "xOffset" not in encoding:
        return _horizontal(spec, lang)
    if (x.get("type") == "nominal" and y.get("type") == "quantitative"
            and encoding.get("xOffset", {}).get("type") == "nominal"):
        return _grouped_columns(spec, lang)
    return None


@cache
def _advances() -> dict[str, float]:
    """Each character's advance in the packaged DejaVu Sans (the font print uses), in em: labels are laid
    out by the widths they will have on paper (fontTools is loaded by the PDF engine in any case)."""
    from fontTools.ttLib import TTFont

    with resources.as_file(resources.files("hamkor.render").joinpath("fonts", "DejaVuSans.ttf")) as path:
        font = TTFont(str(path), lazy=True)
        metrics, units = font["hmtx"], font["head"].unitsPerEm
        return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def text_width(text: str, size: float) -> float:
    """The width DejaVu Sans gives the text at this size (kerning aside)."""
    advances = _advances()
    return sum(advances.get(char, 0.6) for char in text) * size


def nice_ticks(high: float, whole: bool, count: int = 6) -> list[float]:
    """0 .. at least `high` in steps of 1, 2 or 5 x 10^k, about `count` of them (never fractions of one when
    the axis prints whole numbers)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(step, 1.0)
    top = math.ceil(high / step - 1e-9) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def _digits(axis_format: str | None) -> int:
    """Decimals of a d3 format such as ',.0f' or ',.1f' (the only kind hamkor's specs use)."""
    if axis_format and "." in axis_format and axis_format.endswith("f"):
        return int(axis_format.rsplit(".", 1)[1][:-1] or 0)
    return 1


def _title(spec: dict) -> str:
    title = spec.get("title", "")
    return title.get("text", "") if isinstance(title, dict) else str(title or "")


def _ordered(values: list[dict], field: str, sort: dict | None) -> list[str]:
    """The categories of `field`, in the spec's sort (by the least `order` of each) or as they come."""
    seen: dict[str, float] = {}
    for position, row in enumerate(values):
        key = str(row[field])
        rank = row.get(sort["field"], position) if sort else position
        seen[key] = min(seen.get(key, rank), rank)
    return sorted(seen, key=seen.__getitem__)


def _clip(text: str, limit: float, size: float) -> str:
    if text_width(text, size) <= limit:
        return text
    while text and text_width(text + "…", size) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _text(x: float, y: float, content: str, size: float = LABEL_SIZE, anchor: str = "start",
          colour: str = LABEL_COLOUR, bold: bool = False, extra: str = "") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}"{weight}'
            f'{extra}>{escape(content)}</text>')


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family={quoteattr(FONT)} role="img" '
            f'aria-label={quoteattr(title)}>' + "".join(body) + "</svg>")


def _bar_colour(spec: dict) -> str:
    for mark in [spec.get("mark")] + [layer.get("mark") for layer in spec.get("layer", [])]:
        if isinstance(mark, dict) and mark.get("type") == "bar" and mark.get("color"):
            return mark["color"]
    return DEFAULT_BAR_COLOUR


def _colour_of(encoding: dict, row: dict, fallback: str) -> str:
    colour = encoding.get("color")
    if not colour or "field" not in colour:
        return fallback
    scale = colour.get("scale", {})
    palette = scale.get("range") or [DEFAULT_BAR_COLOUR]
    domain = scale.get("domain")
    value = row[colour["field"]]
    if domain is not None and value in domain:
        return palette[domain.index(value) % len(palette)]
    return palette[0]


def _value_labels(spec: dict) -> str | None:
    """The d3 format of the text layer that prints each bar's value, if the spec has one."""
    for layer in spec.get("layer", []):
        mark = layer.get("mark")
        if (mark if isinstance(mark, str) else (mark or {}).get("type")) == "text":
            return layer.get("encoding", {}).get("text", {}).get("format", ",.0f")
    return None


def _horizontal(spec: dict, lang: str) -> str:
    encoding = spec["encoding"]
    x, y = encoding["x"], encoding["y"]
    values = spec["data"]["values"]
    names = _ordered(values, y["field"], y.get("sort") if isinstance(y.get("sort"), dict) else None)
    by_name = {str(row[y["field"]]): row for row in values}
    plot_width = float(spec.get("width", 460))
    plot_height = float(spec.get("height", 22 * len(names)))
    limit = float(y.get("axis", {}).get("labelLimit", LABEL_LIMIT))
    labels = [_clip(name, limit, LABEL_SIZE) for name in names]
    left = max((text_width(label, LABEL_SIZE) for label in labels), default=0) + 8
    title = _title(spec)
    top = 24 if title else 6
    axis_format = x.get("axis", {}).get("format", ",.0f")
    digits = _digits(axis_format)
    value_format = _value_labels(spec)
    high = max((float(row[x["field"]]) for row in values), default=0.0)
    ticks = nice_ticks(high, whole=digits == 0)
    scale = plot_width / ticks[-1]
    band = plot_height / max(len(names), 1)
    colour = _bar_colour(spec)
    body = [_text(0, 15, title, TITLE_SIZE, colour=TEXT_COLOUR, bold=True)] if title else []
    for tick in ticks:
        tx = left + tick * scale
        body.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{top + plot_height:.1f}" '
                    f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        body.append(_text(tx, top + plot_height + 14, format_number(tick, lang, digits), anchor="middle"))
    for index, (name, label) in enumerate(zip(names, labels, strict=True)):
        row = by_name[name]
        value = float(row[x["field"]])
        bar_top = top + index * band + band * BAND_PADDING / 2
        bar_height = band * (1 - BAND_PADDING)
        body.append(f'<rect x="{left:.1f}" y="{bar_top:.1f}" width="{max(value, 0) * scale:.1f}" '
                    f'height="{bar_height:.1f}" fill="{_colour_of(encoding, row, colour)}"><title>'
                    f'{escape(name)}: {escape(format_number(value, lang, max(digits, 1)))}</title></rect>')
        middle = bar_top + bar_height / 2 + LABEL_SIZE * 0.35
        body.append(_text(left - 4, middle, label, anchor="end"))
        if value_format is not None:
            body.append(_text(left + max(value, 0) * scale + 3, middle,
                              format_number(value, lang, _digits(value_format)), colour=TEXT_COLOUR))
    body.append(f'<line x1="{left:.1f}" y1="{top}" x2="{left:.1f}" y2="{top + plot_height:.1f}" '
                f'stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    body.append(f'<line x1="{left:.1f}" y1="{top + plot_height:.1f}" x2="{left + plot_width:.1f}" '
                f'y2="{top + plot_height:.1f}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    height = top + plot_height + 20
    if x.get("title"):
        height += 14
        body.append(_text(left + plot_width / 2, height - 4, str(x["title"]), anchor="middle", bold=True))
    # The longest value label may stand past the last tick.
    width = left + plot_width + (40 if value_format is not None else 12)
    return _svg(width, height + 4, body, title)


def _grouped_columns(spec: dict, lang: str) -> str:
    encoding = spec["encoding"]
    x, y, offset = encoding["x"], encoding["y"], encoding["xOffset"]
    values = spec["data"]["values"]
    categories = _ordered(values, x["field"], x.get("sort") if isinstance(x.get("sort"), dict) else None)
    groups = sorted({str(row[offset["field"]]) for row in values})
    palette = encoding.get("color", {}).get("scale", {}).get("range") or [DEFAULT_BAR_COLOUR]
    domain = encoding.get("color", {}).get("scale", {}).get("domain") or groups  # a year keeps its colour
    colours = {group: palette[domain.index(group) % len(palette) if group in domain else i % len(palette)]
               for i, group in enumerate(groups)}
    plot_width, plot_height = float(spec.get("width", 460)), float(spec.get("height", 200))
    digits = _digits(y.get("axis", {}).get("format", ",.0f"))
    high = max((float(row[y["field"]]) for row in values), default=0.0)
    ticks = nice_ticks(high, whole=digits == 0)
    labels = [format_number(t, lang, digits) for t in ticks]
    axis_title = str(y.get("title") or "")
    left = max(text_width(label, LABEL_SIZE) for label in labels) + 8 + (18 if axis_title else 0)
    title = _title(spec)
    top = 24 if title else 8
    scale = plot_height / ticks[-1]
    band = plot_width / max(len(categories), 1)
    inner = band * (1 - 2 * BAND_PADDING)
    body = [_text(0, 15, title, TITLE_SIZE, colour=TEXT_COLOUR, bold=True)] if title else []
    if axis_title:
        middle = top + plot_height / 2
        body.append(_text(10, middle, axis_title, anchor="middle", bold=True,
                          extra=f' transform="rotate(-90 10 {middle:.1f})"'))
    for tick, label in zip(ticks, labels, strict=True):
        ty = top + plot_height - tick * scale
        body.append(f'<line x1="{left:.1f}" y1="{ty:.1f}" x2="{left + plot_width:.1f}" y2="{ty:.1f}" '
                    f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        body.append(_text(left - 4, ty + LABEL_SIZE * 0.35, label, anchor="end"))
    cells = {(str(row[x["field"]]), str(row[offset["field"]])): float(row[y["field"]]) for row in values}
    # A status field drawn by opacity (the monthly chart's synthetic months): pale, with a dashed outline.
    status = encoding.get("opacity")
    shade = {}
    if status:
        domain, levels = status["scale"]["domain"], status["scale"]["range"]
        shade = {(str(row[x["field"]]), str(row[offset["field"]])): dict(zip(domain, levels, strict=True))[
            row[status["field"]]] for row in values}
    for index, category in enumerate(categories):
        start = left + index * band + band * BAND_PADDING
        for position, group in enumerate(groups):
            value = cells.get((category, group))
            if value is None:
                continue
            bar_height = max(value, 0) * scale
            bx = start + position * inner / len(groups)
            pale = shade.get((category, group), 1.0) < 1.0
            outline = (f' fill-opacity="{shade[(category, group)]}" stroke="#92400e" stroke-width="0.8" '
                       f'stroke-dasharray="3 2"') if pale else ""
            body.append(f'<rect x="{bx:.1f}" y="{top + plot_height - bar_height:.1f}" '
                        f'width="{inner / len(groups) * 0.92:.1f}" height="{bar_height:.1f}" '
                        f'fill="{colours[group]}"{outline}><title>{escape(category)} {escape(group)}: '
                        f'{escape(format_number(value, lang, max(digits, 1)))}</title></rect>')
        body.append(_text(left + index * band + band / 2, top + plot_height + 14, category, anchor="middle"))
    body.append(f'<line x1="{left:.1f}" y1="{top + plot_height:.1f}" x2="{left + plot_width:.1f}" '
                f'y2="{top + plot_height:.1f}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    legend_y = top + plot_height + 36
    lx = left
    for group in groups:
        body.append(f'<rect x="{lx:.1f}" y="{legend_y - 9:.1f}" width="10" height="10" fill="{colours[group]}"/>')
        body.append(_text(lx + 14, legend_y, group))
        lx += 14 + text_width(group, LABEL_SIZE) + 16
    if status:
        for word, level in zip(status["scale"]["domain"], status["scale"]["range"], strict=True):
            if level < 1.0 and any(value < 1.0 for value in shade.values()):
                body.append(f'<rect x="{lx:.1f}" y="{legend_y - 9:.1f}" width="10" height="10" fill="{palette[-1]}" '
                            f'fill-opacity="{level}" stroke="#92400e" stroke-width="0.8" stroke-dasharray="3 2"/>')
                body.append(_text(lx + 14, legend_y, word))
                lx += 14 + text_width(word, LABEL_SIZE) + 16
    return _svg(left + plot_width + 8, legend_y + 8, body, title)
