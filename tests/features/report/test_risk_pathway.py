"""The risk and capacity pathway through selection and the report workflow: a client's
condition or age never reaches words that walk out on them or tell them off; a child always
reaches the safeguarding lead; an organisation can show only signed-off scripts, and then
never leaves the clinician at a dead end."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.ladder import assess
from bot.content.library import Library
from bot.content.scripts import load_library, suggest
from bot.content.situations import Condition, OtherPerson, Pathway, SexualAct
from bot.content.taxonomy import Category, Occurrence, Profession, Setting, Step
from bot.content.wording_rules import punitive_or_leaving
from bot.machinery.storage.models import Organisation
from bot.port.events import Command, FormSubmitted, Identity
from tests.features.report.test_report_workflow import text_of

SAM = Identity("web", "demo", "sam")


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_no_condition_ever_reaches_walking_out_or_telling_off_words(library):
    for condition in Condition:
        for category in Category:
            for step in Step:
                for setting in Setting:
                    for profession in (None, *Profession):
                        ranked = suggest(library, category, step, setting, profession, condition=condition)
                        assert ranked, (condition, category, step, setting)
                        for suggestion in ranked:
                            script = suggestion.script
                            assert script.pathway is Pathway.RISK, (condition, category, script.id)
                            assert not punitive_or_leaving(script.say), script.id


def test_a_child_always_gets_the_safeguarding_next_step(library):
    for category in Category:
        for step in Step:
            for suggestion in suggest(library, category, step, Setting.IN_PERSON, condition=Condition.CHILD):
                assert suggestion.script.next_step.value == "safeguarding", suggestion.script.id


def test_sexual_acts_family_and_colleagues_get_their_own_words(library):
    touch = suggest(library, Category.SEXUAL, Step.SAFETY, Setting.IN_PERSON, act=SexualAct.TOUCH)
    assert all(SexualAct.TOUCH in s.script.acts for s in touch)
    remark = suggest(library, Category.SEXUAL, Step.SECOND_PERSON, Setting.IN_PERSON, act=SexualAct.REMARK)
    assert remark[0].script.id.startswith("sexual-remark")
    family = suggest(library, Category.GIFT, Step.REDIRECT, Setting.IN_PERSON, other=OtherPerson.FAMILY)
    assert family[0].script.audience.value == "family"
    colleague = suggest(library, Category.TOUCH, Step.NAME_BOUNDARY, Setting.IN_PERSON, other=OtherPerson.COLLEAGUE)
    assert colleague[0].script.next_step.value == "speak_up"


def test_the_ladder_reads_the_act_and_the_condition():
    assert assess(Category.SEXUAL, Occurrence.FIRST, False, act=SexualAct.TOUCH).step == 5
    assert assess(Category.SEXUAL, Occurrence.FIRST, False, act=SexualAct.REMARK).step == 3
    assert assess(Category.SEXUAL, Occurrence.FIRST, False, act=SexualAct.TOUCH, condition=Condition.COGNITIVE).step == 3
    assert assess(Category.THREAT, Occurrence.FIRST, False, condition=Condition.INTOXICATION).step == 5
    assert assess(Category.PREFERENCE, Occurrence.FIRST, False).step == 1
    assert assess(Category.GIFT, Occurrence.FIRST, True, condition=Condition.CHILD).step == 5


async def file(bot, **values):
    await bot.handle(Command(SAM, "report"))
    base = {"category": "ROMANTIC", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}
    return await bot.handle(FormSubmitted(SAM, "report", {**base, **values}))


async def test_unsafe_with_a_person_at_risk_says_both(demo_bot):
    [card] = await file(demo_bot, category="THREAT", felt_unsafe="yes", condition="self_harm")
    body = text_of([card])
    assert "get to safety" in body and "someone stays with them" in body
    assert "Samaritans: 116 123" in body and "Security desk (demo): ext. 2222" in body
    assert "I'm calling a colleague to help us right now" in body
    assert "step out" not in body.lower()


async def test_not_sure_gets_calm_words_and_the_clinical_team(demo_bot):
    [card] = await file(demo_bot, category="TOUCH", condition="unsure")
    body = text_of([card])
    assert "non-punitive" not in body or "possibly" in body
    assert "I'd like us to keep our time for your care" in body and "Duty doctor on call" in body


async def test_a_relative_and_a_colleague(demo_bot):
    [card] = await file(demo_bot, category="GIFT", who="family")
    body = text_of([card])
    assert "Something you could say to the relative or visitor" in body and "Who: A relative" in body
    [card] = await file(demo_bot, category="OFFENSIVE", who="colleague")
    body = text_of([card])
    assert "Freedom to Speak Up Guardian (demo)" in body and "outside what this bot handles" in body


async def test_reviewed_only_shows_signed_off_scripts_or_a_safe_fallback(demo_bot, db, library):
    async with db.transaction() as tx:
        org = await tx.session.get(Organisation, 1)
        org.reviewed_scripts_only = True
    [card] = await file(demo_bot, category="ROMANTIC", condition="self_harm")
    body = text_of([card])
    assert "none signed off yet fits this situation" in body and "Samaritans: 116 123" in body
    assert not any(p.startswith("> ") for p in card.paragraphs)
    [view] = await demo_bot.handle(Command(SAM, "script", "asked for my number"))
    assert "signed off" in text_of([view])

    signed = library.get("contact-name-gentle").model_copy(
        update={"reviewed_by": "Dr Chris Osei", "reviewed_at": date(2026, 12, 1)})
    demo_bot.library = Library((*[s for s in library.scripts if s.id != signed.id], signed), library.sources)
    views = await demo_bot.handle(Command(SAM, "script", "asked for my number"))
    assert "I'm glad our sessions feel helpful" in text_of(views)
