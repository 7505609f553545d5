"""The organisation file's schema: what each entry may hold, checked field by field.

Cross-entry checks (duplicate keys, unknown people) and applying the file to the database
live in :mod:`bot.org.orgfile`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.content.regions import Region, parse_org_region
from bot.content.taxonomy import Profession
from bot.org.governance import ClientPatternSpec, RetentionSpec
from bot.org.hours import check_timezone as _check_timezone
from bot.org.policy import (
    ChaperonePolicy,
    Level,
    Policy,
    ReferralPolicy,
    Window,
    describe_duration,
    parse_duration,
)
from bot.org.schema_hours import Closed, HolidaysSpec, HoursSpec
from bot.org.schema_support import PeerSupportSpec

Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdentitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["slack", "teams", "web"]
    workspace: str = "demo"  # Slack team id, Teams tenant id, or "demo" for the web chat
    user: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class PersonSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    name: Name
    email: str | None = None
    profession: Profession | None = None
    timezone: str | None = None
    admin: bool = False
    auditor: bool = False  # reads the audit log and exports it in the console, nothing else
    volunteer: bool = False
    identities: list[IdentitySpec] = []
    deputy: Key | None = None  # a standing deputy: stands in whenever this person is away

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not EMAIL.match(value):
            raise ValueError("not an email address")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _check_timezone(value)


class LevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    who: Literal["managers"] | list[Key]
    wait: str | int = "15m"

    @field_validator("wait")
    @classmethod
    def _wait(cls, value: str | int) -> str | int:
        delta = parse_duration(value)
        if not timedelta(minutes=1) <= delta <= timedelta(days=7):
            raise ValueError("wait must be between 1 minute and 7 days")
        return value

    @field_validator("who")
    @classmethod
    def _who(cls, value):
        if isinstance(value, list) and not value:
            raise ValueError("name at least one person, or say managers")
        return value


class EscalationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: Annotated[list[LevelSpec], Field(min_length=1, max_length=10)]
    repeat_last: Annotated[int, Field(ge=0, le=20)] = 2
    remind_every: str | int = "4h"

    @field_validator("remind_every")
    @classmethod
    def _remind(cls, value: str | int) -> str | int:
        if not timedelta(minutes=5) <= parse_duration(value) <= timedelta(days=7):
            raise ValueError("remind_every must be between 5 minutes and 7 days")
        return value

    def policy(self) -> Policy:
        return Policy(
            levels=tuple(
                Level(lv.who if isinstance(lv.who, str) else tuple(lv.who), parse_duration(lv.wait))
                for lv in self.levels
            ),
            repeat_last=self.repeat_last,
            remind_every=parse_duration(self.remind_every),
        )


def _between(value: str | int, low: timedelta, high: timedelta, what: str = "") -> str | int:
    if not low <= parse_duration(value) <= high:
        prefix = f"{what} must" if what else "must"
        raise ValueError(f"{prefix} be between {describe_duration(low)} and {describe_duration(high)}")
    return value


class ChaperoneSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fan_out: Literal["waves", "all"] = "waves"  # urgent requests always go to everyone at once
    wave_size: Annotated[int, Field(ge=1, le=100)] = 5
    wave_every: str | int = "10m"
    deadline_before: str | int = "30m"
    urgent_deadline_after: str | int = "10m"
    escalate_after: str | int = "10m"
    remind_before: str | int = "15m"

    @field_validator("wave_every", "urgent_deadline_after", "escalate_after")
    @classmethod
    def _short(cls, value: str | int) -> str | int:
        return _between(value, timedelta(minutes=1), timedelta(hours=12))

    @field_validator("deadline_before", "remind_before")
    @classmethod
    def _lead(cls, value: str | int) -> str | int:
        return _between(value, timedelta(minutes=1), timedelta(days=2))

    def policy(self) -> ChaperonePolicy:
        return ChaperonePolicy(
            all_at_once=self.fan_out == "all",
            wave_size=self.wave_size,
            wave_every=parse_duration(self.wave_every),
            deadline_before=parse_duration(self.deadline_before),
            urgent_deadline_after=parse_duration(self.urgent_deadline_after),
            escalate_after=parse_duration(self.escalate_after),
            remind_before=parse_duration(self.remind_before),
        )


class ReferralSpec(BaseModel):
    """A team's referral policy. Windows ending in d count working days (Monday to Friday,
    the organisation's time zone, same local time); others are plain durations."""

    model_config = ConfigDict(extra="forbid")

    approval: Literal["required", "not_required"] = "not_required"
    answer_within: str | int = "1d"
    urgent_within: str | int = "2h"
    manager_after: str | int = "4h"
    urgent_manager_after: str | int = "1h"
    approve_within: str | int = "1d"  # then the approvers are reminded
    approval_fallback_after: str | int = "4h"  # then the next level of the escalation policy is asked

    @field_validator("answer_within", "urgent_within", "approve_within")
    @classmethod
    def _window(cls, value: str | int, info) -> str | int:
        window = Window.parse(value)
        if window.working_days:
            if not 1 <= window.working_days <= 10:
                raise ValueError(f"{info.field_name} in days must be between 1 and 10 working days")
            return value
        return _between(value, timedelta(minutes=15), timedelta(days=14), info.field_name)

    @field_validator("manager_after", "urgent_manager_after", "approval_fallback_after")
    @classmethod
    def _after(cls, value: str | int, info) -> str | int:
        return _between(value, timedelta(minutes=5), timedelta(days=7), info.field_name)

    def policy(self) -> ReferralPolicy:
        return ReferralPolicy(
            approval_required=self.approval == "required",
            answer_within=Window.parse(self.answer_within),
            urgent_within=Window.parse(self.urgent_within),
            manager_after=parse_duration(self.manager_after),
            urgent_manager_after=parse_duration(self.urgent_manager_after),
            approve_within=Window.parse(self.approve_within),
            approval_fallback_after=parse_duration(self.approval_fallback_after),
        )


class TeamSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    name: Name
    managers: list[Key] = []
    members: list[Key] = []
    escalation: EscalationSpec | None = None
    chaperone: ChaperoneSpec | None = None
    referral: ReferralSpec | None = None
    hours: HoursSpec | None = None  # none: always working, nothing waits


PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{1,30}(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$|^ext\.?\s*[0-9]{2,6}$", re.I)
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


class Contact(BaseModel):
    """One safety or support contact: who, and at least one way to reach them."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    email: str | None = None
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    # The key of a person in this file who IS this contact: the bot can then tell them itself
    # (a child safeguarding concern reaches the named lead), after showing the clinician who.
    person: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.match(value):
            raise ValueError("not a phone number (digits, spaces, + - ( ), or ext. 1234)")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not EMAIL.match(value):
            raise ValueError("not an email address")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not URL.match(value):
            raise ValueError("not a web address (start it with https://)")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.phone or self.email or self.url):
            raise ValueError("give at least one of phone, email or url")
        return self

    @property
    def reach(self) -> str:
        ways = [w for w in (self.phone, self.email, self.url) if w]
        return f"{self.name}: {', '.join(ways)}" + (f" ({self.note})" if self.note else "")


class Contacts(BaseModel):
    """The organisation's own safety and support contacts, shown where they matter: the
    risk pathway, safeguarding, the colleague signpost and the safety answer."""

    model_config = ConfigDict(extra="forbid")

    security: Contact | None = None             # security desk or emergency number
    safeguarding_lead: Contact | None = None    # always named for a concern about a child
    crisis_line: Contact | None = None          # crisis services for a person at risk
    clinical_team: Contact | None = None        # the clinical team or on-call, for a risk assessment
    speak_up: Contact | None = None             # HR or the speak-up route, for a colleague's behaviour
    employee_assistance: Contact | None = None  # support for the clinician
    # The organisation's own words on the safety card (a commitment it has made, such as "you
    # will not be blamed for leaving a visit"); none by default: the bot promises nothing itself.
    safety_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None


class OrganisationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    # Where the organisation works: US, UK-England, UK-Scotland, UK-Wales,
    # UK-Northern-Ireland, UK (several nations) or any. Scripts cite only rules that apply.
    region: str | None = None
    jurisdiction: Literal["US", "UK"] | None = None  # older files: read as region (see notes)
    timezone: str = "UTC"
    demo: bool = False
    sites: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]] = []
    contacts: Contacts = Contacts()
    show_only_reviewed_scripts: bool = False
    retention: RetentionSpec | None = None  # how long each kind of record is kept (bot.org.governance)
    client_patterns: ClientPatternSpec | None = None
    holidays: HolidaysSpec | None = None  # whose public holidays teams with hours keep
    closed: Closed = []  # the organisation's own closure days
    # Where requests are believed from: Slack team ids (T…) and Teams tenant ids. None listed
    # for a platform: the workspaces the people's identities name (bot.machinery.storage.identities).
    slack_workspaces: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]] = []
    teams_tenants: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]] = []

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _check_timezone(value) or "UTC"

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        parse_org_region(value)
        return value

    @model_validator(mode="after")
    def _agree(self) -> OrganisationSpec:
        if self.region is not None and self.jurisdiction is not None:
            region, _ = parse_org_region(self.region)
            if region is not None and not region.value.startswith(self.jurisdiction):
                raise ValueError(f"region {self.region!r} and jurisdiction {self.jurisdiction!r} disagree; "
                                 "keep region only")
        return self

    @property
    def resolved_region(self) -> Region | None:
        region, _ = parse_org_region(self.region if self.region is not None else self.jurisdiction)
        return region

    @property
    def notes(self) -> list[str]:
        """What the reader of an older file should know about how it was read."""
        out = []
        if self.region is None and self.jurisdiction is not None:
            out.append(f"organisation.jurisdiction {self.jurisdiction!r} is read as region "
                       f"{self.jurisdiction!r}; write region instead (jurisdiction is kept for older files)")
        _, note = parse_org_region(self.region if self.region is not None else self.jurisdiction)
        if note:
            out.append(note)
        return out


class OrgFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: OrganisationSpec
    people: list[PersonSpec]
    teams: list[TeamSpec] = []
    peer_support: PeerSupportSpec | None = None
