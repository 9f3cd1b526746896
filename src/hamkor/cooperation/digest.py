"""What the registry says about one partner, as a brief needs it: the last meetings, the commitments
still open, the agreements in force and those running out. Plain data, read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hamkor.cooperation.records import in_language
from hamkor.cooperation.service import OPEN, Cooperation, is_overdue

EXPIRING_WITHIN = timedelta(days=180)  # an agreement running out within half a year is worth a line


@dataclass(frozen=True)
class MeetingLine:
    day: date
    title: str
    summary: str | None
    synthetic: bool
    sources: tuple[str, ...] = ()  # where the record says its facts come from ("title url")
    untranslated: bool = False  # the title or summary is not in the reader's language: the brief says so


@dataclass(frozen=True)
class CommitmentLine:
    title: str
    due: date | None
    overdue: bool
    who: str | None
    sources: tuple[str, ...] = ()  # of the event or agreement it came from
    untranslated: bool = False


@dataclass(frozen=True)
class AgreementLine:
    title: str
    signed: date | None
    valid_until: date | None
    expiring: bool
    sources: tuple[str, ...] = ()  # of the event it was signed at
    untranslated: bool = False


@dataclass(frozen=True)
class CooperationDigest:
    partner: str
    today: date
    meetings: list[MeetingLine] = field(default_factory=list)
    commitments: list[CommitmentLine] = field(default_factory=list)
    agreements: list[AgreementLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.meetings or self.commitments or self.agreements)


def digest(coop: Cooperation, partner: str, today: date, lang: str = "ru", meetings: int = 3) -> CooperationDigest:
    """The partner territory's (or its regions') records: past meetings newest first, open commitments by
    due date (those without one last), agreements signed and not expired."""
    with coop.db.session():  # one unit of work: the lists below read one state of the registry
        return _digest(coop, partner.upper(), today, lang, meetings)


def _digest(coop: Cooperation, code: str, today: date, lang: str, meetings: int) -> CooperationDigest:
    names = {kind: coop.names(kind, lang) for kind in ("organisations", "people")}
    past = sorted((e for e in coop.list("events", code) if e.start_date <= today),
                  key=lambda e: e.start_date, reverse=True)[:meetings]
    commitments = sorted((c for c in coop.list("commitments", code) if c.status in OPEN),
                         key=lambda c: (c.due_date is None, c.due_date or today, c.id))
    agreements = [a for a in coop.list("agreements", code)
                  if a.status in ("signed", "in_force") and (a.valid_until is None or a.valid_until >= today)]

    events = {e.id: e for e in coop.list("events", code)}
    agreement_events = {a.id: a.event_id for a in coop.list("agreements", code)}

    def cited(event_id) -> tuple[str, ...]:
        event = events.get(event_id) if event_id else None
        return tuple(" ".join(filter(None, (s.get("title"), s.get("url")))) for s in (event.sources or [])
                     ) if event is not None else ()

    def who(commitment) -> str | None:
        parts = [names["organisations"].get(commitment.organisation_id), names["people"].get(commitment.person_id)]
        return ", ".join(p for p in parts if p) or None

    return CooperationDigest(
        code, today,
        [MeetingLine(*_meeting_texts(e, lang), e.synthetic, cited(e.id), not _all_in(e, lang, "title", "summary"))
         for e in past],
        [CommitmentLine(in_language(c, "title", lang)[0], c.due_date, is_overdue(c, today), who(c),
                        cited(c.event_id or agreement_events.get(c.agreement_id)), not _all_in(c, lang, "title"))
         for c in commitments],
        [AgreementLine(in_language(a, "title", lang)[0], a.signed_on, a.valid_until,
                       a.valid_until is not None and a.valid_until - today <= EXPIRING_WITHIN, cited(a.event_id),
                       not _all_in(a, lang, "title"))
         for a in agreements])


def _meeting_texts(event, lang: str) -> tuple[date, str, str | None]:
    return event.start_date, in_language(event, "title", lang)[0], in_language(event, "summary", lang)[0] or None


def _all_in(record, lang: str, *names: str) -> bool:
    return all(in_language(record, name, lang)[1] for name in names)
