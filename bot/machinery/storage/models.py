"""Tables. Free text and client references are stored only as ciphertext (``*_sealed``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    """The one organisation this deployment serves (a single row)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    jurisdiction: Mapped[str | None] = mapped_column(String(8))  # US | UK (older files; see region)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    sites: Mapped[list[str] | None] = mapped_column(JSON)  # where in-person sessions happen
    # Where it works (US, UK-England, ..., UK): scripts cite only rules that apply there.
    region: Mapped[str | None] = mapped_column(String(32))
    # Safety and support contacts by role (security, safeguarding_lead, crisis_line, ...).
    contacts: Mapped[dict | None] = mapped_column(JSON)
    # Show only scripts a clinical lead has signed off.
    reviewed_scripts_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Retention periods and the pattern-alert window from the organisation file (None: the
    # defaults; see bot.org.governance).
    governance: Mapped[dict | None] = mapped_column(JSON)
    # How peer-support requests fan out (org file ``peer_support``; None: the defaults).
    peer_support: Mapped[dict | None] = mapped_column(JSON)
    # The Slack workspaces and Teams tenants requests are accepted from ({"slack": [...],
    # "teams": [...]}; None: see bot.machinery.identities).
    platforms: Mapped[dict | None] = mapped_column(JSON)
    # Moves on with every change to people, teams or the organisation: instances compare it
    # to what they cached (bot.machinery.storage.orgcache).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Moves on only when teams or memberships change (whose home team a report counts for):
    # the dashboard's roll-up survives the directory's everyday changes to people.
    membership_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    profession: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reads the audit log and exports it in the console; nothing else.
    is_auditor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_volunteer: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the person came from ("file": the organisation file; "directory": SCIM or
    # `org sync`), the directory's id for them, and what the directory last said about them.
    # None in directory_active: the directory does not manage this person. See docs/directory.md.
    source: Mapped[str] = mapped_column(String(16), default="file", server_default="file")
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    directory_username: Mapped[str | None] = mapped_column(String(320), index=True)  # lower-cased
    directory_active: Mapped[bool | None] = mapped_column(Boolean)
    directory_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The directory's whole record (SCIM User as last sent), encrypted: given back as it came,
    # never read by the bot beyond the fields above.
    directory_record_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    # When the person last used the bot through this identity: notifications go to the
    # platform they use most recently.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it came to be linked: "org_file", "email" (the platform's confirmed email) or
    # "admin" (`boundary-bot identities link`); None for links made before this was kept.
    linked_by: Mapped[str | None] = mapped_column(String(16))

    person: Mapped[Person] = relationship(back_populates="identities")


class IdentityClaim(Base):
    """A platform account whose confirmed email names a person another account of the same
    platform also claims: linked to nobody until an admin decides (`boundary-bot identities`)."""

    __tablename__ = "identity_claims"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The team's escalation policy as given in the organisation file (None: the default).
    escalation_policy: Mapped[dict | None] = mapped_column(JSON)
    # How chaperone requests fan out and when they count as unfilled (None: the defaults).
    chaperone_policy: Mapped[dict | None] = mapped_column(JSON)
    # Whether referrals need a manager's approval and how long receivers have to answer
    # (None: the defaults, see bot.policy.ReferralPolicy).
    referral_policy: Mapped[dict | None] = mapped_column(JSON)
    # When non-urgent work may reach the team: weekly hours, public holidays and the
    # organisation's closure days (None: always; see bot.org.hours.WorkingHours).
    working_hours: Mapped[dict | None] = mapped_column(JSON)
    # A directory group (SCIM Group) behind the team: its members come from the directory,
    # its policies and managers from the organisation file (see docs/directory.md).
    source: Mapped[str] = mapped_column(String(16), default="file", server_default="file")
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    directory_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The directory's group record as last sent (members as the bot holds them), encrypted.
    directory_record_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)  # member | manager


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    setting: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[str] = mapped_column(String(32))
    felt_unsafe: Mapped[bool] = mapped_column(Boolean)
    factors: Mapped[list[str]] = mapped_column(JSON, default=list)
    step: Mapped[int] = mapped_column(Integer)
    # What happened in more detail: the sexual act, the client's condition or age if it may be
    # behind it (the risk pathway), and who the other person was (client, family, colleague).
    act: Mapped[str | None] = mapped_column(String(16))
    condition: Mapped[str | None] = mapped_column(String(32))
    other_person: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | withdrawn
    # Hide the reporter's name from managers below the policy's top level.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    client_ref_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    details_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the console counts by date
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to which record. Never holds free text or client references.

    Entries form a hash chain per organisation (``seq`` 1, 2, 3…): each ``hash`` covers the
    entry's content and the previous entry's hash, and ``mac`` signs that hash with a key
    derived from the encryption key, so an entry edited, deleted or inserted by hand in the
    database breaks the chain (see bot.machinery.storage.audit_chain).
    """

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("org_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
    mac_key: Mapped[str | None] = mapped_column(String(16))


class AuditChainHead(Base):
    """The end of an organisation's audit chain. Appends lock this row (FOR UPDATE), so
    instances take turns; it is signed like the entries, so the tail cannot be cut off or
    extended by hand. ``base_seq``/``base_hash`` mark where the kept chain starts once old
    entries are purged by retention; entries up to ``legacy_seq`` predate signing."""

    __tablename__ = "audit_chain_heads"

    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    base_seq: Mapped[int] = mapped_column(Integer, default=1)
    base_hash: Mapped[str] = mapped_column(String(64))
    legacy_seq: Mapped[int] = mapped_column(Integer, default=0)
    mac: Mapped[str | None] = mapped_column(String(64))
    mac_key: Mapped[str | None] = mapped_column(String(16))


class AuditChainCheck(Base):
    """The last scheduled check of the chain (what /healthz reports) and the last anchor
    written out, shared by every instance."""

    __tablename__ = "audit_chain_checks"

    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    problem: Mapped[str | None] = mapped_column(String(300))  # e.g. "entry #12 (id 40) was edited"
    entries: Mapped[int] = mapped_column(Integer, default=0)
    anchored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A check in progress: verified up to here (a long chain is walked a slice per tick).
    cursor_seq: Mapped[int | None] = mapped_column(Integer)
    cursor_hash: Mapped[str | None] = mapped_column(String(64))


class InboundEvent(Base):
    """Platform event ids already acted on, so a redelivery has no second effect."""

    __tablename__ = "inbound_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PendingPress(Base):
    """A command or button press a platform was told we have (Slack's 200 ack) but that is not
    carried out yet: written before the ack, deleted when done, resumed after a restart. The
    payload is sealed (a command can carry words someone typed)."""

    __tablename__ = "pending_presses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    payload_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(Base):
    """The outbox: a message for a person, written in the same transaction as the state
    change that caused it, delivered after commit by the delivery worker."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The key of an earlier notification whose message this one replaces (chat.update).
    updates_key: Mapped[str | None] = mapped_column(String(255))
    view: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    platform: Mapped[str | None] = mapped_column(String(16))
    message_ref: Mapped[dict | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(String(255))
    notify_on_failure_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The request (or timer chain) that queued it, so its delivery logs carry the same id.
    request_id: Mapped[str | None] = mapped_column(String(32))


class Timer(Base):
    """A durable timer: a reminder, a wait or a deadline, fired once by one instance."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|cancelled|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The request that set it; what it does when it fires is logged under the same id.
    request_id: Mapped[str | None] = mapped_column(String(32))


class ConversationRef(Base):
    """What a platform needs to message a person later without them writing first
    (Teams' conversation reference, Slack's DM channel id), stored, never kept in memory."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FormDraft(Base):
    """A half-filled form kept for its person (sealed: it can hold free text), so an
    interruption loses nothing; removed when the form is sent, or after a few days."""

    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("person_id", "form_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(String(64))
    values_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
