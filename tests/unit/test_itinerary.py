"""Site visits: one route per day, opening hours kept, the least important sites dropped first."""

import pytest

from hamkor.missions.itinerary import Day, ItineraryError, Site, clock, grid_step, minutes, plan, travel_matrix

BASE = (53.348, 83.776)  # Barnaul


def site(name, lat, lon, opens="09:00", closes="18:00", visit=60, priority=2, required=False):
    return Site(name, name, lat, lon, minutes(opens), minutes(closes), visit, priority, required)


@pytest.mark.slow  # a solver or renderer at work: seconds
def test_a_day_of_visits_within_opening_hours():
    sites = [site("a", 53.36, 83.80), site("b", 53.40, 83.90, opens="13:00"), site("c", 53.30, 83.70, visit=90)]
    result = plan(sites, [Day("d1", minutes("08:30"), minutes("18:00"))], BASE, seconds=1)
    stops = result.routes["d1"]
    assert sorted(s.site for s in stops) == ["a", "b", "c"] and result.dropped == []
    for stop in stops:
        spec = next(s for s in sites if s.id == stop.site)
        assert spec.opens <= stop.arrive and stop.leave <= spec.closes and stop.leave - stop.arrive == spec.visit
    assert all(earlier.leave <= later.arrive for earlier, later in zip(stops, stops[1:], strict=False))
    assert stops[-1].site == "b" or minutes("13:00") <= next(s.arrive for s in stops if s.site == "b")
    assert result.busy()["d1"][0] >= minutes("08:30")


@pytest.mark.slow  # a solver or renderer at work: seconds
def test_full_days_drop_the_least_important_sites():
    # Five two-hour visits next door, one short day: three fit, the priority-3 ones go first
    sites = [site(f"s{n}", 53.35, 83.78, visit=120, priority=p) for n, p in enumerate([3, 1, 2, 3, 1])]
    result = plan(sites, [Day("d1", minutes("09:00"), minutes("15:30"))], BASE, seconds=1)
    assert sorted(result.dropped) == ["s0", "s3"]
    two_days = plan(sites, [Day("d1", minutes("09:00"), minutes("15:30")), Day("d2", minutes("09:00"),
                                                                              minutes("15:30"))], BASE, seconds=1)
    assert two_days.dropped == [] and {len(s) for s in two_days.routes.values()} <= {2, 3}


def test_impossible_requests_are_refused_clearly():
    with pytest.raises(ItineraryError, match="does not fit between 09:00 and 09:30"):
        plan([site("x", 53.4, 83.8, closes="09:30")], [Day("d1", 480, 1080)], BASE)
    far = site("far", 55.75, 37.62, required=True)  # Moscow: not a day trip from Barnaul
    with pytest.raises(ItineraryError, match="required sites"):
        plan([far], [Day("d1", minutes("08:00"), minutes("20:00"))], BASE, seconds=1)
    with pytest.raises(ItineraryError, match="HH:MM"):
        minutes("noon")
    with pytest.raises(ItineraryError, match="2 x 2"):
        plan([site("a", 53.4, 83.8)], [Day("d1", 480, 1080)], BASE, matrix=[[0]])


def test_travel_times_from_coordinates():
    matrix = travel_matrix(BASE, [site("biysk", 52.54, 85.21)], speed_kmh=60, road_factor=1.3)
    # Barnaul–Biysk is about 130 km as the crow flies: about 170 minutes at 60 km/h with the road factor
    assert 150 <= matrix[0][1] <= 190 and matrix[0][1] == matrix[1][0] and clock(matrix[0][1]).startswith("0")


@pytest.mark.slow  # a solver or renderer at work: seconds
def test_on_a_grid_every_time_falls_on_a_step_and_drives_still_fit():
    # Odd drives (the matrix gives 13, 17 and 22 minutes) and a 50-minute visit: on a 15-minute grid the
    # times read 09:15, 10:15 ..., every drive and visit keeps at least its real length, hours are kept.
    sites = [site("a", 53.36, 83.80, opens="09:05", visit=50), site("b", 53.40, 83.90), site("c", 53.30, 83.70)]
    matrix = [[0, 13, 17, 22], [13, 0, 17, 22], [17, 17, 0, 13], [22, 22, 13, 0]]
    free = plan(sites, [Day("d1", minutes("09:00"), minutes("17:50"))], BASE, matrix=matrix, seconds=1)
    assert any(stop.arrive % 15 for stop in free.routes["d1"])  # without a grid the solver lands off it
    result = plan(sites, [Day("d1", minutes("09:00"), minutes("17:50"))], BASE, matrix=matrix, seconds=1, step=15)
    stops = result.routes["d1"]
    assert sorted(s.site for s in stops) == ["a", "b", "c"]
    index = {"base": 0, "a": 1, "b": 2, "c": 3}
    for stop in stops:
        spec = next(s for s in sites if s.id == stop.site)
        assert stop.arrive % 15 == 0 and stop.leave % 15 == 0, (clock(stop.arrive), clock(stop.leave))
        assert spec.opens <= stop.arrive and stop.leave <= spec.closes and stop.leave - stop.arrive >= spec.visit
    for earlier, later in zip(stops, stops[1:], strict=False):
        assert later.arrive - earlier.leave >= matrix[index[earlier.site]][index[later.site]]
    leaves, back = result.away["d1"]
    assert leaves % 15 == 0 and back % 15 == 0 and back <= minutes("17:50")
    assert stops[0].arrive - leaves >= matrix[0][index[stops[0].site]]
    with pytest.raises(ItineraryError, match="15-minute grid"):  # 09:05–10:00 holds 50 minutes, not an hour
        plan([site("x", 53.4, 83.8, opens="09:05", closes="10:00", visit=50)], [Day("d1", 480, 1080)], BASE,
             step=15)


def test_the_grid_step_divides_the_meeting_slots():
    assert [grid_step(m) for m in (30, 60, 20, 45, 25, 10)] == [15, 15, 5, 15, 5, 5]
