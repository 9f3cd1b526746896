"""`hamkor companies` (registry, import, export, matching) and `hamkor hs` (classification assistant)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hamkor.cli._common import OutputFormat, console, emit, err_console, fail, services_of, settings_of

if TYPE_CHECKING:
    from hamkor.companies.registry import CompanyFilter, Registry

app = typer.Typer(help="The company registry: list, import, export, matchmaking.", no_args_is_help=True)
hs = typer.Typer(help="Find HS / TN VED codes for goods described in words.", no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or xlsx.")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (needed for xlsx).")


def _registry(ctx: typer.Context) -> Registry:
    return services_of(ctx).registry


def _filter(text, country, region, sector, code) -> CompanyFilter:
    from hamkor.companies.registry import CompanyFilter

    return CompanyFilter(text, country.upper() if country else None, region.upper() if region else None, sector, code)


@app.command("list")
def list_companies(ctx: typer.Context, text: str | None = typer.Option(None, "--search", "-s", help="Words to find."),
                   country: str | None = typer.Option(None, help="RU, UZ…"),
                   region: str | None = typer.Option(None, help="RU-ALT, UZ-SI…"),
                   sector: str | None = typer.Option(None), code: str | None = typer.Option(None, help="HS code"),
                   lang: str = typer.Option("ru", help="Language of names."), fmt: OutputFormat = FORMAT,
                   output: Path | None = OUTPUT) -> None:
    """The registry, filtered (contacts are never listed: see the web profile)."""
    from hamkor.companies.registry import company_name

    registry = _registry(ctx)
    found = registry.find(_filter(text, country, region, sector, code))
    rows = [[c.id, company_name(c, lang), c.tax_id or "", c.region or c.country, c.city or "",
             ", ".join(c.sectors or []), " ".join(c.offers or []), " ".join(c.needs or []),
             "SYNTHETIC" if c.synthetic else ""] for c in found]
    emit(["id", "name", "tax ID", "region", "city", "sectors", "offers", "needs", "demo"], rows, fmt,
         f"{len(found)} companies", output)


@app.command("import")
def import_command(ctx: typer.Context, file: Path = typer.Argument(..., exists=True, dir_okay=False),
                   mapping: list[str] = typer.Option([], "--map", help="COLUMN=FIELD, for headers not recognised."),
                   update_existing: bool = typer.Option(False, "--update-existing",
                                                        help="Update companies already registered (same tax ID).")
                   ) -> None:
    """Import companies from XLSX or CSV: every row is checked first; any error imports nothing."""
    from hamkor.companies.transfer import FIELDS, ImportRefused, import_companies

    explicit = {}
    for item in mapping:
        if "=" not in item:
            raise fail(f"--map takes COLUMN=FIELD, not {item!r} (fields: {', '.join(FIELDS)})", 2)
        column, field = item.split("=", 1)
        explicit[column.strip()] = field.strip()
    registry = _registry(ctx)
    try:
        report = import_companies(registry, file, explicit, update_existing)
    except ImportRefused as refused:
        for line in refused.report.lines():
            err_console.print(line, highlight=False)
        raise fail(f"{file.name}: nothing imported ({refused.report.error_count} errors)", 2) from None
    for line in report.lines():
        err_console.print(line, highlight=False)
    console.print(f"{file.name}: {report.rows} rows — {report.created} created, {report.updated} updated "
                  f"(columns: {', '.join(f'{c} → {f}' for c, f in report.mapping.items())})", highlight=False)


@app.command("export")
def export_command(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output", help="companies.xlsx"),
                   country: str | None = typer.Option(None), region: str | None = typer.Option(None),
                   sector: str | None = typer.Option(None),
                   contacts: bool = typer.Option(False, "--contacts", help="Include contacts (private data).")
                   ) -> None:
    """Export the registry to XLSX or CSV (by the file's extension), in the import's columns."""
    from hamkor.companies.transfer import export_companies

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise fail("the output must end in .xlsx or .csv", 2)
    registry = _registry(ctx)
    found = registry.find(_filter(None, country, region, sector, None))
    people = {c.id: registry.contacts(c.id) for c in found} if contacts else {}
    output.write_bytes(export_companies(found, people, fmt))
    console.print(f"{len(found)} companies written to {output}")
    if any(c.synthetic for c in found):
        err_console.print("[bold yellow]SYNTHETIC demo companies are among them[/] (column synthetic).")


@app.command("match")
def match_command(ctx: typer.Context, a_region: str | None = typer.Option(None, "--a-region", help="Group A: RU-ALT"),
                  a_country: str | None = typer.Option(None, "--a-country"),
                  a_sector: str | None = typer.Option(None, "--a-sector"),
                  b_region: str | None = typer.Option(None, "--b-region", help="Group B: UZ-SI"),
                  b_country: str | None = typer.Option(None, "--b-country"),
                  b_sector: str | None = typer.Option(None, "--b-sector"),
                  top: int = typer.Option(3, "--top", min=1, max=50, help="Suggestions per company of group A."),
                  lang: str = typer.Option("ru", help="ru, uz or en."), fmt: OutputFormat = FORMAT,
                  output: Path | None = OUTPUT) -> None:
    """Score every pair of group A x group B and suggest meetings, each with its reasons."""
    from hamkor.companies.matching import describe
    from hamkor.companies.service import match
    from hamkor.trade.warehouse import WarehouseBusy

    settings = settings_of(ctx)
    registry = _registry(ctx)
    try:
        group_a = _filter(None, a_country, a_region, a_sector, None)
        group_b = _filter(None, b_country, b_region, b_sector, None)
        if settings.resolved_warehouse_path.exists():
            with services_of(ctx).warehouse.reader() as con:
                result = match(registry, con, group_a, group_b, top, lang)
        else:
            result = match(registry, None, group_a, group_b, top, lang)
    except WarehouseBusy as busy:
        raise fail(str(busy)) from None
    rows = [[s.a.id, s.a.name, s.b.id, s.b.name, round(s.score * 100, 1),
             "; ".join(describe(r, s.a.name, s.b.name, lang) for r in s.reasons)] for s in result.suggestions]
    emit(["A", "company A", "B", "company B", "score", "why"], rows, fmt,
         f"{result.group_a} x {result.group_b} companies: top {top} for each of group A", output)
    if result.trade_note:
        err_console.print(f"Trade data could not help: {result.trade_note}", highlight=False)


@hs.command("search")
def hs_search(ctx: typer.Context, text: str = typer.Argument(..., help="котельное оборудование, paxta ipi…"),
              lang: str | None = typer.Option(None, help="ru, uz or en (default: detected)."),
              limit: int = typer.Option(10, min=1, max=50),
              region: str | None = typer.Option(None, help="Boost what this territory trades (RU-ALT)."),
              fmt: OutputFormat = FORMAT) -> None:
    """Ranked HS headings for goods described in Russian, Uzbek (Latin or Cyrillic) or English."""
    from hamkor.companies.classify import search
    from hamkor.companies.service import traded_headings

    traded = None
    if region:
        settings = settings_of(ctx)
        if settings.resolved_warehouse_path.exists():
            with services_of(ctx).warehouse.reader() as con:
                traded = traded_headings(con, region.upper())
    hits = search(text, lang, limit, traded)
    shown = lang if lang in ("ru", "en") else "ru"
    rows = [[n, h.code, h.detail or "", h.label(shown)[:90], h.score, "; ".join(h.why)] for n, h in enumerate(hits, 1)]
    emit(["#", "heading", "finer line", "name", "score", "why"], rows, fmt, f"HS codes for «{text}»")


@hs.command("eval")
def hs_eval() -> None:
    """Top-1 and top-5 accuracy (heading level) on the packaged labelled queries."""
    from hamkor.companies.evaluate import evaluate

    results = evaluate()
    rows = [[key, acc.queries, round(acc.top1_share * 100, 1), round(acc.top5_share * 100, 1)]
            for key, acc in results.items()]
    emit(["set", "queries", "top-1, %", "top-5, %"], rows, OutputFormat.table, "HS classification accuracy")
