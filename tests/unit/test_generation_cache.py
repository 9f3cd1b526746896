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


def test_many_asking_for_one_key_at_once_compute_it_once():
    """After an import every participant's space asked for the same trade support at once and each computed it
    (85 companies, two opportunity analyses each); the others now wait for the one computing it."""
    cache = GenerationCache(lambda: 1)
    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return "support"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("weights", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # all eight are asking while the first computes
    gate.set()
    for thread in threads:
        thread.join(10)
    assert answers == ["support"] * 8 and len(calls) == 1


def test_a_failed_computation_lets_the_waiting_ones_compute_for_themselves():
    cache = GenerationCache(lambda: 1)
    started = threading.Event()
    outcomes = []

    def failing():
        started.set()
        time.sleep(0.2)
        raise ValueError("the warehouse went away")

    def first():
        try:
            cache.get("k", failing)
        except ValueError as error:
            outcomes.append(str(error))

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    outcomes.append(cache.get("k", lambda: "computed again"))
    thread.join(5)
    assert sorted(outcomes) == ["computed again", "the warehouse went away"]


def test_after_a_new_generation_the_last_answer_is_given_while_the_new_one_is_made():
    generation = [1]
    cache = GenerationCache(lambda: generation[0])
    assert cache.fresh_or_last("k", lambda: "first") == "first"  # nothing kept yet: this caller waits for it
    generation[0] = 2  # an import
    release = threading.Event()

    def second():
        release.wait(5)
        return "second"

    started = time.monotonic()
    assert cache.fresh_or_last("k", second) == "first"  # at once, not after the work
    assert time.monotonic() - started < 1.0
    release.set()
    for _ in range(50):
        if cache.fresh_or_last("k", second) == "second":
            break
        time.sleep(0.05)
    assert cache.fresh_or_last("k", lambda: "never asked") == "second"


def test_background_answers_are_made_a_few_at_a_time_however_many_are_asked():
    """After an import 170 spaces asked for new suggestions at once; as many threads, each holding a database
    connection, left the requests none. They are made BACKGROUND_AT_ONCE at a time."""
    generation = [1]
    cache = GenerationCache(lambda: generation[0])
    for n in range(10):
        cache.fresh_or_last(n, lambda: "old")
    generation[0] = 2
    running, most, lock = [0], [0], threading.Lock()

    def slow():
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "new"

    assert [cache.fresh_or_last(n, slow) for n in range(10)] == ["old"] * 10  # at once, the last answers
    for _ in range(100):
        if all(cache.fresh_or_last(n, slow) == "new" for n in range(10)):
            break
        time.sleep(0.05)
    assert all(cache.fresh_or_last(n, slow) == "new" for n in range(10))
    assert most[0] == GenerationCache.BACKGROUND_AT_ONCE
