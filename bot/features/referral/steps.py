"""The steps every part of a referral shares: asking people (through deputies for anyone
away), updating their cards in place, telling the referrer, and when each clock runs out.

Routine referrals keep the referrer's team's working hours: "1 working day" skips weekends,
public holidays and closure days, and a reminder that falls due out of hours waits for the
next working moment. Urgent ones count plain time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.content.identifiers import describe, find_identifier_kinds
from bot.features import away
from bot.features.referral import more_wording, wording
from bot.features.referral.access import receivers
from bot.features.referral.storage import Referral, ReferralOffer, policy_for
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Team
from bot.machinery.storage.repos import Tx
from bot.org.hours import WorkingHours, after, wait_until
from bot.org.policy import ReferralPolicy
from bot.port.forms import clean
from bot.port.views import Card, Form, Notice

REMIND = "referral.remind"
TELL_MANAGERS = "referral.tell_managers"
APPROVAL_REMIND = "referral.approval_remind"
APPROVAL_FALLBACK = "referral.approval_fallback"
REMIND_AGAIN = "referral.remind_again"  # a receiver's snoozed reminder


async def team_of(tx: Tx, referral: Referral) -> Team | None:
    return await tx.people.home_team(referral.referrer_id)


async def hours_for(tx: Tx, referral: Referral) -> WorkingHours | None:
    team = await team_of(tx, referral)
    return WorkingHours.from_json(team.working_hours) if team else None


def urgent(referral: Referral) -> bool:
    return referral.urgency == "urgent"


async def zone_of_org(tx: Tx) -> str:
    org = await tx.org.get()
    return org.timezone if org else "UTC"


async def answer_by(tx: Tx, referral: Referral, policy: ReferralPolicy | None = None) -> datetime | None:
    """When this round's receivers are reminded if nobody has answered."""
    if referral.offered_at is None:
        return None
    policy = policy or await policy_for(tx, referral.referrer_id)
    hours = None if urgent(referral) else await hours_for(tx, referral)
    due = policy.window(urgent(referral)).after(referral.offered_at, await zone_of_org(tx), hours)
    return due if urgent(referral) else wait_until(hours, due)


async def approve_by(tx: Tx, referral: Referral, since: datetime, policy: ReferralPolicy | None = None) -> datetime:
    policy = policy or await policy_for(tx, referral.referrer_id)
    hours = await hours_for(tx, referral)
    return wait_until(hours, policy.approve_within.after(since, await zone_of_org(tx), hours))


async def later_by(tx: Tx, referral: Referral, now: datetime, delta: timedelta) -> datetime:
    """``delta`` from now: plain time if urgent, working time otherwise."""
    return now + delta if urgent(referral) else after(await hours_for(tx, referral), now, delta)


async def routed(tx: Tx, referral: Referral, people: list[Person], now: datetime) -> list[away.Cover]:
    return await away.route(tx, people, now, "referral", referral.id, exclude=frozenset({referral.referrer_id}))


async def ask_approvers(tx: Tx, referral: Referral, people: list[Person], now: datetime) -> list[Person]:
    """Ask these managers (or their deputies) to approve; start the approval clock. Returns who was asked."""
    asked = []
    for cover in await routed(tx, referral, people, now):
        person = cover.person
        key = f"ref:{referral.id}:approve:{person.id}:{referral.round}"
        card = await more_wording.approval_card(tx, referral, person)
        if await notify(tx, key, person.id, card, now, tell_on_failure=referral.referrer_id):
            tx.session.add(ReferralOffer(referral_id=referral.id, person_id=person.id, role="approver",
                                         round=referral.round, notification_key=key, status="offered"))
            asked.append(person)
    await tx.session.flush()
    return asked


async def ask_receivers(tx: Tx, referral: Referral, now: datetime) -> list[Person]:
    """Ask the receiver, or everyone in the pool (each through their deputy while away);
    start the clock for an answer."""
    policy = await policy_for(tx, referral.referrer_id)
    referral.status, referral.offered_at, referral.reminded_at = "offered", now, None
    due = await answer_by(tx, referral, policy)
    asked = []
    for cover in await routed(tx, referral, await receivers(tx, referral), now):
        person = cover.person
        key = f"ref:{referral.id}:offer:{person.id}:{referral.round}"
        card = await wording.offer_card(tx, referral, person, "offered", policy, due=due)
        if await notify(tx, key, person.id, card, now, tell_on_failure=referral.referrer_id):
            tx.session.add(ReferralOffer(referral_id=referral.id, person_id=person.id, role="receiver",
                                         round=referral.round, notification_key=key, status="offered"))
            asked.append(person)
    await schedule(tx, referral, REMIND, due, now)
    return asked


async def update_card(tx: Tx, offer: ReferralOffer, card: Card, now: datetime) -> None:
    """Replace the card this offer's person was sent, in place; each update follows the
    previous one so they land in order."""
    referral = await tx.session.get(Referral, offer.referral_id)
    key = f"{offer.notification_key.split(':u')[0]}:u{referral.generation}"
    if await notify(tx, key, offer.person_id, card, now, updates=offer.notification_key):
        offer.notification_key = key


async def schedule(tx: Tx, referral: Referral, kind: str, due: datetime, now: datetime, tag: str = "") -> None:
    await tx.timers.schedule(
        f"ref:{referral.id}:{kind}:{referral.generation}{tag}", kind, "referral", referral.id, due, now,
        payload={"referral_id": referral.id, "generation": referral.generation},
    )


async def tell_referrer(tx: Tx, referral: Referral, view: Card | Notice, now: datetime, what: str) -> None:
    await notify(tx, f"ref:{referral.id}:referrer:{what}:{referral.generation}", referral.referrer_id, view, now)


def clean_reason(form: Form, values: dict, field: str = "reason") -> tuple[str | None, dict[str, str]]:
    cleaned, errors = clean(form, values)
    if kinds := find_identifier_kinds(cleaned.get(field)):
        errors[field] = f"This seems to contain {describe(kinds)}. Please take it out."
    return cleaned.get(field), errors
