"""``away``: a person sets days away from chat and who stands in; ``away back`` ends it."""

from __future__ import annotations

from bot.features.away import wording
from bot.features.away.access import may_stand_in
from bot.features.away.cover import AwayError, end_away, set_away
from bot.features.away.storage import current_or_next, standing_deputy, standing_in_for
from bot.machinery.outbox import notify
from bot.org import directory_search as directory
from bot.pickers import with_choices
from bot.port.forms import clean
from bot.port.views import View
from bot.turn import Turn

# Who may stand in (bot.features.away.access.may_stand_in), found by typing.
DEPUTIES = directory.people_picker(lambda turn: directory.Rule(not_id=turn.person.id))


def zone_of(turn: Turn) -> str:
    return turn.person.timezone or (turn.org.timezone if turn.org else None) or "UTC"


async def _form(turn: Turn, values=None, errors=None):
    standing_id = await standing_deputy(turn.tx, turn.person.id)
    standing = await turn.tx.people.get(standing_id) if standing_id else None
    return wording.form(standing, values, errors)


async def start(turn: Turn, args: str = "") -> list[View]:
    if args.strip().lower() in ("back", "off", "end", "stop"):
        return await back(turn, "")
    return [await _form(turn)]


async def submit(turn: Turn, values: dict, state: str = "") -> list[View]:
    form = await with_choices(turn, await _form(turn), values)
    cleaned, errors = clean(form, values)
    deputy = None
    if cleaned.get("deputy"):
        deputy = await turn.tx.people.get(int(cleaned["deputy"]))
        if deputy is None or not may_stand_in(deputy, turn.person):
            errors["deputy"] = "Please choose an active colleague other than yourself."
    if errors:
        return [form.with_errors(values, errors)]
    now, zone = turn.clock.now(), zone_of(turn)
    try:
        period = await set_away(turn.tx, turn.person, cleaned["first_day"], cleaned["last_day"], deputy, now,
                                zone=zone)
    except AwayError as exc:
        return [form.with_errors(values, {"last_day": str(exc)})]
    deputy = deputy or await turn.tx.people.get(await standing_deputy(turn.tx, turn.person.id))
    deputy_zone = deputy.timezone or (turn.org.timezone if turn.org else None) or "UTC"
    await notify(turn.tx, f"away:{period.id}:deputy", deputy.id, wording.deputy_told(period, turn.person, deputy_zone),
                 now)
    return [wording.set_card(period, deputy, zone)]


async def back(turn: Turn, value: str) -> list[View]:
    now = turn.clock.now()
    period = await current_or_next(turn.tx, turn.person.id, now)
    deputy_id = (period.deputy_id or await standing_deputy(turn.tx, turn.person.id)) if period else None
    if not await end_away(turn.tx, turn.person, now):
        return [wording.NOT_AWAY]
    if deputy_id:
        await notify(turn.tx, f"away:{period.id}:back", deputy_id, wording.back_for_deputy(turn.person), now)
    return [wording.BACK]


async def section(turn: Turn) -> list[View]:
    now, zone = turn.clock.now(), zone_of(turn)
    views: list[View] = []
    period = await current_or_next(turn.tx, turn.person.id, now)
    if period is not None:
        deputy_id = period.deputy_id or await standing_deputy(turn.tx, turn.person.id)
        views.append(wording.status_card(period, await turn.tx.people.get(deputy_id) if deputy_id else None,
                                         zone, now))
    rows = [(p, await turn.tx.people.get(p.person_id)) for p in await standing_in_for(turn.tx, turn.person.id, now)]
    if rows:
        views.append(wording.standing_in_card(rows, zone))
    return views
