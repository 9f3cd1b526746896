"""The delegation's site visits: one route per day with OR-Tools routing and time windows.

Travel times come from the coordinates (great-circle distance x a road factor at an average
speed) or from a supplied matrix; each site has opening hours and a visit length; when the days
are full, optional sites are dropped, lowest priority first (a dropped site costs its priority's
penalty, so the solver keeps the important ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hamkor.i18n import Msg
from hamkor.reference.geography import haversine_km

DROP_PENALTY = {1: 100_000, 2: 10_000, 3: 1_000}  # priority 1 = most important


class ItineraryError(ValueError):
    """The visits cannot be planned as given; the message says why."""


def minutes(text: str) -> int:
    hours, _, mins = text.partition(":")
    try:
        value = int(hours) * 60 + int(mins or 0)
    except ValueError:
        raise ItineraryError(Msg("'%(text)s' is not a time of day (HH:MM)", text=text)) from None
    if not 0 <= value <= 24 * 60:
        raise ItineraryError(Msg("'%(text)s' is not a time of day (HH:MM)", text=text))
    return value


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    latitude: float
    longitude: float
    opens: int  # minutes after midnight
    closes: int
    visit: int  # minutes
    priority: int = 2  # 1 (must) .. 3 (if time allows)
    required: bool = False


@dataclass(frozen=True)
class Day:
    id: str
    start: int
    end: int


@dataclass
class Stop:
    site: str
    arrive: int
    leave: int


@dataclass
class Itinerary:
    routes: dict[str, list[Stop]]  # day id -> stops in order
    dropped: list[str] = field(default_factory=list)
    travel_minutes: int = 0
    away: dict[str, tuple[int, int]] = field(default_factory=dict)  # day -> (leaves the base, back there)

    def busy(self) -> dict[str, tuple[int, int]]:
        """Day -> (leaves the base, comes back): the time the delegation is away from the tables."""
        return {day: self.away.get(day, (stops[0].arrive, stops[-1].leave))
                for day, stops in self.routes.items() if stops}


def travel_matrix(base: tuple[float, float], sites: list[Site], speed_kmh: float = 50.0,
                  road_factor: float = 1.3) -> list[list[int]]:
    """Minutes between the base (index 0) and the sites, great-circle x road factor at the speed."""
    points = [base, *((s.latitude, s.longitude) for s in sites)]
    return [[round(haversine_km(*a, *b) * road_factor / speed_kmh * 60) for b in points] for a in points]


def grid_step(slot_minutes: int) -> int:
    """The step visit times fall on: a quarter hour where the meeting slots allow it (15 min for 30-minute
    slots), else the largest step both share, so the delegation leaves and returns on the slots' edges."""
    return math.gcd(int(slot_minutes), 15) or 1


def plan(sites: list[Site], days: list[Day], base: tuple[float, float], matrix: list[list[int]] | None = None,
         seconds: float = 5.0, speed_kmh: float = 50.0, road_factor: float = 1.3, step: int = 1) -> Itinerary:
    """One route per day from the base and back, within opening hours and the day's hours.

    With `step` > 1 the solver counts time in steps, so every arrival and departure falls on the grid
    (10:15–11:15, never 10:03–11:03): drives and visits are rounded up to whole steps (the extra minutes
    are a margin), opening hours and the day are narrowed inward to the grid."""
    if not days:
        raise ItineraryError("no days to plan")
    for site in sites:
        if site.opens + site.visit > site.closes:
            raise ItineraryError(Msg("%(site)s: a %(visit)s-minute visit does not fit between %(opens)s and %(closes)s",
                                     site=site.name or site.id, visit=site.visit, opens=clock(site.opens),
                                     closes=clock(site.closes)))
    minutes_apart = matrix or travel_matrix(base, sites, speed_kmh, road_factor)
    if len(minutes_apart) != len(sites) + 1 or any(len(row) != len(sites) + 1 for row in minutes_apart):
        raise ItineraryError(Msg("the time matrix must be %(number)s x %(number2)s (the base first)",
                                 number=len(sites) + 1, number2=len(sites) + 1))
    if step > 1:
        def up(value: int) -> int:
            return -(-int(value) // step)

        sites = [Site(s.id, s.name, s.latitude, s.longitude, up(s.opens), s.closes // step, up(s.visit),
                      s.priority, s.required) for s in sites]
        days = [Day(d.id, up(d.start), d.end // step) for d in days]
        minutes_apart = [[up(t) for t in row] for row in minutes_apart]
        for site in sites:
            if site.opens + site.visit > site.closes:
                raise ItineraryError(Msg("%(site)s: the visit does not fit its opening hours on a %(step)s-minute grid",
                                         site=site.name or site.id, step=step))
    found = _solve(sites, days, minutes_apart, seconds)
    if step > 1:
        found = Itinerary({day: [Stop(x.site, x.arrive * step, x.leave * step) for x in stops]
                           for day, stops in found.routes.items()}, found.dropped, found.travel_minutes * step,
                          {day: (a * step, b * step) for day, (a, b) in found.away.items()})
    return found


def _solve(sites: list[Site], days: list[Day], times: list[list[int]], seconds: float) -> Itinerary:
    """The routing model over whole time units (minutes, or grid steps)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    manager = pywrapcp.RoutingIndexManager(len(sites) + 1, len(days), 0)
    routing = pywrapcp.RoutingModel(manager)
    visit = [0, *(s.visit for s in sites)]
    # A matrix, not a Python callback: the solver then never calls back into Python per arc.
    transit = [[int(times[o][t]) + visit[o] for t in range(len(times))] for o in range(len(times))]
    callback = routing.RegisterTransitMatrix(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    horizon = 24 * 60
    routing.AddDimension(callback, horizon, horizon, False, "time")
    time_dimension = routing.GetDimensionOrDie("time")
    for node, site in enumerate(sites, start=1):
        index = manager.NodeToIndex(node)
        time_dimension.CumulVar(index).SetRange(site.opens, site.closes - site.visit)
        if not site.required:
            routing.AddDisjunction([index], DROP_PENALTY.get(site.priority, 1_000))
    for vehicle, day in enumerate(days):
        time_dimension.CumulVar(routing.Start(vehicle)).SetRange(day.start, day.end)
        time_dimension.CumulVar(routing.End(vehicle)).SetRange(day.start, day.end)
        routing.AddVariableMinimizedByFinalizer(time_dimension.CumulVar(routing.End(vehicle)))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise ItineraryError("no itinerary fits: the required sites cannot all be visited in the days given")
    routes, travel, visited, away = {}, 0, set(), {}
    for vehicle, day in enumerate(days):
        index = routing.Start(vehicle)
        stops, nodes = [], []
        while not routing.IsEnd(index):
            following = solution.Value(routing.NextVar(index))
            node = manager.IndexToNode(index)
            if node:
                arrive = solution.Value(time_dimension.CumulVar(index))
                stops.append(Stop(sites[node - 1].id, arrive, arrive + sites[node - 1].visit))
                visited.add(node)
                nodes.append(node)
            travel += times[node][manager.IndexToNode(following)]
            index = following
        routes[day.id] = stops
        if stops:  # away from the venue from the drive out to the drive back
            away[day.id] = (stops[0].arrive - times[0][nodes[0]], stops[-1].leave + times[nodes[-1]][0])
    dropped = [s.id for n, s in enumerate(sites, start=1) if n not in visited]
    return Itinerary(routes, dropped, travel, away)
