"""What each kind of job does, given the services and the job's `params` (plain JSON, written by whoever asked):
any worker process, the web server's own or `hamkor worker`, can run any job. A task reports progress (0..1)
and returns what the page that follows the job shows; files it makes go under the data directory, named at
random, and are fetched through the job (only by whoever started it)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from hamkor.context import AppContext

Progress = Callable[[float], None]
# The folders under the data directory where the tasks leave their files (swept after `job_file_retention_hours`)
FOLDERS = {"brief": "briefs", "document": "documents"}


def run_import(services: AppContext, params: dict, progress: Progress) -> dict:
    """A file uploaded through the page or the API, loaded into the warehouse; the upload goes when it is over."""
    from hamkor.i18n import LANGUAGES, localize
    from hamkor.trade.importers import ImportOptions

    path = Path(params["path"])
    shown_name = params["file_name"]
    try:
        outcome = services.imports.import_file(params["kind"], path, ImportOptions(**params.get("options") or {}),
                                               lambda done, total: progress(done / total), file_name=shown_name)
    finally:
        path.unlink(missing_ok=True)
    return {"status": outcome.status, "batch": outcome.batch_id, "rows_loaded": outcome.rows_loaded,
            "periods": outcome.period_range, "duplicate_of": outcome.duplicate_of, "replaced": outcome.replaced,
            "problems": outcome.report.lines() if outcome.report else [],
            # the page says the problems in its reader's language (a job's result is stored as JSON)
            "_problems": {lang: outcome.report.lines(lang) for lang in LANGUAGES} if outcome.report else {},
            # what loaded with a word to say (codes the nomenclature lacks), in each language too
            "notes": [str(note) for note in outcome.notes],
            "_notes": {lang: [localize(note, lang) for note in outcome.notes] for lang in LANGUAGES},
            "file": shown_name,
            # a refused file fails its job (the message is a catalog entry the faces translate)
            "_refused": "The file was refused: nothing was loaded." if outcome.status == "rejected" else None}


def compose(services: AppContext, reporter: str, partner: str, period, lang: str, source: str | None):
    """A meeting brief as every face composes it: the trade figures and the cooperation registry's digest."""
    from hamkor.briefing.compose import compose_brief
    from hamkor.cooperation.digest import digest

    found = digest(services.cooperation, partner, services.today(), lang)
    with services.warehouse.reader() as con:
        return compose_brief(con, reporter.upper(), partner.upper(), period, lang, cooperation=found,
                             source=source or None)


def run_brief(services: AppContext, params: dict, progress: Progress) -> dict:
    from hamkor.briefing.render import render
    from hamkor.trade.periods import Period

    document = compose(services, params["reporter"], params["partner"], Period.parse(params["period"]),
                       params["lang"], params.get("source"))
    progress(0.5)
    target = _target(services, "brief", params["format"])
    target.write_bytes(render(document, params["format"]))
    return {"file": target.name, "name": params["name"], "format": params["format"]}


def run_mission(services: AppContext, params: dict, progress: Progress) -> dict:
    """A draft schedule, or a re-plan from a slot: kept as the mission's draft for the organizer to publish."""
    missions, mission_id = services.missions, params["mission"]
    if params["action"] == "replan":
        progress(0.2)
        result = missions.replan(mission_id, params["from_slot"], publish=False).schedule
    else:
        result = missions.schedule(mission_id, params.get("seconds", 10.0),
                                   progress=lambda fraction, _message="": progress(fraction), publish=False)
    return {"mission": mission_id, "action": params["action"], "value": getattr(result, "value", None)}


def run_document(services: AppContext, params: dict, progress: Progress) -> dict:
    """Every agenda of a mission (the combined PDF and one per participant, in a ZIP) or its table sheets."""
    from hamkor.missions import documents

    missions, mission_id, kind = services.missions, params["mission"], params["kind"]
    current = missions.get(mission_id)
    if kind == "agendas.zip":
        bundle = documents.agenda_bundle(missions, current, progress=progress)
        people = missions.people(mission_id)
        body = bundle.zip({pid: f"agenda-{documents.file_slug(person.name(person.language))}-{pid}"
                           for pid, person in people.items()})
    else:
        body = documents.table_sheets_pdf(missions, current, params["lang"])
    target = _target(services, "document", kind.partition(".")[2])
    target.write_bytes(body)
    return {"mission": mission_id, "file": target.name, "name": params["name"], "kind": kind}


def _target(services: AppContext, kind: str, extension: str) -> Path:
    folder = services.settings.data_dir / FOLDERS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secrets.token_hex(8)}.{extension}"


TASKS: dict[str, Callable[[AppContext, dict, Progress], dict]] = {
    "import": run_import, "brief": run_brief, "mission": run_mission, "document": run_document}
