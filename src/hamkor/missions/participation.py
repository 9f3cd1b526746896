"""What a participant does for itself and hears by itself: its own account of each meeting (from its space
or a follow-up mail's link), when it last looked, and the mission's timed notices (the deadline is near,
the agenda for tomorrow, the follow-ups one and six months after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hamkor.accounts import links
from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.accounts.service import reads_company_mail
from hamkor.errors import Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.outbox import queue
from hamkor.missions import letters
from hamkor.missions.base import MissionError, aware, mission_row
from hamkor.missions.notices import meeting_line, name_of, tell_organizers
from hamkor.missions.outcomes import Outcome
from hamkor.store.db import as_utc, session_of, unit_of_work
from hamkor.store.models import (
    MeetingFeedback,
    Mission,
    MissionMeeting,
    MissionNotice,
    MissionParticipant,
    MissionRequest,
    SpaceSeen,
    User,
)

# When the follow-up mails go: this many days after the mission's last day.
FOLLOW_UPS = {"followup-1": 30, "followup-6": 182}
DEADLINE_NOTICE = timedelta(hours=48)


@dataclass
class SideAnswers:
    """Both sides' own accounts of one meeting, and whether they disagree."""

    meeting: MissionMeeting
    a: int  # the requester's participant id
    b: int
    answers: dict[int, MeetingFeedback]

    @property
    def disagree(self) -> bool:
        if len(self.answers) < 2:
            return False
        one, other = self.answers.values()
        return one.status != other.status or (one.stage or None) != (other.stage or None)


class MissionParticipation:
    # -- what changed since the participant last looked --------------------------------------------
    @unit_of_work
    def looked(self, user_id: int, mission_id: int, now: datetime | None = None) -> datetime | None:
        """Remember this look; returns the previous one (None the first time)."""
        session = session_of(self)
        seen = session.get(SpaceSeen, (user_id, mission_id))
        previous = as_utc(seen.seen_at) if seen else None
        if seen is None:
            session.add(SpaceSeen(user_id=user_id, mission_id=mission_id, seen_at=now or self.clock()))
        else:
            seen.seen_at = now or self.clock()
        return previous

    # -- a participant's own account of its meetings -----------------------------------------------
    def own_meetings(self, mission_id: int, participant_id: int) -> list[tuple[MissionMeeting, int]]:
        """The participant's meetings (not cancelled), each with the other side's participant id."""
        with self.db.session() as session:
            rows = session.execute(select(MissionMeeting, MissionRequest).join(
                MissionRequest, MissionRequest.id == MissionMeeting.request_id).where(
                MissionMeeting.mission_id == mission_id, MissionMeeting.status != "cancelled",
                (MissionRequest.requester_id == participant_id) | (MissionRequest.target_id == participant_id))
                .order_by(MissionMeeting.slot)).all()
        return [(m, r.target_id if r.requester_id == participant_id else r.requester_id) for m, r in rows]

    def meetings_outside(self, mission_id: int, participant_id: int, times: list[str]) -> list[tuple]:
        """The participant's meetings (each with the other side's participant id) at none of these times."""
        allowed = set(times)
        return [(m, other) for m, other in self.own_meetings(mission_id, participant_id) if m.slot not in allowed]

    @unit_of_work
    def report_availability_conflict(self, mission_id: int, participant_id: int, now: datetime | None = None) -> int:
        """After a participant narrowed its times on a published schedule: the organizers hear which of its
        meetings now fall outside them. How many meetings."""
        session = session_of(self)
        mission = mission_row(session, mission_id)
        participant = session.get(MissionParticipant, participant_id)
        if participant is None or participant.mission_id != mission_id or participant.available is None:
            return 0
        outside = self.meetings_outside(mission_id, participant_id, participant.available)
        if outside:
            people = {p.id: p.company_id for p in session.scalars(
                select(MissionParticipant).where(MissionParticipant.mission_id == mission_id))}
            tell_organizers(session, mission, now or self.clock(), lambda lang: letters.availability_conflict(
                self.site_url, mission, name_of(session, participant.company_id, lang),
                [meeting_line(m.slot, m.table_no, name_of(session, people.get(other), lang)) for m, other in outside],
                lang))
        return len(outside)

    @unit_of_work
    def record_feedback(self, mission_id: int, participant_id: int, entries: list[Outcome], actor: Actor = SYSTEM,
                        via: str = "space", now: datetime | None = None) -> int:
        """The participant's own outcomes: all written, or none with every problem named by its meeting."""
        if via == "space" and not self.may_act_for(actor, mission_id, participant_id):
            raise Refused([("participant", "you may answer only for your own company")])
        session = session_of(self)
        mission_row(session, mission_id, lock=True)
        own = {m.id: m for m, _ in self.own_meetings(mission_id, participant_id)}
        problems = []
        for entry in entries:
            meeting = own.get(entry.meeting_id)
            if meeting is None:
                problems.append(("meeting", Msg("meeting %(id)s is not one of yours", id=entry.meeting_id)))
                continue
            problems += [(field, Msg("%(slot)s, table %(table)s: %(reason)s", slot=meeting.slot.replace("T", " "),
                                     table=meeting.table_no, reason=reason)) for field, reason in entry.problems()]
        if problems:
            raise MissionError(problems)
        stored = {f.meeting_id: f for f in session.scalars(select(MeetingFeedback).where(
            MeetingFeedback.participant_id == participant_id, MeetingFeedback.meeting_id.in_(list(own))))}
        for entry in entries:
            answer = stored.get(entry.meeting_id) or MeetingFeedback(meeting_id=entry.meeting_id,
                                                                     participant_id=participant_id)
            (answer.status, answer.rating, answer.stage, answer.hs_code, answer.value_usd,
             answer.notes) = entry._stored()
            answer.via, answer.answered_at = via, now or self.clock()
            session.add(answer)
        session.flush()
        return len(entries)

    def feedback_of(self, participant_id: int) -> dict[int, MeetingFeedback]:
        with self.db.session() as session:
            return {f.meeting_id: f for f in session.scalars(select(MeetingFeedback).where(
                MeetingFeedback.participant_id == participant_id))}

    def side_answers(self, mission_id: int) -> list[SideAnswers]:
        """Every meeting of the mission with both sides' answers (for the organizer's follow-up page)."""
        with self.db.session() as session:
            rows = session.execute(select(MissionMeeting, MissionRequest).join(
                MissionRequest, MissionRequest.id == MissionMeeting.request_id).where(
                MissionMeeting.mission_id == mission_id, MissionMeeting.status != "cancelled")
                .order_by(MissionMeeting.slot, MissionMeeting.table_no)).all()
            answers: dict[int, dict[int, MeetingFeedback]] = {}
            for f in session.scalars(select(MeetingFeedback).join(
                    MissionMeeting, MissionMeeting.id == MeetingFeedback.meeting_id).where(
                    MissionMeeting.mission_id == mission_id)):
                answers.setdefault(f.meeting_id, {})[f.participant_id] = f
        return [SideAnswers(m, r.requester_id, r.target_id, answers.get(m.id, {})) for m, r in rows]

    # -- the follow-up link ------------------------------------------------------------------------
    def followup_target(self, token: str) -> tuple[Mission, int]:
        """The mission and participant a follow-up link is for, while it is usable (LinkProblem otherwise)."""
        with self.db.session() as session:
            link = links.check(session, token, ("followup",), self.clock())
            payload = link.payload or {}
            participant = session.get(MissionParticipant, payload.get("participant"))
            if participant is None:
                raise links.not_valid()
            return session.get(Mission, participant.mission_id), participant.id

    @unit_of_work
    def feedback_by_link(self, token: str, entries: list[Outcome]) -> int:
        """The follow-up form sent from the mail's link: the link is used up only when the answers are taken."""
        session = session_of(self)
        mission, participant_id = self.followup_target(token)
        links.use(session, token, ("followup",), self.clock())
        return self.record_feedback(mission.id, participant_id, entries, via="link")

    # -- timed notices -----------------------------------------------------------------------------
    @unit_of_work
    def send_due_notices(self, now: datetime | None = None) -> int:
        """Queue what is due and not yet sent to that address: the deadline is two days off (to those with
        requests waiting for their answer), the agenda the day before one's first meeting, and the follow-up
        forms one and six months after the mission. Called by the mail worker on every pass."""
        now = now or self.clock()
        session = session_of(self)
        # the worker asks every few seconds: a mission with nothing due today costs no query beyond this one
        return sum(self._notices_for(session, mission, now) for mission in session.scalars(select(Mission))
                   if mission.days and self._anything_due(mission, now))

    def _notices_for(self, session, mission: Mission, now: datetime) -> int:
        queued = 0
        sent = {(kind, to) for kind, to in session.execute(select(MissionNotice.kind, MissionNotice.recipient)
                                                            .where(MissionNotice.mission_id == mission.id))}
        people = self.people(mission.id)
        deadline = aware(mission.request_deadline)
        if deadline is not None and deadline - DEADLINE_NOTICE <= now < deadline:
            waiting: dict[int, int] = {}
            for request in session.scalars(select(MissionRequest).where(
                    MissionRequest.mission_id == mission.id, MissionRequest.status == "pending")):
                waiting[request.target_id] = waiting.get(request.target_id, 0) + 1
            for pid, count in waiting.items():
                queued += self._tell(session, mission, people[pid].company.id, "deadline-near", sent, now,
                                     lambda lang, count=count: letters.deadline_near(self.site_url, mission,
                                                                                      count, lang))
        local = now.astimezone(ZoneInfo(mission.timezone))
        tomorrow = (local.date() + timedelta(days=1)).isoformat()
        today, clock_now = local.date().isoformat(), local.strftime("%H:%M")
        if mission.certificate and people and {tomorrow, today} & {d["date"] for d in mission.days}:
            for pid, person in people.items():
                meetings = self.own_meetings(mission.id, pid)
                if not meetings:
                    continue
                first = meetings[0][0].slot
                # the day before, as planned; or on the day, before the first meeting, when the worker was not
                # running the day before (a notice is given once, so one sent yesterday is not sent again)
                if first[:10] != tomorrow and not (first[:10] == today and first[11:16] > clock_now):
                    continue
                queued += self._tell(session, mission, person.company.id, "agenda-tomorrow", sent, now,
                                     lambda lang, pid=pid, meetings=meetings, on_the_day=first[:10] == today:
                                     letters.agenda_tomorrow(
                                         self.site_url, mission,
                                         [meeting_line(m.slot, m.table_no, name_of(session, people[o].company.id,
                                                                                      lang),
                                                       None if m.table_no else self.call_url(mission.id, m.request_id))
                                          for m, o in meetings], lang, on_the_day=on_the_day),
                                     attach=lambda lang, pid=pid: self._agenda_file(mission, pid, lang))
        last_day = date.fromisoformat(max(d["date"] for d in mission.days))
        for kind, days in FOLLOW_UPS.items():
            if not last_day + timedelta(days=days) <= local.date() <= last_day + timedelta(days=days + 14):
                continue  # a fortnight's window: a server down on the day still sends it, a late one does not
            for pid, person in people.items():
                if not self.own_meetings(mission.id, pid):
                    continue
                queued += self._tell(session, mission, person.company.id, kind, sent, now,
                                     lambda lang, pid=pid, kind=kind: letters.follow_up(
                                         self.site_url, mission, links.issue(
                                             session, "followup", now, None, {"participant": pid}),
                                         FOLLOW_UPS[kind], lang))
        return queued

    @staticmethod
    def _anything_due(mission: Mission, now: datetime) -> bool:
        """Whether any notice can be due today: most passes of the worker need no query at all."""
        local = now.astimezone(ZoneInfo(mission.timezone)).date()
        deadline = aware(mission.request_deadline)
        days = sorted(date.fromisoformat(d["date"]) for d in mission.days)
        near_deadline = deadline is not None and deadline - DEADLINE_NOTICE <= now < deadline
        day_before = local + timedelta(days=1) in days or local in days  # on the day: a missed notice catches up
        follow_up = any(days[-1] + timedelta(days=n) <= local <= days[-1] + timedelta(days=n + 14)
                        for n in FOLLOW_UPS.values())
        return near_deadline or day_before or follow_up

    def _tell(self, session, mission, company_id: int, kind: str, sent: set, now: datetime, build, attach=None) -> int:
        told = 0
        for user in session.scalars(select(User).where(User.company_id == company_id, reads_company_mail())):
            if (kind, user.email) in sent:
                continue
            lang = user.language if user.language in LANGUAGES else "ru"
            letter = build(lang)
            letter.kind = kind
            # unique per mission, kind and address: of two workers deciding at once, one commits; the other's
            # pass fails on it and rolls back, mail included, so the notice goes exactly once
            session.add(MissionNotice(mission_id=mission.id, kind=kind, recipient=user.email, at=now))
            queue(session, user.email, lang, letter, now, user=user, mission_id=mission.id,
                  attachments=attach(lang) if attach else None)
            sent.add((kind, user.email))
            told += 1
        return told

    @staticmethod
    def _agenda_file(mission, participant_id: int, lang: str) -> list[dict]:
        """The participant's agenda, attached as a file the outbox makes when it sends the mail: no PDF is
        rendered inside the pass's transaction, and the agenda is the one of the moment it leaves."""
        return [{"name": f"agenda-{lang}.pdf", "make": "agenda",
                 "args": {"mission_id": mission.id, "participant_id": participant_id, "lang": lang}}]

