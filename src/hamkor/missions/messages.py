"""Organisers' messages to a group of a mission's participants: everyone, one side, one sector, those with no
request yet, those who have not answered the follow-up. The organiser writes it in the languages they choose;
each representative of each company in the group gets it in their own language (or the nearest one written),
with a link to their space in that language. The message is kept on the mission, and each copy is an outbox row
whose delivery the mission's page shows, as the outbox shows any mail.

A supporting organiser writes to their own side's participants only (`accounts.access`, "mission.message" is
bound to a side), as they decide on their own side's registrations only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.accounts.service import reads_company_mail
from hamkor.companies.registry import company_name
from hamkor.errors import Refused
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.letter import Letter, as_written
from hamkor.mail.outbox import queue
from hamkor.missions.base import SIDES, MissionError, mission_row, mission_text
from hamkor.missions.setup import Person
from hamkor.store.db import as_utc, session_of, unit_of_work
from hamkor.store.models import Company, MissionMessage, MissionRequest, OutboxMessage, User

GROUPS = ("all", "side", "sector", "no_requests", "no_followup")
GROUP_LABELS = {"all": "All participants", "side": "One side", "sector": "One sector",
                "no_requests": "Those with no request yet", "no_followup": "Those who have not answered the follow-up"}
MAX_SUBJECT_CHARS = 200
MAX_BODY_CHARS = 5000
# The text a reader gets when their own language was not written: a reader of Uzbek reads Russian sooner than
# English in this cooperation; a reader of English, Russian sooner than Uzbek.
NEAREST = {"ru": ("ru", "en", "uz"), "uz": ("uz", "ru", "en"), "en": ("en", "ru", "uz")}
LIVE_REQUEST = ("pending", "accepted")


@dataclass(frozen=True)
class Audience:
    """Who a message goes to: a group, with the side or the sector it names."""

    group: str = "all"
    side: str | None = None
    sector: str | None = None

    def as_record(self) -> dict:
        return {"group": self.group, "side": self.side, "sector": self.sector}


@dataclass(frozen=True)
class MessageDraft:
    audience: Audience
    subjects: dict[str, str] = field(default_factory=dict)  # language -> subject
    bodies: dict[str, str] = field(default_factory=dict)  # language -> text


@dataclass(frozen=True)
class Delivery:
    """One copy of a message: to whom, for which company, in which language, and what became of it."""

    recipient: str
    company: str
    language: str
    status: str  # the outbox's: pending | held | sending | sent | failed
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class MessageView:
    message: MissionMessage
    author: str | None
    deliveries: list[Delivery]

    @property
    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for d in self.deliveries:
            counted[d.status] = counted.get(d.status, 0) + 1
        return counted


def checked_draft(draft: MessageDraft) -> MessageDraft:
    """The draft with its texts trimmed, or MissionError naming each field that is wrong and why."""
    problems: list[tuple[str, Msg]] = []
    audience = draft.audience
    if audience.group not in GROUPS:
        problems.append(("group", Msg("choose who the message is for")))
    if audience.group == "side" and audience.side not in SIDES:
        problems.append(("side", Msg("choose the side the message is for")))
    if audience.group == "sector" and not (audience.sector or "").strip():
        problems.append(("sector", Msg("choose the sector the message is for")))
    subjects = {lang: (draft.subjects.get(lang) or "").strip() for lang in LANGUAGES}
    bodies = {lang: (draft.bodies.get(lang) or "").strip() for lang in LANGUAGES}
    for lang in LANGUAGES:
        if any(ch in subjects[lang] for ch in "\r\n\x0b\x0c\x85\u2028\u2029"):  # a subject is one line of a mail
            problems.append((f"subject_{lang}", Msg("a subject is one line: no line breaks")))
        if len(subjects[lang]) > MAX_SUBJECT_CHARS:
            problems.append((f"subject_{lang}", Msg("at most %(count)s characters", count=MAX_SUBJECT_CHARS)))
        if len(bodies[lang]) > MAX_BODY_CHARS:
            problems.append((f"body_{lang}", Msg("at most %(count)s characters", count=MAX_BODY_CHARS)))
        if bool(subjects[lang]) != bool(bodies[lang]):
            missing = f"body_{lang}" if subjects[lang] else f"subject_{lang}"
            problems.append((missing, Msg("a message in this language needs both a subject and a text")))
    written = [lang for lang in LANGUAGES if subjects[lang] and bodies[lang]]
    if not written and not problems:
        problems.append(("subject_ru", Msg("write the message in at least one language")))
    if problems:
        raise MissionError(problems, "The message cannot be sent.")
    clean = Audience(audience.group, audience.side if audience.group == "side" else None,
                     audience.sector.strip() if audience.group == "sector" and audience.sector else None)
    return MessageDraft(clean, {lang: subjects[lang] for lang in written}, {lang: bodies[lang] for lang in written})


def nearest_written(lang: str, written: dict[str, str]) -> str:
    """The language of the text a reader of `lang` gets."""
    return next(code for code in (*NEAREST.get(lang, NEAREST["ru"]), *written) if code in written)


def group_letter(site_url: str, mission, message: MissionMessage, lang: str) -> Letter:
    """The organisers' text as they wrote it (paragraphs kept), under the mission's name, with a link to the
    reader's space in their language."""
    text_lang = nearest_written(lang, message.bodies)
    paragraphs = [Msg("The organisers of «%(mission)s» write:", mission=mission_text(mission, "name", lang) or "")]
    paragraphs += [as_written(part) for part in message.bodies[text_lang].replace("\r\n", "\n").split("\n\n")
                   if part.strip()]
    return Letter("mission-message", as_written(message.subjects[text_lang]), paragraphs,
                  action=("Open your space", f"{site_url}/space/{mission.id}?lang={lang}"))


class MissionMessages:
    def audience_of(self, mission_id: int, audience: Audience, actor: Actor = SYSTEM) -> list[Person]:
        """The participants the group holds now, as far as the actor may write to (their side, if bound to one)."""
        people = self.people(mission_id)
        side = self.bound_side(actor, mission_id)
        chosen = [p for p in people.values() if side is None or p.participant.side == side]
        if audience.group == "side":
            chosen = [p for p in chosen if p.participant.side == audience.side]
        elif audience.group == "sector":
            chosen = [p for p in chosen if audience.sector in (p.company.sectors or [])]
        elif audience.group == "no_requests":
            with self.db.session() as session:
                asked = session.execute(select(MissionRequest.requester_id, MissionRequest.target_id).where(
                    MissionRequest.mission_id == mission_id, MissionRequest.status.in_(LIVE_REQUEST))).all()
            involved = {pid for pair in asked for pid in pair}
            chosen = [p for p in chosen if p.id not in involved]
        elif audience.group == "no_followup":
            answers = self.side_answers(mission_id)
            with_meetings = {pid for a in answers for pid in (a.a, a.b)}
            answered = {pid for a in answers for pid in a.answers}
            chosen = [p for p in chosen if p.id in with_meetings - answered]
        return chosen

    def sectors_of(self, mission_id: int, actor: Actor = SYSTEM) -> list[str]:
        """The sectors the mission's companies name (of the actor's side, if bound to one): what the "one sector"
        group offers."""
        side = self.bound_side(actor, mission_id)
        return sorted({s for p in self.people(mission_id).values() for s in p.company.sectors or []
                       if side is None or p.participant.side == side})

    def preview_message(self, mission_id: int, draft: MessageDraft, actor: Actor = SYSTEM
                        ) -> tuple[MessageDraft, list[Person]]:
        """The draft as it would be sent and who would receive it, refused as sending it would be (the page's look
        before sending and the API's dry run ask this, so neither answers what sending refuses)."""
        self.check(actor, "mission.message", mission_id)
        clean = checked_draft(draft)
        side = self.bound_side(actor, mission_id)
        if side is not None and clean.audience.group == "side" and clean.audience.side != side:
            raise Refused([("side", Msg("you write to your own side's participants only"))], "Not allowed.")
        return clean, self.audience_of(mission_id, clean.audience, actor)

    @unit_of_work
    def send_message(self, mission_id: int, draft: MessageDraft, actor: Actor = SYSTEM) -> MissionMessage:
        """Keep the message on the mission and queue a copy for every active representative of every company in
        the group, in the same transaction: a message is either kept with all its copies or not at all."""
        session = session_of(self)
        mission = mission_row(session, mission_id)
        clean, people = self.preview_message(mission_id, draft, actor)
        side = self.bound_side(actor, mission_id)  # kept with the message: whose side's organiser wrote it
        companies = sorted({p.company.id for p in people})
        readers = list(session.scalars(select(User).where(
            User.company_id.in_(companies), reads_company_mail()).order_by(User.id))) \
            if companies else []
        if not readers:
            raise MissionError([("group", Msg("no one in this group has an account to write to"))],
                               "The message cannot be sent.")
        now = self.clock()
        message = MissionMessage(mission_id=mission_id, audience=clean.audience.as_record(), subjects=clean.subjects,
                                 bodies=clean.bodies, author_id=actor.user_id, side=side, created_at=now)
        session.add(message)
        session.flush()
        for user in readers:
            lang = user.language if user.language in LANGUAGES else "ru"
            queue(session, user.email, lang, group_letter(self.site_url, mission, message, lang), now, user=user,
                  mission_id=mission_id, message_id=message.id)
        return message

    def messages(self, mission_id: int, actor: Actor = SYSTEM, lang: str = "ru") -> list[MessageView]:
        """The mission's messages, newest first, each with every copy's delivery (companies named in `lang`, the
        reader's); a side-bound organiser sees those written to their side (by themselves or by anyone to that
        side alone)."""
        side = self.bound_side(actor, mission_id)
        with self.db.session() as session:
            mission_row(session, mission_id)
            kept = list(session.scalars(select(MissionMessage).where(MissionMessage.mission_id == mission_id)
                                        .order_by(MissionMessage.id.desc())))
            if side is not None:
                kept = [m for m in kept if m.side == side or (m.audience or {}).get("side") == side]
            authors = {u.id: u.email for u in session.scalars(select(User).where(
                User.id.in_({m.author_id for m in kept if m.author_id})))} if kept else {}
            copies = session.execute(select(OutboxMessage, User.company_id).outerjoin(
                User, User.id == OutboxMessage.user_id).where(OutboxMessage.message_id.in_([m.id for m in kept]))
                .order_by(OutboxMessage.id)).all() if kept else []
            names = {c.id: c for c in session.scalars(select(Company).where(
                Company.id.in_({company for _, company in copies if company})))} if copies else {}
        by_message: dict[int, list[Delivery]] = {}
        for copy, company_id in copies:
            company = names.get(company_id)
            by_message.setdefault(copy.message_id, []).append(Delivery(
                copy.recipient, company_name(company, lang) if company else "—", copy.language,
                copy.status, as_utc(copy.sent_at) if copy.sent_at else None, copy.last_error))
        return [MessageView(m, authors.get(m.author_id), by_message.get(m.id, [])) for m in kept]
