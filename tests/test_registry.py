"""Features declare themselves; the registry collects them and refuses clashes at start-up.

The first test is the worked example in docs/architecture.md: a whole new verb, with a
button, a form and a timer, added by writing one Feature and nothing else.
"""

from __future__ import annotations

import pytest

from bot.app import STALE_BUTTON, STALE_FORM, BoundaryBot
from bot.feature import Feature, Registry, RegistryError, Verb
from bot.features import ALL, registry
from bot.machinery.scheduler import DEFAULT_HANDLERS, Scheduler
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Button, Card, Field, FieldKind, Form, Notice

ASHA = Identity("web", "demo", "asha")


# --- the worked example: a "thanks" feature, as its own package would declare it ----------

THANKS_FORM = "thanks.note"
fired_for: list[int] = []


async def thank(turn, args):
    return [Card("Say thank you", ("Who helped you today?",),
                 buttons=(Button("Write a note", "thanks.write", str(turn.person.id)),))]


async def write(turn, value):
    return [Form(THANKS_FORM, "A note of thanks", (Field("note", "Your note", FieldKind.SHORT_TEXT, required=True),),
                 state=value)]


async def send(turn, values, state):
    now = turn.clock.now()
    await turn.tx.timers.schedule(f"thanks:{state}", "thanks.later", "person", turn.person.id, now, now)
    return [Notice("Thank you noted.")]


async def later(tx, timer, now):
    fired_for.append(timer.subject_id)


THANKS = Feature(
    name="thanks",
    verbs=(Verb("thanks", thank, "say thank you to a colleague", aliases=("thankyou",)),),
    buttons={"thanks.write": write},
    forms={THANKS_FORM: send},
    timers={"thanks.later": later},
    audit_actions={"thanks.sent": "someone thanked a colleague"},
)


async def test_a_new_verb_is_one_feature_and_nothing_else(demo_bot, db, sealer, library, clock):
    bot = BoundaryBot(db, sealer, library, clock, registry((*ALL, THANKS)))
    [card] = await bot.handle(Command(ASHA, "thankyou"))
    assert card.title == "Say thank you"
    [form] = await bot.handle(ButtonPressed(ASHA, "thanks.write", card.buttons[0].value))
    assert form.form_id == THANKS_FORM
    [done] = await bot.handle(FormSubmitted(ASHA, THANKS_FORM, {"note": "for Sam"}, state=form.state))
    assert done == Notice("Thank you noted.")
    fired_for.clear()
    await Scheduler(db, clock, bot.timer_handlers).run_once()
    assert fired_for == [int(form.state)]
    [help_card] = await bot.handle(Command(ASHA, "help"))
    assert ("thanks", "say thank you to a colleague") in help_card.facts


async def test_unknown_and_stale_ids_get_the_usual_clear_messages(demo_bot):
    bot = demo_bot
    assert await bot.handle(ButtonPressed(ASHA, "thanks.write", "1")) == [STALE_BUTTON]
    assert await bot.handle(FormSubmitted(ASHA, THANKS_FORM, {}, state="1")) == [STALE_FORM]


def test_the_shipped_features_register_without_clashes():
    features = registry()
    assert {f.name for f in features.features} >= {"report", "script", "chaperone", "volunteer", "referral",
                                                    "escalation", "status", "help"}
    assert set(DEFAULT_HANDLERS) <= set(features.timers)
    for feature in features.features:
        for key in (*feature.buttons, *feature.forms, *feature.timers):
            assert key == feature.name or key.startswith(feature.name + "."), key


@pytest.mark.parametrize(
    ("clash", "message"),
    [
        (Feature("thanks2", verbs=(Verb("report", thank, "clash"),)), "verb 'report' is already taken"),
        (Feature("thanks2", buttons={"report.open": write}), "must start with 'thanks2'"),
        (Feature("report"), "two features share a name"),
        (Feature("thanks2", verbs=(Verb("Thank You", thank, "x"),)), "must be one lower-case word"),
        (Feature("thanks2", fallback=thank), "exactly one feature must declare a fallback"),
    ],
)
def test_clashes_are_refused_when_the_bot_is_built(clash, message):
    with pytest.raises(RegistryError, match=message):
        Registry((*ALL, clash))
