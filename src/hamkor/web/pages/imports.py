"""Imports: upload a file with its kind, follow the job, read the report, see history, undo."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from hamkor.trade.importers import IMPORTERS, ImportOptions
from hamkor.web.deps import Importer, ImportViewer, RecordId
from hamkor.web.pages._render import page
from hamkor.web.security import csrf_matches

router = APIRouter(include_in_schema=False)
CHUNK = 1 << 20


async def save_upload(request: Request, upload: UploadFile) -> tuple[str, int]:
    """Stream to disk under a name we choose (the client's name is never a path), within the size limit."""
    limit = request.app.state.settings.upload_limit_bytes
    original = re.sub(r"[^\w.\-]+", "_", (upload.filename or "upload").rsplit("/", 1)[-1])[:120] or "upload"
    target = request.app.state.upload_dir / f"{secrets.token_hex(8)}-{original}"
    size = 0
    with open(target, "wb") as handle:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                handle.close()
                target.unlink(missing_ok=True)
                raise ValueError(f"the file is larger than the limit of {limit // (1 << 20)} MiB")
            handle.write(chunk)
    return str(target), size


def start_import(request: Request, user_id: int, kind: str, path: str, options: ImportOptions) -> int:
    from pathlib import Path

    service = request.app.state.imports

    shown_name = Path(path).name.split("-", 1)[-1]  # the upload's own (cleaned) name, without our prefix

    def work(progress) -> dict:
        outcome = service.import_file(kind, Path(path), options, lambda done, total: progress(done / total),
                                      file_name=shown_name)
        Path(path).unlink(missing_ok=True)
        return {"status": outcome.status, "batch": outcome.batch_id, "rows_loaded": outcome.rows_loaded,
                "periods": outcome.period_range, "duplicate_of": outcome.duplicate_of, "replaced": outcome.replaced,
                "problems": outcome.report.lines() if outcome.report else [],
                "file": shown_name}

    return request.app.state.jobs.submit("import", user_id, work)


@router.get("/imports")
def imports_page(request: Request, viewer: ImportViewer, job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    return page(request, "imports.html.j2", batches=request.app.state.imports.batches(100), kinds=list(IMPORTERS),
                job=request.app.state.jobs.get(job) if job else None)


@router.post("/imports")
async def upload(request: Request, viewer: Importer, kind: str = Form(...), file: UploadFile = File(...),
                 csrf: str = Form(""), value_unit: str = Form("")):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return page(request, "message.html.j2", status_code=400, message="The form expired: reload the page.")
    if kind not in IMPORTERS:
        return page(request, "message.html.j2", status_code=400, message=f"Unknown kind {kind}.")
    try:
        path, _ = await save_upload(request, file)
    except ValueError as problem:
        return page(request, "message.html.j2", status_code=413, message=str(problem))
    job_id = start_import(request, viewer.user_id, kind, path, ImportOptions(value_unit=value_unit or None))
    return RedirectResponse(f"/imports?job={job_id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_status(request: Request, viewer: ImportViewer, job_id: RecordId):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return page(request, "message.html.j2", status_code=404, message="No such job.")
    return page(request, "_job.html.j2", job=job)


@router.post("/imports/{batch_id}/undo")
def undo(request: Request, viewer: Importer, batch_id: RecordId, csrf: str = Form("")):
    if not csrf_matches({"csrf": viewer.csrf or ""}, csrf):
        return page(request, "message.html.j2", status_code=400, message="The form expired: reload the page.")
    try:
        request.app.state.imports.undo(batch_id)
    except LookupError as problem:
        return page(request, "message.html.j2", status_code=400, message=str(problem))
    return RedirectResponse("/imports", status_code=303)
