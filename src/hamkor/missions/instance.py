"""The B2B scheduling instance: participants, requests, slots and capacities, read from its JSON
form (`schema/instance.schema.json`) with every reference checked. The scheduler and the bounds
both work on it; neither owns it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hamkor.i18n import Msg

PRIORITY_WEIGHTS = {"must": 10, "should": 3, "could": 1}


class InstanceError(ValueError):
    """The instance is malformed; the message says where."""


@dataclass(frozen=True)
class Participant:
    id: str
    languages: frozenset[str]
    available: frozenset[int] | None  # slot indexes; None = every slot
    blocked: frozenset[int] = frozenset()  # e.g. on a site visit
    online: bool = False  # takes part by video: their meetings are calls and take no table


@dataclass(frozen=True)
class Request:
    id: str
    a: str
    b: str
    weight: int
    priority: str


@dataclass
class Instance:
    slots: list[str]
    tables: list[int]  # per slot
    interpreters: dict[tuple[str, str], list[int]]  # language pair (sorted) -> count per slot
    participants: dict[str, Participant]
    requests: list[Request]
    locked: dict[str, int] = field(default_factory=dict)  # request id -> slot index
    not_before: dict[str, int] = field(default_factory=dict)  # request id -> first slot it may take

    def free_slots(self, request: Request) -> list[int]:
        a, b = self.participants[request.a], self.participants[request.b]
        slots = range(self.not_before.get(request.id, 0), len(self.slots))
        return [s for s in slots if (a.available is None or s in a.available) and (b.available is None or
                s in b.available) and s not in a.blocked and s not in b.blocked]

    def takes_table(self, request: Request) -> bool:
        """An on-site meeting takes a table; one with a side online is a call and takes none."""
        return not (self.participants[request.a].online or self.participants[request.b].online)

    def pairs_for(self, request: Request) -> list[tuple[str, str]] | None:
        """None when the sides share a language; else the interpreter pools that could serve them."""
        a, b = self.participants[request.a], self.participants[request.b]
        if a.languages & b.languages:
            return None
        return [pair for pair in self.interpreters if (pair[0] in a.languages and pair[1] in b.languages)
                or (pair[1] in a.languages and pair[0] in b.languages)]


def load_instance(data: dict) -> Instance:
    """An instance from its JSON form, every reference checked."""
    if not isinstance(data, dict):
        raise InstanceError("the instance must be a JSON object (see instance.schema.json)")
    try:
        return _load_instance(data)
    except InstanceError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise InstanceError(Msg("malformed instance (%(name)s: %(error)s); see missions/schema/instance.schema.json",
                                name=type(error).__name__, error=error)) from None


def _load_instance(data: dict) -> Instance:
    try:
        slots = [str(s["id"]) for s in data["slots"]]
    except (KeyError, TypeError):
        raise InstanceError("slots: a list of {\"id\": ...} is needed") from None
    if len(set(slots)) != len(slots):
        raise InstanceError("slots: ids must be unique")
    index = {s: i for i, s in enumerate(slots)}

    def slot_list(values, where: str) -> frozenset[int]:
        unknown = [v for v in values if str(v) not in index]
        if unknown:
            raise InstanceError(Msg("%(where)s: unknown slot(s) %(items)s",
                                    where=where, items=', '.join(map(str, unknown[:5]))))
        return frozenset(index[str(v)] for v in values)

    tables = data.get("tables")
    if isinstance(tables, int):
        tables = [tables] * len(slots)
    elif isinstance(tables, dict):
        tables = [int(tables.get(s, 0)) for s in slots]
    if not isinstance(tables, list) or len(tables) != len(slots) or any(t < 0 for t in tables):
        raise InstanceError("tables: a number, or one number per slot")
    interpreters: dict[tuple[str, str], list[int]] = {}
    for n, pool in enumerate(data.get("interpreters", [])):
        pair = tuple(sorted(pool.get("languages", [])))
        if len(pair) != 2:
            raise InstanceError(Msg("interpreters[%(n)s]: languages must be a pair, e.g. [\"ru\", \"uz\"]", n=n))
        count = pool.get("count", 1)
        counts = [int(count)] * len(slots) if isinstance(count, int) else [int(count.get(s, 0)) for s in slots]
        interpreters[pair] = [x + y for x, y in zip(interpreters.get(pair, [0] * len(slots)), counts, strict=True)]
    participants = {}
    for n, p in enumerate(data.get("participants", [])):
        if "id" not in p:
            raise InstanceError(Msg("participants[%(n)s]: an id is needed", n=n))
        pid = str(p["id"])
        if pid in participants:
            raise InstanceError(Msg("participants[%(n)s]: id %(pid)s is used twice", n=n, pid=pid))
        available = slot_list(p["available"], f"participants[{n}].available") if "available" in p else None
        participants[pid] = Participant(pid, frozenset(p.get("languages", [])), available,
                                        slot_list(p.get("blocked", []), f"participants[{n}].blocked"),
                                        bool(p.get("online", False)))
    requests, seen = [], set()
    for n, r in enumerate(data.get("requests", [])):
        rid = str(r.get("id", f"r{n + 1}"))
        a, b = str(r.get("a", "")), str(r.get("b", ""))
        if rid in seen:
            raise InstanceError(Msg("requests[%(n)s]: id %(rid)s is used twice", n=n, rid=rid))
        if a not in participants or b not in participants or a == b:
            raise InstanceError(Msg("requests[%(n)s]: a and b must be two different participants ('%(a)s', '%(b)s')",
                                    n=n, a=a, b=b))
        priority = r.get("priority", "should")
        if priority not in PRIORITY_WEIGHTS:
            raise InstanceError(Msg("requests[%(n)s]: priority must be must, should or could", n=n))
        seen.add(rid)
        requests.append(Request(rid, a, b, int(r.get("weight", PRIORITY_WEIGHTS[priority])), priority))
    locked = {}
    ids = {r.id for r in requests}
    for n, lock in enumerate(data.get("locked", [])):
        if str(lock.get("request")) not in ids or str(lock.get("slot")) not in index:
            raise InstanceError(Msg("locked[%(n)s]: request and slot must exist", n=n))
        locked[str(lock["request"])] = index[str(lock["slot"])]
    return Instance(slots, tables, interpreters, participants, requests, locked)


def read_instance(path: Path) -> Instance:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstanceError(Msg("%(name)s: not JSON (line %(lineno)s: %(msg)s)",
                                name=Path(path).name, lineno=error.lineno, msg=error.msg)) from None
    return load_instance(data)


def variables(instance: Instance) -> list[tuple[Request, int]]:
    """Every (request, slot) cell a meeting could take: the columns of the LP and of CP-SAT."""
    return [(r, s) for r in instance.requests for s in instance.free_slots(r)
            if r.id not in instance.locked or instance.locked[r.id] == s]
