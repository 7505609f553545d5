"""What a workflow gets for one event: the person, their transaction, and collaborators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.content.regions import Region, parse_org_region
from bot.content.scripts import Library
from bot.content.taxonomy import Profession

if TYPE_CHECKING:
    from bot.feature import Registry
from bot.machinery.clock import Clock
from bot.machinery.crypto import Sealer, Signer
from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.storage.models import Organisation, Person
from bot.machinery.storage.repos import Tx


@dataclass
class Turn:
    tx: Tx
    person: Person
    org: Organisation | None
    clock: Clock
    sealer: Sealer
    library: Library
    features: Registry
    """Every feature's declarations: for the few features that list the others (help, status)."""
    pseudonyms: Signer | None = None
    """Keyed fingerprints for client references (the organisation's pattern secret)."""
    forget_me: bool = field(default=False)
    """Set by a handler whose event must leave no trace of who sent it or exactly when (a
    count-only report): the core then records no "last seen" and blurs the event's record."""
    platform: str = ""
    """Where the event came from (``slack``, ``teams``, ``web``; ``console`` for the web console)."""
    public_url: str = ""
    """The server's public base URL, for links the bot sends (BOUNDARY_PUBLIC_URL)."""
    observer: Observer = NO_OBSERVER
    """For the few figures only a feature can measure (how long a chaperone request took to fill)."""

    @property
    def profession(self) -> Profession | None:
        return Profession(self.person.profession) if self.person.profession else None

    @property
    def region(self) -> Region | None:
        """Where the organisation works (None: anywhere, every source shown with its region)."""
        if self.org is None:
            return None
        try:
            return parse_org_region(self.org.region or self.org.jurisdiction)[0]
        except ValueError:
            return None

    @property
    def jurisdiction(self) -> Region | None:
        return self.region

    @property
    def contacts(self) -> dict[str, dict]:
        """The organisation's safety and support contacts by role (see bot.org.schema.Contacts)."""
        return dict(self.org.contacts or {}) if self.org else {}

    @property
    def scripts(self) -> Library:
        """The scripts this organisation shows: only signed-off ones if it chose that."""
        if self.org is not None and self.org.reviewed_scripts_only:
            return self.library.reviewed_only()
        return self.library

    def local_time(self, moment: datetime) -> str:
        """A moment as the person reads it: in their zone, else the organisation's."""
        zone = self.person.timezone or (self.org.timezone if self.org else None) or "UTC"
        return moment.astimezone(ZoneInfo(zone)).strftime("%-d %b %Y, %H:%M")
