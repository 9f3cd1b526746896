"""The mail worker: a thread of the server that sends what the outbox holds, every few seconds."""

from __future__ import annotations

import logging
import threading

from hamkor.mail.outbox import Outbox

log = logging.getLogger(__name__)


class MailWorker:
    def __init__(self, outbox: Outbox, interval: float, before: list | None = None) -> None:
        """`before`: what else runs on each pass, before sending (the missions' timed notices)."""
        self.outbox, self.interval, self.before = outbox, interval, list(before or [])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="mail")

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=35)  # one SMTP call's timeout at most

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                for task in self.before:
                    task()
                self.outbox.send_due()
            except Exception:  # noqa: BLE001 - the worker outlives a bad pass; the message keeps its state
                log.exception("mail pass failed")
