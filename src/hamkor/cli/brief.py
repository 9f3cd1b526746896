"""`hamkor brief`: a meeting brief in Russian, Uzbek or English."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.briefing.compose import compose_brief
from hamkor.briefing.render import FORMATS, render
from hamkor.cli._common import console, err_console, fail, services_of, settings_of
from hamkor.cooperation.digest import digest
from hamkor.i18n import LANGUAGES
from hamkor.trade.periods import Period, PeriodError
from hamkor.trade.stats import QueryError
from hamkor.trade.warehouse import WarehouseBusy


def brief(
    ctx: typer.Context,
    reporter: str = typer.Option(..., "--reporter", "-r", help="Reporter: country (RU) or region (RU-ALT)."),
    partner: str = typer.Option(..., "--partner", "-p", help="Partner: country (UZ), CIS, EAEU, EU or WORLD."),
    period: str = typer.Option(..., "--period", help="2025, 2025-Q3, 2025-01..2025-09, 2025-YTD-09."),
    lang: str = typer.Option("ru", "--lang", help="ru, uz or en."),
    fmt: str = typer.Option("pdf", "--format", "-f", help="html, pdf, docx or md."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default brief-<...>.<format>)."),
) -> None:
    """Write a one-to-three page brief: headline figures, goods each way, movers, mirror data, the
    cooperation registry's meetings, commitments and agreements with the partner, sources."""
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
    services = services_of(ctx)
    found = digest(services.cooperation, partner, services.today(), lang)
    try:
        with services.warehouse.reader() as con:
            document = compose_brief(con, reporter.upper(), partner.upper(), query_period, lang, cooperation=found)
    except QueryError as error:
        raise fail(str(error), 2) from None
    except WarehouseBusy as busy:
        raise fail(str(busy)) from None
    target = output or Path(f"brief-{reporter.upper()}-{partner.upper()}-{query_period.label()}-{lang}.{fmt}")
    target.write_bytes(render(document, fmt))
    console.print(document.headline, highlight=False)
    if document.warning:
        err_console.print(f"[bold yellow]{document.warning}[/]")
    console.print(f"Written: {target}")
