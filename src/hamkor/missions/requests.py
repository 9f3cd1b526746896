"""Meeting requests: asked, answered, mutual, expired — and who may see and act on which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.errors import Refused
from hamkor.i18n import Msg
from hamkor.missions import letters
from hamkor.missions.base import (
    PRIORITIES,
    MissionConflict,
    MissionError,
    aware,
    mission_row,
    requests_closed,
    scoped_row,
)
from hamkor.missions.notices import moved_line, name_of, tell_company
from hamkor.missions.setup import Person
from hamkor.store.db import session_of, unit_of_work
from hamkor.store.models import MissionMeeting, MissionParticipant, MissionRequest


@dataclass
class RequestView:
    request: MissionRequest
    requester: Person
    target: Person
    mutual: bool  # the other side asked for this meeting too
    expired: bool  # pending past the deadline: no longer blocks slots


@dataclass(frozen=True)
class Sight:
    """What one person may see of a mission's meetings. Organizers and the administration see all; a
    company representative sees the grid's times and tables, and only their own company's meetings,
    requests and outcomes — never who else meets whom, nor others' ratings, stages or values."""

    everything: bool
    own: int | None = None  # the representative's participant (None: their company does not take part)
    side: frozenset[int] = frozenset()  # a supporting organiser's: the participants of their side

    def sees(self, *participants: int) -> bool:
        """May see a meeting or request between these participants, with its outcome."""
        return self.everything or (self.own is not None and self.own in participants) \
            or any(p in self.side for p in participants)


# What each role sees of a mission's meetings, requests and outcomes. The administration's roles see the
# whole mission; a company representative their own company's part of it. A role missing here sees nothing.
SIGHT_BY_ROLE = {"admin": "everything", "organizer": "everything", "analyst": "everything",
                 "viewer": "everything", "company": "own"}


MAX_REQUEST_MESSAGE = 500


class MissionRequests:
    @unit_of_work
    def request(self, mission_id: int, requester_id: int, target_id: int, priority: str = "should",
                message: str | None = None, actor: Actor = SYSTEM, status: str = "pending",
                origin: str | None = None, now: datetime | None = None) -> MissionRequest:
        """`actor` asks `target_id` to meet `requester_id` (their own company, unless they organize).
        Refused after the deadline: a request made then could never be answered, only expire."""
        if priority not in PRIORITIES:
            raise MissionError([("priority", "must, should or could")])
        # a browser sends a textarea's line breaks as CR LF: one character to whoever typed them (and to the
        # form's own limit), so they count, and are kept, as one
        message = (message or "").replace("\r\n", "\n").replace("\r", "\n")
        if len(message.strip()) > MAX_REQUEST_MESSAGE:
            # a word to the other company, mailed to all its people: what the form offers, on every face
            raise MissionError([("message", Msg("at most %(max_length)s characters (this one has %(length)s)",
                                                max_length=MAX_REQUEST_MESSAGE, length=len(message.strip())))])
        mission = mission_row(session_of(self), mission_id, lock=True)
        closed = requests_closed(mission, now or self.clock())
        if closed:
            raise MissionConflict([("request", closed)])
        if not self.may_act_for(actor, mission_id, requester_id):
            raise Refused([("requester", "you may ask only for your own company")])
        people = self.people(mission_id)
        if requester_id not in people or target_id not in people:
            raise MissionError([("participant", "both sides must take part in this mission")])
        if requester_id == target_id:
            raise MissionError([("target", "a participant cannot ask to meet itself")])
        if people[requester_id].participant.side == people[target_id].participant.side \
                and not mission.same_side_meetings:
            raise MissionError([("target", "B2B meetings pair a host company with a visiting one")])
        with self.db.session() as session:
            existing = session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.requester_id == requester_id,
                MissionRequest.target_id == target_id,
                MissionRequest.status.in_(("pending", "accepted")))).first()
            if existing is not None:
                raise MissionError([("target", Msg("already requested (request #%(id)s, %(status)s)",
                                                   id=existing.id, status=existing.status))])
            made = MissionRequest(mission_id=mission_id, requester_id=requester_id, target_id=target_id,
                                  priority=priority, message=(message or "").strip() or None, status=status,
                                  origin=origin or ("organizer" if actor.may("missions.manage") else "participant"),
                                  created_by=actor.user_id, created_at=now or self.clock(),
                                  answered_at=(now or self.clock()) if status != "pending" else None)
            session.add(made)
            reverse = session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.requester_id == target_id,
                MissionRequest.target_id == requester_id,
                MissionRequest.status.in_(("pending", "accepted")))).first()
            if reverse is not None:  # both sides asked: that is an answer, and neither request expires
                for found in (made, reverse):
                    if found.status == "pending":
                        found.status, found.answered_at = "accepted", now or self.clock()
            session.flush()
            if made.status == "pending":
                asking = people[requester_id].company.id
                tell_company(session, people[target_id].company.id, mission, now or self.clock(),
                             lambda lang: letters.request_received(self.site_url, mission,
                                                                   name_of(session, asking, lang), made.message, lang))
            return made

    def sight(self, mission_id: int, actor: Actor | None) -> Sight:
        """The one rule of who sees which meetings, for the pages, the API and the files alike: each role
        is named with what it sees (`SIGHT_BY_ROLE`); a role not named there sees nothing. `None` is the
        server itself (the CLI, reports, the mail worker)."""
        if actor is None:
            return Sight(True)
        seen = SIGHT_BY_ROLE.get(actor.role)
        if seen == "everything" and actor.organisation_id is not None and actor.role != "admin":
            # staff of an organisation: what its role on this mission lets them follow (`accounts.access`)
            if not self.may(actor, "mission.view", mission_id):
                return Sight(False)
            side = self.bound_side(actor, mission_id)
            if side is None:
                return Sight(True)
            with self.db.session() as session:
                return Sight(False, None, frozenset(session.scalars(select(MissionParticipant.id).where(
                    MissionParticipant.mission_id == mission_id, MissionParticipant.side == side))))
        if seen == "everything":
            return Sight(True)
        if seen == "own" and actor.company_id is not None:
            mine = self.participant_of_company(mission_id, actor.company_id)
            return Sight(False, mine.id if mine else None)
        return Sight(False)

    def closed_for_requests(self, mission) -> Msg | None:
        """Why this mission takes no more requests (its deadline has passed), or None."""
        return requests_closed(mission, self.clock())

    @staticmethod
    def _request_row(session, mission_id: int, request_id: int) -> MissionRequest:
        return scoped_row(session, MissionRequest, mission_id, request_id, "request", "No such request.")

    @unit_of_work
    def answer(self, mission_id: int, request_id: int, accept: bool, actor: Actor = SYSTEM,
               now: datetime | None = None) -> MissionRequest:
        """The company asked (or an organizer) accepts or declines, before the deadline."""
        with self.db.session() as session:
            mission = mission_row(session, mission_id, lock=True)
            found = self._request_row(session, mission_id, request_id)
            if not self.may_act_for(actor, mission_id, found.target_id):
                raise Refused([("request", "only the company asked may answer")])
            if found.status != "pending":
                raise MissionConflict([("request", Msg("request #%(request_id)s is %(status)s, not pending",
                                                       request_id=request_id, status=found.status))])
            deadline = aware(mission.request_deadline)
            if deadline and (now or self.clock()) > deadline:
                raise MissionConflict([("request", Msg("request #%(request_id)s expired at %(deadline)s UTC",
                                                       request_id=request_id, deadline=format(deadline,
                                                       '%Y-%m-%d %H:%M')))])
            found.status = "accepted" if accept else "declined"
            found.answered_at = now or self.clock()
            session.flush()
            people = self.people(mission_id)
            asked = people[found.target_id].company.id
            tell_company(session, people[found.requester_id].company.id, mission, now or self.clock(),
                         lambda lang: letters.request_answered(self.site_url, mission, name_of(session, asked, lang),
                                                               accept, lang))
            return found

    @unit_of_work
    def cancel_request(self, mission_id: int, request_id: int) -> None:
        with self.db.session() as session:
            mission_row(session, mission_id, lock=True)
            found = self._request_row(session, mission_id, request_id)
            found.status = "cancelled"
            mission = mission_row(session, mission_id)
            for meeting in session.scalars(select(MissionMeeting).where(MissionMeeting.request_id == request_id)):
                was_on = meeting.status == "scheduled"
                meeting.status, meeting.updated_at = "cancelled", self.clock()
                if was_on and mission.certificate:  # a published meeting gone: both sides hear of it, in the same
                    self._tell_cancelled(session, mission, found, meeting)  # transaction as the change

    def _tell_cancelled(self, session, mission, request: MissionRequest, meeting: MissionMeeting) -> None:
        sides = [session.get(MissionParticipant, pid) for pid in (request.requester_id, request.target_id)]
        if None in sides:
            return
        now = self.clock()
        for this, other in ((sides[0], sides[1]), (sides[1], sides[0])):
            tell_company(session, this.company_id, mission, now,
                         lambda lang, other=other: letters.meetings_changed(
                             self.site_url, mission,
                             [moved_line((meeting.slot, meeting.table_no), None,
                                         name_of(session, other.company_id, lang))], lang))

    @unit_of_work
    def expire(self, mission_id: int, now: datetime | None = None) -> int:
        """Pending requests past the deadline become expired: they stop blocking slots."""
        with self.db.session() as session:
            mission = mission_row(session, mission_id)
            deadline = aware(mission.request_deadline)
            if deadline is None or (now or self.clock()) <= deadline:
                return 0
            stale = list(session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.status == "pending")))
            for found in stale:
                found.status = "expired"
            return len(stale)

    @unit_of_work
    def requests(self, mission_id: int, now: datetime | None = None, actor: Actor | None = None,
                 people: dict[int, Person] | None = None) -> list[RequestView]:
        """The mission's requests; for a company representative, only those their company is in. `people`, when
        the caller has just read them (a participant's space reads them once per view), saves reading them again."""
        people = people if people is not None else self.people(mission_id)
        with self.db.session() as session:
            mission = mission_row(session, mission_id)
            query = select(MissionRequest).where(MissionRequest.mission_id == mission_id)
            rows = list(session.scalars(query.order_by(MissionRequest.id)))
        deadline = aware(mission.request_deadline)
        late = deadline is not None and (now or self.clock()) > deadline
        live = {(r.requester_id, r.target_id) for r in rows if r.status in ("pending", "accepted")}
        views = [RequestView(r, people[r.requester_id], people[r.target_id],
                             r.status in ("pending", "accepted") and (r.target_id, r.requester_id) in live,
                             r.status == "pending" and late) for r in rows]
        if actor is not None:  # what this viewer follows of them: `sight`, the one rule of who sees which
            sight = self.sight(mission_id, actor)
            views = [v for v in views if sight.sees(v.requester.id, v.target.id)]
        return views

    @unit_of_work
    def request_view(self, mission_id: int, request_id: int, now: datetime | None = None) -> RequestView:
        """One request of this mission (MissionNotFound for one of another mission)."""
        with self.db.session() as session:
            mission = mission_row(session, mission_id)
            found = self._request_row(session, mission_id, request_id)
            live = ("pending", "accepted")
            reverse = session.scalars(select(MissionRequest.id).where(
                MissionRequest.mission_id == mission_id, MissionRequest.requester_id == found.target_id,
                MissionRequest.target_id == found.requester_id, MissionRequest.status.in_(live))).first()
        deadline = aware(mission.request_deadline)
        late = deadline is not None and (now or self.clock()) > deadline
        return RequestView(found, self.person(mission_id, found.requester_id), self.person(mission_id, found.target_id),
                           found.status in live and reverse is not None, found.status == "pending" and late)
