"""Answers cached until the warehouse changes: its data move only when an import or undo runs."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

T = TypeVar("T")


class GenerationCache:
    WAIT_FOR_ANOTHER_SECONDS = 60.0
    # How many answers are computed in the background at once, whatever many are asked for: after an import a
    # booking window asked 170 spaces' suggestions at once, and as many threads each holding a database
    # connection left the requests none (the profile: 41 % of the web's threads waiting on the pool).
    BACKGROUND_AT_ONCE = 2
    def __init__(self, generation: Callable[[], int], size: int = 256,
                 apart: Callable[[], AbstractContextManager] = nullcontext) -> None:
        """`apart`: where a computation runs when the caller computes it — outside the caller's unit of work
        (`Database.apart`): what is cached outlives the request, and records read in the request's transaction
        were expired by its rollback (a stranger's refused visit to a space broke every participant's, 500)."""
        self._generation = generation
        self._apart = apart
        self._size = size
        self._items: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Event] = {}
        self._failed: dict[Hashable, tuple[int, BaseException]] = {}
        self._background = threading.BoundedSemaphore(self.BACKGROUND_AT_ONCE)

    # A page waits this long for its answer before it shows without it (and fills in): what a quick computation
    # takes, no more. 0.8 s made a first Opportunities page over BACI's world show at 0.9-1.1 s on a cold server.
    WAIT_SECONDS = 0.4

    def ready_or_start(self, key: Hashable, compute: Callable[[], T], wait_seconds: float = WAIT_SECONDS
                       ) -> T | None:
        """The answer, if it is cached or computed within `wait_seconds`; else None, the computation going on in
        the background (once, however many ask): a page that would keep its reader waiting seconds shows at once
        and fills in when it is ready. What the computation raised is raised to the next caller, once."""
        generation = self._generation()
        with self._lock:
            hit = self._fresh(key, generation)
            if hit is not None:
                return hit[1]  # type: ignore[return-value]
            failed = self._failed.pop(key, None)
            if failed is not None and failed[0] == generation:
                raise failed[1]
            done = self._computing.get(key)
            if done is None:
                done = self._computing[key] = threading.Event()
                threading.Thread(target=self._fill, args=(key, compute, generation, done), daemon=True,
                                 name="cache-fill").start()
        if done.wait(wait_seconds):
            return self.ready_or_start(key, compute, 0.0)
        return None

    def _fill(self, key: Hashable, compute: Callable[[], T], generation: int, done: threading.Event) -> None:
        try:
            with self._background:
                self._store(key, generation, compute())
        except BaseException as error:  # noqa: BLE001 - kept for the page that asks next
            with self._lock:
                self._failed[key] = (generation, error)
        finally:
            with self._lock:
                self._computing.pop(key, None)
            done.set()

    def fresh_or_last(self, key: Hashable, compute: Callable[[], T]) -> T | None:
        """The answer of this generation if there is one; else the computation starts in the background (once) and
        the answer of an earlier generation, if one is kept, is given meanwhile (None if none): for what may be a
        moment old without harm (a participant's suggested counterparts after an import), so that a new
        generation does not make every reader wait for it at once."""
        generation = self._generation()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == generation:
                self._items.move_to_end(key)
                return hit[1]  # type: ignore[return-value]
            if hit is not None and key not in self._computing:
                done = self._computing[key] = threading.Event()
                threading.Thread(target=self._fill, args=(key, compute, generation, done), daemon=True,
                                 name="cache-fill").start()
        if hit is None:
            # nothing to show meanwhile: computed here, as `get` does, not by a background thread this one would
            # wait for — a request waiting holds its database connection, and the thread might find none left
            return self.get(key, compute)
        return hit[1]  # type: ignore[return-value]

    def _store(self, key: Hashable, generation: int, value: object) -> None:
        with self._lock:
            self._items[key] = (generation, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def _fresh(self, key: Hashable, generation: int) -> tuple[int, object] | None:
        """The cached (generation, value) if it is of this generation (the lock is held)."""
        hit = self._items.get(key)
        if hit is None or hit[0] != generation:
            return None
        self._items.move_to_end(key)
        return hit

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached answer, or the one computed now. Many asking for one key at once compute it once: the others
        wait for it (after an import, 200 readers of their spaces would each compute the same trade support)."""
        generation = self._generation()
        with self._lock:
            hit = self._fresh(key, generation)
            if hit is not None:
                return hit[1]  # type: ignore[return-value]
            running = self._computing.get(key)
            if running is None:
                running = self._computing[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            running.wait(self.WAIT_FOR_ANOTHER_SECONDS)
            with self._lock:
                hit = self._fresh(key, generation)
            if hit is not None:
                return hit[1]  # type: ignore[return-value]
            with self._apart():
                return compute()  # the other one failed or is slow: this caller computes for itself
        try:
            with self._apart():
                value = compute()
            self._store(key, generation, value)
            return value
        finally:
            with self._lock:
                self._computing.pop(key, None)
            running.set()
