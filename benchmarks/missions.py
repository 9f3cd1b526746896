"""The B2B scheduler and the site-visit itinerary at the sizes of issue 7, beside a first-fit greedy
baseline (requests by priority, each given the first common free slot and table) in the same run.

Targets: delegation scale (100 participants / 500 requests) proven optimal in < 2 s;
2,000 participants / 20,000 requests / 16 slots / 700 tables with availability windows: a first
schedule in < 3 s within 1.5 % of the upper bound, within 1.0 % after <= 60 s; an itinerary of 60
candidate sites over 5 days in < 10 s. Run: `make bench` (or `python benchmarks/missions.py`
with `--large-seconds 0` to skip the CP-SAT minute).
"""

from __future__ import annotations

import argparse
import math
import random
import time

from hamkor.missions.bounds import flow_bound
from hamkor.missions.itinerary import Day, Site, minutes, plan
from hamkor.missions.scheduler import (
    _relaxation,
    _value,
    capacity_needed,
    greedy,
    improve_by_slot,
    load_instance,
    round_relaxation,
    schedule,
    solve_cp_sat,
    violations,
)


def event(visitors: int, hosts: int, requests: int, slots: int, tables: int, interpreters: int, seed: int):
    rng = random.Random(seed)
    ids = [f"s{i}" for i in range(slots)]
    people = []
    for prefix, count, first, second in (("v", visitors, "uz", "ru"), ("h", hosts, "ru", "en")):
        for n in range(count):
            person = {"id": f"{prefix}{n}", "languages": [first] + ([second] if rng.random() < 0.6 else [])}
            if rng.random() < 0.3:  # an availability window: half the event
                start = rng.randrange(slots // 2 + 1)
                person["available"] = ids[start:start + slots // 2]
            people.append(person)
    seen, wanted = set(), []
    while len(wanted) < requests:
        pair = (f"v{rng.randrange(visitors)}", f"h{rng.randrange(hosts)}")
        if pair not in seen:
            seen.add(pair)
            wanted.append({"id": f"r{len(wanted)}", "a": pair[0], "b": pair[1],
                           "priority": rng.choices(["must", "should", "could"], [1, 3, 4])[0]})
    return load_instance({"slots": [{"id": s} for s in ids], "tables": tables,
                          "interpreters": [{"languages": ["ru", "uz"], "count": interpreters}],
                          "participants": people, "requests": wanted})


def delegation() -> None:
    instance = event(35, 65, 500, 24, 15, 3, seed=1)
    started = time.perf_counter()
    baseline = _value(instance, greedy(instance, first_fit=True))
    baseline_time = time.perf_counter() - started
    started = time.perf_counter()
    result = schedule(instance, seconds=30, workers=2, seed=1)
    elapsed = time.perf_counter() - started
    assert not violations(instance, result.assignment)
    print(f"delegation 100 participants / 500 requests / 24 slots / 15 tables / 3 interpreters: "
          f"value {result.value} of bound {result.upper_bound:.1f} ({result.quality:.2%}), "
          f"{'proven optimal' if result.proven_optimal else 'not proven'} in {elapsed:.2f} s "
          f"(target < 2 s: {'met' if result.proven_optimal and elapsed < 2 else 'NOT met'}); "
          f"first-fit baseline {baseline} ({baseline / result.upper_bound:.2%}) in {baseline_time * 1000:.0f} ms")


def large(seconds: float) -> None:
    instance = event(700, 1300, 20000, 16, 700, 40, seed=2)
    started = time.perf_counter()
    baseline = greedy(instance, first_fit=True)
    baseline_time = time.perf_counter() - started
    started = time.perf_counter()
    first = greedy(instance)
    first_time = time.perf_counter() - started
    started = time.perf_counter()
    fast = flow_bound(instance)
    flow_time = time.perf_counter() - started
    started = time.perf_counter()
    matched = improve_by_slot(instance, first)
    matched_time = time.perf_counter() - started
    started = time.perf_counter()
    relaxed, fractional = _relaxation(instance)
    lp = math.floor(relaxed + 1e-6)
    lp_time = time.perf_counter() - started
    bound = min(fast, lp)
    rounded = round_relaxation(instance, fractional)
    value, best = _value(instance, first), max(_value(instance, matched), _value(instance, rounded))
    assert not violations(instance, first) and not violations(instance, matched) and not violations(instance, rounded)
    print(f"large 2,000 participants / 20,000 requests / 16 slots / 700 tables, windows: flow bound {fast} in "
          f"{flow_time:.2f} s; LP bound {lp} (HiGHS interior point, no crossover, certified from its duals) "
          f"in {lp_time:.1f} s")
    total = first_time + flow_time
    print(f"  first schedule (greedy) {value} in {first_time:.2f} s + flow bound {flow_time:.2f} s = {total:.2f} s: "
          f"{value / bound:.2%} of the bound; target < 3 s within 1.5 %: "
          f"{'met' if total < 3 and value >= 0.985 * bound else 'NOT met'}; "
          f"first-fit baseline {_value(instance, baseline)} ({_value(instance, baseline) / bound:.2%}) "
          f"in {baseline_time:.2f} s")
    print(f"  slot-by-slot matching {_value(instance, matched)} (+{matched_time:.1f} s), LP rounding "
          f"{_value(instance, rounded)}: best {best / bound:.2%} of the bound")
    started = time.perf_counter()
    reachable = fast / sum(r.weight for r in instance.requests)
    tables = capacity_needed(instance, 0.5, "tables")
    slots = capacity_needed(instance, 0.5, "slots")
    interpreters = capacity_needed(instance, 0.5, "interpreters")
    def said(count):
        return "no number of" if count is None else f">= {count}"

    print(f"  capacity planner (flow bound): for 50 % of the requests {said(tables)} tables per slot, {said(slots)} "
          f"slots, {said(interpreters)} interpreters per slot; all three in {time.perf_counter() - started:.1f} s "
          f"(the bound allows {reachable:.0%} of the weight at most)")
    if seconds > 0:
        started = time.perf_counter()
        hint = matched if _value(instance, matched) >= _value(instance, rounded) else rounded
        improved, cp_bound, _ = solve_cp_sat(instance, hint, seconds, workers=2, seed=1, ceiling=bound)
        elapsed = time.perf_counter() - started
        best = max(_value(instance, improved), best)
        print(f"  after CP-SAT ({elapsed:.0f} s): {best}, {best / bound:.2%} of the bound "
              f"(target within 1.0 % after <= 60 s: {'met' if best >= 0.99 * bound else 'NOT met'})")


def simplex_baseline() -> None:
    """The LP by simplex as the previous release solved it, for the bound's speed-up."""
    from scipy.optimize import linprog

    instance = event(700, 1300, 20000, 16, 700, 40, seed=2)
    from hamkor.missions import bounds

    started = time.perf_counter()
    calls = {}

    def simplex(matrix, limits, weights, lower):
        result = linprog(-weights, A_ub=matrix, b_ub=limits, bounds=list(zip(lower, [1.0] * len(lower),
                                                                               strict=True)), method="highs-ds")
        calls["objective"] = -result.fun
        return -result.ineqlin.marginals, result.x

    original = bounds._solve_ipm
    bounds._solve_ipm = simplex
    try:
        relaxed, _ = _relaxation(instance)
    finally:
        bounds._solve_ipm = original
    print(f"  baseline: the same LP by dual simplex {calls['objective']:.1f} (certified {relaxed:.1f}) in "
          f"{time.perf_counter() - started:.1f} s")


def itinerary() -> None:
    rng = random.Random(5)
    base = (53.348, 83.776)
    sites = [Site(f"s{i}", f"site {i}", base[0] + rng.uniform(-0.8, 0.8), base[1] + rng.uniform(-1.2, 1.2),
                  minutes("09:00"), minutes("18:00"), rng.choice([45, 60, 90]), rng.choice([1, 2, 3]))
             for i in range(60)]
    days = [Day(f"d{n}", minutes("08:30"), minutes("19:00")) for n in range(5)]
    started = time.perf_counter()
    result = plan(sites, days, base, seconds=8)
    elapsed = time.perf_counter() - started
    visited = sum(len(stops) for stops in result.routes.values())
    print(f"itinerary 60 sites / 5 days: {visited} visited, {len(result.dropped)} dropped, {elapsed:.2f} s "
          f"(target < 10 s: {'met' if elapsed < 10 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large-seconds", type=float, default=60.0, help="CP-SAT time on the large event")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-simplex", action="store_true", help="skip the minute-long simplex baseline")
    args = parser.parse_args()
    delegation()
    if not args.skip_large:
        large(args.large_seconds)
        if not args.skip_simplex:
            simplex_baseline()
    itinerary()


if __name__ == "__main__":
    main()
