"""`hamkor db`: the operational database."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.cli._common import console, fail, settings_of

app = typer.Typer(help="Operational database: migrations.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from hamkor.store.db import Database, refuse_a_stray_database

    refuse_a_stray_database(settings_of(ctx))
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
    from hamkor.store.db import Database, refuse_a_stray_database

    refuse_a_stray_database(settings_of(ctx))
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
    runs: imports wait for the copy), signed with this instance's secret key. The key is not in it: keep it
    apart (HAMKOR_SECRET_KEY, or secret.key in the data directory); a restore checks the archive with it."""
    from hamkor.store.backup import BackupError, instance_key
    from hamkor.store.backup import backup as make_backup

    settings = settings_of(ctx)
    try:
        manifest = make_backup(settings, output)
    except BackupError as error:
        raise fail(f"backup failed: {_one_line(error.reasons)}") from None
    except OSError as error:
        raise fail(f"backup failed: {_one_line(error)}") from None
    except Exception as error:  # noqa: BLE001 - the database or the warehouse could not be read: one line
        raise fail(f"backup failed: {type(error).__name__}: {_one_line(error)}") from None
    rows = sum(table["rows"] for table in manifest["tables"].values())
    console.print(f"Backed up to {output}: {rows} database rows in {len(manifest['tables'])} tables, "
                  f"{manifest['warehouse']['rows']} trade rows, {len(manifest['documents'])} documents "
                  f"(revision {manifest['revision']}).", highlight=False)
    console.print(f"Signed with key {manifest['key_id']} ({instance_key(settings)[1]}): keep that key apart from "
                  "the archive; a restore refuses a changed archive only where it has the key.", highlight=False)
    for batch, status, history_rows, held in manifest["history"]:
        console.print(f"Note: import batch {batch} is {status} with {history_rows} rows in the history, the "
                      f"warehouse holds {held} (an interrupted import; the next import settles it).",
                      highlight=False)


def restore(ctx: typer.Context,
            archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="An archive from `hamkor backup`."),
            unsigned: bool = typer.Option(False, "--unsigned", help="Restore an archive whose signature cannot be "
                                          "checked here (this instance lacks the key it was signed with, or it "
                                          "was written before archives were signed). Only for an archive you "
                                          "trust: a changed one is not noticed.")) -> None:
    """Restore an archive into an empty data directory (and an empty database), then check it: its signature
    with this instance's key, every member's sha256, every table's rows, the warehouse's rows per batch, the
    import history against the warehouse, migrations at the newest. A restore that fails changes nothing."""
    from hamkor.store.backup import BackupError, check_head
    from hamkor.store.backup import restore as restore_archive

    settings = settings_of(ctx)
    try:
        manifest = restore_archive(archive, settings, unsigned=unsigned)
    except BackupError as error:
        raise fail(f"restore failed, nothing was changed: {_one_line(error.reasons)}") from None
    except Exception as error:  # noqa: BLE001 - whatever else stopped it, the target is as it was: one line
        raise fail(f"restore failed, nothing was changed: {type(error).__name__}: {_one_line(error)}") from None
    signature = ("its signature checked" if manifest["signature"] == "checked"
                 else "its signature NOT checked (--unsigned)")
    console.print(f"Restored {archive.name} (made {manifest['created_at']}) into {settings.data_dir}: every table, "
                  f"{manifest['warehouse']['rows']} trade rows and {len(manifest['documents'])} documents checked, "
                  f"{signature}{'' if check_head(settings) else '; the database is NOT at the newest migration'}.",
                  highlight=False)


def _one_line(error) -> str:
    return " ".join(str(error).split())[:1000]
