"""`hamkor brief`: a meeting brief in Russian, Uzbek or English."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.cli._common import console, err_console, fail, services_of, settings_of


def brief(
    ctx: typer.Context,
    reporter: str = typer.Option(..., "--reporter", "-r", help="Reporter: country (RU) or region (RU-ALT)."),
    partner: str = typer.Option(..., "--partner", "-p", help="Partner: country (UZ), CIS, EAEU, EU or WORLD."),
    period: str = typer.Option(..., "--period", help="2025, 2025-Q3, 2025-01..2025-09, 2025-YTD-09."),
    lang: str = typer.Option("ru", "--lang", help="ru, uz or en."),
    fmt: str = typer.Option("pdf", "--format", "-f", help="html, pdf, docx or md."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default brief-<...>.<format>)."),
    source: str | None = typer.Option(None, "--source", help="Pin the figures to one source (fts-regional…)."),
) -> None:
    """Write a one-to-three page brief: headline figures, goods each way, movers, mirror data, the
    cooperation registry's meetings, commitments and agreements with the partner, sources."""
    from contextlib import nullcontext

    from hamkor.render.pdf_process import PdfProcess

    # The PDF engine starts in a process of its own, on the other core, while this one reads the
    # figures: its half second of start-up is no longer added to the brief's (benchmarks/startup.py).
    with PdfProcess() if fmt == "pdf" else nullcontext() as engine:
        document, target = _compose(ctx, reporter, partner, period, lang, fmt, output, source)
        target.write_bytes(_render(document, fmt, engine))
    console.print(document.headline, highlight=False)
    if document.warning:
        err_console.print(f"[bold yellow]{document.warning}[/]")
    console.print(f"Written: {target}")


def _compose(ctx: typer.Context, reporter: str, partner: str, period: str, lang: str, fmt: str,
             output: Path | None, source: str | None = None):
    import threading

    from hamkor.briefing.compose import compose_brief
    from hamkor.briefing.render import FORMATS
    from hamkor.cooperation.digest import digest
    from hamkor.i18n import LANGUAGES
    from hamkor.reference.nomenclature import nomenclature
    from hamkor.trade.periods import Period, PeriodError
    from hamkor.trade.stats import QueryError
    from hamkor.trade.warehouse import WarehouseBusy

    if lang not in LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LANGUAGES)}", 2)
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    try:
        query_period = Period.parse(period)
    except PeriodError as error:
        raise fail(str(error), 2) from None
    settings = settings_of(ctx)
    if not settings.resolved_warehouse_path.exists():
        raise fail(f"no trade warehouse in {settings.data_dir}: import a file or run `hamkor demo` first")
    # The product names (0.2 s of pure Python) are built while DuckDB answers the first queries, which
    # leave the interpreter free; started after the imports, which would only contend with it.
    threading.Thread(target=nomenclature, daemon=True).start()
    services = services_of(ctx)
    found = digest(services.cooperation, partner, services.today(), lang)
    try:
        with services.warehouse.reader() as con:
            document = compose_brief(con, reporter.upper(), partner.upper(), query_period, lang, cooperation=found,
                                     source=source)
    except QueryError as error:
        raise fail(str(error), 2) from None
    except WarehouseBusy as busy:
        raise fail(str(busy)) from None
    return document, output or Path(f"brief-{reporter.upper()}-{partner.upper()}-{query_period.label()}-{lang}.{fmt}")


def _render(document, fmt: str, engine) -> bytes:
    from hamkor.briefing.render import render
    from hamkor.render.pdf_process import PdfEngineError

    try:
        return render(document, fmt, engine)
    except PdfEngineError as error:
        raise fail(str(error)) from None
