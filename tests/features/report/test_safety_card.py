"""The safety card through the core (issue 15): the security number first, who was alerted and
by when, [Get a colleague with me now] and [I'm safe now], and a check-in that tells the
managers when the clinician does not answer. Driven with the outbox and timers on a manual
clock, on the demo organisation."""

import pytest
from sqlalchemy import select

from bot.features.chaperone.storage import ChaperoneRequest
from bot.machinery.storage.models import AuditEntry
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card
from tests.world import World

ASHA, SAM = Identity("web", "demo", "asha"), Identity("web", "demo", "sam")
SECRET = "he followed me to the car park and would not let me pass"
DANGER = {"felt_unsafe": "yes", "category": "THREAT", "details": SECRET}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


def words(view) -> str:
    return "\n".join([view.title, *view.paragraphs, *(b.label for b in view.buttons)])


async def safety_card(world) -> Card:
    [card] = await world.bot.handle(FormSubmitted(ASHA, "report", DANGER))
    await world.settle()
    return card


async def test_two_answers_are_enough_and_the_card_reads_in_the_order_a_frightened_person_needs(world):
    card = await safety_card(world)
    text = words(card)
    # Read aloud: where to call first, who knows and by when, then what I can press.
    order = ["call Security desk (demo): ext. 2222", "I have alerted Morgan Reyes now",
             "They are asked to answer by", "Dr Chris Osei (clinical lead) is told",
             "I'll check on you in 10 minutes"]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    assert [b.label for b in card.buttons][:3] == ["Call ext. 2222", "Get a colleague with me now", "I'm safe now"]
    for internal in ("E-1", "step 5", "firm tone", "Written for", "because", "penalis"):
        assert internal not in "\n".join(card.paragraphs), internal
    assert SECRET not in text
    assert any(v.title.startswith("Escalation") for v in world.inbox("morgan"))


async def test_no_answer_to_the_check_in_tells_the_managers_and_asks_again(world):
    await safety_card(world)
    await world.later(minutes=9)
    assert not [v for v in world.inbox("morgan") if v.title == "No answer to a safety check-in"]
    await world.later(minutes=1)
    [told] = [v for v in world.inbox("morgan") if v.title == "No answer to a safety check-in"]
    assert "Dr Asha Patel said they were in danger" in words(told) and SECRET not in words(told)
    [asked] = [v for v in world.inbox("asha") if v.title == "Are you safe?"]
    assert "I'm safe now" in [b.label for b in asked.buttons]
    assert "call Security desk (demo): ext. 2222" in words(asked)


async def test_im_safe_now_stops_the_check_in_and_tells_whoever_was_alerted(world):
    card = await safety_card(world)
    safe = next(b for b in card.buttons if b.label == "I'm safe now")
    [answer] = await world.bot.handle(ButtonPressed(ASHA, safe.action, safe.value))
    assert answer.title == "Glad you're safe" and "Talk to a peer supporter" in words(answer)
    await world.later(minutes=30)
    assert not [v for v in world.inbox("morgan") if getattr(v, "title", "") == "No answer to a safety check-in"]
    assert any("says they are safe now" in getattr(v, "text", "") for v in world.inbox("morgan"))
    async with world.db.transaction() as tx:
        actions = (await tx.session.scalars(select(AuditEntry.action))).all()
    assert "report.safe" in actions
    # Someone else's report: the same answer as a missing one.
    [other] = await world.bot.handle(ButtonPressed(SAM, safe.action, safe.value))
    assert "can't find that report" in other.text


async def test_get_a_colleague_with_me_now_asks_every_volunteer_who_can_come_at_once(world):
    card = await safety_card(world)
    now = next(b for b in card.buttons if b.label == "Get a colleague with me now")
    [answer] = await world.bot.handle(ButtonPressed(ASHA, now.action, now.value))
    await world.settle()
    assert answer.title == "Getting a colleague to you" and "to come to you now" in answer.paragraphs[0]
    offers = [v for v in world.inbox("sam") + world.inbox("priya")
              if isinstance(v, Card) and v.title.startswith("Chaperone needed")]
    assert len(offers) == 2  # both volunteers, at once, whatever their sites
    assert "Where they are now" in str(offers[0].facts) and "Urgent" in dict(offers[0].facts)
    sams = next(v for v in offers if v in world.inbox("sam"))
    accept = next(b for b in sams.buttons if b.label == "Accept")
    await world.bot.handle(ButtonPressed(SAM, accept.action, accept.value))
    await world.settle()
    async with world.db.transaction() as tx:
        request = (await tx.session.scalars(select(ChaperoneRequest))).one()
        assert request.status == "covered" and request.urgent and request.report_id == 1


async def test_the_report_form_says_who_a_yes_alerts_before_anyone_chooses(world):
    [form] = await world.bot.handle(Command(ASHA, "report"))
    unsafe = form.fields[0]
    assert unsafe.name == "felt_unsafe" and unsafe.required
    assert ("Yes: I alert Morgan Reyes now; Dr Chris Osei (clinical lead) if not acknowledged in 15 minutes"
            in unsafe.help)
    # Someone in no team with a manager is told nobody would be alerted.
    [form] = await world.bot.handle(Command(Identity("web", "demo", "alex"), "report"))
    assert "nobody is alerted" in form.fields[0].help


async def test_the_chaperone_form_says_who_hears_of_an_unfilled_request(world):
    [form] = await world.bot.handle(Command(ASHA, "chaperone"))
    assert "If nobody accepts in time, Morgan Reyes will be told" in form.intro
