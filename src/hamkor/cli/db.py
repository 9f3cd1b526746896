"""`hamkor db`: the operational database."""

from __future__ import annotations

import typer

from hamkor.cli._common import console, fail, settings_of
from hamkor.store.db import Database

app = typer.Typer(help="Operational database: migrations.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    db = Database(settings_of(ctx))
    try:
        db.upgrade(revision)
        console.print(f"Database at revision [bold]{db.current_revision()}[/] ({_safe_url(db.url)})")
    except Exception as error:  # noqa: BLE001 - a connection or migration failure is the user's to fix
        raise fail(f"could not upgrade the database: {error}") from None
    finally:
        db.dispose()


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the database's current revision."""
    db = Database(settings_of(ctx))
    try:
        console.print(db.current_revision() or "(empty: run `hamkor db upgrade`)")
    finally:
        db.dispose()


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
