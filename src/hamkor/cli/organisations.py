"""`hamkor organisations`: the organisations people act for (ministries, funds, administrations, consulates,
chambers, companies), each with its side (territory) and names; who acts for which."""

from __future__ import annotations

from pathlib import Path

import typer

from hamkor.cli._common import OutputFormat, console, emit, fail, services_of

app = typer.Typer(help="Organisations people act for, and their members.", no_args_is_help=True)
KINDS_HELP = "ministry, fund, administration, consulate, chamber or company."


@app.command("list")
def list_organisations(ctx: typer.Context, fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
                       output: Path | None = typer.Option(None, "-o", "--output")) -> None:
    """Every organisation with its side, names, members and the missions it co-organises."""
    services = services_of(ctx)
    rows = [[o.id, o.kind, o.territory, o.name_ru or "", o.name_uz or "", o.name_en or "",
             ", ".join(u.email for u in services.organisations.members(o.id)),
             ", ".join(str(m) for m in services.missions.organised_by(o.id))]
            for o in services.organisations.all()]
    emit(["id", "kind", "territory", "name_ru", "name_uz", "name_en", "members", "missions"], rows, fmt,
         "organisations", output)


@app.command("add")
def add(ctx: typer.Context, kind: str = typer.Option(..., help=KINDS_HELP),
        territory: str = typer.Option(..., help="Its side: a country or region code (UZ, UZ-SI, RU-ALT…)."),
        name_ru: str | None = typer.Option(None), name_uz: str | None = typer.Option(None),
        name_en: str | None = typer.Option(None),
        company: int | None = typer.Option(None, help="A company's organisation: its registry number.")) -> None:
    """A new organisation."""
    from hamkor.accounts.organisations import OrganisationData
    from hamkor.errors import Problem

    try:
        made = services_of(ctx).organisations.create(OrganisationData(kind, territory, name_ru, name_uz, name_en,
                                                                      company))
    except Problem as problem:
        raise fail(str(problem), 2) from None
    console.print(f"organisation {made.id} added")


@app.command("member")
def member(ctx: typer.Context, organisation: int = typer.Argument(...), email: str = typer.Argument(...)) -> None:
    """The account acts for this organisation from now on: as staff, it reaches only the missions the organisation
    co-organises, as its role there allows."""
    from hamkor.errors import Problem

    services = services_of(ctx)
    user = next((u for u in services.accounts.users() if u.email == email.strip().lower()), None)
    if user is None:
        raise fail(f"no user {email}", 2)
    try:
        services.organisations.add_member(organisation, user.id)
    except Problem as problem:
        raise fail(str(problem), 2) from None
    console.print(f"{user.email} acts for organisation {organisation}")
