"""`hamkor serve` and `hamkor users`: the web server and its accounts."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import typer

from hamkor.accounts.permissions import ROLES
from hamkor.cli._common import console, fail, services_of, settings_of


def serve(ctx: typer.Context, host: str = typer.Option(None, help="Address (default 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default 8000)."),
          workers: int = typer.Option(1, "--workers", min=1, max=64,
                                      help="Web processes (several need PostgreSQL: HAMKOR_DATABASE_URL)."),
          run_worker: bool = typer.Option(True, "--worker/--no-worker",
                                          help="Run jobs and mail in the web process(es); --no-worker when a "
                                               "`hamkor worker` runs apart.")) -> None:
    """Serve the web interface and the JSON API (and, unless --no-worker, run the jobs and send the mail)."""
    import uvicorn

    from hamkor.web.app import create_app
    from hamkor.web.server import uvicorn_options

    settings = settings_of(ctx).replace(run_worker=run_worker)
    options = dict(host=host or settings.host, port=port or settings.port, log_level=settings.log_level.lower(),
                   **uvicorn_options(settings))
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    if not settings.resolved_database_url.startswith("postgresql"):
        raise fail("several web processes need PostgreSQL (HAMKOR_DATABASE_URL): SQLite has one writer at a time")
    # each process builds its own application from the environment: pass on what the command line chose
    os.environ["HAMKOR_DATA_DIR"] = str(settings.data_dir)
    os.environ["HAMKOR_RUN_WORKER"] = "true" if run_worker else "false"
    uvicorn.run("hamkor.web.server:app_from_environment", factory=True, workers=workers, **options)


def worker(ctx: typer.Context,
           nice: int = typer.Option(10, min=0, max=19, help="How much the worker yields the processor to the web "
                                                              "processes on the same machine (0 = not at all).")
           ) -> None:
    """Run the queued jobs (imports, briefs, schedules, agendas) and send the mail, until stopped (Ctrl+C or
    SIGTERM). Any number may run against PostgreSQL; against SQLite run one. Web processes then run with
    `hamkor serve --no-worker`."""
    import signal
    import threading

    # People wait for pages; nobody waits on a job's every second (its page polls): on a shared machine an
    # import or a schedule's solver must not take the processor from the web processes in a booking window.
    os.nice(nice)

    from hamkor.web.operations import configure_logging
    from hamkor.work.worker import Worker

    services = services_of(ctx)
    configure_logging(services.settings.log_level)
    services.hold_warehouse()
    running = Worker(services)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    running.start()
    console.print(f"Worker {running.name} running: jobs and mail of {services.settings.data_dir} "
                  f"({services.db.url.split('://', 1)[0]}). Stop with Ctrl+C.", highlight=False)
    while not stopped.wait(1.0):
        if not running.alive:
            raise fail("a thread of the worker stopped; see the log above")
    console.print("Stopping: jobs running are left to finish for 35 s, then taken back by the next worker.")
    running.stop()


users = typer.Typer(help="Accounts for the web interface and the API.", no_args_is_help=True)


@users.command("create")
def create_user(ctx: typer.Context, email: str = typer.Argument(...),
                role: str = typer.Option("viewer", help=f"One of {', '.join(ROLES)}."),
                password: str | None = typer.Option(None, help="Or HAMKOR_PASSWORD; asked for when neither."),
                language: str = typer.Option("ru", help="ru, uz or en."),
                company: int | None = typer.Option(None, "--company",
                                                   help="For the company role: the company's registry number.")
                ) -> None:
    """Create a user."""
    from sqlalchemy.exc import IntegrityError

    from hamkor.accounts.service import AccountError

    secret = password or os.environ.get("HAMKOR_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                                              confirmation_prompt=True)
    try:
        user = services_of(ctx).accounts.create_user(email, secret, role, language, company)
    except IntegrityError:
        raise fail(f"there is no company #{company} in the registry (`hamkor companies list`)") from None
    except AccountError as problem:
        raise fail(str(problem)) from None
    console.print(f"User {user.email} ({user.role}) created.")


def _user(accounts, email: str):
    user = accounts.find(email)
    if user is None:
        raise fail(f"no user {email} (`hamkor users list`)")
    return user


@users.command("token")
def create_token(ctx: typer.Context, email: str = typer.Argument(...),
                 name: str = typer.Option("api", help="What the token is for."),
                 scope: str = typer.Option("read", help="read (GET only) or write."),
                 days: int = typer.Option(90, min=1, max=3650, help="Days the token lives.")) -> None:
    """Create an API token for a user (shown once): named, read-only unless asked, with an expiry."""
    from hamkor.accounts.service import AccountError

    accounts = services_of(ctx).accounts
    user = _user(accounts, email)
    try:
        token = accounts.create_token(user.id, name, scope, datetime.now(UTC) + timedelta(days=days))
    except AccountError as problem:
        raise fail(str(problem)) from None
    console.print(token)


@users.command("tokens")
def list_tokens(ctx: typer.Context, email: str | None = typer.Argument(None, help="Only this user's.")) -> None:
    """API tokens: number, user, name, scope, expiry, last use, state (never the token itself)."""
    from hamkor.accounts.service import token_state

    accounts = services_of(ctx).accounts
    emails = {u.id: u.email for u in accounts.users()}
    user_id = _user(accounts, email).id if email else None
    for token in accounts.tokens(user_id):
        expires = token.expires_at.date() if token.expires_at else "-"
        console.print(f"{token.id}\t{emails.get(token.user_id, '?')}\t{token.name}\t{token.scope}\t"
                      f"{expires}\t{token.last_used_at or '-'}\t{token_state(token)}", highlight=False)


@users.command("revoke-token")
def revoke_token(ctx: typer.Context, token_id: int = typer.Argument(..., help="Its number (`hamkor users tokens`).")
                 ) -> None:
    """Revoke an API token: it opens nothing from now on."""
    from hamkor.accounts.service import AccountError

    try:
        services_of(ctx).accounts.revoke_token(token_id)
    except AccountError as problem:
        raise fail(str(problem)) from None
    console.print(f"Token {token_id} revoked.")


@users.command("password")
def set_password(ctx: typer.Context, email: str = typer.Argument(...),
                 password: str | None = typer.Option(None, help="Or HAMKOR_PASSWORD; asked for when neither.")
                 ) -> None:
    """Set a user's password (every session of the account ends)."""
    from hamkor.accounts.service import AccountError

    accounts = services_of(ctx).accounts
    user = _user(accounts, email)
    secret = password or os.environ.get("HAMKOR_PASSWORD") or typer.prompt("New password", hide_input=True,
                                                                              confirmation_prompt=True)
    try:
        accounts.change_password(user.id, None, secret)
    except AccountError as problem:
        raise fail(str(problem)) from None
    console.print(f"Password of {user.email} changed; their sessions have ended.")


@users.command("deactivate")
def deactivate(ctx: typer.Context, email: str = typer.Argument(...)) -> None:
    """Deactivate a user: sessions end, API tokens and the calendar feed are revoked."""
    accounts = services_of(ctx).accounts
    accounts.set_active(_user(accounts, email).id, False)
    console.print(f"{email} deactivated.")


@users.command("reactivate")
def reactivate(ctx: typer.Context, email: str = typer.Argument(...)) -> None:
    """Let a deactivated user sign in again (their old tokens stay revoked)."""
    accounts = services_of(ctx).accounts
    accounts.set_active(_user(accounts, email).id, True)
    console.print(f"{email} reactivated.")


@users.command("list")
def list_users(ctx: typer.Context) -> None:
    """Users and their roles."""
    for user in services_of(ctx).accounts.users():
        console.print(f"{user.email}\t{user.role}\t{user.language}\t{'active' if user.active else 'inactive'}")
