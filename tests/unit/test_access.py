"""The one access rule over who, what and which record of a mission (`accounts/access.may`), as a table."""

import pytest

from hamkor.accounts.access import MISSION_ACTIONS, MissionRecord, Organiser, bound_side, may
from hamkor.accounts.permissions import Actor

FUND, SYRDARYA, CHAMBER, ELSEWHERE = 1, 2, 3, 4
MISSION = MissionRecord({FUND: Organiser("owner", "host"), SYRDARYA: Organiser("supporting", "visiting"),
                         CHAMBER: Organiser("main", "visiting")})


def staff(organisation=None, role="organizer") -> Actor:
    return Actor(7, "x@example.org", role, None, organisation)


def on(side=None, company=None) -> MissionRecord:
    return MissionRecord(MISSION.organisers, side, company)


@pytest.mark.parametrize(("actor", "action", "record", "granted"), [
    # those the organisations came after keep their reach
    (Actor(1, "a", "admin"), "mission.organisers", on(), True),
    (staff(), "mission.manage", on(), True),
    (staff(role="analyst"), "mission.view", on(), True),
    (staff(role="analyst"), "mission.manage", on(), False),  # the role caps what any relation grants
    # the owner, a main and a supporting organiser
    (staff(FUND), "mission.organisers", on(), True),
    (staff(CHAMBER), "mission.organisers", on(), False),
    (staff(CHAMBER), "mission.manage", on(), True),
    (staff(CHAMBER), "mission.registrations", on("host"), True),  # main: both sides
    (staff(SYRDARYA), "mission.manage", on(), False),
    (staff(SYRDARYA), "mission.request", on(), False),
    (staff(SYRDARYA), "mission.view", on(), True),
    (staff(SYRDARYA), "mission.registrations", on(), True),  # the list: filtered to their side
    (staff(SYRDARYA), "mission.registrations", on("visiting"), True),
    (staff(SYRDARYA), "mission.registrations", on("host"), False),  # (a) the other side's registration
    (staff(SYRDARYA), "mission.participants", on("host"), False),
    (staff(SYRDARYA, role="viewer"), "mission.registrations", on("visiting"), False),
    # (b) an organisation not on the mission sees nothing of it
    *((staff(ELSEWHERE), action, on(), False) for action in MISSION_ACTIONS),
    # (c) a company's people act for their own company only
    (Actor(9, "c", "company", 5), "mission.request", on(company=5), True),
    (Actor(10, "c2", "company", 5), "mission.request", on(company=6), False),
    (Actor(10, "c2", "company", 5), "mission.manage", on(company=5), False),
    (Actor(11, "claimant", "company", None), "mission.view", on(), False),  # speaks for no company yet
    # what the table does not name is refused
    (Actor(1, "a", "admin"), "mission.anything", on(), False),
])
def test_the_rule(actor, action, record, granted):
    assert may(actor, action, record) is granted


def test_a_supporting_organisers_lists_are_bound_to_their_side():
    assert bound_side(staff(SYRDARYA), MISSION) == "visiting"
    assert bound_side(staff(CHAMBER), MISSION) is None and bound_side(staff(), MISSION) is None
