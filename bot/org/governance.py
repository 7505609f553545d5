"""What the organisation file says about keeping data: how long each kind of record is kept,
and the window for same-client pattern alerts.

```yaml
organisation:
  retention:                  # optional; these are the defaults
    report_narratives: 365d   # what a clinician wrote, their client nickname, resolution notes
    report_metadata: 1095d    # the report itself (category, step, when) and its escalations
    chaperone_records: 365d   # chaperone requests and who was asked
    referral_records: 730d    # referrals, their notes and checklists
    support_records: 180d     # peer-support requests, what was shared, and check-ins
    notices: 1095d            # the bot's record of chat messages it sent (and can still update)
    audit_entries: 2555d      # who did what (7 years)
  client_patterns:
    window: 90d               # two colleagues reporting the same client within this: managers told
```

Reports count from when they were filed; chaperone records from the session (or their last
change, if later); referrals and peer-support requests from their last change; notices from when they were sent; audit
entries from when they were written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.org.policy import describe_duration, parse_duration

KINDS = ("report_narratives", "report_metadata", "chaperone_records", "referral_records", "support_records", "notices",
         "audit_entries")
DEFAULT_DAYS = {"report_narratives": 365, "report_metadata": 1095, "chaperone_records": 365,
                "referral_records": 730, "support_records": 180, "notices": 1095, "audit_entries": 2555}
DEFAULT_PATTERN_WINDOW = timedelta(days=90)
SHORTEST, LONGEST = timedelta(days=1), timedelta(days=36500)


@dataclass(frozen=True)
class Retention:
    report_narratives: timedelta
    report_metadata: timedelta
    chaperone_records: timedelta
    referral_records: timedelta
    support_records: timedelta
    notices: timedelta
    audit_entries: timedelta

    def describe(self) -> dict[str, str]:
        return {kind: describe_duration(getattr(self, kind)) for kind in KINDS}


DEFAULT_RETENTION = Retention(**{kind: timedelta(days=days) for kind, days in DEFAULT_DAYS.items()})


@dataclass(frozen=True)
class Governance:
    retention: Retention = DEFAULT_RETENTION
    pattern_window: timedelta = DEFAULT_PATTERN_WINDOW

    @classmethod
    def from_json(cls, data: dict | None) -> Governance:
        """From the organisation row's ``governance`` column (None: every default)."""
        data = data or {}
        days = {**DEFAULT_DAYS, **(data.get("retention_days") or {})}
        return cls(
            retention=Retention(**{kind: timedelta(days=days[kind]) for kind in KINDS}),
            pattern_window=timedelta(days=data.get("pattern_window_days") or DEFAULT_PATTERN_WINDOW.days),
        )


def _days(value: str | int, what: str) -> str | int:
    try:
        delta = parse_duration(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if delta % timedelta(days=1):
        raise ValueError(f"{what} must be a whole number of days, like 365d")
    if not SHORTEST <= delta <= LONGEST:
        raise ValueError(f"{what} must be between {describe_duration(SHORTEST)} and 100 years")
    return value


class RetentionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_narratives: str | int = f"{DEFAULT_DAYS['report_narratives']}d"
    report_metadata: str | int = f"{DEFAULT_DAYS['report_metadata']}d"
    chaperone_records: str | int = f"{DEFAULT_DAYS['chaperone_records']}d"
    referral_records: str | int = f"{DEFAULT_DAYS['referral_records']}d"
    support_records: str | int = f"{DEFAULT_DAYS['support_records']}d"
    notices: str | int = f"{DEFAULT_DAYS['notices']}d"
    audit_entries: str | int = f"{DEFAULT_DAYS['audit_entries']}d"

    @field_validator(*KINDS)
    @classmethod
    def _period(cls, value: str | int, info) -> str | int:
        return _days(value, info.field_name)

    @model_validator(mode="after")
    def _narratives_go_first(self) -> RetentionSpec:
        if parse_duration(self.report_narratives) > parse_duration(self.report_metadata):
            raise ValueError("report_narratives cannot be kept longer than report_metadata (the report they belong to)")
        return self

    def days(self) -> dict[str, int]:
        return {kind: parse_duration(getattr(self, kind)).days for kind in KINDS}


class ClientPatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window: str | int = f"{DEFAULT_PATTERN_WINDOW.days}d"

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | int) -> str | int:
        value = _days(value, "window")
        if parse_duration(value) > timedelta(days=730):
            raise ValueError("window must be at most 730 days")
        return value


def to_json(retention: RetentionSpec | None, patterns: ClientPatternSpec | None) -> dict | None:
    """What the organisation row keeps (None when the file says nothing: the defaults)."""
    if retention is None and patterns is None:
        return None
    data: dict = {}
    if retention is not None:
        data["retention_days"] = retention.days()
    if patterns is not None:
        data["pattern_window_days"] = parse_duration(patterns.window).days
    return data
