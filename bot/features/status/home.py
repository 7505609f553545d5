"""``home``: what waits for this person (with the time left), their own items in short, and
quick actions. Slack's App Home, the Teams welcome card and the web chat's home all show it.

The list is capped (``SHOWN`` items) so every platform's limits hold (Slack's App Home takes
100 blocks); ``status`` lists everything.
"""

from __future__ import annotations

from datetime import datetime

from bot.feature import Waiting
from bot.features import console
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

SHOWN = 8
QUICK_VERBS = (("Words to say", "script"), ("Report", "report"), ("Chaperone", "chaperone"))


def time_left(due: datetime, now: datetime) -> str:
    """"in 12 min", "in 3 h 5 min", "in 2 days"; "now" or "overdue by 4 min" once past."""
    seconds = int((due - now).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now"
    minutes = seconds // 60
    if minutes < 60:
        words = f"{minutes} min"
    elif minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        words = f"{hours} h" + (f" {rest} min" if rest and hours < 6 else "")
    else:
        words = f"{minutes // (24 * 60)} days"
    return f"overdue by {words}" if late else f"in {words}"


async def waiting_for(turn: Turn) -> list[Waiting]:
    """Everything waiting for this person, soonest first (undated items last)."""
    items: list[Waiting] = []
    for read in turn.features.waiting_readers:
        items.extend(await read(turn))
    far = datetime.max.replace(tzinfo=turn.clock.now().tzinfo)
    return sorted(items, key=lambda item: item.due or far)


def waiting_card(item: Waiting, now: datetime) -> Card:
    facts: tuple[tuple[str, str], ...] = ()
    if item.due is not None:
        facts = (("Time left", f"{time_left(item.due, now)}: then {item.due_means}"),)
    return Card(title=item.what[0].upper() + item.what[1:], facts=facts, buttons=item.buttons)


async def own_items(turn: Turn, waiting: list[Waiting]) -> list[str]:
    """The title of each open item from every feature's status section, less those already
    listed as waiting (the same buttons on the same item)."""
    views: list[View] = []
    for section in turn.features.status_sections:
        views.extend(await section(turn))
    listed = {(b.action, b.value) for item in waiting for b in item.buttons}
    return [view.title for view in views if isinstance(view, Card)
            and not any((b.action, b.value) in listed for b in view.buttons)]


async def quick_actions(turn: Turn) -> Card:
    buttons = [Button(label, "status.run", verb) for label, verb in QUICK_VERBS]
    buttons.append(Button("My items", "status.show", "", ButtonStyle.PRIMARY))
    if (await console.access_for(turn.tx, turn.person)).allowed:
        buttons.append(Button("Open the console", "status.console"))
    return Card(
        title="What you can do",
        paragraphs=("Type what happened in your own words, or start with script for words to say (nothing "
                    "is saved). A report is private to you: no one is told unless you escalate it or answer "
                    "that you felt unsafe, and the form shows who is told before you send it.",),
        buttons=tuple(buttons),
    )


async def show(turn: Turn, args: str = "") -> list[View]:
    now = turn.clock.now()
    items = await waiting_for(turn)
    views: list[View] = []
    if items:
        s = "s" if len(items) != 1 else ""
        views.append(Notice(f"Waiting for you: {len(items)} item{s}, the most urgent first."))
        views.extend(waiting_card(item, now) for item in items[:SHOWN])
        if len(items) > SHOWN:
            views.append(Notice(f"…and {len(items) - SHOWN} more: press My items to see them all."))
    else:
        views.append(Notice("Nothing is waiting for you."))
    own = await own_items(turn, items)
    if own:
        listed = own[:SHOWN] + ([f"…and {len(own) - SHOWN} more"] if len(own) > SHOWN else [])
        views.append(Card(title=f"Your open items ({len(own)})", paragraphs=tuple(listed)))
    else:
        views.append(Notice("Nothing of your own is open: no reports, requests or referrals."))
    views.append(await quick_actions(turn))
    return views


async def run_verb(turn: Turn, value: str) -> list[View]:
    """A quick-action button: the verb, as if typed on its own."""
    if value not in {verb for _, verb in QUICK_VERBS}:
        return [Notice("That button no longer does anything. Type help to see what you can do.")]
    verb = turn.features.verb(value)
    return await verb.run(turn, "")


async def open_console(turn: Turn, value: str) -> list[View]:
    """[Open the console]: a fresh one-time sign-in link, made only when pressed."""
    verb = turn.features.verb("console")
    return await verb.run(turn, "")
