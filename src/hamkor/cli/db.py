"""`hamkor db`: the operational database."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.cli._common import console, fail, settings_of

app = typer.Typer(help="Operational database: migrations.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from hamkor.store.db import Database

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
    from hamkor.store.db import Database

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


def backup(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output",
                                                            help="The archive to write (hamkor-YYYY-MM-DD.tar.gz).")
           ) -> None:
    """Back up the database, the trade warehouse and the documents in one archive (safe while the server
    runs: imports wait for the copy). The secret key is not in it."""
    from hamkor.store.backup import BackupError
    from hamkor.store.backup import backup as make_backup

    try:
        manifest = make_backup(settings_of(ctx), output)
    except (BackupError, OSError) as error:
        raise fail(f"backup failed: {error}") from None
    rows = sum(manifest["tables"].values())
    console.print(f"Backed up to {output}: {rows} database rows in {len(manifest['tables'])} tables, "
                  f"{manifest['warehouse']['rows']} trade rows, {len(manifest['documents'])} documents "
                  f"(revision {manifest['revision']}).", highlight=False)


def restore(ctx: typer.Context, archive: Path = typer.Argument(..., exists=True, dir_okay=False,
                                                                help="An archive from `hamkor backup`.")) -> None:
    """Restore an archive into an empty data directory (and an empty database), then check it: every
    table's row count, the warehouse's totals, every document's sha256, migrations at the newest."""
    from hamkor.store.backup import BackupError, check_head
    from hamkor.store.backup import restore as restore_archive

    settings = settings_of(ctx)
    try:
        manifest = restore_archive(archive, settings)
    except BackupError as error:
        raise fail(f"restore failed: {error}") from None
    console.print(f"Restored {archive.name} (made {manifest['created_at']}) into {settings.data_dir}: every table, "
                  f"{manifest['warehouse']['rows']} trade rows and {len(manifest['documents'])} documents checked"
                  f"{'' if check_head(settings) else '; the database is NOT at the newest migration'}.",
                  highlight=False)
