"""Links that open a direct message with someone, in the platform the reader uses.

The reader's platform is the one they used most recently (where their messages are
delivered); the other person needs an identity there. Slack: ``app_redirect`` with the
workspace (team) id and the other person's member id as the channel, which opens the direct
message with them in the Slack client (https, which Block Kit buttons accept; the ``slack://``
form is not an https link, and the member's profile page is one tap further from writing).
Teams: the documented deep link that starts a 1:1 chat with a user principal name (their email).
The web chat has no direct messages: no link.
"""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from bot.machinery.storage.models import Identity, Person
from bot.machinery.storage.repos import Tx


async def message_link(tx: Tx, reader_id: int, other: Person) -> str | None:
    mine = (await tx.session.scalars(
        select(Identity).where(Identity.person_id == reader_id)
        .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.id))).first()
    if mine is None:
        return None
    theirs = (await tx.session.scalars(select(Identity).where(
        Identity.person_id == other.id, Identity.platform == mine.platform))).first()
    if mine.platform == "slack" and theirs is not None:
        return (f"https://slack.com/app_redirect?team={quote(theirs.workspace, safe='')}"
                f"&channel={quote(theirs.user_id, safe='')}")
    if mine.platform == "teams" and other.email:
        return f"https://teams.microsoft.com/l/chat/0/0?users={quote(other.email)}"
    return None
