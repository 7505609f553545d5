""""What happened?" in a few plain groups (issue 15, a short first step): the clinician's own
words make the group exact for the advice; when neither words nor a choice say which kind, the
form asks "Which of these is closest?" rather than guessing; a safety matter read from the
words alerts nobody by itself; the exact kind can be corrected later under [Add details]."""

from sqlalchemy import select

from bot.machinery.storage.models import AuditEntry, Report
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice

ASHA = Identity("web", "demo", "asha")


async def submit(bot, **values):
    return await bot.handle(FormSubmitted(ASHA, "report", {"felt_unsafe": "no", **values}))


async def stored(db, report_id=1) -> Report:
    async with db.transaction() as tx:
        return await tx.reports.get(report_id)


async def escalations_started(db) -> int:
    async with db.transaction() as tx:
        return len((await tx.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "escalation.started"))).all())


async def test_the_first_step_offers_a_handful_of_plain_choices(demo_bot):
    [form] = await demo_bot.handle(Command(ASHA, "report"))
    what = next(f for f in form.fields if f.name == "category")
    assert [o.label for o in what.options] == [
        "Sexual comments, messages or touching",
        "Asked me out, or for my number, to meet up or to connect online",
        "A gift, money or a favour",
        "Threats, stalking or aggression",
        "Something else: say what in the box below"]
    # Choosing threats alerts the manager at once: said where it is chosen.
    assert what.help.startswith("Choosing threats, stalking or aggression also alerts Morgan Reyes now")
    assert "kind" not in [f.name for f in form.fields]


async def test_their_words_make_the_group_exact(demo_bot, db):
    [card] = await submit(demo_bot, category="SEXUAL", details="he kept making sexual jokes about my body")
    assert isinstance(card, Card) and ("What", "Sexual remarks or questions") in card.facts
    report = await stored(db)
    assert (report.category, report.act, report.step) == ("SEXUAL", "remark", 3)
    [card] = await submit(demo_bot, category="CONTACT", details="sent me a friend request on facebook")
    assert (await stored(db, 2)).category == "SOCIAL_MEDIA"
    [card] = await submit(demo_bot, category="OTHER", details="made a racist joke during the session")
    assert (await stored(db, 3)).category == "OFFENSIVE"


async def test_words_that_describe_another_group_do_not_overrule_the_choice(demo_bot, db):
    await submit(demo_bot, category="CONTACT", details="kept stroking my arm while I took bloods")
    assert (await stored(db)).category == "CONTACT"  # the group's own default


async def test_with_no_words_a_broad_group_asks_which_is_closest_instead_of_guessing(demo_bot, db):
    [form] = await submit(demo_bot, category="SEXUAL")
    assert isinstance(form, Form) and form.values["category"] == "SEXUAL"
    names = [f.name for f in form.fields]
    assert names[names.index("category") + 1] == "kind" and "choose the closest" in form.errors["kind"]
    closest = next(f for f in form.fields if f.name == "kind")
    assert closest.label == "Which of these is closest?"
    assert [o.value for o in closest.options] == ["SEXUAL:remark", "SEXUAL:messages", "SEXUAL:exposure",
                                                  "SEXUAL:touch"]
    assert await stored(db) is None  # nothing saved until they say
    [card] = await submit(demo_bot, category="SEXUAL", kind="SEXUAL:messages")
    assert isinstance(card, Card) and ((await stored(db)).act == "messages")
    # Something else, said too vaguely, asks too, among the kinds no other group names.
    [form] = await submit(demo_bot, category="OTHER", details="it felt odd")
    assert {o.value for o in next(f for f in form.fields if f.name == "kind").options} >= {"OFFENSIVE", "DUAL",
                                                                                            "PREFERENCE"}


async def test_a_group_with_one_kind_or_a_safe_default_answers_at_once(demo_bot, db):
    [card] = await submit(demo_bot, category="GIFT")
    assert isinstance(card, Card) and (await stored(db)).category == "GIFT"
    [card] = await submit(demo_bot, category="CONTACT")
    assert isinstance(card, Card) and (await stored(db, 2)).category == "CONTACT"


async def test_a_safety_matter_read_from_their_words_alerts_nobody_by_itself(demo_bot, db):
    notice, card = await submit(demo_bot, category="SEXUAL", details="he grabbed my breast")
    assert isinstance(notice, Notice) and "Nobody has been told yet" in notice.text
    assert "Escalate to my manager" in [b.label for b in card.buttons]
    assert any("sends this report to Morgan Reyes" in p for p in card.paragraphs)
    report = await stored(db)
    assert (report.act, report.step) == ("touch", 4) and await escalations_started(db) == 0
    # Chosen, not read, it is a safety matter at once, as the form said it would be.
    views = await submit(demo_bot, category="SEXUAL", kind="SEXUAL:touch")
    assert (await stored(db, 2)).step == 5 and await escalations_started(db) == 1
    assert not any(isinstance(v, Notice) and "Nobody has been told" in v.text for v in views)


async def test_an_exact_kind_sent_as_the_answer_still_works(demo_bot, db):
    # An older form, or a platform's saved card, may still send one of the fourteen kinds.
    [card] = await submit(demo_bot, category="PREFERENCE")
    assert isinstance(card, Card) and (await stored(db)).category == "PREFERENCE"


async def test_the_exact_kind_can_be_corrected_under_add_details(demo_bot, db):
    [card] = await submit(demo_bot, category="CONTACT", details="asked for my number")
    add = next(b for b in card.buttons if b.label == "Add details")
    [form] = await demo_bot.handle(ButtonPressed(ASHA, add.action, add.value))
    kind = next(f for f in form.fields if f.name == "kind")
    assert not kind.required and len(kind.options) == 14 and form.values["kind"] == "CONTACT"
    [refreshed] = await demo_bot.handle(FormSubmitted(ASHA, "report.more", {"kind": "ROMANTIC"}, state=form.state))
    assert isinstance(refreshed, Card) and (await stored(db)).category == "ROMANTIC"
