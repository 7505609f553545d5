"""The volunteer feature's table: who chaperones, where and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime
from bot.machinery.storage.orgcache import watch


class VolunteerProfile(Base):
    """A person's chaperone availability. ``people.is_volunteer`` says who may volunteer;
    this row says whether, where and when they do."""

    __tablename__ = "volunteer_profiles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sites: Mapped[list[str]] = mapped_column(JSON, default=list)  # site names; [] = any site
    settings: Mapped[list[str]] = mapped_column(JSON, default=list)  # in_person|telehealth|home_visit
    professions: Mapped[list[str]] = mapped_column(JSON, default=list)  # [] = any profession
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Weekly windows in the volunteer's own zone: [{"day": 0-6 (Mon=0), "start": "09:00", "end": "17:00"}]
    windows: Mapped[list[dict]] = mapped_column(JSON, default=list)
    unavailable: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates, own zone
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Profiles are read-mostly and read whole by every chaperone request: cached per organisation
# version, so a change to one moves the version on (bot.machinery.storage.orgcache).
watch(VolunteerProfile.__tablename__)
