"""Who may see and do what with a chaperone request.

| who | see the request | accept, decline | read the note and join link | cancel | withdraw | record who observed | see the record |
|---|---|---|---|---|---|---|---|
| the requester | their own copy (the "sent" card, status); not the volunteers' card | no (never asked) | yes, in the details dialog | yes, while open or covered | no | yes, once covered (¹) | yes, in status, until 7 days after it starts |
| a volunteer who was asked | yes: when, how long, setting, site and room, urgency, the requester's name; never the note or link | accept while the request is open, whatever they answered before (²); decline while their offer waits | no | no | no | no | no |
| a volunteer not asked | no | no | no | no | no | no | no |
| the accepted chaperone | yes, their card turns to "accepted" | no (already theirs) | yes: the link on accepting, both in the details dialog, every opening audited (³) | no | yes, while covered (⁴) | no | yes, in status, until 7 days after it starts |
| the requester's team manager (⁵) | no; if it goes unfilled, an escalation with one line (reference, time, setting, how many asked) (⁶) | no | no | no | no | no | recorded sessions of the last 30 days (at most 20), in status: time, setting, requester, who observed or that it did not happen |
| anyone else | no | no | no | no | no | no | no |

Once a request has ended (unfilled, or recorded), only the requester may answer "Is this
resolved for you?" ([Yes] / [No, I still need someone], both audited; see ``closure``);
anyone else gets the same "can't find" as for a request that does not exist.

Everyone may ask for a chaperone for themselves (and attach only their own reports). A
refusal looks the same as a request that does not exist.

(¹) Not checked against the clock: the requester can record before the session (the
button only comes after it), and record again over an earlier outcome; each is audited.
(²) Accept looks only at the request: a volunteer who declined, or a chaperone who
withdrew, can still accept while it is open. Exactly one acceptance wins.
(³) Cancelling keeps the chaperone on the request (for the record), but from then on only
the requester can open its note and link: the chaperone's old card answers that the
request is cancelled. A volunteer who was asked but did not accept never sees them.

After the fact (decided here once, tested in tests/features/test_authorisation_table.py):

| the request is | the requester | the chaperone who had accepted | a volunteer asked who did not accept |
|---|---|---|---|
| cancelled | note and link, in details | "is cancelled", nothing more | "can't find it" |
| withdrawn from by the chaperone | note and link | "can't find it" (no longer theirs) | accept while open |
| done / did not happen | note and link | note and link, audited, until its records expire | "can't find it" |
(⁴) Not checked against the clock: a chaperone can withdraw after the session has started
(or ended, until the requester records it), which re-opens the request and asks others.
(⁵) A manager of any team in which the requester is a plain member, not only the home
team; a requester's sessions are not in the records of a team where they are a manager.
(⁶) Sent by the escalation feature to the people the requester's home team's policy names,
who act on the escalation, never on the request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.machinery.storage.models import TeamMember
from bot.machinery.storage.repos import Tx
from bot.turn import Turn


async def _request(turn: Turn, value: str) -> ChaperoneRequest | None:
    try:
        return await turn.tx.session.get(ChaperoneRequest, int(value))
    except (TypeError, ValueError):
        return None


async def find_for_party(turn: Turn, value: str) -> ChaperoneRequest | None:
    """The request, if the person pressing asked for it or is its accepted chaperone."""
    request = await _request(turn, value)
    if request is None or turn.person.id not in (request.requester_id, request.chaperone_id):
        return None
    return request


async def find_for_requester(turn: Turn, value: str) -> ChaperoneRequest | None:
    """The request, if the person pressing asked for it."""
    request = await _request(turn, value)
    if request is None or request.requester_id != turn.person.id:
        return None
    return request


async def find_for_chaperone(turn: Turn, value: str) -> ChaperoneRequest | None:
    """The request, if the person pressing is its accepted chaperone."""
    request = await _request(turn, value)
    if request is None or request.chaperone_id != turn.person.id:
        return None
    return request


async def find_offer(turn: Turn, value: str) -> tuple[ChaperoneRequest, ChaperoneOffer] | None:
    """The request and the offer made to the person pressing, if they were asked."""
    request = await _request(turn, value)
    if request is None:
        return None
    offer = await turn.tx.session.scalar(select(ChaperoneOffer).where(
        ChaperoneOffer.request_id == request.id, ChaperoneOffer.volunteer_id == turn.person.id))
    return (request, offer) if offer else None


def can_read_details(request: ChaperoneRequest, person_id: int) -> bool:
    """Whether this party may still read the note and the join link (see the table above)."""
    return person_id == request.requester_id or request.status != "cancelled"


def audited(request: ChaperoneRequest, person_id: int) -> bool:
    """Whether this person opening the note and link is recorded: anyone but the requester."""
    return person_id != request.requester_id


async def mine(tx: Tx, person_id: int, now: datetime) -> list[ChaperoneRequest]:
    """The requests this person asked for or is chaperoning: live ones, and any from the last week."""
    return list((await tx.session.scalars(
        select(ChaperoneRequest).where(
            or_(ChaperoneRequest.requester_id == person_id, ChaperoneRequest.chaperone_id == person_id),
            or_(ChaperoneRequest.status.in_(("open", "covered")),
                ChaperoneRequest.starts_at > now - timedelta(days=7)),
        ).order_by(ChaperoneRequest.starts_at)
    )).all())


async def team_records(tx: Tx, manager_id: int, now: datetime) -> list[ChaperoneRequest]:
    """Recorded sessions of the last 30 days (at most 20) asked for by members of the teams
    this person manages."""
    managed = select(TeamMember.team_id).where(TeamMember.person_id == manager_id, TeamMember.role == "manager")
    members = select(TeamMember.person_id).where(TeamMember.team_id.in_(managed), TeamMember.role == "member")
    return list((await tx.session.scalars(
        select(ChaperoneRequest).where(
            ChaperoneRequest.requester_id.in_(members), ChaperoneRequest.status == "done",
            ChaperoneRequest.starts_at > now - timedelta(days=30),
        ).order_by(ChaperoneRequest.starts_at.desc()).limit(20)
    )).all())
