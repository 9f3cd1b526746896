"""The B2B meeting scheduler: a pure module with its own instance format (JSON, see
`schema/instance.schema.json` and `schema/solution.schema.json`).

Maximise the weighted number of scheduled meetings subject to: one meeting per participant per
slot; availability windows; blocked slots (a participant on a site visit is not at the tables);
table capacity per slot; interpreter capacity per slot per language pair (a meeting needs one when
the two sides share no language); locked meetings.

Pipeline: greedy (requests by weight, then by how few slots they could go in) -> slot-by-slot
maximum-weight matching (min-cost flow) while it improves -> CP-SAT started from the best solution
as a hint. Every schedule carries its certificate: an upper bound from the LP relaxation (HiGHS)
or CP-SAT's proof, and the share of it achieved. Every request left out carries its reason.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from hamkor.i18n import Msg
from hamkor.missions.bounds import flow_bound, lp_relaxation
from hamkor.missions.instance import (  # noqa: F401 - the scheduler's public names, as before
    PRIORITY_WEIGHTS,
    Instance,
    InstanceError,
    Participant,
    Request,
    load_instance,
    read_instance,
    variables,
)


@dataclass
class Schedule:
    assignment: dict[str, int]  # request id -> slot index
    value: int
    upper_bound: float
    proven_optimal: bool
    stages: list[tuple[str, int, float]]  # (stage, value, seconds)
    reasons: dict[str, str] = field(default_factory=dict)  # request id -> why it is not scheduled
    tables: dict[str, int] = field(default_factory=dict)  # request id -> table number (1-based; 0: online)

    @property
    def quality(self) -> float:
        return 1.0 if self.upper_bound <= 0 else self.value / self.upper_bound


class _State:
    """A feasible partial schedule with the counters the heuristics check."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.busy: set[tuple[str, int]] = set()
        self.tables_used = [0] * len(instance.slots)
        self.interpreters_used: dict[tuple[str, str], list[int]] = {p: [0] * len(instance.slots)
                                                                     for p in instance.interpreters}
        self.assignment: dict[str, int] = {}
        self.pool: dict[str, tuple[str, str]] = {}

    def fits(self, request: Request, slot: int) -> tuple[str, str] | None | bool:
        """False if it cannot go there; else the interpreter pool it takes (None if none needed)."""
        if (request.a, slot) in self.busy or (request.b, slot) in self.busy:
            return False
        if self.instance.takes_table(request) and self.tables_used[slot] >= self.instance.tables[slot]:
            return False
        pairs = self.instance.pairs_for(request)
        if pairs is None:
            return None
        for pair in pairs:
            if self.interpreters_used[pair][slot] < self.instance.interpreters[pair][slot]:
                return pair
        return False

    def place(self, request: Request, slot: int, pool) -> None:
        self.busy |= {(request.a, slot), (request.b, slot)}
        self.tables_used[slot] += self.instance.takes_table(request)
        if pool:
            self.interpreters_used[pool][slot] += 1
            self.pool[request.id] = pool
        self.assignment[request.id] = slot

    def remove(self, request: Request) -> None:
        slot = self.assignment.pop(request.id)
        self.busy -= {(request.a, slot), (request.b, slot)}
        self.tables_used[slot] -= self.instance.takes_table(request)
        pool = self.pool.pop(request.id, None)
        if pool:
            self.interpreters_used[pool][slot] -= 1


def _value(instance: Instance, assignment: dict[str, int]) -> int:
    weights = {r.id: r.weight for r in instance.requests}
    return sum(weights[r] for r in assignment)


def greedy(instance: Instance, first_fit: bool = False) -> dict[str, int]:
    """Requests by weight (then fewest possible slots), each into the first slot it fits.

    first_fit=True is the plain baseline: by priority only, in the order given."""
    state = _State(instance)
    by_id = {r.id: r for r in instance.requests}
    for rid, slot in instance.locked.items():
        request = by_id[rid]
        pool = state.fits(request, slot)
        if pool is not False:
            state.place(request, slot, pool)
    free = {r.id: instance.free_slots(r) for r in instance.requests}
    order = [r for r in instance.requests if r.id not in state.assignment]
    if first_fit:
        order.sort(key=lambda r: -r.weight)
    else:
        order.sort(key=lambda r: (-r.weight, len(free[r.id])))
    for request in order:
        for slot in free[request.id]:
            pool = state.fits(request, slot)
            if pool is not False:
                state.place(request, slot, pool)
                break
    return state.assignment


def improve_by_slot(instance: Instance, assignment: dict[str, int], passes: int = 3) -> dict[str, int]:
    """Re-match each slot in turn: free its meetings, then choose the heaviest set of requests that
    fit there (a maximum-weight matching between the two sides, by min-cost flow), keeping the
    rest of the schedule. Interpreter-needing meetings are then checked against their pools."""
    from ortools.graph.python import min_cost_flow

    by_id = {r.id: r for r in instance.requests}
    free = {r.id: set(instance.free_slots(r)) for r in instance.requests}
    state = _State(instance)
    for rid, slot in assignment.items():
        state.place(by_id[rid], slot, state.fits(by_id[rid], slot) or None)
    best = _value(instance, state.assignment)
    for _ in range(passes):
        improved = False
        for slot in range(len(instance.slots)):
            here = [by_id[rid] for rid, s in state.assignment.items() if s == slot and rid not in instance.locked]
            for request in here:
                state.remove(request)
            candidates = [r for r in instance.requests if r.id not in state.assignment and slot in free[r.id]
                          and (r.a, slot) not in state.busy and (r.b, slot) not in state.busy]
            calls = sum(not instance.takes_table(r) for r in candidates)  # online meetings need no table
            chosen = _match(candidates, instance.tables[slot] - state.tables_used[slot] + calls, min_cost_flow)
            for request in sorted(chosen, key=lambda r: -r.weight):
                pool = state.fits(request, slot)
                if pool is not False:
                    state.place(request, slot, pool)
            value = _value(instance, state.assignment)
            if value > best:
                best, improved = value, True
            elif value < best:  # never worse than what it started the slot with
                for request in [by_id[rid] for rid, s in list(state.assignment.items()) if s == slot
                                and rid not in instance.locked]:
                    state.remove(request)
                for request in here:
                    state.place(request, slot, state.fits(request, slot) or None)
        if not improved:
            break
    return dict(state.assignment)


def _match(candidates: list[Request], capacity: int, min_cost_flow) -> list[Request]:
    """Maximum-weight set of requests with no participant twice and at most `capacity` of them."""
    if not candidates or capacity <= 0:
        return []
    left = sorted({r.a for r in candidates})
    right = sorted({r.b for r in candidates} - set(left))
    if {r.b for r in candidates} & set(left):  # not two-sided: fall back to greedy by weight
        taken, chosen = set(), []
        for r in sorted(candidates, key=lambda r: -r.weight):
            if r.a not in taken and r.b not in taken and len(chosen) < capacity:
                chosen.append(r)
                taken |= {r.a, r.b}
        return chosen
    node = {p: i + 2 for i, p in enumerate(left + right)}  # 0 source, 1 sink
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = {}
    for p in left:
        flow.add_arc_with_capacity_and_unit_cost(0, node[p], 1, 0)
    for p in right:
        flow.add_arc_with_capacity_and_unit_cost(node[p], 1, 1, 0)
    for r in candidates:
        arcs[flow.add_arc_with_capacity_and_unit_cost(node[r.a], node[r.b], 1, -r.weight)] = r
    flow.add_arc_with_capacity_and_unit_cost(0, 1, capacity, 0)  # the tables left empty
    flow.set_node_supply(0, capacity)
    flow.set_node_supply(1, -capacity)
    if flow.solve() != flow.OPTIMAL:
        return []
    return [r for arc, r in arcs.items() if flow.flow(arc) > 0]


def upper_bound(instance: Instance) -> float:
    """No schedule can be worth more: the lesser of the flow bound and the LP relaxation's bound."""
    return min(float(flow_bound(instance)), _relaxation(instance)[0])


def _relaxation(instance: Instance) -> tuple[float, dict[tuple[str, int], float]]:
    """The LP bound (certified from its duals) and the fractional solution behind it."""
    return lp_relaxation(instance)


def round_relaxation(instance: Instance, fractional: dict[tuple[str, int], float]) -> dict[str, int]:
    """A schedule from the LP solution: cells by their LP value (then weight), each placed if it fits."""
    state = _State(instance)
    by_id = {r.id: r for r in instance.requests}
    for rid, slot in instance.locked.items():
        state.place(by_id[rid], slot, state.fits(by_id[rid], slot) or None)
    for (rid, slot), _ in sorted(fractional.items(), key=lambda item: (-item[1], -by_id[item[0][0]].weight,
                                                                        item[0])):
        if rid in state.assignment:
            continue
        pool = state.fits(by_id[rid], slot)
        if pool is not False:
            state.place(by_id[rid], slot, pool)
    # then whatever else still fits, as the greedy would
    for request in sorted(instance.requests, key=lambda r: -r.weight):
        if request.id not in state.assignment:
            for slot in instance.free_slots(request):
                pool = state.fits(request, slot)
                if pool is not False:
                    state.place(request, slot, pool)
                    break
    return state.assignment


def solve_cp_sat(instance: Instance, hint: dict[str, int], seconds: float, workers: int = 8,
                 seed: int | None = None, keep: dict[str, int] | None = None,
                 ceiling: int | None = None) -> tuple[dict[str, int], float, bool]:
    """CP-SAT on the exact model, started from the hint. Returns (assignment, bound, optimal).

    keep: published meetings (request -> slot) that earn +1 where they stay (re-planning).
    ceiling: a proven upper bound on the value (the LP bound rounded down, weights being whole):
    stated in the model, it lets CP-SAT stop as soon as a schedule reaches it."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {(r.id, s): model.new_bool_var(f"x_{r.id}_{s}") for r, s in variables(instance)}
    by_id = {r.id: r for r in instance.requests}
    per_request, per_person, per_slot = defaultdict(list), defaultdict(list), defaultdict(list)
    pool_choices: dict[tuple[tuple[str, str], int], list] = defaultdict(list)
    for (rid, s), var in x.items():
        r = by_id[rid]
        per_request[rid].append(var)
        per_person[(r.a, s)].append(var)
        per_person[(r.b, s)].append(var)
        if instance.takes_table(r):
            per_slot[s].append(var)
        pairs = instance.pairs_for(r)
        if pairs is not None:
            if not pairs:
                model.add(var == 0)
            elif len(pairs) == 1:
                pool_choices[(pairs[0], s)].append(var)
            else:
                uses = [model.new_bool_var(f"y_{rid}_{s}_{n}") for n in range(len(pairs))]
                model.add(sum(uses) == var)
                for pair, use in zip(pairs, uses, strict=True):
                    pool_choices[(pair, s)].append(use)
    for rid, cells in per_request.items():
        if rid in instance.locked:
            model.add(sum(cells) == 1)
        else:
            model.add_at_most_one(cells)
    for cells in per_person.values():
        if len(cells) > 1:
            model.add_at_most_one(cells)
    for s, cells in per_slot.items():
        model.add(sum(cells) <= instance.tables[s])
    for (pair, s), cells in pool_choices.items():
        model.add(sum(cells) <= instance.interpreters[pair][s])
    bonus = [x[(rid, s)] for rid, s in (keep or {}).items() if (rid, s) in x]
    value = sum(by_id[rid].weight * var for (rid, _), var in x.items())
    if ceiling is not None:
        model.add(value <= ceiling)
    model.maximize(value + sum(bonus))
    for (rid, s), var in x.items():
        model.add_hint(var, 1 if hint.get(rid) == s else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    if ceiling is not None:
        solver.parameters.absolute_gap_limit = 0.5  # whole weights: within half a unit is optimal
    if seed is not None:
        solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if keep is not None:
            raise InstanceError("no schedule keeps the past and the locked meetings")
        return dict(hint), float("inf"), False
    found = {rid: s for (rid, s), var in x.items() if solver.value(var)}
    return found, solver.best_objective_bound, status == cp_model.OPTIMAL


def explain_left_out(instance: Instance, assignment: dict[str, int]) -> dict[str, str]:
    """Why each request not scheduled is not: the first reason that holds in every possible slot."""
    state = _State(instance)
    by_id = {r.id: r for r in instance.requests}
    for rid, slot in assignment.items():
        state.place(by_id[rid], slot, state.fits(by_id[rid], slot) or None)
    reasons = {}
    for r in instance.requests:
        if r.id in assignment:
            continue
        slots = instance.free_slots(r)
        if not slots:
            reasons[r.id] = "no common free slot"
            continue
        both_free = [s for s in slots if (r.a, s) not in state.busy and (r.b, s) not in state.busy]
        if not both_free:
            reasons[r.id] = "a side is full"
            continue
        with_table = [s for s in both_free if not instance.takes_table(r) or state.tables_used[s] < instance.tables[s]]
        if not with_table:
            reasons[r.id] = "no table"
            continue
        reasons[r.id] = "no interpreter" if instance.pairs_for(r) is not None else "lower priority than the rest"
    return reasons


def assign_tables(instance: Instance, assignment: dict[str, int]) -> dict[str, int]:
    """Table numbers 1..n within each slot (heavier meetings first; the order is stable); 0 for an online meeting,
    which takes none."""
    weights = {r.id: r.weight for r in instance.requests}
    on_site = {r.id: instance.takes_table(r) for r in instance.requests}
    tables, used = {}, defaultdict(int)
    for rid, slot in sorted(assignment.items(), key=lambda item: (item[1], -weights[item[0]], item[0])):
        if not on_site[rid]:
            tables[rid] = 0
            continue
        used[slot] += 1
        tables[rid] = used[slot]
    return tables


def schedule(instance: Instance, seconds: float = 10.0, workers: int = 8, seed: int | None = None,
             use_cp_sat: bool = True) -> Schedule:
    """The whole pipeline; stages record (name, value, seconds since the start)."""
    started = time.perf_counter()
    stages = []
    best = greedy(instance)
    stages.append(("greedy", _value(instance, best), time.perf_counter() - started))
    matched = improve_by_slot(instance, best)
    if _value(instance, matched) >= _value(instance, best):
        best = matched
    stages.append(("slot matching", _value(instance, best), time.perf_counter() - started))
    # Weights are whole numbers: no schedule is worth more than a bound rounded down. The flow
    # bound costs a fraction of a second; the LP only runs when the flow bound leaves a gap.
    bound = flow_bound(instance)
    stages.append(("flow bound", _value(instance, best), time.perf_counter() - started))
    if _value(instance, best) < bound:
        relaxed, fractional = _relaxation(instance)
        bound = min(bound, math.floor(relaxed + 1e-6))
        rounded = round_relaxation(instance, fractional)
        if _value(instance, rounded) > _value(instance, best):
            best = rounded
        stages.append(("LP bound and rounding", _value(instance, best), time.perf_counter() - started))
    optimal = _value(instance, best) >= bound
    if use_cp_sat and not optimal and seconds > 0:
        found, cp_bound, optimal = solve_cp_sat(instance, best, seconds, workers, seed, ceiling=bound)
        if _value(instance, found) >= _value(instance, best):
            best = found
        bound = min(bound, math.floor(cp_bound + 1e-6))
        stages.append(("CP-SAT", _value(instance, best), time.perf_counter() - started))
    value = _value(instance, best)
    optimal = optimal or value >= bound
    return Schedule(best, value, max(bound, value), optimal, stages, explain_left_out(instance, best),
                    assign_tables(instance, best))


def solution_json(instance: Instance, result: Schedule) -> dict:
    by_id = {r.id: r for r in instance.requests}
    return {
        "meetings": [{"request": rid, "a": by_id[rid].a, "b": by_id[rid].b, "slot": instance.slots[slot],
                      "table": result.tables[rid]} for rid, slot in sorted(result.assignment.items(),
                                                                           key=lambda item: (item[1], item[0]))],
        "unscheduled": [{"request": rid, "reason": reason} for rid, reason in result.reasons.items()],
        "value": result.value, "upper_bound": round(result.upper_bound, 6), "quality": round(result.quality, 6),
        "proven_optimal": result.proven_optimal,
        "stages": [{"stage": name, "value": value, "seconds": round(sec, 3)} for name, value, sec in result.stages],
    }


def violations(instance: Instance, assignment: dict[str, int]) -> list[str]:
    """Every constraint the assignment breaks (empty for a feasible schedule)."""
    problems = []
    by_id = {r.id: r for r in instance.requests}
    seen: dict[tuple[str, int], str] = {}
    per_slot: dict[int, int] = defaultdict(int)
    needing: dict[int, list[Request]] = defaultdict(list)
    for rid, slot in assignment.items():
        r = by_id[rid]
        if slot not in instance.free_slots(r):
            problems.append(Msg("%(rid)s: slot %(slots)s is outside a side's availability or blocked",
                                rid=rid, slots=instance.slots[slot]))
        for who in (r.a, r.b):
            if (who, slot) in seen:
                problems.append(Msg("%(rid)s: %(who)s already meets in %(slots)s (%(seen)s)",
                                    rid=rid, who=who, slots=instance.slots[slot], seen=seen[(who, slot)]))
            seen[(who, slot)] = rid
        per_slot[slot] += instance.takes_table(r)
        if instance.pairs_for(r) is not None:
            needing[slot].append(r)
    for slot, count in per_slot.items():
        if count > instance.tables[slot]:
            problems.append(Msg("%(slots)s: %(count)s meetings at %(tables)s tables",
                                slots=instance.slots[slot], count=count, tables=instance.tables[slot]))
    for slot, meetings in needing.items():
        # interpreters: a feasible assignment of meetings to pools must exist (small: try greedily by
        # the most constrained meeting first, then check by matching when greedy fails)
        capacity = {p: counts[slot] for p, counts in instance.interpreters.items()}
        for r in sorted(meetings, key=lambda r: len(instance.pairs_for(r))):
            pool = next((p for p in instance.pairs_for(r) if capacity[p] > 0), None)
            if pool is None:
                problems.append(Msg("%(slots)s: no interpreter left for %(id)s", slots=instance.slots[slot], id=r.id))
            else:
                capacity[pool] -= 1
    for rid, slot in instance.locked.items():
        if assignment.get(rid) != slot:
            problems.append(Msg("%(rid)s: locked in %(slots)s but not there", rid=rid, slots=instance.slots[slot]))
    return problems


@dataclass
class Replan:
    schedule: Schedule
    kept: list[str]  # published meetings still where they were
    moved: list[str]  # published meetings now in another slot
    dropped: list[str]  # published meetings no longer held
    added: list[str]  # meetings that were not published before


def replan(instance: Instance, published: dict[str, int], from_slot: int, cancelled: set[str] = frozenset(),
           absent: set[str] = frozenset(), seconds: float = 10.0, workers: int = 8,
           seed: int | None = None) -> Replan:
    """After cancellations and no-shows: slots before `from_slot` stay as they were; the rest is
    re-optimised for the most weight first and, among schedules worth as much, the fewest changes
    to published meetings (a kept meeting earns a bonus smaller than any request's weight unit)."""
    by_id = {r.id: r for r in instance.requests}
    past = {rid: s for rid, s in published.items() if s < from_slot}
    gone = set(cancelled) | {r.id for r in instance.requests if r.a in absent or r.b in absent}
    future_slots = frozenset(range(from_slot, len(instance.slots)))
    requests = [r for r in instance.requests if r.id not in gone or r.id in past]
    participants = {
        pid: Participant(p.id, p.languages, p.available,
                         p.blocked | (future_slots if pid in absent else frozenset()), p.online)
        for pid, p in instance.participants.items()}
    # Past meetings are locked where they were; requests not yet held may only go to future slots.
    scale = len(published) + 1
    reweighted = [Request(r.id, r.a, r.b, r.weight * scale, r.priority) for r in requests]
    locked = {**{rid: s for rid, s in instance.locked.items() if rid not in gone}, **past}
    sub = Instance(instance.slots, instance.tables, instance.interpreters, participants, reweighted, locked,
                   {r.id: from_slot for r in reweighted if r.id not in locked})
    hint = {rid: s for rid, s in published.items() if rid in {r.id for r in reweighted}
            and (rid in past or s in sub.free_slots(by_id[rid]))}
    keep_bonus = {rid: s for rid, s in published.items() if s >= from_slot}
    found, bound, optimal = solve_cp_sat(sub, hint, seconds, workers, seed, keep=keep_bonus)
    value = sum(by_id[rid].weight for rid in found)
    result = Schedule(found, value, max(bound / scale, value), optimal, [("replan", value, 0.0)],
                      replan_reasons(instance, sub, found, gone, absent), assign_tables(instance, found))
    kept = [rid for rid, s in published.items() if found.get(rid) == s]
    moved = [rid for rid, s in published.items() if rid in found and found[rid] != s]
    dropped = [rid for rid in published if rid not in found]
    added = [rid for rid in found if rid not in published]
    return Replan(result, kept, moved, dropped, added)


def replan_reasons(instance: Instance, sub: Instance, found: dict[str, int], gone: set[str],
                   absent: set[str]) -> dict[str, str]:
    """Why each request is left out of a re-plan, as it was re-planned: one with a side absent says so; the others
    are explained in the re-planned event (the past kept, the absent away), not in the grid as first given, where
    an absent company's slots looked free and a slot already past looked usable."""
    reasons = explain_left_out(sub, found)
    for r in instance.requests:
        if r.id not in found and r.id in gone:
            reasons[r.id] = "a side is absent" if r.a in absent or r.b in absent else "cancelled"
    return {r.id: reasons[r.id] for r in instance.requests if r.id in reasons}


def capacity_needed(instance: Instance, share: float, resource: str = "tables", limit: int = 10_000) -> int | None:
    """The fewest tables (per slot), interpreters (per pool and slot) or slots with which the fast
    (flow) bound allows at least `share` of the requests to be scheduled; None if even `limit` does not.

    Slots: the first n of the grid; past its end, extra slots like the last one, open to everyone
    who has no availability window. The bound is an upper bound, so this is the least that could
    do: with fewer it is certainly impossible; with this many the schedule says how close it gets."""
    if resource not in ("tables", "interpreters", "slots"):
        raise InstanceError("resource must be tables, interpreters or slots")
    unit_requests = [Request(r.id, r.a, r.b, 1, r.priority) for r in instance.requests]
    wanted = share * len(instance.requests)

    def variant(count: int) -> Instance:
        if resource == "tables":
            return Instance(instance.slots, [count] * len(instance.slots), instance.interpreters,
                            instance.participants, unit_requests, instance.locked, instance.not_before)
        if resource == "interpreters":
            return Instance(instance.slots, instance.tables,
                            {pair: [count] * len(instance.slots) for pair in instance.interpreters},
                            instance.participants, unit_requests, instance.locked, instance.not_before)
        kept = list(range(min(count, len(instance.slots))))
        extra = max(0, count - len(instance.slots))
        slots = [instance.slots[s] for s in kept] + [f"extra-{n + 1}" for n in range(extra)]
        last = len(instance.slots) - 1
        tables = [instance.tables[s] for s in kept] + [instance.tables[last]] * extra
        pools = {pair: [c[s] for s in kept] + [c[last]] * extra for pair, c in instance.interpreters.items()}
        people = {pid: Participant(p.id, p.languages,
                                   None if p.available is None else frozenset(s for s in p.available if s < count),
                                   frozenset(s for s in p.blocked if s < count), p.online)
                  for pid, p in instance.participants.items()}
        locked = {rid: s for rid, s in instance.locked.items() if s < count}
        return Instance(slots, tables, pools, people, unit_requests, locked)

    def enough(count: int) -> bool:
        return flow_bound(variant(count)) >= wanted - 1e-6

    # Past these counts more of the resource cannot help: one answer says whether any count will do.
    useful = {"tables": max(1, len(instance.participants) // 2),
              "interpreters": max(1, sum(instance.pairs_for(r) is not None for r in instance.requests)),
              "slots": 3 * len(instance.slots)}[resource]
    limit = min(limit, useful)
    if not enough(limit):
        return None
    low, high = 0, 1
    while not enough(high):
        low, high = high, min(high * 2, limit)
    while low < high:  # the first count that is enough (the bound only grows with capacity)
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle + 1
    return high
