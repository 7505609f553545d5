"""The peer supporters, as the organisation file names them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from bot.features.support.storage import PeerSupporter
from bot.features.volunteer import parse_windows
from bot.machinery.storage.repos import Tx


@dataclass(frozen=True)
class Supporter:
    person_id: int
    team_keys: tuple[str, ...]
    sites: tuple[str, ...]
    availability: str
    timezone: str


async def apply_supporters(tx: Tx, supporters: list[Supporter]) -> None:
    """Make the table match the file: supporters not in it any more stop being asked."""
    await tx.session.execute(delete(PeerSupporter))
    tx.session.add_all(
        PeerSupporter(person_id=s.person_id, team_keys=list(s.team_keys), sites=list(s.sites),
                      windows=[w.to_json() for w in parse_windows(s.availability)], timezone=s.timezone)
        for s in supporters)
    await tx.session.flush()
