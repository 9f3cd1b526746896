"""Uploaded files streamed to disk, and imports started as jobs: one way for the page and the API."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import UploadFile

from hamkor.errors import Problem
from hamkor.i18n import Msg
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
    """The import as a job (`work/tasks.run_import`); the uploaded file goes once the job is over, however it
    ends, or now if the job is refused."""
    shown_name = path.name.split("-", 1)[-1]  # the upload's own (cleaned) name, without our prefix
    chosen = {name: value for name, value in vars(options).items() if value is not None and name != "codes_file"}
    try:
        return state.jobs.submit("import", user_id, {"kind": kind, "path": str(path), "options": chosen,
                                                     "file_name": shown_name})
    except BaseException:
        path.unlink(missing_ok=True)  # refused (too many jobs): the upload goes now, not at the next sweep
        raise


def job_json(job) -> dict:
    """A job as both faces show its status."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress,
            "message": job.message,
            "result": {k: v for k, v in job.result.items() if not k.startswith("_")} if job.result else job.result}
