"""Long work off the request thread, recorded in the database so pages can poll it.

Each kind of job has its own queue with a bounded number of workers (the standard library's
`ThreadPoolExecutor`): imports run one at a time because the warehouse has one writer, and they
never wait behind briefs or schedules, which have queues of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from threading import BoundedSemaphore, Lock

from sqlalchemy import func, select, update

from hamkor.errors import Problem, reason_of
from hamkor.files import excerpt
from hamkor.i18n import Msg
from hamkor.store.db import Database
from hamkor.store.models import Job, User

# kind -> (queue, workers). A kind not listed runs in the "other" queue.
QUEUES: dict[str, tuple[str, int]] = {
    "import": ("warehouse", 1),  # one writer at a time
    "mission": ("missions", 1),
    "brief": ("documents", 2),
    "document": ("documents", 2),  # a mission's agendas or table sheets
}
OTHER = ("other", 1)
# What a failed job keeps of its error: enough to say what went wrong, never a whole file an error quoted.
MAX_MESSAGE_CHARS = 2_000


# Jobs one person may have waiting or running at once: a page reloaded in a loop cannot fill the queues.
MAX_ACTIVE_PER_USER = 3


INLINE_WAIT_SECONDS = 30.0


class ServerBusy(Problem):
    """Every worker of the queue is taken for longer than a request should wait: 503."""

    default_field = "job"
    http_status = 503


class TooManyJobs(Problem):
    """The user already has as many jobs waiting or running as they may: 429."""

    default_field = "job"
    http_status = 429


def _now() -> datetime:
    return datetime.now(UTC)


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
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._inline_slots: dict[str, BoundedSemaphore] = {}
        self._lock = Lock()

    def _pool(self, kind: str) -> ThreadPoolExecutor:
        queue, workers = QUEUES.get(kind, OTHER)
        with self._lock:
            if queue not in self._pools:
                self._pools[queue] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"jobs-{queue}")
            return self._pools[queue]

    def submit(self, kind: str, user_id: int | None, work: Callable[[Callable[[float], None]], dict],
               subject: dict | None = None) -> int:
        """`subject` names what the job works on (`{"mission": 3}`): it is the job's result until the work
        gives its own, so a page that follows the job can check the job is of its record while it runs."""
        job_id = self._record(kind, user_id, "queued", subject)
        self._pool(kind).submit(self._run, job_id, work)
        return job_id

    def run_inline(self, kind: str, user_id: int | None, work: Callable[[], object]):
        """Work a request answers with its result (the API's brief): it counts against the person's jobs like
        a queued one, and runs only when its queue has a free worker, waiting `INLINE_WAIT_SECONDS` at most
        (then 503): eight renders at once take turns instead of slowing each other down."""
        job_id = self._record(kind, user_id, "running")
        if not self._slots(kind).acquire(timeout=INLINE_WAIT_SECONDS):
            self._update(job_id, status="failed", message="server busy", finished_at=_now())
            raise ServerBusy([("job", "the server is busy with other documents: try again in a minute")])
        try:
            result = work()
        except BaseException as error:
            self._update(job_id, status="failed", message=reason_of(error) or type(error).__name__,
                         finished_at=_now())
            raise
        finally:
            self._slots(kind).release()
        self._update(job_id, status="done", progress=1.0, finished_at=_now())
        return result

    def _slots(self, kind: str) -> BoundedSemaphore:
        queue, workers = QUEUES.get(kind, OTHER)
        with self._lock:
            return self._inline_slots.setdefault(queue, BoundedSemaphore(workers))

    def _record(self, kind: str, user_id: int | None, status: str, subject: dict | None = None) -> int:
        with self.db.session() as session:
            if user_id is not None:
                # Hold the person's row before counting: twelve requests at once then count in turn, each
                # seeing the jobs the earlier ones wrote (a row lock on PostgreSQL, the write lock on SQLite;
                # either holds across processes, not only threads).
                session.execute(update(User).where(User.id == user_id).values(id=User.id))
            if user_id is not None and session.scalar(select(func.count()).select_from(Job).where(
                    Job.user_id == user_id, Job.status.in_(("queued", "running")))) >= MAX_ACTIVE_PER_USER:
                raise TooManyJobs([("job", Msg("you have %(count)s jobs waiting or running: wait until one ends",
                                               count=MAX_ACTIVE_PER_USER))])
            job = Job(kind=kind, user_id=user_id, status=status, progress=0.0, result=subject, created_at=_now())
            session.add(job)
            session.flush()
            return job.id

    def _run(self, job_id: int, work) -> None:
        self._update(job_id, status="running")

        def progress(fraction: float) -> None:
            self._update(job_id, progress=max(0.0, min(1.0, fraction)))

        try:
            result = work(progress)
            self._update(job_id, status="done", progress=1.0, result=result, finished_at=_now())
        except Exception as error:  # noqa: BLE001 - the job records what went wrong for the page
            self._update(job_id, status="failed",
                         message=excerpt(reason_of(error) or type(error).__name__, MAX_MESSAGE_CHARS),
                         finished_at=_now())

    def _update(self, job_id: int, **values) -> None:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            for key, value in values.items():
                setattr(job, key, value)

    def get(self, job_id: int, viewer) -> Job | None:
        """The job if this viewer may follow it: whoever started it, and administrators; None otherwise, so
        that another person's job reads as no job at all."""
        with self.db.session() as session:
            job = session.get(Job, job_id)
            own = job is not None and job.user_id is not None and job.user_id == viewer.user_id
            return job if job is not None and (own or viewer.role == "admin") else None

    def fail_interrupted(self) -> int:
        with self.db.session() as session:
            stale = list(session.scalars(select(Job).where(Job.status.in_(("queued", "running")))))
            for job in stale:
                job.status, job.message, job.finished_at = "failed", "interrupted by a restart", _now()
            return len(stale)

    def shutdown(self) -> None:
        """At server stop: jobs not started are dropped (they are failed as interrupted at the next start)."""
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
