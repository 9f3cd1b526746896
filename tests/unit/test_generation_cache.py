"""A page whose answer takes seconds shows at once and fills in (issue 28.8: Opportunities over BACI's size)."""

from __future__ import annotations

import threading
import time

import pytest

from hamkor.web.cache import GenerationCache


def test_a_slow_answer_is_computed_once_in_the_background_and_then_served():
    cache = GenerationCache(lambda: 1)
    release, calls = threading.Event(), []

    def slow():
        calls.append(1)
        release.wait(10)
        return "the answer"

    started = time.monotonic()
    assert cache.ready_or_start("key", slow, wait_seconds=0.1) is None  # shown at once, not after the work
    assert time.monotonic() - started < 1.0
    assert cache.ready_or_start("key", slow, wait_seconds=0.1) is None  # asked again meanwhile: not started twice
    release.set()
    for _ in range(50):
        if (found := cache.ready_or_start("key", slow, wait_seconds=0.1)) is not None:
            break
    assert found == "the answer" and len(calls) == 1


def test_a_quick_answer_is_served_on_the_first_ask_and_a_failure_is_said_once():
    cache = GenerationCache(lambda: 1)
    assert cache.ready_or_start("quick", lambda: 42, wait_seconds=2.0) == 42

    def broken():
        raise ValueError("no world data")

    with pytest.raises(ValueError, match="no world data"):
        cache.ready_or_start("broken", broken, wait_seconds=2.0)
