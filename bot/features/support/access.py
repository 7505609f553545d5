"""Who may see and do what with a peer-support request. The rule behind every row: who asked
is known only to the clinician and the one supporter who accepts.

| who | sees the request | accept, decline | who asked, what they shared, their number | cancel | hand back | close ("we've talked") |
|---|---|---|---|---|---|---|
| the clinician who asked | their own cards and status | no | yes (it is theirs) | yes, while open or accepted | no | yes, once accepted |
| a supporter who was asked | how and when, and the site if given; never the name | accept while open (¹); decline while their offer waits | no | no | no | no |
| the supporter who accepted | yes | no (already theirs) | yes: the name and email on accepting; the words and number in a private view (²) | no | yes, while accepted (it re-opens) | yes |
| the clinician's managers, anyone in an escalation policy, admins, auditors, the console, exports | no: never the request, never who asked; only :func:`counts` (³) | no | no | no | no | no |
| anyone else | no | no | no | no | no | no |

A refusal looks the same as a request that does not exist.

(¹) A supporter who declined may still accept while it is open; exactly one accept wins.
(²) Not audited: an audit entry would name a person and a moment the console shows to
auditors, which could point at who asked. Nobody but the two parties can open it.
(³) Counts of requests, conversations taken on and check-ins, with anything from 1 to 4 shown
as "fewer than 5" so nobody can be singled out. Support writes nothing to the audit log, never
escalates, and is never shown in another person's ``status``.
After the fact (decided here once): a **cancelled** request shows what was shared, and the
number, to the clinician only; the supporter who had accepted is told it is cancelled. A
request **handed back** is no longer that supporter's ("can't find it"); the next supporter
to accept sees it. A **declined** offer shows nothing more to the one who declined (they may
still accept while it is open). A **closed** ("we've talked") request stays readable by
both until its records expire.

Supporters are never the clinician's own managers (the management line is excluded when
matching), and never the clinician.
"""

from __future__ import annotations

from bot.features.support.storage import CheckIn, SupportOffer, SupportRequest
from bot.machinery import offers
from bot.turn import Turn


async def _request(turn: Turn, value: str) -> SupportRequest | None:
    try:
        return await turn.tx.session.get(SupportRequest, int(value))
    except (TypeError, ValueError):
        return None


async def for_requester(turn: Turn, value: str) -> SupportRequest | None:
    request = await _request(turn, value)
    return request if request is not None and request.requester_id == turn.person.id else None


async def for_supporter(turn: Turn, value: str) -> SupportRequest | None:
    """The request, if the person pressing is the supporter who accepted it."""
    request = await _request(turn, value)
    return request if request is not None and request.supporter_id == turn.person.id else None


async def for_party(turn: Turn, value: str) -> SupportRequest | None:
    request = await _request(turn, value)
    if request is None or turn.person.id not in (request.requester_id, request.supporter_id):
        return None
    return request


async def find_offer(turn: Turn, value: str, book) -> tuple[SupportRequest, SupportOffer] | None:
    """The request and the offer made to the person pressing, if they were asked."""
    request = await _request(turn, value)
    if request is None:
        return None
    offer = await offers.find_offer(turn.tx, book, request, turn.person.id)
    return (request, offer) if offer else None


async def own_check_in(turn: Turn, value: str) -> CheckIn | None:
    try:
        check_in = await turn.tx.session.get(CheckIn, int(str(value).split(":")[0]))
    except (TypeError, ValueError):
        return None
    return check_in if check_in is not None and check_in.person_id == turn.person.id else None
