"""`hamkor serve` and `hamkor users`: the web server and its accounts."""

from __future__ import annotations

import os

import typer
from sqlalchemy.exc import IntegrityError

from hamkor.accounts.service import ROLES, AccountError
from hamkor.cli._common import console, fail, services_of, settings_of


def serve(ctx: typer.Context, host: str = typer.Option(None, help="Address (default 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default 8000).")) -> None:
    """Serve the web interface and the JSON API."""
    import uvicorn

    from hamkor.web.app import create_app

    settings = settings_of(ctx)
    app = create_app(settings)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="warning")


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
    secret = password or os.environ.get("HAMKOR_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                                              confirmation_prompt=True)
    try:
        user = services_of(ctx).accounts.create_user(email, secret, role, language, company)
    except IntegrityError:
        raise fail(f"there is no company #{company} in the registry (`hamkor companies list`)") from None
    except AccountError as problem:
        raise fail(str(problem)) from None
    console.print(f"User {user.email} ({user.role}) created.")


@users.command("token")
def create_token(ctx: typer.Context, email: str = typer.Argument(...),
                 name: str = typer.Option("api", help="What the token is for.")) -> None:
    """Create an API token for a user (shown once)."""
    accounts = services_of(ctx).accounts
    user = next((u for u in accounts.users() if u.email == email.strip().lower()), None)
    if user is None:
        raise fail(f"no user {email}")
    token = accounts.create_token(user.id, name)
    console.print(token)


@users.command("list")
def list_users(ctx: typer.Context) -> None:
    """Users and their roles."""
    for user in services_of(ctx).accounts.users():
        console.print(f"{user.email}\t{user.role}\t{user.language}\t{'active' if user.active else 'inactive'}")
