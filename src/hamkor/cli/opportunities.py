"""`hamkor opportunities` and `hamkor complexity`: the promising areas of cooperation, from world trade."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

import typer

from hamkor.cli._common import (
    OutputFormat,
    console,
    emit,
    err_console,
    fail,
    mn,
    read_warehouse,
    synthetic_notice,
)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or xlsx.")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (needed for xlsx).")


class Direction(StrEnum):
    export = "export"
    import_ = "import"


def _run(ctx: typer.Context, work):
    from hamkor.opportunities.world import OpportunityError

    return read_warehouse(ctx, work, (OpportunityError,))


def opportunities(
    ctx: typer.Context,
    reporter: str = typer.Option(..., "--reporter", "-r", help="Country (RU) or region (RU-ALT)."),
    partner: str = typer.Option(..., "--partner", "-p", help="Partner country (UZ)."),
    direction: Direction = typer.Option(Direction.export, "--direction", "-d",
                                        help="export: the reporter's opportunities in the partner; import: what "
                                             "the partner could supply the reporter."),
    top: int = typer.Option(30, "--top", min=1, help="How many to list."),
    year: int | None = typer.Option(None, "--year", help="Year of the world data (default: latest complete)."),
    diversification: bool = typer.Option(False, "--diversification",
                                         help="List products not exported yet, ranked by density x demand."),
    horizon: int = typer.Option(0, "--horizon", min=0, max=10, help="What-if: project this many years ahead."),
    supply_growth: float = typer.Option(0.0, "--supply-growth", help="What-if: exporter's growth, % a year."),
    demand_trend: float = typer.Option(1.0, "--demand-trend", min=0.0, max=3.0,
                                       help="What-if: share of each product's import trend that continues."),
    level: int = typer.Option(4, "--level", help="4 = HS headings, 6 = HS subheadings."),
    source: str | None = typer.Option(None, "--source", help="World data source (default: the widest)."),
    lang: str = typer.Option("ru", "--lang", help="Language of names and explanations: ru, uz or en."),
    fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT,
) -> None:
    """Promising areas of cooperation: export potential (ITC method) and diversification, explained."""
    from hamkor.opportunities.analysis import find_opportunities
    from hamkor.opportunities.explain import explain, flag_names, product_name
    from hamkor.opportunities.potential import Assumptions
    from hamkor.reference.names import territory_name

    if lang not in ("ru", "uz", "en"):
        raise fail("--lang must be ru, uz or en", 2)
    assumptions = Assumptions(horizon, supply_growth / 100, demand_trend)
    result = _run(ctx, lambda con: find_opportunities(con, reporter, partner, direction.value, year, assumptions,
                                                      level, source))
    chosen = (result.diversification if diversification else result.items)[:top]
    title = (f"{territory_name(result.exporter, lang)} → {territory_name(result.market, lang)}, {result.year} "
             f"({'diversification' if diversification else 'export potential'}; world data {result.world.source})")
    if diversification:
        headers = ["#", "code", "product", "density", "demand, mn USD", "demand growth, %/yr", "PCI", "COG"]
        rows = [[n, i.product, product_name(i.product, lang), round(i.density, 3), mn(i.demand),
                 round(i.demand_growth * 100, 1), None if i.pci is None else round(i.pci, 2),
                 None if i.gain is None else round(i.gain, 3)] for n, i in enumerate(chosen, 1)]
    else:
        headers = ["#", "code", "product", "potential, mn USD", "actual, mn USD", "untapped, mn USD",
                   "realised, %", "demand, mn USD", "demand growth, %/yr", "RCA", "flags"]
        rows = [[n, i.product, product_name(i.product, lang), mn(i.potential), mn(i.actual), mn(i.untapped),
                 None if i.realised is None else round(i.realised * 100, 1), mn(i.demand),
                 round(i.demand_growth * 100, 1), round(i.rca, 2), ", ".join(flag_names(i, lang))]
                for n, i in enumerate(chosen, 1)]
    if fmt in (OutputFormat.json, OutputFormat.csv, OutputFormat.xlsx):
        headers = [*headers, "explanation", "factors"]
        rows = [[*row, explain(i, result, lang),
                 json.dumps({k: (None if math.isinf(v) else round(v, 6)) for k, v in i.factors().items()})]
                for row, i in zip(rows, chosen, strict=True)]
    emit(headers, rows, fmt, title, output)
    if fmt is OutputFormat.table:
        for n, item in enumerate(chosen[:5], 1):
            console.print(f"{n}. {explain(item, result, lang)}", highlight=False)
    for note in result.notes:
        err_console.print(f"Note: {note}", highlight=False)
    synthetic_notice(result.synthetic)


def complexity(
    ctx: typer.Context,
    year: int | None = typer.Option(None, "--year", help="Year (default: the latest in the world data)."),
    region: str | None = typer.Option(None, "--region", help="Insert this region (RU-ALT) as a location."),
    products: bool = typer.Option(False, "--products", help="PCI per product instead of ECI per location."),
    level: int = typer.Option(4, "--level", help="4 = HS headings, 6 = HS subheadings."),
    source: str | None = typer.Option(None, "--source", help="World data source (default: the widest)."),
    lang: str = typer.Option("en", "--lang", help="Language of names: ru, uz or en."),
    fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT,
) -> None:
    """Economic complexity (Atlas definitions): ECI per location, PCI per product, from the world data loaded."""
    from hamkor.opportunities.analysis import world_complexity
    from hamkor.opportunities.explain import product_name
    from hamkor.reference.names import territory_name

    result = _run(ctx, lambda con: world_complexity(con, year, region, source, level))
    if products:
        order = sorted(range(len(result.products)), key=lambda k: -result.pci[k])
        rows = [[n, result.products[k], product_name(result.products[k], lang), round(float(result.pci[k]), 4),
                 int(result.ubiquity[k])] for n, k in enumerate(order, 1)]
        emit(["#", "code", "product", "PCI", "ubiquity"], rows, fmt,
             f"Product complexity, {result.year} ({result.world.source})", output)
    else:
        order = sorted(range(len(result.locations)), key=lambda c: -result.eci[c])
        rows = [[n, result.locations[c], territory_name(result.locations[c], lang), round(float(result.eci[c]), 4),
                 int(result.diversity[c])] for n, c in enumerate(order, 1)]
        emit(["#", "location", "name", "ECI", "diversity"], rows, fmt,
             f"Economic complexity, {result.year} ({result.world.source})", output)
    if result.dropped_locations or result.dropped_products:
        err_console.print(f"Left out (no RCA >= 1): {len(result.dropped_locations)} locations, "
                          f"{len(result.dropped_products)} products.")
    synthetic_notice(result.world.synthetic)
