"""Imports: upload a file with its kind, follow the job, read the report, see history, undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from hamkor.errors import NotFound
from hamkor.trade.importers import IMPORTERS
from hamkor.web.deps import Importer, ImportsDep, ImportViewer, JobsDep, RecordId, Web
from hamkor.web.pages._render import check_csrf, page
from hamkor.web.shared.uploads import check_import_kind, save_upload, start_import

router = APIRouter(include_in_schema=False)


@router.get("/imports")
def imports_page(request: Request, viewer: ImportViewer, imports: ImportsDep, jobs: JobsDep,
                 job: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    return page(request, "imports.html.j2", batches=imports.batches(100),
                kinds=[(kind, importer.title) for kind, importer in IMPORTERS.items()],
                job=jobs.get(job, viewer) if job else None)


@router.post("/imports")
async def upload(request: Request, viewer: Importer, web: Web, kind: str = Form(...), file: UploadFile = File(...),
                 csrf: str = Form(""), value_unit: str = Form("")):
    check_csrf(viewer, csrf)
    options = check_import_kind(kind, value_unit)
    path = await save_upload(web, file)
    job_id = start_import(web, viewer.user_id, kind, path, options)
    return RedirectResponse(f"/imports?job={job_id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_status(request: Request, viewer: ImportViewer, imports: ImportsDep, jobs: JobsDep, job_id: RecordId):
    job = jobs.get(job_id, viewer)
    if job is None:
        raise NotFound("No such job.")
    if job.status in ("queued", "running"):
        return page(request, "_job.html.j2", job=job)
    # The import has ended: the history below the form gets its new batch in the same answer.
    return page(request, "_job.html.j2", job=job, batches=imports.batches(100), out_of_band=True)


@router.post("/imports/{batch_id}/undo")
def undo(request: Request, viewer: Importer, imports: ImportsDep, batch_id: RecordId, csrf: str = Form("")):
    check_csrf(viewer, csrf)
    imports.undo(batch_id)
    return RedirectResponse("/imports", status_code=303)
