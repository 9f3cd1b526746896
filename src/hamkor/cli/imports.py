"""`hamkor import`: load trade files into the warehouse, list batches, undo one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from hamkor.cli._common import OutputFormat, byte_progress, console, emit, err_console, fail, services_of
from hamkor.trade.formats import FILE_FORMATS, VALUE_UNITS

if TYPE_CHECKING:  # the importers (DuckDB, Arrow, openpyxl) load when a file is imported, not for --help
    from hamkor.trade.service import ImportOutcome, ImportService

app = typer.Typer(help="Import trade statistics files; list and undo imports.", no_args_is_help=True)


def _service(ctx: typer.Context) -> ImportService:
    service = services_of(ctx).imports
    # an import running in the server (or another command) goes first: say so rather than seem to hang
    service.warehouse.on_wait = lambda: err_console.print(
        "Another import is writing the warehouse (the server's worker or another command): waiting for it…")
    return service


def _show(outcomes: list[ImportOutcome]) -> None:
    table = Table(title="Import summary")
    for column in ("file", "status", "batch", "rows read", "loaded", "skipped", "periods", "reporters", "note"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        note = ""
        if o.status == "duplicate":
            note = f"already loaded as batch {o.duplicate_of}; nothing changed"
        elif o.replaced:
            note = "replaces batch " + ", ".join(map(str, o.replaced))
        elif o.status == "rejected":
            note = f"{o.report.count} problem(s); nothing was loaded"
        if o.synthetic:
            note = (note + "; " if note else "") + "SYNTHETIC demo data"
        style = {"loaded": "green", "duplicate": "yellow", "rejected": "red"}[o.status]
        table.add_row(o.file.name, f"[{style}]{o.status}[/]", str(o.batch_id or ""), f"{o.rows_read:,}",
                      f"{o.rows_loaded:,}", f"{o.rows_skipped:,}", o.period_range, ", ".join(o.reporters), note)
    console.print(table)
    for o in outcomes:
        for note in o.notes:
            err_console.print(f"{o.file.name}: {note}", highlight=False, markup=False)
        if o.report:
            err_console.print(f"[bold red]{o.file.name}[/]: {o.report.count} problem(s), nothing was loaded:")
            for line in o.report.lines():
                err_console.print(f"  {line}", highlight=False, markup=False)


def _make_import_command(kind: str):
    file_format = FILE_FORMATS[kind]

    def command(
        ctx: typer.Context,
        files: list[Path] = typer.Argument(..., help="One or more files.", show_default=False),
        value_unit: str | None = typer.Option(
            None, "--value-unit", help=f"Unit of the values in the file ({', '.join(VALUE_UNITS)}); "
            f"default {file_format.default_value_unit}."),
        reporter: str | None = typer.Option(None, "--reporter", help="Override the reporter (ISO code)."),
        flow: str | None = typer.Option(None, "--flow", help="export or import, where the file does not say."),
        nomenclature: str | None = typer.Option(None, "--nomenclature", help="e.g. HS2017, TNVED2022."),
        source: str | None = typer.Option(None, "--source", help=f"Source label of the facts (default {kind})."),
        codes: Path | None = typer.Option(None, "--codes", help="BACI: its country code file."),
    ) -> None:
        from hamkor.trade.importers import ImportOptions
        from hamkor.trade.warehouse import WarehouseBusy

        if value_unit and value_unit.lower() not in VALUE_UNITS:
            raise fail(f"--value-unit must be one of {', '.join(VALUE_UNITS)}, not {value_unit!r}", 2)
        options = ImportOptions(value_unit=value_unit, reporter=reporter, flow=flow,
                                nomenclature=nomenclature, source=source, codes_file=codes)
        service = _service(ctx)
        outcomes = []
        try:
            for path in files:
                with byte_progress(f"{path.name}") as progress:
                    outcomes.append(service.import_file(kind, path, options, progress))
        except WarehouseBusy as busy:
            raise fail(str(busy)) from None
        _show(outcomes)
        if any(o.status == "rejected" for o in outcomes):
            raise typer.Exit(1)

    unit = "USD" if file_format.default_value_unit == "usd" else f"{file_format.default_value_unit} USD"
    command.__doc__ = (f"Import {file_format.title} files ({file_format.file_hint}). "
                       f"Values in {unit} unless --value-unit.")
    return command


for _kind in FILE_FORMATS:
    app.command(_kind)(_make_import_command(_kind))


@app.command("list")
def list_batches(
    ctx: typer.Context,
    limit: int = typer.Option(50, help="How many of the latest batches."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv, json or xlsx."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file."),
) -> None:
    """The import history, newest first."""
    service = _service(ctx)
    batches = service.batches(limit)
    headers = ["batch", "kind", "source", "file", "status", "rows loaded", "rejected", "periods", "started"]
    rows = [[b.id, b.source_kind, b.source_label, b.file_name, b.status, b.rows_loaded, b.rows_rejected,
             f"{b.period_first}..{b.period_last}" if b.period_first else "",
             b.started_at.strftime("%Y-%m-%d %H:%M") if b.started_at else ""] for b in batches]
    emit(headers, rows, fmt, "Imports", output)


@app.command()
def undo(ctx: typer.Context, batch: int = typer.Argument(..., help="Batch number (see `hamkor import list`).")) -> None:
    """Remove one loaded batch from the warehouse."""
    from hamkor.errors import Problem
    from hamkor.trade.warehouse import WarehouseBusy

    service = _service(ctx)
    try:
        undone = service.undo(batch)
    except (Problem, WarehouseBusy) as error:
        raise fail(str(error)) from None
    console.print(f"Batch {undone.id} ({undone.file_name}) undone: {undone.rows_loaded:,} rows removed.")
