"""Imports: the history, an upload that becomes a job, the job's status, undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel

from hamkor.errors import NotFound
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import Importer, ImportsDep, ImportViewer, JobsDep, RecordId, Web
from hamkor.web.shared.uploads import check_import_kind, job_json, save_upload, start_import

router = APIRouter(prefix="/api/v1", tags=["imports"], responses=ERROR_RESPONSES)


class BatchOut(BaseModel):
    id: int
    kind: str
    source: str
    file_name: str
    status: str
    rows_loaded: int
    rows_rejected: int
    period_first: str | None
    period_last: str | None
    error_summary: str | None


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    progress: float
    message: str | None
    result: dict | None


def _batch_out(b) -> BatchOut:
    return BatchOut(id=b.id, kind=b.source_kind, source=b.source_label, file_name=b.file_name, status=b.status,
                    rows_loaded=b.rows_loaded, rows_rejected=b.rows_rejected, period_first=b.period_first,
                    period_last=b.period_last, error_summary=b.error_summary)


@router.get("/imports", response_model=list[BatchOut])
def list_imports(viewer: ImportViewer, imports: ImportsDep,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[BatchOut]:
    return [_batch_out(b) for b in imports.batches(limit)]


@router.post("/imports", response_model=JobOut, status_code=202)
async def upload(viewer: Importer, web: Web, kind: Annotated[str, Form()], file: Annotated[UploadFile, File()],
                 value_unit: Annotated[str | None, Form(description="usd, thousand, million or billion: "
                                                                    "overrides the unit the kind assumes")] = None
                 ) -> JobOut:
    """Upload a file with its kind; the import runs as a job (follow it at /api/v1/jobs/{id})."""
    options = check_import_kind(kind, value_unit)
    path = await save_upload(web, file)
    return JobOut(**job_json(web.jobs.get(start_import(web, viewer.user_id, kind, path, options), viewer)))


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(viewer: ImportViewer, jobs: JobsDep, job_id: RecordId) -> JobOut:
    record = jobs.get(job_id, viewer)
    if record is None:
        raise NotFound([("job", f"no job {job_id}")], "No such job.")
    return JobOut(**job_json(record))


@router.delete("/imports/{batch_id}", response_model=BatchOut)
def undo(viewer: Importer, imports: ImportsDep, batch_id: RecordId) -> BatchOut:
    return _batch_out(imports.undo(batch_id))
