"""The `hamkor` command: a thin shell over the domain packages."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from hamkor import __version__
from hamkor.cli import brief as brief_commands
from hamkor.cli import companies as company_commands
from hamkor.cli import cooperation as cooperation_commands
from hamkor.cli import db as db_commands
from hamkor.cli import demo as demo_commands
from hamkor.cli import imports as import_commands
from hamkor.cli import missions as mission_commands
from hamkor.cli import opportunities as opportunity_commands
from hamkor.cli import organisations as organisation_commands
from hamkor.cli import reference as reference_commands
from hamkor.cli import serve as serve_commands
from hamkor.cli import trade as trade_commands
from hamkor.config import Settings

app = typer.Typer(
    name="hamkor",
    help="hamkor — foreign economic cooperation workbench: trade statistics, briefs, missions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_commands.app, name="db")
app.command("backup")(db_commands.backup)
app.command("restore")(db_commands.restore)
app.add_typer(import_commands.app, name="import")
app.add_typer(reference_commands.app, name="ref")
app.add_typer(trade_commands.app, name="trade")
app.add_typer(company_commands.app, name="companies")
app.add_typer(company_commands.hs, name="hs")
app.add_typer(mission_commands.app, name="missions")
app.add_typer(organisation_commands.app, name="organisations")
app.add_typer(cooperation_commands.app, name="cooperation")
app.command("reminders")(cooperation_commands.reminders)
app.command("brief")(brief_commands.brief)
app.command("opportunities")(opportunity_commands.opportunities)
app.command("complexity")(opportunity_commands.complexity)
app.command("serve")(serve_commands.serve)
app.command("worker")(serve_commands.worker)
app.add_typer(serve_commands.users, name="users")
app.command("demo")(demo_commands.demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hamkor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory (env HAMKOR_DATA_DIR; default ./var)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    try:
        settings = Settings(**({"data_dir": data_dir} if data_dir else {}))
    except ValueError as error:
        typer.echo(f"Error: invalid settings: {error}", err=True)
        raise typer.Exit(2) from None
    from hamkor.context import AppContext  # its services are each built on first use

    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    from hamkor.errors import StrayDatabase

    try:
        app()
    except SystemExit as stop:
        code = stop.code
    except StrayDatabase as stray:  # a cron line without the server's environment: said in one line
        print(f"Error: {stray}", file=sys.stderr)
        code = 1
    else:
        code = 0
    # Python's own teardown then frees every object one by one: 0.3-0.5 s after a brief, more than
    # most commands take. By now everything a command opened is closed (its files by their `with`, the
    # database and the warehouse by the context's close), so the exit handlers run (logging, temporary
    # folders) and the process ends without the teardown. An unexpected exception is not caught here:
    # it ends the process the usual way, with its traceback.
    import atexit
    import os

    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # sys.exit("message"): what Python itself would print, then status 1
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
