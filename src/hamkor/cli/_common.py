"""What the commands share: settings from the context, progress bars, tabular output."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hamkor.config import Settings
from hamkor.render.sheets import append_row, csv_row

if TYPE_CHECKING:  # each command imports what it uses when it runs: `hamkor --help` loads no domain code
    from hamkor.context import AppContext

# Piped or captured output is read by people later (logs, CI): don't squeeze it into 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def services_of(ctx: typer.Context) -> AppContext:
    """The application context the root callback built: every command's way to the services."""
    return ctx.find_root().obj


def settings_of(ctx: typer.Context) -> Settings:
    return services_of(ctx).settings


def fail(message: str, code: int = 1) -> typer.Exit:
    # One line however long, as a script or a log reads it (a terminal wraps it on its own); the message is
    # text, never markup: it may quote a file's name or an archive's member, brackets and all.
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def byte_progress(label: str) -> Iterator:
    """A Rich progress bar on stderr, in bytes; silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def emit(headers: Sequence[str], rows: Sequence[Sequence], fmt: OutputFormat, title: str | None = None,
         output: Path | None = None) -> None:
    """Print rows as a Rich table, or write CSV / JSON / XLSX (to a file or stdout)."""
    if fmt is OutputFormat.table:
        table = Table(title=title, show_lines=False)
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*["" if v is None else (f"{v:,}" if isinstance(v, float) else str(v)) for v in row])
        console.print(table)
        return
    if fmt is OutputFormat.xlsx:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        if output is None:
            raise fail("--format xlsx needs -o FILE")
        book = Workbook()
        sheet = book.active
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.0"
        book.save(output)
        return
    handle = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt is OutputFormat.csv:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(csv_row(row) for row in rows)
        else:
            json.dump([dict(zip(headers, row, strict=True)) for row in rows], handle, ensure_ascii=False,
                      indent=2, default=str)
            handle.write("\n")
    finally:
        if output:
            handle.close()


MILLION = 1e6


def mn(value: float) -> float:
    return round(value / MILLION, 3)


def read_warehouse(ctx: typer.Context, work, user_errors: tuple[type[Exception], ...] = ()):
    """Run work(connection) on the warehouse; a question the data cannot answer exits 2 with its reason."""
    from hamkor.trade.warehouse import WarehouseBusy

    settings = settings_of(ctx)
    if not settings.resolved_warehouse_path.exists():
        raise fail(f"no trade warehouse in {settings.data_dir}: import a file or run `hamkor demo` first")
    try:
        with services_of(ctx).warehouse.reader() as con:
            return work(con)
    except user_errors as error:
        raise fail(str(error), 2) from None
    except WarehouseBusy as busy:
        raise fail(str(busy)) from None


def synthetic_notice(synthetic: bool) -> None:
    if synthetic:
        err_console.print("[bold yellow]SYNTHETIC demo data:[/] these figures rest on generated rows "
                          "(sources demo-synthetic*), not on real statistics.")
