"""Upper bounds on the weight any B2B schedule can reach: the certificate behind "X % of the provable
maximum", and what the capacity planner asks.

- The flow bound forgets which slot a meeting takes and keeps how many slots each participant can
  use, how many table-slots there are in all, and how many interpreter-slots each pool has. What is
  left is a maximum-weight b-matching between the two sides: one min-cost flow (a fraction of a
  second at 20,000 requests). On the issue's instances it equals the LP bound.
- The LP relaxation keeps the slots. HiGHS' interior point method without crossover solves it about
  three times faster than simplex at 20,000 requests (scipy's linprog cannot turn crossover off,
  hence highspy); its answer is not exactly optimal, so the bound is not its objective but the one
  any non-negative dual gives (weak duality):
  b.y + sum_j max(0, w_j - (A^T y)_j), which holds whatever y is.

Every meeting of a schedule is an edge of the b-matching and a feasible point of the LP, so both
numbers are at least the best schedule's weight.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import defaultdict

import numpy as np

from hamkor.missions.instance import Instance, InstanceError, variables


def flow_bound(instance: Instance) -> int:
    """Maximum-weight b-matching: participant capacity = the slots they can use, table-slots and
    interpreter-slots in total. Meetings that need an interpreter draw on their host's capacity
    and on the pools; a relaxation (a visitor's interpreted meetings do not count against their
    slots here), so still an upper bound."""
    from ortools.graph.python import min_cost_flow

    free = {r.id: instance.free_slots(r) for r in instance.requests}
    locked = {rid for rid in instance.locked}
    requests = [r for r in instance.requests if free[r.id] or r.id in locked]
    if not requests:
        return 0
    usable: dict[str, set[int]] = defaultdict(set)
    for r in requests:
        slots = free[r.id] or [instance.locked[r.id]]
        usable[r.a].update(slots)
        usable[r.b].update(slots)
    nodes: dict[tuple, int] = {}

    def node(key: tuple) -> int:
        return nodes.setdefault(key, len(nodes))

    source, sink = node(("source",)), node(("sink",))
    flow = min_cost_flow.SimpleMinCostFlow()
    left = {r.a for r in requests}
    right = {r.b for r in requests}
    if left & right:  # not two-sided: every participant on both sides, halved below
        return _general_bound(instance, requests, usable)
    for person in sorted(left):
        flow.add_arc_with_capacity_and_unit_cost(source, node(("a", person)), len(usable[person]), 0)
    for person in sorted(right):
        flow.add_arc_with_capacity_and_unit_cost(node(("b", person)), sink, len(usable[person]), 0)
    for pair, counts in instance.interpreters.items():
        flow.add_arc_with_capacity_and_unit_cost(node(("pool", pair)), sink, sum(counts), 0)
    pooled: set[tuple] = set()
    for r in requests:
        pairs = instance.pairs_for(r)
        if pairs is None:
            flow.add_arc_with_capacity_and_unit_cost(node(("a", r.a)), node(("b", r.b)), 1, -r.weight)
        elif pairs:
            interpreted = node(("b'", r.b))
            flow.add_arc_with_capacity_and_unit_cost(node(("a", r.a)), interpreted, 1, -r.weight)
            for pair in pairs:
                if (r.b, pair) not in pooled:
                    pooled.add((r.b, pair))
                    flow.add_arc_with_capacity_and_unit_cost(interpreted, node(("pool", pair)),
                                                             len(usable[r.b]), 0)
    calls = sum(not instance.takes_table(r) for r in requests)  # online meetings take no table
    supply = min(sum(instance.tables) + calls, sum(len(usable[p]) for p in left))
    flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)  # table-slots left empty
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    if flow.solve() != flow.OPTIMAL:
        raise InstanceError("the flow bound could not be computed")
    return int(-flow.optimal_cost())


def _general_bound(instance: Instance, requests, usable) -> int:
    """Without two sides: each participant's best requests up to their slot count, halved."""
    weights: dict[str, list[int]] = defaultdict(list)
    for r in requests:
        weights[r.a].append(r.weight)
        weights[r.b].append(r.weight)
    total = sum(sum(sorted(ws, reverse=True)[:len(usable[p])]) for p, ws in weights.items())
    return total // 2


CROSSOVER_BELOW = 100_000  # LP columns (request x slot cells)


def lp_relaxation(instance: Instance) -> tuple[float, dict[tuple[str, int], float]]:
    """(a certified LP upper bound, the fractional solution for rounding)."""
    cells = variables(instance)
    if not cells:
        return 0.0, {}
    rows, cols, limits = [], [], []

    def add(members: list[int], limit: float) -> None:
        rows.extend([len(limits)] * len(members))
        cols.extend(members)
        limits.append(limit)

    by_request, by_person_slot, by_slot = defaultdict(list), defaultdict(list), defaultdict(list)
    by_pool_slot: dict[tuple, list[int]] = defaultdict(list)
    for j, (r, s) in enumerate(cells):
        by_request[r.id].append(j)
        by_person_slot[(r.a, s)].append(j)
        by_person_slot[(r.b, s)].append(j)
        if instance.takes_table(r):
            by_slot[s].append(j)
        pairs = instance.pairs_for(r)
        if pairs is not None:
            by_pool_slot[(tuple(pairs), s)].append(j)
    for members in by_request.values():
        add(members, 1)
    for members in by_person_slot.values():
        if len(members) > 1:
            add(members, 1)
    for s, members in by_slot.items():
        add(members, instance.tables[s])
    for (pairs, s), members in by_pool_slot.items():
        # a relaxation: meetings that could only use these pools share their capacity
        add(members, sum(instance.interpreters[p][s] for p in pairs))
    from scipy.sparse import coo_matrix

    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(limits), len(cells))).tocsc()
    weights = np.array([r.weight for r, _ in cells], dtype=float)
    lower = np.array([1.0 if r.id in instance.locked else 0.0 for r, _ in cells])
    duals, values = _solve_ipm(matrix, np.array(limits, dtype=float), weights, lower)
    y = np.maximum(duals, 0.0)
    reduced = weights - matrix.T @ y
    # weak duality for max w.x, A x <= b, lower <= x <= 1: any y >= 0 bounds it
    bound = float(np.asarray(limits) @ y + np.where(lower > 0, reduced, np.maximum(reduced, 0.0)).sum())
    return bound, {(r.id, s): float(v) for (r, s), v in zip(cells, values, strict=True) if v > 1e-6}


_HIGHS: list = []
_HIGHS_LOCK = threading.Lock()


def _quiet_highs():
    """One HiGHS object per process. Its constructor prints a banner on file descriptor 1, before any
    option can silence it; that would corrupt JSON a command writes to standard output, so the
    descriptor points at /dev/null for that moment."""
    if not _HIGHS:
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as sink:
                os.dup2(sink.fileno(), 1)
                _HIGHS.append(highspy.Highs())
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _HIGHS[0].setOptionValue("output_flag", False)
    return _HIGHS[0]


def _solve_ipm(matrix, limits: np.ndarray, weights: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row duals (>= 0 for the maximisation) and the primal point from HiGHS: interior point without
    crossover for large LPs; simplex (a vertex, which rounds into better schedules) for small ones."""
    import highspy

    with _HIGHS_LOCK:
        highs = _quiet_highs()
        highs.clearModel()
        large = matrix.shape[1] >= CROSSOVER_BELOW
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("solver", "ipm" if large else "simplex")
        highs.setOptionValue("run_crossover", "off" if large else "on")
        highs.setOptionValue("random_seed", 1)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = -weights  # HiGHS minimises
        lp.col_lower_, lp.col_upper_ = lower, np.ones(matrix.shape[1])
        lp.row_lower_, lp.row_upper_ = np.full(matrix.shape[0], -highspy.kHighsInf), limits
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        highs.passModel(lp)
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise InstanceError("the locked meetings cannot all be held")
        solution = highs.getSolution()
        return -np.asarray(solution.row_dual), np.asarray(solution.col_value)
