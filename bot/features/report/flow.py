"""Reporting: a private form, stored at once with the free text sealed, answered with the
recommended ladder step and words the clinician could say."""

from __future__ import annotations

from dataclasses import replace

from bot.content import ladder
from bot.content.identifiers import describe, find_identifier_kinds, reference_problems
from bot.content.scripts import Suggestion, Tone, suggest
from bot.content.situations import Condition, OtherPerson, SexualAct, situation_for
from bot.content.taxonomy import Category, Factor, Occurrence, Setting, Step
from bot.features import escalation, patterns, script, support
from bot.features.report import count_only, safeguarding, safety, what
from bot.features.report.form import (
    FORM_ID,
    REPORT_FORM,
    read_category,
    read_condition,
    read_other,
    with_preview,
)
from bot.machinery import drafts
from bot.machinery.retract import retract
from bot.machinery.storage.models import Report
from bot.port.forms import clean
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

# The form as first shown: only what the advice needs at once (the optional rest follows from
# the advice card, see more.py); submissions are still read against the whole form.
FIRST_STEP_FORM = replace(REPORT_FORM, fields=tuple(
    f for f in REPORT_FORM.fields if f.name in ("felt_unsafe", "category", "details", "condition", "keep")))

__all__ = ["FORM_ID", "REPORT_FORM"]


async def start(turn: Turn, args: str = "") -> list[View]:
    """The form, with whatever was typed into it before and not sent (a server-side draft)."""
    form = await form_for(turn)
    kept = await drafts.load(turn.tx, turn.sealer, turn.person.id, FORM_ID, turn.clock.now())
    return [replace(form, values=kept) if kept else form]


async def open_button(turn: Turn, value: str = "") -> list[View]:
    return [await form_for(turn)]


async def form_for(turn: Turn):
    """The report form, saying who a "yes, I'm in danger" alerts and when (the team's real
    escalation ladder, with deputies for anyone away)."""
    zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
    told = await escalation.who_and_when(turn.tx, turn.person, turn.clock.now(), zone=zone)
    return with_preview(FIRST_STEP_FORM, told)


async def submit(turn: Turn, submitted: dict, state: str = "") -> list[View]:
    checked = what.as_submitted(submitted)
    values, errors = clean(REPORT_FORM, checked)
    shown = {f.name for f in FIRST_STEP_FORM.fields}
    for name in [n for n in errors if n not in shown]:
        # An optional detail the person was not shown cannot be corrected by them: left out.
        del errors[name]
        values[name] = [] if name == "factors" else None
    if kinds := reference_problems(values.get("client_ref")):
        errors["client_ref"] = (
            f"This looks like {describe(kinds)}. Please use a nickname that nobody else "
            "could trace to the client."
        )
    if kinds := find_identifier_kinds(values.get("details")):
        errors["details"] = (
            f"This seems to contain {describe(kinds)}. Please take it out: the bot does not "
            "need anything that identifies your client."
        )
    if message := patterns.reference_problem(values.get("pattern_ref")):
        errors["pattern_ref"] = message
    answer = what.resolve(turn.library, values["category"], values.get("kind"),
                          values.get("details")) if values.get("category") else None
    asking = answer is not None and answer.exact is None
    if asking:
        errors.setdefault("kind", what.ASK_MESSAGE)
    if errors:
        # The form again (with who "yes" alerts, looked up only when the form is shown).
        form = await form_for(turn)
        return [(what.asking(form, values["category"]) if asking else form).with_errors(checked, errors)]
    # Only the first two questions are needed; the rest sharpens the advice.
    values["setting"] = values.get("setting") or Setting.OTHER.value
    values["occurrence"] = values.get("occurrence") or Occurrence.FIRST.value

    category, act = read_category(answer.exact)
    condition = read_condition(values.get("condition"))
    other = read_other(values.get("who"))
    occurrence = Occurrence(values["occurrence"])
    factors = [Factor(f) for f in values["factors"]]
    assessment = ladder.assess(category, occurrence, values["felt_unsafe"], factors, act=act, condition=condition)
    # A safety matter read from their words, not chosen, alerts nobody by itself (as in more.py):
    # the card offers the escalation, with who and when.
    read_as_safety = answer.from_words and not values["felt_unsafe"] and assessment.step is Step.SAFETY
    if read_as_safety:
        assessment = ladder.Assessment(Step.REFERRAL, assessment.reason)
    if values.get("keep") == count_only.COUNT_ONLY:
        # Only for this answer's advice: never added to the session, so never stored.
        shown = Report(category=category.value, setting=values["setting"], occurrence=occurrence.value,
                       step=assessment.step.value, act=act.value if act else None,
                       condition=condition.value if condition else None,
                       other_person=other.value if other is not OtherPerson.CLIENT else None)
        await drafts.discard(turn.tx, turn.person.id, FORM_ID)
        return await count_only.submit(turn, REPORT_FORM, submitted, values, assessment, shown, _advice)
    now = turn.clock.now()
    report = await turn.tx.reports.add(
        Report(
            author_id=turn.person.id,
            category=category.value,
            setting=values["setting"],
            occurrence=occurrence.value,
            felt_unsafe=values["felt_unsafe"],
            factors=[f.value for f in factors],
            step=assessment.step.value,
            act=act.value if act else None,
            condition=condition.value if condition else None,
            other_person=other.value if other is not OtherPerson.CLIENT else None,
            status="open",
            confidential=values.get("named") == "confidential",
            client_ref_sealed=turn.sealer.seal(values.get("client_ref")),
            details_sealed=turn.sealer.seal(values.get("details")),
            created_at=now,
            updated_at=now,
        )
    )
    await turn.tx.audit.record(now, turn.person.id, "report.created", "report", report.id)
    await drafts.discard(turn.tx, turn.person.id, FORM_ID)
    if values.get("pattern_ref"):
        await patterns.note_reference(turn.tx, now, report, turn.person, values["pattern_ref"], turn.pseudonyms)
    card = await confirmation(turn, report, assessment.reason)
    return [what.READ_AS_SAFETY, card] if read_as_safety else [card]


def _advice(turn: Turn, report: Report) -> list[str]:
    """The words to say for a report at its step, as paragraphs (or none if none are written)."""
    choices = suggestions(turn, report)
    return _script_paragraphs(turn, report, choices[0]) if choices else []


def reference(report: Report) -> str:
    return f"R-{report.id}"


def situation(report: Report) -> tuple[SexualAct | None, Condition | None, OtherPerson]:
    return (SexualAct(report.act) if report.act else None,
            Condition(report.condition) if report.condition else None,
            OtherPerson(report.other_person) if report.other_person else OtherPerson.CLIENT)


def situation_of(report: Report) -> str:
    act, condition, other = situation(report)
    return situation_for(Category(report.category), act, condition, other)


def suggestions(turn: Turn, report: Report) -> list[Suggestion]:
    """Scripts for this report at its step (or the nearest written one), best first: by
    situation first (a client's condition allows only the risk pathway's scripts)."""
    act, condition, other = situation(report)
    ranked = suggest(
        turn.scripts, Category(report.category), Step(report.step), Setting(report.setting),
        turn.profession, act=act, condition=condition, other=other,
    )
    return [s for s in ranked if s.exact_step == ranked[0].exact_step] if ranked else []


WHY = "report.why"


async def confirmation(turn: Turn, report: Report, reason: str) -> Card:
    """The answer to a report: the words to say, one plain line on why, the next step as a
    button; the step on the ladder, the notes and the sources are behind "Why this advice?".
    When the clinician said they were in danger, the safety card comes first instead."""
    step = Step(report.step)
    choices = suggestions(turn, report)
    if choices:
        words = script.plain_paragraphs(choices[0].script, choices[0].situation or situation_of(report),
                                        contacts=turn.contacts, region=turn.region, step=report.step)
    else:
        _, condition, _ = situation(report)
        where = f"RISK/{condition.value}" if condition else situation_of(report)
        words = script.fallback_paragraphs(where, region=turn.region, contacts=turn.contacts, step=report.step)
    why = Button("Why this advice?", WHY, str(report.id))
    lead_lines, lead_buttons = await safeguarding.offer(turn, report)
    # Who to tell comes before what to say: the offer goes right after the contacts.
    at = next((i for i, w in enumerate(words) if i + 1 < len(words) and words[i + 1].startswith("> ")), len(words))
    words[at:at] = lead_lines
    if step is Step.SAFETY:
        found, told = await escalation.start(turn.tx, turn.clock, report, turn.person, "safety")
        if found is not None:
            await safety.start_check_in(turn.tx, report, turn.clock.now())
        zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
        card = await safety.card(turn, report, found, told, zone)
        # The script's "why" says to tell a manager: on this card the manager has been told.
        words = [w for w in words if not w.startswith(("Why: ", "Next: "))]
        return Card(title=card.title,
                    paragraphs=(*card.paragraphs, *words, "Your report is saved privately."),
                    # Small, last: for quoting to security or a manager later, as on other cards.
                    facts=(("Reference", reference(report)),),
                    # Last, and only if they want it: a trained colleague to talk to afterwards.
                    buttons=(*card.buttons, *lead_buttons, why, support.offer(report.id)[1]))
    buttons = list(lead_buttons)
    if report.condition:
        # The risk pathway may still need a second person, a referral or a manager.
        buttons.append(Button("Ask for a chaperone", "chaperone.for_report", str(report.id)))
        buttons.append(Button("Escalate to my manager", "report.escalate", str(report.id)))
        buttons.append(Button("Refer to a colleague", "referral.start", str(report.id)))
    elif step is Step.SECOND_PERSON:
        buttons.append(Button("Ask for a chaperone", "chaperone.for_report", str(report.id), ButtonStyle.PRIMARY))
    if step is Step.REFERRAL and not report.condition:
        words.append("It can help to involve your manager now, or to refer the client on to a colleague "
                     "(without leaving them without care).")
        buttons.append(Button("Escalate to my manager", "report.escalate", str(report.id), ButtonStyle.PRIMARY))
        buttons.append(Button("Refer to a colleague", "referral.start", str(report.id)))
    if any(b.action == "report.escalate" for b in buttons):
        # Before anything alerts anyone: who an escalation goes to, and when.
        zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
        if told := await escalation.who_and_when(turn.tx, turn.person, turn.clock.now(), urgent=False, zone=zone):
            words.append(f"Escalate to my manager sends this report to {told}.")
    buttons += _other_tones(report, choices, shown=choices[0]) if choices else []
    buttons.append(Button("Add details", "report.add_details", str(report.id)))  # the optional rest (more.py)
    buttons.append(why)
    offer_line, offer_button = support.offer(report.id)  # gentle and skippable: a line and a button
    buttons.append(offer_button)
    buttons.append(Button("My reports", "status.show"))
    return Card(
        title="Your report is saved privately",
        paragraphs=(*words, offer_line),
        facts=(*_facts(report), ("Reference", reference(report))),
        buttons=tuple(buttons),
    )


async def why_this(turn: Turn, value: str) -> list[View]:
    """The step, the reasons, the notes for the setting and profession, and the sources."""
    report = await own_report(turn, value)
    if report is None:
        return [NOT_YOURS]
    act, condition, _ = situation(report)
    assessment = ladder.assess(Category(report.category), Occurrence(report.occurrence), report.felt_unsafe,
                               [Factor(f) for f in report.factors or ()], act=act, condition=condition)
    choices = suggestions(turn, report)
    if not choices:
        return [Card(title="Why this advice?", paragraphs=(
            f"Step {report.step} of 5 on the ladder from redirecting to safety, because {assessment.reason}.",
            "No script is written for this situation yet, so the card shows who can help."))]
    choice = choices[0]
    paragraphs = script.why_paragraphs(
        choice.script, choice.situation or situation_of(report), setting=Setting(report.setting),
        profession=turn.profession, region=turn.region, contacts=turn.contacts, step=report.step,
        reason=assessment.reason)
    return [Card(title="Why this advice?", paragraphs=tuple(paragraphs))]


def _facts(report: Report) -> tuple[tuple[str, str], ...]:
    act, condition, other = situation(report)
    facts = [("What", act.label if act else Category(report.category).label)]
    if other is not OtherPerson.CLIENT:
        facts.append(("Who", other.label))
    if condition is not None:
        facts.append(("Linked to", condition.label))
    # Where and whether it happened before are optional on the form (a default is stored when
    # left out), so the card does not repeat them as if the clinician had said so.
    return tuple(facts)


def _script_paragraphs(turn: Turn, report: Report, choice: Suggestion) -> list[str]:
    """The words, why, and (for a count-only report, which has no "Why this advice?" to
    press, since nothing is kept) the notes and contacts too."""
    return script.script_paragraphs(
        choice.script, choice.situation or situation_of(report), setting=Setting(report.setting),
        profession=turn.profession, region=turn.region, contacts=turn.contacts, step=report.step,
    )


TONE_BUTTONS = {Tone.GENTLE: "Say it more gently", Tone.FIRM: "Say it more firmly",
                Tone.HUMOUR: "With a light touch of humour"}


def _other_tones(report: Report, choices: list[Suggestion], shown: Suggestion) -> list[Button]:
    """A button for each other tone written for this situation, then one for more wording
    in the same tone if there is any."""
    buttons = []
    for tone in dict.fromkeys(c.script.tone for c in choices):
        if tone is not shown.script.tone:
            buttons.append(Button(TONE_BUTTONS[tone], "report.tone", f"{report.id}:{tone.value}"))
    same_tone = [c for c in choices if c.script.tone is shown.script.tone]
    if len(same_tone) > 1:
        following = same_tone[(same_tone.index(shown) + 1) % len(same_tone)]
        buttons.append(Button("Other words", "report.tone", f"{report.id}:{following.script.id}"))
    return buttons


async def another_tone(turn: Turn, value: str) -> list[View]:
    """Show another script for the report: ``id:tone``, ``id:script-id`` or ``id:position``."""
    report_id, _, wanted = value.partition(":")
    report = await own_report(turn, report_id)
    if report is None:
        return [NOT_YOURS]
    choices = suggestions(turn, report)
    if not choices:
        return [Notice("There is no script written for this situation yet. Type script to browse them.")]
    choice = next((c for c in choices if c.script.tone.value == wanted), None)
    choice = choice or next((c for c in choices if c.script.id == wanted), None)
    if choice is None:
        choice = choices[int(wanted) % len(choices)] if wanted.isdigit() else choices[0]
    return [
        Card(
            title=f"Words you could say ({choice.script.tone.label})",
            paragraphs=tuple(script.plain_paragraphs(choice.script, choice.situation or situation_of(report),
                                                     contacts=turn.contacts, region=turn.region,
                                                     step=report.step)),
            buttons=(*_other_tones(report, choices, shown=choice), Button("Why this advice?", WHY, str(report.id))),
        )
    ]


async def own_report(turn: Turn, report_id: str | int) -> Report | None:
    """The report, if it exists and belongs to the person asking; otherwise None.

    Someone else's report and a report that does not exist look the same, so a replayed
    button cannot be used to probe which reports exist.
    """
    try:
        report = await turn.tx.reports.get(int(report_id))
    except (TypeError, ValueError):
        return None
    if report is None or report.author_id != turn.person.id:
        return None
    return report


NOT_YOURS = Notice("I can't find that report among yours. Type status to see your reports.")


async def withdraw(turn: Turn, value: str) -> list[View]:
    report = await own_report(turn, value)
    if report is None:
        return [NOT_YOURS]
    if report.status == "withdrawn":
        return [Notice(f"Report {reference(report)} was already withdrawn.")]
    now = turn.clock.now()
    report.status = "withdrawn"
    report.updated_at = now
    await turn.tx.audit.record(now, turn.person.id, "report.withdrawn", "report", report.id)
    return [Notice(f"Report {reference(report)} is withdrawn. It stays in your history; nobody is told.")]


async def ask_delete(turn: Turn, value: str) -> list[View]:
    report = await own_report(turn, value)
    if report is None:
        return [NOT_YOURS]
    return [
        Card(
            title="Delete this report for good?",
            paragraphs=("This removes the report and everything you wrote in it. It cannot be undone.",),
            facts=(("What", Category(report.category).label), ("Reference", reference(report))),
            buttons=(
                Button("Yes, delete it", "report.delete", str(report.id), ButtonStyle.DANGER),
                Button("Keep it", "status.show"),
            ),
        )
    ]


async def delete(turn: Turn, value: str) -> list[View]:
    report = await own_report(turn, value)
    if report is None:
        return [NOT_YOURS]
    ref = reference(report)
    await turn.tx.audit.record(turn.clock.now(), turn.person.id, "report.deleted", "report", report.id)
    await forget_messages(turn.tx, report.id, turn.clock.now())
    await turn.tx.reports.delete(report)
    return [Notice(f"Report {ref} is deleted, with everything you wrote in it.")]


REMOVED = Notice("This message was about a report that has since been deleted.")


async def forget_messages(tx, report_id: int, now, removed: Notice = REMOVED) -> int:
    """Take back what the bot said to others about a report (check-ins, safeguarding notices:
    keyed ``rep:<id>:…``) and drop its timers."""
    return await retract(tx, f"rep:{report_id}", ("safety", report_id), removed, now)
