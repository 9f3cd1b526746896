"""`hamkor missions`: business missions (for now the B2B scheduler on an instance file)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hamkor.cli._common import console, err_console, fail
from hamkor.missions.agenda import AgendaError, agenda, to_ics
from hamkor.missions.scheduler import InstanceError, read_instance, schedule, solution_json

app = typer.Typer(help="Business missions: the B2B meeting scheduler.", no_args_is_help=True)


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
