"""Long work off the request: a job is queued in the database (`work/queue.py`) and run by a worker — the web
process's own (`hamkor serve`) or a `hamkor worker` of its own — while the page polls its row.

The API's brief is the one piece of long work a request does itself (its answer is the file): it counts against
the person's jobs like a queued one and takes a turn among this process's document renders.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from threading import BoundedSemaphore, Lock

from hamkor.errors import Problem, reason_of
from hamkor.store.db import Database, default_worker_name
from hamkor.store.models import Job
from hamkor.work.queue import MAX_ACTIVE_PER_USER, QUEUES, JobQueue, TooManyJobs, queue_of

__all__ = ["MAX_ACTIVE_PER_USER", "TooManyJobs", "ServerBusy", "JobRunner", "remove_old_files"]

INLINE_WAIT_SECONDS = 30.0


class ServerBusy(Problem):
    """Every worker of the queue is taken for longer than a request should wait: 503."""

    default_field = "job"
    http_status = 503


def remove_old_files(folder: Path, hours: float) -> int:
    """Delete the files a finished job left (a brief, an upload a crash kept) once they are `hours` old."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - hours * 3600
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue  # taken by another sweep meanwhile
    return removed


class JobRunner:
    def __init__(self, db: Database, on_queued: Callable[[str], None] | None = None) -> None:
        """`on_queued(kind)`: told when this process queued a job (its own worker, if it runs one, looks now)."""
        self.db = db
        self.queue = JobQueue(db)
        self.on_queued = on_queued
        self._inline_slots: dict[str, BoundedSemaphore] = {}
        self._lock = Lock()

    def submit(self, kind: str, user_id: int | None, params: dict, subject: dict | None = None) -> int:
        """Queue a job of `kind` (`work/tasks.py` says what its `params` hold); `subject` names what it works
        on (`{"mission": 3}`), so a page that follows the job checks it is of its record."""
        job_id = self.queue.enqueue(kind, user_id, params, subject)
        if self.on_queued is not None:
            self.on_queued(kind)
        return job_id

    def run_inline(self, kind: str, user_id: int | None, work: Callable[[], object]):
        """Work a request answers with its result (the API's brief): it counts against the person's jobs like
        a queued one, and runs only when its queue has a free slot in this process, waiting
        `INLINE_WAIT_SECONDS` at most (then 503): eight renders at once take turns instead of slowing each
        other down."""
        job_id = self.queue.enqueue(kind, user_id, None, status="running", worker=f"{default_worker_name()}:inline")
        if not self._slots(kind).acquire(timeout=INLINE_WAIT_SECONDS):
            self.queue.fail(job_id, "server busy")
            raise ServerBusy([("job", "the server is busy with other documents: try again in a minute")])
        try:
            result = work()
        except BaseException as error:
            self.queue.fail(job_id, reason_of(error) or type(error).__name__)
            raise
        finally:
            self._slots(kind).release()
        self.queue.finish(job_id, None)
        return result

    def _slots(self, kind: str) -> BoundedSemaphore:
        queue = queue_of(kind)
        with self._lock:
            return self._inline_slots.setdefault(queue, BoundedSemaphore(QUEUES.get(kind, ("", 1))[1]))

    def get(self, job_id: int, viewer) -> Job | None:
        """The job if this viewer may follow it: whoever started it, and administrators; None otherwise, so
        that another person's job reads as no job at all."""
        job = self.queue.get(job_id)
        own = job is not None and job.user_id is not None and job.user_id == viewer.user_id
        return job if job is not None and (own or viewer.role == "admin") else None
