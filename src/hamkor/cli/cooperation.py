"""`hamkor cooperation …` (the registry: list, show with history, add, update, delete, timeline,
calendar) and `hamkor reminders` (what is due, by e-mail when SMTP is configured)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hamkor.cli._common import OutputFormat, console, emit, err_console, fail, services_of, settings_of

if TYPE_CHECKING:
    from hamkor.accounts.permissions import Actor
    from hamkor.cooperation.service import Cooperation

app = typer.Typer(help="The cooperation registry: organisations, people, events, agreements, commitments.",
                  no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or xlsx.")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (needed for xlsx).")
# The registry's kinds, written out so that the help is built without loading the registry's models
# (tests/cli/test_startup.py holds them equal to cooperation.records.KINDS).
KIND_NAMES = ("organisations", "people", "positions", "events", "agreements", "commitments")
KIND_HELP = ", ".join(KIND_NAMES)


def _coop(ctx: typer.Context) -> Cooperation:
    return services_of(ctx).cooperation


def _kind(name: str) -> str:
    if name not in KIND_NAMES:
        raise fail(f"unknown kind {name!r}: {KIND_HELP}", 2)
    return name


def _fields(pairs: list[str], data: Path | None) -> dict:
    values = json.loads(data.read_text(encoding="utf-8")) if data else {}
    if not isinstance(values, dict):
        raise fail("--json must hold one object of field: value", 2)
    for pair in pairs:
        if "=" not in pair:
            raise fail(f"--set takes FIELD=VALUE, not {pair!r}", 2)
        name, value = pair.split("=", 1)
        values[name.strip()] = value
    return values


def _actor() -> Actor:
    import getpass

    from hamkor.accounts.permissions import SYSTEM, Actor

    try:
        return Actor(None, f"cli:{getpass.getuser()}")
    except (KeyError, OSError):
        return SYSTEM


@app.command("list")
def list_command(ctx: typer.Context, kind: str = typer.Argument(..., help=KIND_HELP),
                 partner: str | None = typer.Option(None, help="Territory, e.g. UZ or UZ-SI"),
                 status: str | None = typer.Option(None), lang: str = typer.Option("ru"),
                 fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Records of one kind (commitments past their due date are marked OVERDUE)."""
    from hamkor.cooperation.records import KINDS
    from hamkor.cooperation.service import is_overdue

    kind = _kind(kind)
    coop = _coop(ctx)
    today = services_of(ctx).today()
    records = coop.list(kind, partner, status)
    fields = [f for f in KINDS[kind].fields if f.type not in ("longtext", "sources")]
    rows = [[r.id, coop.title(kind, r, lang), *[_text(getattr(r, f.name)) for f in fields[:6]],
             "OVERDUE" if kind == "commitments" and is_overdue(r, today) else ""] for r in records]
    emit(["id", "name", *[f.name for f in fields[:6]], "flag"], rows, fmt, kind, output)


def _text(value) -> str:
    from hamkor.cooperation.records import to_plain

    value = to_plain(value)
    if isinstance(value, list):
        return ", ".join(s["title"] if isinstance(s, dict) else str(s) for s in value)
    return "" if value is None else str(value)


@app.command("show")
def show(ctx: typer.Context, kind: str = typer.Argument(..., help=KIND_HELP), record_id: int = typer.Argument(...)
         ) -> None:
    """One record with its audit history (who, when, what)."""
    from hamkor.cooperation.records import KINDS

    kind = _kind(kind)
    coop = _coop(ctx)
    record = coop.get(kind, record_id)
    if record is None:
        raise fail(f"no {KINDS[kind].entity} {record_id}", 2)
    history = coop.history(kind, record_id)
    for f in KINDS[kind].fields:
        console.print(f"[bold]{f.name}[/]: {_text(getattr(record, f.name))}", highlight=False)
    console.print("\n[bold]History[/]")
    for h in history:
        console.print(f"  {h.at:%Y-%m-%d %H:%M} {h.user_email or ''} {h.action}: "
                      + "; ".join(f"{k} {v[0]!r} → {v[1]!r}" for k, v in h.changes.items()), highlight=False)


@app.command("add")
def add(ctx: typer.Context, kind: str = typer.Argument(..., help=KIND_HELP),
        set_: list[str] = typer.Option([], "--set", help="FIELD=VALUE (repeatable; lists comma-separated)"),
        data: Path | None = typer.Option(None, "--json", exists=True, dir_okay=False, help="A JSON object of fields")
        ) -> None:
    """Add a record, e.g. `hamkor cooperation add commitments --set title="…" --set due_date=2027-03-01
    --set status=open --set partners=UZ`."""
    from hamkor.cooperation.records import KINDS, RecordError

    kind = _kind(kind)
    coop = _coop(ctx)
    try:
        record = coop.create(kind, _fields(set_, data), _actor())
    except RecordError as problem:
        raise fail("; ".join(f"{f}: {r}" for f, r in problem.problems), 2) from None
    console.print(f"{KINDS[kind].entity} {record.id} added")


@app.command("update")
def update(ctx: typer.Context, kind: str = typer.Argument(..., help=KIND_HELP), record_id: int = typer.Argument(...),
           set_: list[str] = typer.Option([], "--set", help="FIELD=VALUE (repeatable)"),
           data: Path | None = typer.Option(None, "--json", exists=True, dir_okay=False)) -> None:
    """Change some fields of a record (the rest stay); the change goes into its history."""
    from hamkor.cooperation.records import KINDS, RecordError

    kind = _kind(kind)
    coop = _coop(ctx)
    try:
        coop.update(kind, record_id, _fields(set_, data), _actor())
    except RecordError as problem:
        raise fail("; ".join(f"{f}: {r}" for f, r in problem.problems), 2) from None
    console.print(f"{KINDS[kind].entity} {record_id} updated")


@app.command("delete")
def delete(ctx: typer.Context, kind: str = typer.Argument(..., help=KIND_HELP), record_id: int = typer.Argument(...)
           ) -> None:
    """Delete a record that nothing else refers to."""
    from hamkor.cooperation.records import KINDS, RecordError

    kind = _kind(kind)
    coop = _coop(ctx)
    try:
        coop.delete(kind, record_id, _actor())
    except RecordError as problem:
        raise fail(str(problem), 2) from None
    console.print(f"{KINDS[kind].entity} {record_id} deleted")


@app.command("timeline")
def timeline(ctx: typer.Context, partner: str = typer.Argument(..., help="Territory, e.g. UZ"),
             fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Everything dated about one partner: events, agreements, commitments, newest first."""
    coop = _coop(ctx)
    items = coop.timeline(partner, services_of(ctx).today())
    emit(["date", "kind", "title", "status", "flag"],
         [[i.day.isoformat(), i.kind, i.title, i.status or "",
           "OVERDUE" if i.overdue else ("SYNTHETIC" if i.synthetic else "")] for i in items], fmt, partner, output)


@app.command("ics")
def ics(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output"),
        partner: str | None = typer.Option(None)) -> None:
    """The events as an iCalendar file."""
    from hamkor.cooperation.calendar import events_ics

    coop = _coop(ctx)
    output.write_bytes(events_ics(coop, partner))
    err_console.print(f"written {output}")


def reminders(ctx: typer.Context, days: int = typer.Option(14, help="How far ahead to look."),
              send: bool = typer.Option(False, "--send", help="Also send them by e-mail (HAMKOR_SMTP_HOST…)."),
              to: list[str] = typer.Option([], "--to", help="Recipient (repeatable; default HAMKOR_REMINDERS_TO)."),
              lang: str = typer.Option("ru", help="Language of names."),
              on: str | None = typer.Option(None, "--on", help="As on this day (YYYY-MM-DD); default: today in "
                                                               "HAMKOR_TIMEZONE.")) -> None:
    """What is due: overdue and soon-due commitments, upcoming events, agreements running out."""
    from hamkor.cooperation.mail import reminder_lines
    from hamkor.cooperation.mail import send as send_mail

    settings = settings_of(ctx)
    coop = _coop(ctx)
    try:
        today = date.fromisoformat(on) if on else services_of(ctx).today()
    except ValueError:
        raise fail(f"--on {on!r}: a date as YYYY-MM-DD", 2) from None
    found = coop.reminders(today, days)
    lines = reminder_lines(coop, found, lang)
    console.print(f"[bold]Reminders[/] for {today} (time zone {settings.timezone}, {days} days ahead):")
    for line in lines or ["nothing is due"]:
        console.print(f"  {line}", highlight=False, style="bold red" if line.startswith("OVERDUE") else None)
    if send:
        if not lines:
            err_console.print("nothing to send")
            return
        try:
            send_mail(settings, f"hamkor: {len(lines)} reminders for {today}", lines,
                      list(to) or settings.reminder_recipients)
        except (ValueError, OSError) as problem:
            raise fail(f"not sent: {problem}", 1) from None
        err_console.print(f"sent to {', '.join(list(to) or settings.reminder_recipients)}")
