"""The worker: runs queued jobs and sends the mail. `hamkor worker` runs one as a process of its own; `hamkor
serve` runs one inside the web process unless told not to (`--no-worker`), so the quick start is one process.

Threads, each doing one thing:
- per queue, as many runners as `QUEUES` gives it: claim a job, run its task (beating for it meanwhile), record
  the result;
- the keeper: every few seconds it says this worker is alive and takes back other workers' silent jobs;
- the mailer: the missions' timed notices, then the outbox, every `HAMKOR_MAIL_INTERVAL_SECONDS`.
A failing pass is logged and the thread goes on; what it was doing keeps its state in the database.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from hamkor.context import AppContext
from hamkor.errors import reason_of
from hamkor.files import excerpt
from hamkor.store.db import default_worker_name
from hamkor.work.queue import HEARTBEAT_SECONDS, JobQueue, workers_per_queue
from hamkor.work.tasks import TASKS

log = logging.getLogger(__name__)
# What a failed job keeps of its error: enough to say what went wrong, never a whole file an error quoted.
MAX_MESSAGE_CHARS = 2_000
POLL_SECONDS = 2.0  # how often an idle runner looks for jobs other processes queued
IDLE_EXIT_SECONDS = 30.0


class Worker:
    """`start()` runs everything for the process's life (the server's lifespan, `hamkor worker`). A web process
    whose lifespan has not run (an application under test) starts only the job runners, when it queues a job
    (`wake`); they stop again after `IDLE_EXIT_SECONDS` without work."""

    def __init__(self, services: AppContext, *, name: str | None = None, poll_seconds: float = POLL_SECONDS) -> None:
        self.services = services
        stale = services.settings.worker_stale_seconds
        self.queue = JobQueue(services.db, stale_after=timedelta(seconds=stale))
        self.heartbeat = min(HEARTBEAT_SECONDS, stale / 4)  # several beats within the time that reads as silence
        self.name = name or default_worker_name().rsplit(":", 1)[0]  # host:pid; each runner adds its own
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._persistent = False
        self._wake = {queue: threading.Event() for queue in workers_per_queue()}
        self._runners: dict[str, threading.Thread] = {}
        self._others: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.mail_passes = 0

    def start(self) -> None:
        self._persistent = True
        self._start_runners()
        self._others = [threading.Thread(target=self._keep, daemon=True, name="jobs-keeper"),
                        threading.Thread(target=self._send_mail, daemon=True, name="mail")]
        for thread in self._others:
            thread.start()

    def _start_runners(self) -> None:
        with self._lock:
            for queue, count in workers_per_queue().items():
                for n in range(count):
                    runner = f"{self.name}:{queue}{n}"
                    if runner not in self._runners or not self._runners[runner].is_alive():
                        thread = threading.Thread(target=self._run_jobs, args=(queue, runner), daemon=True,
                                                  name=f"jobs-{queue}-{n}")
                        self._runners[runner] = thread
                        thread.start()

    def wake(self, kind: str | None = None) -> None:
        """A job was queued in this process: the runners look now rather than at their next poll."""
        if not self._persistent and not self._stop.is_set():
            self._start_runners()
        for event in self._wake.values():
            event.set()

    @property
    def alive(self) -> bool:
        threads = [*self._runners.values(), *self._others]
        return self._persistent and all(thread.is_alive() for thread in threads)

    def stop(self, timeout: float = 35.0) -> None:
        """Stop taking work; a job running is left to finish for `timeout` seconds, then to the heartbeat's
        reaper of whichever worker runs next (it is queued again, not lost)."""
        self._stop.set()
        for event in self._wake.values():
            event.set()
        for thread in [*self._runners.values(), *self._others]:
            thread.join(timeout=timeout)

    def _run_jobs(self, queue: str, runner: str) -> None:
        idle_since = time.monotonic()
        while not self._stop.is_set():
            try:
                job = self.queue.claim(queue, runner)
            except Exception:  # noqa: BLE001 - the database may be away a moment; the runner waits and tries again
                log.exception("claiming a %s job failed", queue)
                job = None
            if job is None:
                if not self._persistent and time.monotonic() - idle_since > IDLE_EXIT_SECONDS:
                    return  # started on demand: the next job queued here starts it again
                self._wake[queue].wait(self.poll_seconds)
                self._wake[queue].clear()
                continue
            self._run(job, runner)
            idle_since = time.monotonic()

    def _run(self, job, runner: str) -> None:
        task = TASKS.get(job.kind)
        log.info("job %s (%s) started by %s", job.id, job.kind, runner)
        done = threading.Event()

        def beat() -> None:  # the job's sign of life while it runs, however long a step takes
            while not done.wait(self.heartbeat):
                try:
                    self.queue.beat([job.id], runner)
                except Exception:  # noqa: BLE001 - a missed beat is made up by the next
                    log.warning("heartbeat of job %s failed", job.id)

        beating = threading.Thread(target=beat, daemon=True, name=f"beat-{job.id}")
        beating.start()

        def progress(fraction: float) -> None:
            self.queue.update(job.id, progress=max(0.0, min(1.0, fraction)))

        try:
            if task is None or job.params is None:
                raise LookupError(f"no task for a {job.kind} job in this version")
            self.queue.finish(job.id, task(self.services, job.params, progress))
            log.info("job %s (%s) done", job.id, job.kind)
        except Exception as error:  # noqa: BLE001 - the job records what went wrong for the page
            log.warning("job %s (%s) failed: %s", job.id, job.kind, reason_of(error) or type(error).__name__)
            self.queue.fail(job.id, excerpt(reason_of(error) or type(error).__name__, MAX_MESSAGE_CHARS))
        finally:
            done.set()
            beating.join()

    def _keep(self) -> None:
        started = datetime.now(UTC)
        while True:
            try:
                self.queue.seen(self.name, started)
                self._take_back()  # at start too: what a worker that died left running is queued again now
            except Exception:  # noqa: BLE001 - the database may not answer a moment; the next pass tries again
                log.exception("the job keeper's pass failed")
            if self._stop.wait(self.heartbeat):
                return

    def _take_back(self) -> None:
        def reconcile(job) -> None:
            if job.kind == "import":  # its batch stays 'loading' no more: the warehouse says what became of it
                self.services.imports.recover()

        counts = self.queue.reap(reconcile)
        if any(counts.values()):
            log.warning("jobs of a silent worker taken back: %s", counts)
            self.wake()

    def _send_mail(self) -> None:
        interval = self.services.settings.mail_interval_seconds
        while not self._stop.wait(interval):
            try:
                self.services.missions.send_due_notices()
            except Exception:  # noqa: BLE001 - a notice two workers wrote at once fails one pass; the next is clean
                log.exception("timed notices pass failed")
            try:
                self.services.outbox.send_due(worker=f"{self.name}:mail")
            except Exception:  # noqa: BLE001 - the worker outlives a bad pass; each message keeps its state
                log.exception("mail pass failed")
            self.mail_passes += 1
