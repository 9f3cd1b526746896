"""Uploaded files streamed to disk, and imports started as jobs: one way for the page and the API."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import UploadFile

from hamkor.errors import Problem
from hamkor.i18n import LANGUAGES, Msg, localize
from hamkor.trade.formats import VALUE_UNITS
from hamkor.trade.importers import IMPORTERS, ImportOptions
from hamkor.web.state import WebState

CHUNK = 1 << 20


class UploadTooLarge(Problem):
    default_field = "file"
    http_status = 413


def check_import_kind(kind: str, value_unit: str | None) -> ImportOptions:
    """The import's kind and options as the form or the API sent them, or a Problem naming what is wrong."""
    problems = []
    if kind not in IMPORTERS:
        problems.append(("kind", Msg("unknown kind '%(kind)s': one of %(importers)s",
                                     kind=kind, importers=tuple(IMPORTERS))))
    if value_unit and value_unit not in VALUE_UNITS:
        problems.append(("value_unit", Msg("unknown unit '%(value_unit)s': one of %(value_units)s",
                                           value_unit=value_unit, value_units=tuple(VALUE_UNITS))))
    if problems:
        raise Problem(problems)
    return ImportOptions(value_unit=value_unit or None)


async def save_upload(state: WebState, upload: UploadFile) -> Path:
    """Stream to disk under a name we choose (the client's name is never a path), within the size limit."""
    limit = state.settings.upload_limit_bytes
    original = re.sub(r"[^\w.\-]+", "_", (upload.filename or "upload").rsplit("/", 1)[-1])[:120] or "upload"
    target = state.upload_dir / f"{secrets.token_hex(8)}-{original}"
    size = 0
    with open(target, "wb") as handle:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                handle.close()
                target.unlink(missing_ok=True)
                raise UploadTooLarge(Msg("the file is larger than the limit of %(number)s MiB",
                                         number=limit // (1 << 20)))
            handle.write(chunk)
    return target


def start_import(state: WebState, user_id: int, kind: str, path: Path, options: ImportOptions) -> int:
    """The import as a background job; the uploaded file goes once the job is over, however it ends."""
    service = state.services.imports
    shown_name = path.name.split("-", 1)[-1]  # the upload's own (cleaned) name, without our prefix

    def work(progress) -> dict:
        try:
            outcome = service.import_file(kind, path, options, lambda done, total: progress(done / total),
                                          file_name=shown_name)
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
                "file": shown_name}

    try:
        return state.jobs.submit("import", user_id, work)
    except BaseException:
        path.unlink(missing_ok=True)  # refused (too many jobs): the upload goes now, not at the next sweep
        raise


def job_json(job) -> dict:
    """A job as both faces show its status."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress,
            "message": job.message,
            "result": {k: v for k, v in job.result.items() if not k.startswith("_")} if job.result else job.result}
