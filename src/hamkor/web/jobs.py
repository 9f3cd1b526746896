"""Long work off the request thread, recorded in the database so pages can poll it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from hamkor.store.db import Database
from hamkor.store.models import Job


def _now() -> datetime:
    return datetime.now(UTC)


class JobRunner:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()  # the warehouse has one writer: imports run one at a time

    def submit(self, kind: str, user_id: int | None, work: Callable[[Callable[[float], None]], dict]) -> int:
        with self.db.session() as session:
            job = Job(kind=kind, user_id=user_id, status="queued", progress=0.0, created_at=_now())
            session.add(job)
            session.flush()
            job_id = job.id
        threading.Thread(target=self._run, args=(job_id, work), daemon=True, name=f"job-{job_id}").start()
        return job_id

    def _run(self, job_id: int, work) -> None:
        with self._lock:
            self._update(job_id, status="running")

            def progress(fraction: float) -> None:
                self._update(job_id, progress=max(0.0, min(1.0, fraction)))

            try:
                result = work(progress)
                self._update(job_id, status="done", progress=1.0, result=result, finished_at=_now())
            except Exception as error:  # noqa: BLE001 - the job records what went wrong for the page
                self._update(job_id, status="failed", message=f"{type(error).__name__}: {error}",
                             finished_at=_now())

    def _update(self, job_id: int, **values) -> None:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            for key, value in values.items():
                setattr(job, key, value)

    def get(self, job_id: int) -> Job | None:
        with self.db.session() as session:
            return session.get(Job, job_id)

    def fail_interrupted(self) -> int:
        with self.db.session() as session:
            stale = list(session.scalars(select(Job).where(Job.status.in_(("queued", "running")))))
            for job in stale:
                job.status, job.message, job.finished_at = "failed", "interrupted by a restart", _now()
            return len(stale)
