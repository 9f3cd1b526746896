"""The job queue: a job is a row of the operational database saying what to run (`kind`, `params`), fed by any
number of web processes and claimed by one worker.

A claim takes a queued row and marks it running under the worker's name in one short transaction
(PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers claiming at once never wait on each other; SQLite: a
conditional UPDATE that only one writer can win). The worker writes `heartbeat_at` while it runs the job; a
job whose heartbeat went silent (its worker was killed, its machine stopped) is taken back by any worker's
`reap`: queued again once, failed after that. Nobody fails another process's jobs because it started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from hamkor.errors import Problem
from hamkor.i18n import Msg
from hamkor.store.db import Database, skip_locked
from hamkor.store.models import Job, User, WorkerSeen

# kind -> (queue, workers a worker process gives that queue). Imports run one at a time because the warehouse
# has one writer, and never wait behind briefs or schedules, which have queues of their own.
QUEUES: dict[str, tuple[str, int]] = {
    "import": ("warehouse", 1),
    "mission": ("missions", 1),
    "brief": ("documents", 2),
    "document": ("documents", 2),  # a mission's agendas or table sheets
}
OTHER = ("other", 1)
# Jobs one person may have waiting or running at once: a page reloaded in a loop cannot fill the queues.
MAX_ACTIVE_PER_USER = 3
# A running job's worker beats this often; one silent for STALE_AFTER is taken back. A job is tried this many
# times in all before a crash fails it for good (an import that kills its worker is not run for ever).
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 2


def queue_of(kind: str) -> str:
    return QUEUES.get(kind, OTHER)[0]


def workers_per_queue() -> dict[str, int]:
    found: dict[str, int] = {}
    for queue, workers in (*QUEUES.values(), OTHER):
        found[queue] = max(found.get(queue, 0), workers)
    return found


class TooManyJobs(Problem):
    """The user already has as many jobs waiting or running as they may: 429."""

    default_field = "job"
    http_status = 429


class JobQueue:
    def __init__(self, db: Database, clock: Callable[[], datetime] | None = None,
                 stale_after: timedelta = STALE_AFTER) -> None:
        self.db = db
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stale_after = stale_after

    def enqueue(self, kind: str, user_id: int | None, params: dict | None, subject: dict | None = None,
                status: str = "queued", worker: str | None = None) -> int:
        """A job waiting for a worker. `subject` names what it works on (`{"mission": 3}`): it is the job's result
        until the work gives its own, so a page following the job can check it is of its record while it runs.
        `status="running"` records work a request does itself (the API's brief), counted like any other."""
        now = self.clock()
        with self.db.session() as session:
            if user_id is not None:
                # Hold the person's row before counting: twelve requests at once then count in turn, each
                # seeing the jobs the earlier ones wrote (a row lock on PostgreSQL, the write lock on SQLite;
                # either holds across processes, not only threads).
                session.execute(update(User).where(User.id == user_id).values(id=User.id))
                active = session.scalar(select(func.count()).select_from(Job).where(
                    Job.user_id == user_id, Job.status.in_(("queued", "running"))))
                if active >= MAX_ACTIVE_PER_USER:
                    raise TooManyJobs([("job", Msg("you have %(count)s jobs waiting or running: wait until one ends",
                                                   count=MAX_ACTIVE_PER_USER))])
            job = Job(kind=kind, user_id=user_id, status=status, progress=0.0, result=subject, params=params,
                      queue=queue_of(kind), created_at=now, worker=worker,
                      heartbeat_at=now if status == "running" else None,
                      started_at=now if status == "running" else None, attempts=1 if status == "running" else 0)
            session.add(job)
            session.flush()
            return job.id

    def claim(self, queue: str, worker: str) -> Job | None:
        """The oldest queued job of `queue`, now running under `worker`; None when there is none."""
        now = self.clock()
        with self.db.session() as session:
            for job_id in session.scalars(skip_locked(select(Job.id).where(
                    Job.queue == queue, Job.status == "queued").order_by(Job.id).limit(5), session)):
                taken = session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
                    status="running", worker=worker, heartbeat_at=now, started_at=now, attempts=Job.attempts + 1))
                if taken.rowcount == 1:
                    job = session.get(Job, job_id)
                    session.refresh(job)
                    session.expunge(job)
                    return job
        return None

    def beat(self, job_ids: list[int], worker: str) -> None:
        if not job_ids:
            return
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id.in_(job_ids), Job.worker == worker, Job.status == "running")
                            .values(heartbeat_at=self.clock()))

    def update(self, job_id: int, **values) -> None:
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))

    def finish(self, job_id: int, result: dict | None) -> None:
        """The job's end with what its task returned. A task whose work was refused (an import of a file that
        loads nothing) says so in `result["_refused"]`: the job then reads `failed` with that reason, as an
        operator or a script polling the API expects, and keeps its result (the problems found in the file)."""
        refused = (result or {}).get("_refused")
        self.update(job_id, status="failed" if refused else "done", progress=1.0, result=result,
                    message=refused or None, finished_at=self.clock())

    def fail(self, job_id: int, message: str) -> None:
        self.update(job_id, status="failed", message=message, finished_at=self.clock())

    def reap(self, on_taken_back: Callable[[Job], None] | None = None) -> dict[str, int]:
        """Jobs whose worker went silent: queued again while they have attempts left and something to run
        (`params`), failed otherwise. `on_taken_back` runs for each first (an import's batch is reconciled)."""
        now = self.clock()
        cutoff = now - self.stale_after
        counts = {"requeued": 0, "failed": 0}
        with self.db.session() as session:
            stale = list(session.scalars(skip_locked(select(Job).where(
                Job.status == "running",
                ((Job.heartbeat_at < cutoff) | (Job.heartbeat_at.is_(None) & (Job.created_at < cutoff))))
                .order_by(Job.id), session)))
            for job in stale:
                if on_taken_back is not None:
                    on_taken_back(job)
                if job.params is not None and job.attempts < MAX_ATTEMPTS:
                    job.status, job.worker, job.heartbeat_at, job.progress = "queued", None, None, 0.0
                    counts["requeued"] += 1
                else:
                    job.status, job.finished_at = "failed", now
                    job.message = "interrupted: the worker running it stopped"
                    counts["failed"] += 1
        return counts

    def seen(self, worker: str, started_at: datetime) -> None:
        """This worker is alive (written by its keeper with each heartbeat)."""
        now = self.clock()
        with self.db.session() as session:
            row = session.get(WorkerSeen, worker)
            if row is None:
                session.add(WorkerSeen(name=worker, seen_at=now, started_at=started_at))
            else:
                row.seen_at = now
            # workers gone for a day are forgotten: the table lists who runs, not who ever ran
            session.execute(delete(WorkerSeen).where(WorkerSeen.seen_at < now - timedelta(days=1)))

    def workers_alive(self) -> list[str]:
        """Workers that showed life within `stale_after`."""
        with self.db.session() as session:
            return list(session.scalars(select(WorkerSeen.name).where(
                WorkerSeen.seen_at >= self.clock() - self.stale_after).order_by(WorkerSeen.name)))

    def get(self, job_id: int) -> Job | None:
        with self.db.session() as session:
            return session.get(Job, job_id)

    def waiting(self) -> dict[str, int]:
        """Queued jobs by queue (what /metrics and /healthz report)."""
        with self.db.session() as session:
            return dict(session.execute(select(Job.queue, func.count()).where(Job.status == "queued")
                                        .group_by(Job.queue)).all())
