"""Tables of the operational database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic's batch mode on SQLite needs names to alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ImportBatch(Base):
    """One file taken into the trade warehouse (or refused)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(32), index=True)
    source_label: Mapped[str] = mapped_column(String(64))  # the `source` column of its facts
    file_name: Mapped[str] = mapped_column(String(512))
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_loaded: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    period_first: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM or YYYY
    period_last: Mapped[str | None] = mapped_column(String(7))
    periods: Mapped[list | None] = mapped_column(JSON)
    reporters: Mapped[list | None] = mapped_column(JSON)
    # loading -> loaded | failed | rejected | duplicate; loaded -> replaced | undone
    status: Mapped[str] = mapped_column(String(16), index=True)
    replaced_by: Mapped[int | None] = mapped_column(Integer)
    error_summary: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # admin | analyst | organizer | company | viewer
    language: Mapped[str] = mapped_column(String(8), default="ru")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A company representative speaks for this company (and may edit it and see its contacts).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"))
    # The calendar feed opens with its own secret (read-only, that feed alone); only its SHA-256 is kept.
    feed_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_digest: Mapped[bool] = mapped_column(default=False, server_default=false())  # one mail a day, not each
    # The organisation the person acts for (a ministry, a fund, a consulate…): a member of one sees the missions
    # it co-organises only, with the rights of its role there (`accounts/access.py`). None: the global role alone.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))


class Organisation(Base):
    """Who people act for: a ministry, a fund, a regional administration, a consulate, a chamber of commerce or a
    company (which keeps its registry record, `company_id`). Its territory is its side (RU-ALT, UZ-SI, UZ…)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # accounts.access.ORGANISATION_KINDS
    territory: Mapped[str] = mapped_column(String(10), index=True)  # ISO 3166-1 / 3166-2
    name_ru: Mapped[str | None] = mapped_column(String(300))
    name_uz: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MissionOrganiser(Base):
    """An organisation co-organising a mission, with its role there (owner, main, supporting) and its side."""

    __tablename__ = "mission_organiser"
    __table_args__ = (UniqueConstraint("mission_id", "organisation_id", name="uq_mission_organiser_organisation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # owner | main | supporting
    side: Mapped[str] = mapped_column(String(16))  # host | visiting
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MissionMessage(Base):
    """What organisers wrote to a group of a mission's participants, kept on the mission: the group as chosen, the
    text in each language written, and who sent it. Each recipient's copy is an outbox row (`message_id`)."""

    __tablename__ = "mission_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    audience: Mapped[dict] = mapped_column(JSON)  # {"group": all|side|sector|no_requests|no_followup, "side", "sector"}
    subjects: Mapped[dict] = mapped_column(JSON)  # language -> subject, for the languages written
    bodies: Mapped[dict] = mapped_column(JSON)  # language -> text
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    side: Mapped[str | None] = mapped_column(String(16))  # the side its author was limited to, if any
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is the key here, so
    ending a session (sign-out, a new password, a deactivated account) takes effect at once."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the absolute limit


class ApiToken(Base):
    """A bearer token for /api/v1; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scope: Mapped[str] = mapped_column(String(8), default="write", server_default="write")  # read | write
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """Long work run off the request thread (an import, a PDF); a page polls its state."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_queue_status", "queue", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | failed
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # what to run, as data any worker process can read (`work/tasks.py` says what each kind takes)
    params: Mapped[dict | None] = mapped_column(JSON)
    queue: Mapped[str] = mapped_column(String(16), default="other", server_default="other")
    worker: Mapped[str | None] = mapped_column(String(80))  # who claimed it: host, process, thread
    # a running job's worker writes this every few seconds; one silent for long is taken back (`JobQueue.reap`)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Company(Base):
    """A company in the registry; what it offers and needs are HS / TN VED codes at any level."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_ru: Mapped[str | None] = mapped_column(String(300))
    name_uz: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    tax_id: Mapped[str | None] = mapped_column(String(12), index=True)  # INN (RU) or STIR (UZ), digits only
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(10), index=True)  # ISO 3166-2
    city: Mapped[str | None] = mapped_column(String(120))
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[str | None] = mapped_column(String(16))  # micro | small | medium | large
    website: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[list] = mapped_column(JSON, default=list)  # ru, uz, en, ...
    export_experience: Mapped[str | None] = mapped_column(Text)
    offers: Mapped[list] = mapped_column(JSON, default=list)  # HS / TN VED codes
    offers_text: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    needs_text: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(default=False)  # generated demo data
    # A company a stranger's public registration created stays out of the registry everybody reads
    # until an organizer approves that registration.
    listed: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Made by a registration whose address is not confirmed yet, or whose registration was refused with nothing
    # else standing on it: it holds its tax ID against nobody (a stranger registering a real company's tax ID
    # first blocked the company). Confirming the address ends it (`registration._settle_company`).
    provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CompanyContact(Base):
    """A person at a company: private (organizers, admins and the company's own representatives)."""

    __tablename__ = "company_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(320))


class MeetingRequest(Base):
    """A suggested pair an organizer accepted: the missions' B2B schedule starts from these."""

    __tablename__ = "meeting_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_a: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    company_b: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested | scheduled | declined
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Mission(Base):
    """A business mission: its time grid, tables, interpreters and the last schedule's certificate."""

    __tablename__ = "mission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    host_territory: Mapped[str] = mapped_column(String(10))  # ISO 3166-1 / 3166-2, e.g. RU-ALT
    visiting_territory: Mapped[str] = mapped_column(String(10))
    venue: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name: calendars need it
    latitude: Mapped[float | None] = mapped_column(Float)  # the venue: site visits start and end there
    longitude: Mapped[float | None] = mapped_column(Float)
    # [{"date": "2026-12-15", "start": "10:00", "end": "17:00", "breaks": [["13:00", "14:00"]]}, ...]
    days: Mapped[list] = mapped_column(JSON, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    tables: Mapped[int] = mapped_column(Integer, default=10)
    interpreters: Mapped[list] = mapped_column(JSON, default=list)  # [{"languages": ["ru", "uz"], "count": 3}]
    request_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certificate: Mapped[dict | None] = mapped_column(JSON)  # the published schedule's value, bound, reasons
    # A schedule made and not yet published: its meetings, certificate and what it was made from (the organizer
    # looks at it, then publishes it, which mails everyone, or discards it). None when there is none.
    draft: Mapped[dict | None] = mapped_column(JSON)
    registration_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    same_side_meetings: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What participants read in their own language: {"name": {"uz": …, "en": …}, "venue": {…}, "programme": {…}};
    # the columns `name`, `venue`, `programme` hold the organizer's own wording, the fallback.
    names: Mapped[dict | None] = mapped_column(JSON)
    programme: Mapped[str | None] = mapped_column(Text)
    sectors: Mapped[list | None] = mapped_column(JSON)  # sector keys the mission looks for
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # counted up in the transaction of any change to the mission, its participants, requests, meetings or visits
    # (`missions/revision.py`): what a reader's cached copy of them is checked against
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MissionParticipant(Base):
    """A registry company taking part in a mission, with its attendees and when they are free."""

    __tablename__ = "mission_participant"
    __table_args__ = (UniqueConstraint("mission_id", "company_id", name="uq_mission_participant_company"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(16))  # host | visiting
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    available: Mapped[list | None] = mapped_column(JSON)  # slot ids; None = the whole grid
    joins_visits: Mapped[bool] = mapped_column(default=False)  # on the enterprise visits, away from the tables
    absent: Mapped[bool] = mapped_column(default=False)  # a no-show: re-planning drops their later meetings
    # What the participant's agenda and badge carry (text and QR) and an organiser reads or types at the venue.
    checkin_code: Mapped[str | None] = mapped_column(String(16))
    online: Mapped[bool] = mapped_column(default=False, server_default=false())  # takes part by video, not on site
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # checked in at the venue


class MissionRequest(Base):
    """One participant asks to meet another; pending requests expire at the mission's deadline."""

    __tablename__ = "mission_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("mission_participant.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("mission_participant.id", ondelete="CASCADE"), index=True)
    priority: Mapped[str] = mapped_column(String(8), default="should")  # must | should | could
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | accepted | declined | expired | cancelled
    origin: Mapped[str] = mapped_column(String(12), default="participant")  # participant | organizer | matching
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MissionMeeting(Base):
    """A scheduled B2B meeting and, after the mission, what came of it."""

    __tablename__ = "mission_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mission_request.id", ondelete="CASCADE"), unique=True)
    slot: Mapped[str] = mapped_column(String(20))  # slot id of the grid, e.g. 2026-12-15T10:00
    table_no: Mapped[int] = mapped_column(Integer)  # 0: a call (a side online), no table
    interpreter: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")  # scheduled | cancelled | held | no_show
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5
    stage: Mapped[str | None] = mapped_column(String(12))  # contact | negotiation | contract | shipment
    hs_code: Mapped[str | None] = mapped_column(String(10))
    value_usd: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MissionRegistration(Base):
    """A company's own registration for a mission: unconfirmed (its e-mail not yet confirmed), pending (the
    organizer decides), approved (it takes part) or refused (with the reason it was told)."""

    __tablename__ = "mission_registration"
    # several registrants may name one company (each their own registration, the organizers decide); one is approved
    __table_args__ = (Index("uq_mission_registration_approved", "mission_id", "company_id", unique=True,
                            sqlite_where=text("status = 'approved'"), postgresql_where=text("status = 'approved'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(16))
    attendees: Mapped[list | None] = mapped_column(JSON)
    languages: Mapped[list | None] = mapped_column(JSON)
    available: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # unconfirmed | pending | approved | refused
    online: Mapped[bool] = mapped_column(default=False, server_default=false())  # takes part by video calls
    # The registrant named a company the registry knew already: knowing its tax ID proves nothing, so the
    # account speaks for it only once an organizer approves (or the address is one of its known contacts).
    claim: Mapped[bool] = mapped_column(default=False, server_default=false())
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))


class MissionInvitation(Base):
    """A registry company invited to register for a mission: when, how many reminders since, and when its
    invitation's link was first opened (the token in the link says whose it was; it grants nothing)."""

    __tablename__ = "mission_invitation"
    __table_args__ = (UniqueConstraint("mission_id", "company_id", name="uq_mission_invitation_company"),
                      UniqueConstraint("token", name="uq_mission_invitation_token"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MeetingFeedback(Base):
    """One side's own account of a meeting (the organizer's record is on the meeting): both sides answer,
    and where they disagree the organizer sees it."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id", name="uq_meeting_feedback_side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("mission_meeting.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("mission_participant.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # held | no_show
    rating: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(12))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    value_usd: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(8))  # space | link (the follow-up mail's form)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpaceSeen(Base):
    """When a person last looked at their space of a mission: what changed since is highlighted."""

    __tablename__ = "space_seen"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A mail to send, written in the same transaction as the change that causes it; the worker sends it,
    retrying with backoff, so a mail server that is down delays a message and never loses it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(400))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list | None] = mapped_column(JSON)  # [{"name", "mime", "path"}] under the data directory
    # pending | held (digest) | sending (claimed by a worker until `claimed_until`) | sent | failed
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the organisers' message to a group this copy is of (its page shows each copy's delivery)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("mission_message.id", ondelete="SET NULL"), index=True)


class WorkerSeen(Base):
    """A worker process's last sign of life: `/healthz` of a web process that runs none asks whether one runs."""

    __tablename__ = "worker_seen"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThrottleEvent(Base):
    """One counted attempt (a failed sign-in, a public form sent) by a key (an address, an account): every web
    process counts the same rows, so a limit holds however many processes serve."""

    __tablename__ = "throttle_event"
    __table_args__ = (Index("ix_throttle_event_key", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MissionNotice(Base):
    """A timed notice (deadline near, agenda tomorrow, a follow-up) given to one address: unique, so two workers
    deciding at once that it is due write it once, and the one that loses sends nothing."""

    __tablename__ = "mission_notice"
    __table_args__ = (UniqueConstraint("mission_id", "kind", "recipient", name="uq_mission_notice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignedLink(Base):
    """A link sent by mail (invitation, password reset, e-mail confirmation, follow-up): random, kept as its
    SHA-256 only, for one purpose, used once, and dead after its expiry."""

    __tablename__ = "signed_link"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    payload: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MissionVisit(Base):
    """An enterprise the delegation may visit, and where the itinerary put it."""

    __tablename__ = "mission_visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    names: Mapped[dict | None] = mapped_column(JSON)  # the name in other languages: {"uz": …, "en": …}
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    opens: Mapped[str] = mapped_column(String(5), default="09:00")
    closes: Mapped[str] = mapped_column(String(5), default="18:00")
    visit_minutes: Mapped[int] = mapped_column(Integer, default=60)
    group_size: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 must .. 3 if time allows
    required: Mapped[bool] = mapped_column(default=False)
    planned_date: Mapped[str | None] = mapped_column(String(10))  # set by the itinerary; None = dropped or unplanned
    arrive: Mapped[int | None] = mapped_column(Integer)  # minutes after midnight
    leave: Mapped[int | None] = mapped_column(Integer)


class CoopOrganisation(Base):
    """A government, consulate, SME support fund, council… that cooperation is made with or by."""

    __tablename__ = "coop_organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_ru: Mapped[str | None] = mapped_column(String(300))
    name_uz: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(24))
    territory: Mapped[str | None] = mapped_column(String(10), index=True)  # ISO 3166-1 / 3166-2
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoopPerson(Base):
    __tablename__ = "coop_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoopPosition(Base):
    """Who held which post where, and when (positions change; the history stays)."""

    __tablename__ = "coop_position"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("coop_person.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("coop_organisation.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # None: holds it now
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoopEvent(Base):
    """A meeting, visit, forum or business mission, with who took part and where it is reported."""

    __tablename__ = "coop_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # meeting | visit | forum | mission | call | other
    title: Mapped[str] = mapped_column(String(400))  # as first written (usually Russian); below, other languages
    title_uz: Mapped[str | None] = mapped_column(String(400))
    title_en: Mapped[str | None] = mapped_column(String(400))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    summary_uz: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    partners: Mapped[list] = mapped_column(JSON, default=list)  # territories concerned
    organisations: Mapped[list] = mapped_column(JSON, default=list)  # coop_organisation ids
    people: Mapped[list] = mapped_column(JSON, default=list)  # coop_person ids
    sources: Mapped[list] = mapped_column(JSON, default=list)  # [{"title": …, "url": …}]
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id", ondelete="SET NULL"))
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoopAgreement(Base):
    __tablename__ = "coop_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # agreement | memorandum | roadmap | protocol | contract
    title: Mapped[str] = mapped_column(String(400))
    title_uz: Mapped[str | None] = mapped_column(String(400))
    title_en: Mapped[str | None] = mapped_column(String(400))
    parties: Mapped[list] = mapped_column(JSON, default=list)  # coop_organisation ids
    partners: Mapped[list] = mapped_column(JSON, default=list)
    signed_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16))  # draft | signed | in_force | expired | terminated
    event_id: Mapped[int | None] = mapped_column(ForeignKey("coop_event.id", ondelete="SET NULL"))
    document_name: Mapped[str | None] = mapped_column(String(300))
    document_file: Mapped[str | None] = mapped_column(String(300))  # under the data directory's documents/
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoopCommitment(Base):
    """A promise with a date on it: what, who, by when, and where it came from."""

    __tablename__ = "coop_commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    title_uz: Mapped[str | None] = mapped_column(String(400))
    title_en: Mapped[str | None] = mapped_column(String(400))
    details: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("coop_organisation.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("coop_person.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | in_progress | done | cancelled
    done_on: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("coop_event.id", ondelete="SET NULL"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("coop_agreement.id", ondelete="SET NULL"))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id", ondelete="SET NULL"))
    partners: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who changed what, when: one row per create, update or delete of a cooperation record."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32), index=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(8))  # create | update | delete
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    user_email: Mapped[str | None] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
