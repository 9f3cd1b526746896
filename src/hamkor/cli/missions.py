"""`hamkor missions`: business missions — set-up lists, scheduling with its certificate, re-planning,
agendas (PDF, ICS), the organizer's workbook, outcomes and the funnel; the scheduler on an instance file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hamkor.cli._common import OutputFormat, console, emit, err_console, fail, services_of

if TYPE_CHECKING:
    from hamkor.missions.service import Missions

app = typer.Typer(help="Business missions: B2B meeting schedules, agendas, outcomes.", no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or xlsx.")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (needed for xlsx).")


def _missions(ctx: typer.Context) -> Missions:
    return services_of(ctx).missions


def _mission(missions: Missions, mission_id: int):
    mission = missions.get(mission_id)
    if mission is None:
        known = ", ".join(str(m.id) for m in missions.all()) or "none"
        raise fail(f"no mission {mission_id} (missions: {known}; `hamkor missions list`)", 2)
    return mission


def _synthetic(mission) -> None:
    if mission.synthetic:
        err_console.print("[bold yellow]SYNTHETIC demo mission:[/] its companies, requests and schedule are "
                          "generated, not real.")


@app.command("list")
def list_missions(ctx: typer.Context, fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """Every mission with its dates, participants and schedule quality."""
    missions = _missions(ctx)
    rows = []
    for m in missions.all():
        people = missions.people(m.id)
        cert = m.certificate or {}
        rows.append([m.id, m.name, ", ".join(d["date"] for d in m.days), m.host_territory, m.visiting_territory,
                     len(people), cert.get("scheduled", 0), cert.get("requests", 0),
                     f"{cert['quality']:.2%}" if cert else "", "SYNTHETIC" if m.synthetic else ""])
    emit(["id", "name", "days", "host", "visiting", "participants", "scheduled", "requests", "quality", "demo"],
         rows, fmt, "missions", output)


@app.command("show")
def show(ctx: typer.Context, mission_id: int = typer.Argument(...), lang: str = typer.Option("ru"),
         fmt: OutputFormat = FORMAT, output: Path | None = OUTPUT) -> None:
    """The organizer's grid of a mission: slot by slot, who meets whom at which table."""
    from hamkor.missions import documents

    missions = _missions(ctx)
    mission = _mission(missions, mission_id)
    rows = []
    for row in documents.grid(missions, mission):
        # the tables, then the slot's calls (a side online: no table), which the grid keeps apart
        placed = [(table, cell) for table, cell in enumerate(row.cells, 1) if cell]
        for table, cell in placed + [("online", call) for call in row.calls]:
            rows.append([cell.meeting.id, row.slot.date, row.slot.label, table, cell.guest.name(lang),
                         cell.host.name(lang), "yes" if cell.meeting.interpreter else "",
                         "locked" if cell.meeting.locked else "", cell.meeting.status])
    cert = mission.certificate
    _synthetic(mission)
    emit(["meeting", "date", "time", "table", "visiting", "host", "interpreter", "locked", "status"], rows, fmt,
         mission.name, output)
    if cert:
        err_console.print(f"{cert['scheduled']} of {cert['requests']} requests scheduled, value {cert['value']} — "
                          f"{cert['quality']:.2%} of the provable maximum {cert['upper_bound']:.0f}"
                          + (" (proven optimal)" if cert["proven_optimal"] else ""), highlight=False)


@app.command("requests")
def requests_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                     status: str | None = typer.Option(None, help="pending, accepted, declined, expired, cancelled"),
                     lang: str = typer.Option("ru"), fmt: OutputFormat = FORMAT,
                     output: Path | None = OUTPUT) -> None:
    """The mission's meeting requests, with mutual and expired ones marked."""
    missions = _missions(ctx)
    mission = _mission(missions, mission_id)
    views = [v for v in missions.requests(mission_id) if not status or v.request.status == status]
    _synthetic(mission)
    emit(["id", "from", "to", "priority", "status", "mutual", "expired"],
         [[v.request.id, v.requester.name(lang), v.target.name(lang), v.request.priority, v.request.status,
           "yes" if v.mutual else "", "yes" if v.expired else ""] for v in views], fmt, "requests", output)


def _certificate_line(result) -> str:
    state = "proven optimal" if result.proven_optimal else f"{result.quality:.2%} of the provable maximum"
    return (f"{len(result.assignment)} meetings, value {result.value} (upper bound {result.upper_bound:.1f}: "
            f"{state}); {len(result.reasons)} left out, each with its reason")


@app.command("plan")
def plan_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                 seconds: float = typer.Option(10.0, help="Time limit of the CP-SAT improvement."),
                 seed: int = typer.Option(1, help="Random seed (one worker: the same schedule every run).")) -> None:
    """Plan a stored mission: site visits, then the B2B grid, published with its certificate."""
    from hamkor.missions.service import MissionError

    missions = _missions(ctx)
    try:
        _mission(missions, mission_id)
        with _progress() as tell:
            result = missions.schedule(mission_id, seconds, workers=1, seed=seed, progress=tell)
    except MissionError as problem:
        raise fail(str(problem), 2) from None
    err_console.print(_certificate_line(result), highlight=False)


@app.command("replan")
def replan_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                   from_slot: str = typer.Option(..., "--from-slot", help="e.g. 2026-12-16T10:00: earlier slots stay."),
                   absent: list[int] = typer.Option([], "--absent", help="Participant id of a no-show (repeatable)."),
                   seconds: float = typer.Option(10.0)) -> None:
    """After cancellations and no-shows: keep the past, re-optimise the rest with few changes."""
    from hamkor.missions.service import MissionError

    missions = _missions(ctx)
    try:
        _mission(missions, mission_id)
        for pid in absent:
            missions.update_participant(mission_id, pid, absent=True)
        outcome = missions.replan(mission_id, from_slot, seconds)
    except MissionError as problem:
        raise fail(str(problem), 2) from None
    err_console.print(f"kept {len(outcome.kept)}, moved {len(outcome.moved)}, dropped {len(outcome.dropped)}, "
                      f"added {len(outcome.added)}; " + _certificate_line(outcome.schedule), highlight=False)


@app.command("agendas")
def agendas_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                    output: Path = typer.Option(..., "-o", "--output", file_okay=False, help="Folder to write into."),
                    lang: str | None = typer.Option(None, help="ru, uz or en (default: each participant's own).")
                    ) -> None:
    """Each participant's agenda as PDF and iCalendar, the table sheets and the workbook, in a folder."""
    from hamkor.missions import documents

    if lang not in (None, "ru", "uz", "en"):
        raise fail("--lang must be ru, uz or en", 2)
    missions = _missions(ctx)
    mission = _mission(missions, mission_id)
    people = missions.people(mission_id)
    output.mkdir(parents=True, exist_ok=True)
    with _progress() as tell:
        # One rendering for every agenda (see documents.agenda_bundle), cut into each participant's file.
        bundle = documents.agenda_bundle(missions, mission, lang,
                                         progress=lambda fraction: tell(fraction * 0.8, "agendas"))
        (output / "agendas-all.pdf").write_bytes(bundle.combined)
        for pid, body in bundle.each.items():
            (output / f"agenda-{pid}.pdf").write_bytes(body)
            (output / f"agenda-{pid}.ics").write_bytes(documents.participant_ics(missions, mission, pid, lang))
        tell(0.9, "table sheets")
        (output / "tables.pdf").write_bytes(documents.table_sheets_pdf(missions, mission, lang or "ru"))
        (output / "schedule.xlsx").write_bytes(documents.workbook(missions, mission, lang or "ru"))
    _synthetic(mission)
    err_console.print(f"{len(people)} agendas (PDF + ICS), agendas-all.pdf, tables.pdf and schedule.xlsx in {output}",
                      highlight=False)


@app.command("outcome")
def outcome_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                    meeting: int = typer.Option(..., help="Meeting id (see `hamkor missions export`)."),
                    status: str = typer.Option(..., help="held or no_show"),
                    rating: int | None = typer.Option(None, help="1 to 5"),
                    stage: str | None = typer.Option(None, help="contact, negotiation, contract or shipment"),
                    hs_code: str | None = typer.Option(None, "--hs"), value_usd: float | None = typer.Option(None,
                                                                                                  "--value-usd")
                    ) -> None:
    """Record what came of a meeting."""
    from hamkor.missions.service import MissionError

    missions = _missions(ctx)
    try:
        missions.record_outcome(mission_id, meeting, status, rating, stage, hs_code, value_usd)
    except MissionError as problem:
        raise fail(str(problem), 2) from None
    err_console.print(f"meeting {meeting}: {status}" + (f", {stage}" if stage else ""), highlight=False)


@app.command("funnel")
def funnel_command(ctx: typer.Context, mission_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT,
                   output: Path | None = OUTPUT) -> None:
    """Meetings scheduled -> held -> contact -> negotiation -> contract -> shipment, with values."""
    missions = _missions(ctx)
    mission = _mission(missions, mission_id)
    result = missions.funnel(mission_id)
    _synthetic(mission)
    emit(["stage", "meetings", "value USD"], [[s.stage, s.meetings, s.value_usd] for s in result.steps], fmt,
         f"funnel of mission {mission_id}", output)


@app.command("export")
def export_command(ctx: typer.Context, mission_id: int = typer.Argument(...),
                   output: Path = typer.Option(..., "-o", "--output", help="FILE.xlsx (workbook) or FILE.json "
                                                                            "(the scheduler instance)"),
                   lang: str = typer.Option("ru")) -> None:
    """The organizer's workbook (meetings, grid, left out, visits, outcomes, funnel) or the instance JSON."""
    from hamkor.missions import documents

    missions = _missions(ctx)
    mission = _mission(missions, mission_id)
    if output.suffix == ".json":
        output.write_text(json.dumps(missions.instance_json(mission_id), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    elif output.suffix == ".xlsx":
        output.write_bytes(documents.workbook(missions, mission, lang))
    else:
        raise fail("the output must end in .xlsx or .json", 2)
    _synthetic(mission)
    err_console.print(f"written {output}", highlight=False)


@app.command("capacity")
def capacity_command(instance: Path = typer.Option(..., "--instance", exists=True, dir_okay=False),
                     share: float = typer.Option(0.9, help="Share of the requests to schedule (0..1)."),
                     resource: str = typer.Option("tables", help="tables or interpreters")) -> None:
    """How many tables (or interpreters per pool) are needed for a share of the requests, from the bound."""
    from hamkor.missions.scheduler import InstanceError, capacity_needed, read_instance

    if not 0 < share <= 1:
        raise fail("--share is between 0 and 1", 2)
    try:
        needed = capacity_needed(read_instance(instance), share, resource)
    except InstanceError as error:
        raise fail(f"{instance.name}: {error}", 2) from None
    if needed is None:
        console.print(f"no number of {resource} is enough for {share:.0%}: other limits (slots, people) bind first")
    else:
        console.print(f"at least {needed} {resource} per slot for {share:.0%} of the requests (from the upper bound; "
                      "fewer certainly cannot do it)")


class _Silent:
    def __call__(self, fraction: float, message: str = "") -> None:
        pass


def _progress():
    """A Rich progress bar on stderr fed with (fraction, message); silent when not a terminal."""
    import sys
    from contextlib import contextmanager

    from rich.progress import BarColumn, Progress, TextColumn

    @contextmanager
    def bar():
        if not sys.stderr.isatty():
            yield _Silent()
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), console=err_console, transient=True) as shown:
            task = shown.add_task("mission", total=1.0)
            yield lambda fraction, message="": shown.update(task, completed=fraction, description=message or "mission")

    return bar()


@app.command("schedule")
def schedule_command(instance: Path = typer.Option(..., "--instance", exists=True, dir_okay=False,
                                                   help="Instance JSON (see missions/schema/instance.schema.json)."),
                     output: Path | None = typer.Option(None, "-o", "--output", help="Write the solution JSON here."),
                     seconds: float = typer.Option(10.0, help="Time limit of the CP-SAT improvement."),
                     workers: int = typer.Option(8, help="CP-SAT workers (1 with --seed for a reproducible run)."),
                     seed: int | None = typer.Option(None, help="Random seed of CP-SAT."),
                     ics: Path | None = typer.Option(None, "--ics", file_okay=False,
                                                     help="Write each participant's agenda as FOLDER/<id>.ics "
                                                          "(slots need date, start and end).")) -> None:
    """Schedule the meetings of an instance file and prove how good the schedule is."""
    from hamkor.missions.agenda import AgendaError, agenda, to_ics
    from hamkor.missions.scheduler import InstanceError, read_instance, schedule, solution_json

    try:
        problem = read_instance(instance)
        result = schedule(problem, seconds, workers, seed)
    except InstanceError as error:
        raise fail(f"{instance.name}: {error}", 2) from None
    solution = solution_json(problem, result)
    text = json.dumps(solution, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        console.print_json(text)
    if ics:
        slots = json.loads(instance.read_text(encoding="utf-8"))["slots"]
        ics.mkdir(parents=True, exist_ok=True)
        try:
            for participant in problem.participants:
                entries = agenda(problem, slots, result, participant)
                (ics / f"{participant}.ics").write_bytes(to_ics(entries, participant, instance.stem))
        except AgendaError as error:
            raise fail(f"{instance.name}: {error}", 2) from None
        err_console.print(f"agendas: {len(problem.participants)} calendar files in {ics}", highlight=False)
    state = "proven optimal" if result.proven_optimal else f"{result.quality:.2%} of the provable maximum"
    err_console.print(f"{len(result.assignment)} of {len(problem.requests)} meetings, value {result.value} "
                      f"(upper bound {result.upper_bound:.1f}: {state}); "
                      f"{len(result.reasons)} left out, each with its reason", highlight=False)


@app.command("organisers")
def organisers(ctx: typer.Context, mission_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT,
               output: Path | None = OUTPUT) -> None:
    """The organisations co-organising a mission: role (owner, main, supporting), side and people."""
    from hamkor.accounts.organisations import organisation_name

    missions = _missions(ctx)
    _mission(missions, mission_id)
    rows = [[v.organisation.id, organisation_name(v.organisation, "ru"), v.organisation.kind,
             v.organisation.territory, v.role, v.side, ", ".join(email for email, _ in v.people)]
            for v in missions.organisers(mission_id)]
    emit(["organisation", "name", "kind", "territory", "role", "side", "people"], rows, fmt, "organisers", output)


@app.command("add-organiser")
def add_organiser(ctx: typer.Context, mission_id: int = typer.Argument(...),
                  organisation: int = typer.Argument(..., help="Its number (`hamkor organisations list`)."),
                  role: str = typer.Option("supporting", help="owner, main or supporting."),
                  email: str | None = typer.Option(None, help="Invite this person of the organisation by mail "
                                                              "(main or supporting only)."),
                  language: str = typer.Option("ru", help="The invitation's language: ru, uz or en.")) -> None:
    """Make an organisation a co-organiser of the mission (on the side its territory is on); with --email, invite
    one of its people (a new account of the organizer role, bound to it, chooses its password by a mailed link)."""
    from hamkor.errors import Problem

    missions = _missions(ctx)
    _mission(missions, mission_id)
    try:
        if email:
            user = missions.invite_organiser(mission_id, organisation, role, email, language)
            console.print(f"{user.email} invited; the mail is in the outbox")
        else:
            row = missions.add_organiser(mission_id, organisation, role)
            console.print(f"organisation {organisation}: {row.role} of mission {mission_id}, {row.side} side")
    except Problem as problem:
        raise fail(str(problem), 2) from None


@app.command("checkin")
def checkin(ctx: typer.Context, mission_id: int = typer.Argument(...),
            code: str = typer.Argument(..., help="The code on the participant's agenda or badge.")) -> None:
    """Mark a participant as arrived at the venue by their check-in code."""
    from hamkor.errors import Problem

    missions = _missions(ctx)
    _mission(missions, mission_id)
    try:
        done = missions.check_in(mission_id, code)
    except Problem as problem:
        raise fail(str(problem), 2) from None
    person = missions.person(mission_id, done.participant_id)
    said = "checked in already at" if done.already else "arrived at"
    console.print(f"{person.name('ru')} {said} {done.arrived_at:%Y-%m-%d %H:%M} UTC")


@app.command("arrivals")
def arrivals(ctx: typer.Context, mission_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT,
             output: Path | None = OUTPUT) -> None:
    """Every participant with their check-in code and when they arrived."""
    from hamkor.missions.checkin import code_text

    missions = _missions(ctx)
    _mission(missions, mission_id)
    people = missions.people(mission_id)
    rows = [[a.participant_id, people[a.participant_id].name("ru"), a.side,
             code_text(people[a.participant_id].participant.checkin_code or ""),
             a.arrived_at.strftime("%Y-%m-%d %H:%M") if a.arrived_at else "", "absent" if a.absent else ""]
            for a in missions.arrivals(mission_id)]
    emit(["participant", "company", "side", "code", "arrived (UTC)", "absent"], rows, fmt, "arrivals", output)
