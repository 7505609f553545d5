"""Who may see and act on a referral: its parties, each only for their own part.

| who | sees it | approves, returns | accepts, declines | reads the handoff note | ticks the checklist | chooses someone else |
|---|---|---|---|---|---|---|
| the referrer | yes: its card in `status` while open; told when it is approved, returned, accepted, declined by everyone asked, and when nobody answers | no (where it stands) | no (where it stands) | yes, with any decline or return reasons (reading those is audited) | yes, once accepted | yes, once declined |
| a manager asked to approve | the approval card while it waits, updated in place once approved or returned | yes, while it waits for approval | no (where it stands) | yes, audited, also once approved or returned | no (not found) | no (not found) |
| the receiver asked (this round, not yet answered) | the offer card, and a reminder if they don't answer in time | no (where it stands) | yes, while it is offered | yes, audited | no (not found) | no (not found) |
| a pool member asked (this round, not yet answered) | the offer card, saying everyone in the pool was asked, and a reminder | no (where it stands) | yes, while it is offered: the first accept takes it, exactly once | yes, audited | no (not found) | no (not found) |
| the receiver who accepted | the checklist card, told of each step the referrer ticks | no (where it stands) | no (where it stands) | yes, audited | yes | no (not found) |
| a receiver no longer asked (declined, a colleague took it, an earlier round) | their card, updated in place; not in `status` | no (where it stands) | no (where it stands) | no (where it stands) | no (not found) | no (not found) |
| a manager of the referrer's team not asked to approve | only an escalation notice (metadata, never the note) if nobody answers after the reminder | no (not found) | no (not found) | no (not found) | no (not found) | no (not found) |
| anyone else | no | no (not found) | no (not found) | no (not found) | no (not found) | no (not found) |

Closing: the receiver who accepted closes it through a form with an optional note for the
referrer (sealed); the referrer may close it with one press. Once the receiver has closed it,
only **the referrer** may open that note and answer "Is this resolved for you?" ([Yes] / [No,
reopen], audited; see ``closure``); anyone else gets "not found".

Also: only **the referrer** may withdraw it (until closed; everyone asked is told) and answer
a receiver's question; only **a receiver asked this round, not yet answered** may ask a
question (read afterwards by the two of them only) or snooze their reminder (twice; never for
urgent or safety referrals). A **deputy** of someone away is asked instead of them (audited as
``away.routed``) and then has exactly that person's row above.

*not found*: the same "I can't find that referral" as a referral that doesn't exist, for
buttons and replayed forms alike. *where it stands*: a one-line notice of its status,
nothing more. "Anyone else" includes admins, volunteers, other teams' managers, the
receiving team's managers and pool members who were not sent an offer. The escalation goes
to whoever the referrer's team's escalation policy names, and is acted on there.

After the fact (decided here once, tested in tests/features/test_authorisation_table.py): a
**withdrawn** referral shows its note to the referrer only; everyone who was asked is told
where it stands and nothing more. A **declined** or **returned** one shows the note and the
reasons to the referrer (reading reasons is audited). An **accepted** one shows the note to
the referrer and the receiver who accepted; the others asked are told where it stands.

Asked to approve: the referrer's home team's active managers (never the referrer), when the
team's policy requires approval or the referrer asks for it. The pool: the receiving team's
active members (not its managers), never the referrer. Anyone may start a referral; they
can't choose themselves, and only their own open report can be linked to it.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.features.referral.storage import Referral, ReferralOffer, offers_to
from bot.features.referral.wording import NOT_FOUND, where_it_stands
from bot.machinery.storage.models import Person, TeamMember
from bot.machinery.storage.repos import Tx
from bot.port.views import Notice, View
from bot.turn import Turn

# --- who is asked ---------------------------------------------------------------------------


async def approvers(tx: Tx, referrer: Person) -> list[Person]:
    team = await tx.people.home_team(referrer.id)
    if team is None:
        return []
    return list((await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team.id, TeamMember.role == "manager", Person.active.is_(True),
               Person.id != referrer.id)
        .order_by(Person.display_name)
    )).all())


async def pool(tx: Tx, team_id: int, referrer_id: int) -> list[Person]:
    """A team's intake pool: its active members, never the referrer."""
    return list((await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team_id, TeamMember.role == "member", Person.active.is_(True),
               Person.id != referrer_id)
        .order_by(Person.display_name)
    )).all())


async def receivers(tx: Tx, referral: Referral) -> list[Person]:
    if referral.receiver_id is not None:
        person = await tx.people.get(referral.receiver_id)
        return [person] if person is not None and person.active else []
    if referral.receiving_team_id is None:
        return []
    return await pool(tx, referral.receiving_team_id, referral.referrer_id)


# --- who may act ----------------------------------------------------------------------------


async def find(turn: Turn, value: str) -> tuple[Referral, list[ReferralOffer]] | None:
    """The referral and this person's offers about it — if they are party to it.

    The referrer, whoever accepted it, and anyone asked to take or approve it are parties;
    to everyone else a referral that exists and one that doesn't look the same.
    """
    try:
        referral = await turn.tx.session.get(Referral, int(str(value).split(":")[0]))
    except (TypeError, ValueError):
        return None
    if referral is None:
        return None
    mine = await offers_to(turn.tx, referral.id, turn.person.id)
    if referral.referrer_id != turn.person.id and referral.accepted_by != turn.person.id and not mine:
        return None
    return referral, mine


def open_offer(referral: Referral, mine: list[ReferralOffer], role: str) -> ReferralOffer | None:
    return next((o for o in mine if o.role == role and o.round == referral.round and o.status == "offered"), None)


async def pending(turn: Turn, value: str, role: str, status: str) -> tuple[Referral, ReferralOffer] | list[View]:
    """The referral and this person's open offer in ``role``, if the referral is still
    ``status``; otherwise the answer to give (not found, or where it stands now)."""
    found = await find(turn, value)
    if found is None:
        return [NOT_FOUND]
    referral, mine = found
    offer = open_offer(referral, mine, role)
    if offer is None or referral.status != status:
        return [Notice(await where_it_stands(turn.tx, referral))]
    return referral, offer


async def for_referrer(turn: Turn, value: str) -> Referral | None:
    """The referral, if this person made it (choosing someone else is theirs alone)."""
    found = await find(turn, value)
    if found is None or found[0].referrer_id != turn.person.id:
        return None
    return found[0]


async def for_checklist(turn: Turn, value: str) -> Referral | None:
    """The referral, if this person is one of the two sides of the checklist: the referrer
    or whoever accepted it."""
    found = await find(turn, value)
    if found is None:
        return None
    referral, _ = found
    if turn.person.id not in (referral.referrer_id, referral.accepted_by):
        return None
    return referral


def may_read_note(referral: Referral, mine: list[ReferralOffer], person: Person) -> bool:
    """A party still involved: the referrer, whoever accepted it, any approver, or someone
    asked this round who has not answered yet."""
    return (
        referral.referrer_id == person.id or referral.accepted_by == person.id
        or any(o.role == "approver" for o in mine)
        or open_offer(referral, mine, "receiver") is not None
    )
