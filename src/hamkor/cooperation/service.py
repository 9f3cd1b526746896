"""The cooperation registry at the database's edge: records with their audit history, timelines,
the dashboard, reminders and the events calendar."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.cooperation.records import KINDS, Kind, RecordError, RecordInUse, RecordMissing, clean, to_plain
from hamkor.i18n import Msg
from hamkor.store.db import Database, unit_of_work
from hamkor.store.models import (
    AuditEntry,
    CoopAgreement,
    CoopCommitment,
    CoopEvent,
    CoopPosition,
    Mission,
)

OPEN = ("open", "in_progress")
DOCUMENT_LIMIT = 50 * (1 << 20)


def today_in(timezone: str, now: datetime | None = None) -> date:
    """The calendar date it is now where the people work: a date is due through its whole local day."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def is_overdue(commitment: CoopCommitment, today: date) -> bool:
    return commitment.status in OPEN and commitment.due_date is not None and commitment.due_date < today


@dataclass
class TimelineItem:
    day: date
    kind: str  # event | agreement | commitment | expiry
    record_kind: str  # the records' kind, for links
    record_id: int
    title: str
    status: str | None
    overdue: bool
    future: bool
    synthetic: bool = False


@dataclass
class Reminders:
    today: date
    overdue: list[CoopCommitment]
    due_soon: list[CoopCommitment]
    upcoming_events: list[CoopEvent]
    expiring: list[CoopAgreement]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.upcoming_events or self.expiring)


class Cooperation:
    def __init__(self, db: Database, documents_dir: Path | None = None) -> None:
        self.db = db
        self.documents_dir = documents_dir

    # ---- records ----------------------------------------------------------------------------
    @staticmethod
    def kind(name: str) -> Kind:
        if name not in KINDS:
            raise RecordError([("kind", Msg("no such kind '%(name)s': %(kinds)s", name=name, kinds=tuple(KINDS)))])
        return KINDS[name]

    def _exists(self, session):
        def exists(kind: str, record_id: int) -> bool:
            model = Mission if kind == "missions" else KINDS[kind].model
            return 0 < record_id < 2**31 and session.get(model, record_id) is not None

        return exists

    def create(self, kind_name: str, raw: dict, actor: Actor = SYSTEM, synthetic: bool | None = None):
        kind = self.kind(kind_name)
        with self.db.session() as session:
            values, problems = clean(kind, raw, self._exists(session))
            if problems:
                raise RecordError(problems)
            record = kind.model(**values, created_at=datetime.now(UTC), updated_at=datetime.now(UTC))
            if synthetic is not None and hasattr(record, "synthetic"):
                record.synthetic = synthetic
            session.add(record)
            session.flush()
            self._audit(session, kind, record.id, "create", actor,
                        {k: [None, to_plain(v)] for k, v in values.items() if v not in (None, [], "")})
            return record

    def update(self, kind_name: str, record_id: int, raw: dict, actor: Actor = SYSTEM):
        """Only the fields given change; the rest stay as they are."""
        kind = self.kind(kind_name)
        with self.db.session() as session:
            record = session.get(kind.model, record_id)
            if record is None:
                raise RecordMissing([("id", Msg("no %(entity)s %(record_id)s",
                                                entity=kind.entity, record_id=record_id))], "No such record.")
            before = {f.name: getattr(record, f.name) for f in kind.fields}
            merged = {**before, **{k: v for k, v in raw.items() if kind.field(k)}}
            values, problems = clean(kind, merged, self._exists(session))
            if problems:
                raise RecordError(problems)
            changes = {k: [to_plain(before[k]), to_plain(v)] for k, v in values.items() if before[k] != v}
            for name, value in values.items():
                setattr(record, name, value)
            if changes:
                record.updated_at = datetime.now(UTC)
                self._audit(session, kind, record.id, "update", actor, changes)
            session.flush()
            return record

    def delete(self, kind_name: str, record_id: int, actor: Actor = SYSTEM) -> None:
        """Refused while other records point at it: say which, so a person can unlink them first."""
        kind = self.kind(kind_name)
        with self.db.session() as session:
            record = session.get(kind.model, record_id)
            if record is None:
                raise RecordMissing([("id", Msg("no %(entity)s %(record_id)s",
                                                entity=kind.entity, record_id=record_id))], "No such record.")
            users = self._referrers(session, kind_name, record_id)
            if users:
                raise RecordInUse([("id", Msg("%(entity)s %(record_id)s is referred to by %(users)s%(value)s",
                                              entity=kind.entity, record_id=record_id, users=', '.join(users[:5]),
                                              value='…' if len(users) > 5 else ''))])
            before = {f.name: to_plain(getattr(record, f.name)) for f in kind.fields}
            session.delete(record)
            self._audit(session, kind, record_id, "delete", actor,
                        {k: [v, None] for k, v in before.items() if v not in (None, [], "")})

    def _referrers(self, session, kind_name: str, record_id: int) -> list[str]:
        found = []
        for other in KINDS.values():
            for f in other.fields:
                if f.ref != kind_name:
                    continue
                column = getattr(other.model, f.name)
                if f.type == "ref":
                    rows = session.scalars(select(other.model.id).where(column == record_id)).all()
                else:  # JSON lists: read them (a few hundred records at most)
                    rows = [r.id for r in session.scalars(select(other.model)) if record_id in (getattr(r, f.name)
                                                                                                or [])]
                found += [f"{other.entity} {rid}" for rid in rows]
        return found

    @staticmethod
    def _audit(session, kind: Kind, record_id: int, action: str, actor: Actor, changes: dict) -> None:
        session.add(AuditEntry(entity=kind.entity, record_id=record_id, action=action, user_id=actor.user_id,
                               user_email=actor.email, at=datetime.now(UTC), changes=changes))

    def record(self, kind_name: str, record_id: int):
        """The record, or RecordMissing."""
        record = self.get(kind_name, record_id)
        if record is None:
            raise RecordMissing([("id", Msg("no %(entity)s %(record_id)s",
                                            entity=self.kind(kind_name).entity, record_id=record_id))],
                                            "No such record.")
        return record

    def get(self, kind_name: str, record_id: int):
        kind = self.kind(kind_name)
        with self.db.session() as session:
            record = session.get(kind.model, record_id)
            return record

    def list(self, kind_name: str, partner: str | None = None, status: str | None = None,
             text: str | None = None) -> list:
        kind = self.kind(kind_name)
        model = kind.model
        order = {"events": model.start_date.desc() if kind_name == "events" else None,
                 "commitments": None, "agreements": None}.get(kind_name)
        with self.db.session() as session:
            query = select(model)
            if status and hasattr(model, "status"):
                query = query.where(model.status == status)
            rows = list(session.scalars(query.order_by(order if order is not None else model.id)))
        if kind_name == "commitments":
            rows.sort(key=lambda r: (r.due_date is None, r.due_date or date.max, r.id))
        if partner:
            code = partner.upper()
            rows = [r for r in rows if code in self.partners_of(kind_name, r)]
        if text:
            needle = text.lower()
            rows = [r for r in rows if any(needle in str(getattr(r, f.name) or "").lower() for f in kind.fields
                                           if f.type in ("text", "longtext"))]
        return rows

    def partners_of(self, kind_name: str, record) -> set[str]:
        if kind_name == "organisations":
            return {record.territory} if record.territory else set()
        return set(getattr(record, "partners", None) or [])

    def history(self, kind_name: str, record_id: int) -> list[AuditEntry]:
        kind = self.kind(kind_name)
        with self.db.session() as session:
            rows = list(session.scalars(select(AuditEntry).where(AuditEntry.entity == kind.entity,
                                                                 AuditEntry.record_id == record_id)
                                        .order_by(AuditEntry.at, AuditEntry.id)))
            return rows

    def recent_changes(self, limit: int = 10) -> list[AuditEntry]:
        with self.db.session() as session:
            rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                        .limit(limit)))
            return rows

    def title(self, kind_name: str, record, lang: str = "ru") -> str:
        return self.kind(kind_name).title(record, lang)

    def names(self, kind_name: str, lang: str = "ru") -> dict[int, str]:
        """Record id -> how it is named: for selects and for showing references."""
        if kind_name == "missions":
            with self.db.session() as session:
                return {m.id: m.name for m in session.scalars(select(Mission))}
        return {r.id: self.title(kind_name, r, lang) for r in self.list(kind_name)}

    def revision(self) -> tuple:
        """Changes with every write: a key for cached answers."""
        with self.db.session() as session:
            return tuple(session.execute(select(func.count(AuditEntry.id), func.max(AuditEntry.id))).one())

    # ---- documents --------------------------------------------------------------------------
    def attach_document(self, agreement_id: int, filename: str, data: bytes, actor: Actor = SYSTEM) -> CoopAgreement:
        if self.documents_dir is None:
            raise RecordError([("document", "no documents folder is configured")])
        if not data:
            raise RecordError([("document", "the file is empty")])
        if len(data) > DOCUMENT_LIMIT:
            raise RecordError([("document", Msg("the file is larger than %(number)s MiB",
                                                number=DOCUMENT_LIMIT >> 20))])
        agreement = self.get("agreements", agreement_id)
        if agreement is None:
            raise RecordMissing([("id", Msg("no agreement %(agreement_id)s",
                                            agreement_id=agreement_id))], "No such record.")
        digest = hashlib.sha256(data).hexdigest()
        safe = re.sub(r"[^\w.\-]+", "_", Path(filename or "document").name)[-120:] or "document"
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        stored = f"{digest[:16]}-{safe}"
        (self.documents_dir / stored).write_bytes(data)
        with self.db.session() as session:
            record = session.get(CoopAgreement, agreement_id)
            changes = {"document_name": [record.document_name, safe]}
            record.document_name, record.document_file, record.document_sha256 = safe, stored, digest
            record.updated_at = datetime.now(UTC)
            self._audit(session, KINDS["agreements"], agreement_id, "update", actor, changes)
            session.flush()
            return record

    def document_path(self, agreement: CoopAgreement) -> Path | None:
        if not (agreement.document_file and self.documents_dir):
            return None
        path = self.documents_dir / agreement.document_file
        return path if path.is_file() else None

    # ---- views ------------------------------------------------------------------------------
    @unit_of_work  # several lists read as one snapshot
    def timeline(self, partner: str, today: date, lang: str = "ru") -> list[TimelineItem]:
        """Everything dated about one partner territory, newest first: events, agreements signed and
        expiring, commitments due."""
        code = partner.upper()
        items = []
        for event in self.list("events", code):
            items.append(TimelineItem(event.start_date, "event", "events", event.id, event.title, event.kind, False,
                                      event.start_date > today, event.synthetic))
        for agreement in self.list("agreements", code):
            if agreement.signed_on:
                items.append(TimelineItem(agreement.signed_on, "agreement", "agreements", agreement.id,
                                          agreement.title, agreement.status, False, agreement.signed_on > today))
            if agreement.valid_until:
                items.append(TimelineItem(agreement.valid_until, "expiry", "agreements", agreement.id,
                                          agreement.title, agreement.status, False, agreement.valid_until > today))
        for commitment in self.list("commitments", code):
            if commitment.due_date:
                items.append(TimelineItem(commitment.due_date, "commitment", "commitments", commitment.id,
                                          commitment.title, commitment.status, is_overdue(commitment, today),
                                          commitment.due_date >= today))
        return sorted(items, key=lambda i: (i.day, i.record_id), reverse=True)

    @unit_of_work
    def reminders(self, today: date, days: int = 14, agreement_days: int = 90) -> Reminders:
        """What is due: overdue and soon-due commitments, events coming up, agreements running out."""
        horizon = today + timedelta(days=days)
        commitments = [c for c in self.list("commitments") if c.status in OPEN and c.due_date]
        overdue = [c for c in commitments if c.due_date < today]
        soon = [c for c in commitments if today <= c.due_date <= horizon]
        events = sorted((e for e in self.list("events") if today <= e.start_date <= horizon),
                        key=lambda e: e.start_date)
        expiring = sorted((a for a in self.list("agreements") if a.valid_until and a.status in ("signed", "in_force")
                           and today <= a.valid_until <= today + timedelta(days=agreement_days)),
                          key=lambda a: a.valid_until)
        return Reminders(today, overdue, soon, events, expiring)

    def open_commitments(self) -> list[CoopCommitment]:
        return [c for c in self.list("commitments") if c.status in OPEN]

    def positions_of(self, person_id: int) -> list[CoopPosition]:
        with self.db.session() as session:
            rows = list(session.scalars(select(CoopPosition).where(CoopPosition.person_id == person_id)
                                        .order_by(CoopPosition.start_date.desc().nulls_last()
                                                  if hasattr(CoopPosition.start_date, "desc") else CoopPosition.id)))
            return rows

    def current_position(self, person_id: int, today: date) -> CoopPosition | None:
        for position in self.positions_of(person_id):
            started = position.start_date is None or position.start_date <= today
            if started and (position.end_date is None or position.end_date >= today):
                return position
        return None
