"""[Add to calendar] for both people of a covered chaperone session: an .ics file the server
serves at an unguessable address (signed for that request and that person), so neither side
has to copy the time by hand.

The event holds the time, the length, where (site and room, or "video call") and the other
person's name — never the note, the join link or anything about the client (a calendar is
shared with assistants and synced to phones).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from bot.features.chaperone.storage import ChaperoneRequest
from bot.machinery.crypto import Sealer
from bot.machinery.storage.repos import Tx

PURPOSE = b"boundary-bot chaperone calendar v1"
ROUTE = "/calendar/chaperone"


def _token(sealer: Sealer, request_id: int, person_id: int) -> str:
    return sealer.signer(PURPOSE).sign(f"{request_id}:{person_id}")[1][:32]


def link(public_url: str, sealer: Sealer, request: ChaperoneRequest, person_id: int) -> str | None:
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}{ROUTE}/{request.id}/{person_id}/{_token(sealer, request.id, person_id)}.ics"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


async def calendar_file(tx: Tx, sealer: Sealer, request_id: int, person_id: int, token: str,
                        now: datetime) -> str | None:
    """The .ics for one of the two people of a covered session; None for anything else (a bad
    token, someone else, a request not covered) — the server answers 404 the same way."""
    expected = _token(sealer, request_id, person_id)
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return None
    request = await tx.session.get(ChaperoneRequest, request_id)
    if request is None or request.status != "covered" or person_id not in (request.requester_id,
                                                                            request.chaperone_id):
        return None
    other_id = request.chaperone_id if person_id == request.requester_id else request.requester_id
    other = await tx.people.get(other_id)
    summary = (f"Chaperone session with {other.display_name}" if person_id == request.requester_id
               else f"Chaperoning for {other.display_name}")
    where = (", ".join(filter(None, (request.site, request.room))) or "Where the clinician is"
             if request.setting == "in_person" else "Video or phone call" if request.setting == "telehealth"
             else "Home visit (check-in)")
    end = request.starts_at + timedelta(minutes=request.minutes)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Boundary Bot//Chaperone//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:chaperone-{request.id}-{person_id}@boundary-bot",
        f"DTSTAMP:{_stamp(now)}", f"DTSTART:{_stamp(request.starts_at)}", f"DTEND:{_stamp(end)}",
        f"SUMMARY:{_text(summary)}",
        f"LOCATION:{_text(where)}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
