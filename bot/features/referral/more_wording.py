"""What people are told about approvals, withdrawing a referral, questions back to the
referrer and snoozed reminders (the rest of the referral wording is in ``wording``)."""

from __future__ import annotations

from datetime import datetime

from bot.features.referral.storage import Referral
from bot.features.referral.wording import asked_line, facts, name, note_button, reference
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.org.hours import when
from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice

ASK_FORM = "referral.ask"
ANSWER_FORM = "referral.answer"
QUESTION_MAX = 500
SNOOZE_LIMIT = 2  # a receiver may put off a reminder this many times; never for urgent or safety referrals


# --- approvals --------------------------------------------------------------------------------


def approved_for_referrer(approver: Person, referral: Referral, asked: list[Person], to: str) -> Notice:
    return Notice(f"{approver.display_name} approved referral {reference(referral)}. {asked_line(asked, to)} "
                  "I'll tell you when someone answers.")


async def returned_card(tx: Tx, referral: Referral, approver: Person) -> Card:
    return Card(
        title=f"Your referral was returned by {approver.display_name}",
        paragraphs=("Nobody else was asked. Their reason opens in a private view. You can start a new "
                    "referral when you are ready.",),
        facts=await facts(tx, referral, approver),
        buttons=(note_button(referral, "Read why"),
                 Button("Start again", "referral.start", str(referral.report_id or ""))),
    )


async def approval_card(tx: Tx, referral: Referral, viewer: Person) -> Card:
    value = str(referral.id)
    if referral.status == "awaiting_approval":
        return Card(
            title="A referral needs your approval",
            paragraphs=("A clinician in your team wants to hand a client over. Approve it to send it on, or "
                        "return it with a reason. The note opens in a private view.",),
            facts=await facts(tx, referral, viewer),
            buttons=(Button("Approve", "referral.approve", value, ButtonStyle.PRIMARY),
                     Button("Return…", "referral.return", value), note_button(referral)),
        )
    if referral.returned_by:
        outcome = f"Returned by {await name(tx, referral.returned_by)}"
    else:
        outcome = f"Approved by {await name(tx, referral.approved_by)}"
    return Card(title=f"Referral: {outcome}", facts=await facts(tx, referral, viewer))


# --- approval deadlines -----------------------------------------------------------------------


def approval_reminded(referral: Referral, fallback_at: datetime, zone: str) -> Notice:
    return Notice(f"Nobody has approved referral {reference(referral)} yet, so I've reminded the approvers. If it is "
                  f"still waiting at {when(fallback_at, zone)}, the next level of your team's escalation policy is "
                  "asked too.")


def approval_fallback(referral: Referral, asked: list[Person]) -> Notice:
    if not asked:
        return Notice(f"Referral {reference(referral)} is still waiting for approval and there is nobody further to "
                      "ask. You can withdraw it and talk to your manager directly.")
    names = " and ".join(p.display_name for p in asked)
    return Notice(f"Referral {reference(referral)} is still waiting for approval, so {names} "
                  f"{'has' if len(asked) == 1 else 'have'} been asked to approve it as well.")


# --- withdrawing ------------------------------------------------------------------------------


def confirm_withdraw(referral: Referral) -> Card:
    return Card(
        title="Withdraw this referral?",
        paragraphs=("Everyone asked about it is told it is no longer needed, and every reminder stops. The client "
                    "stays in your care.",),
        buttons=(Button("Yes, withdraw it", "referral.withdraw_yes", str(referral.id), ButtonStyle.DANGER),
                 Button("Keep it", "status.show")),
    )


def withdrawn(referral: Referral, told: int) -> Notice:
    return Notice(f"Referral {reference(referral)} is withdrawn. {told} {'person has' if told == 1 else 'people have'} "
                  "been told, and nothing more will be sent about it. The client stays in your care.")


def withdrawn_for(referral: Referral, referrer: Person) -> Notice:
    return Notice(f"{referrer.display_name} has withdrawn referral {reference(referral)}: nothing more is needed from "
                  "you. Thank you.")


# --- a question back to the referrer --------------------------------------------------------------


def ask_form(referral_id: int, values=None, errors=None) -> Form:
    return Form(form_id=ASK_FORM, title="A question about this referral",
                intro="The referrer reads it in a private view and answers. You can accept or decline after.",
                fields=(Field("question", "Your question", FieldKind.LONG_TEXT, required=True, max_length=QUESTION_MAX,
                              help="Leave out anything that identifies the client."),),
                submit_label="Ask", state=str(referral_id), values=values or {}, errors=errors or {})


def answer_form(referral_id: int, question_id: int, values=None, errors=None) -> Form:
    return Form(form_id=ANSWER_FORM, title="Answer a question about your referral",
                intro="They read your answer in a private view.",
                fields=(Field("answer", "Your answer", FieldKind.LONG_TEXT, required=True, max_length=QUESTION_MAX,
                              help="Leave out anything that identifies the client."),),
                submit_label="Send the answer", state=f"{referral_id}:{question_id}", values=values or {},
                errors=errors or {})


def question_for_referrer(referral: Referral, asker: Person, question_id: int) -> Card:
    value = f"{referral.id}:{question_id}"
    return Card(title=f"{asker.display_name} has a question about a referral",
                paragraphs=("They'd like to know something before they decide. It opens in a private view.",),
                buttons=(Button("Read the question", "referral.question", value, dialog=True),
                         Button("Answer…", "referral.answer", value, ButtonStyle.PRIMARY)))


def answered_for_asker(referral: Referral, referrer: Person, question_id: int) -> Card:
    value = str(referral.id)
    return Card(title=f"{referrer.display_name} answered your question about a referral",
                paragraphs=("The answer opens in a private view. You can accept or decline now.",),
                buttons=(Button("Read the answer", "referral.question", f"{value}:{question_id}", dialog=True),
                         Button("Accept", "referral.accept", value, ButtonStyle.PRIMARY),
                         Button("Decline…", "referral.decline", value), note_button(referral)))


ASKED = Notice("Your question has gone to the referrer. I'll tell you when they answer; the referral waits for you.")
ANSWERED = Notice("Your answer has gone to them. They can accept or decline now.")


def already_answered(referral: Referral) -> Notice:
    return Notice(f"That question about referral {reference(referral)} has already been answered.")


def question_dialog(referral: Referral, asker: str, question: str, answer: str | None) -> Dialog:
    paragraphs = ["Shown only here, never posted in chat."]
    paragraphs.append(f"{asker} asked: {question}")
    paragraphs.append(f"The referrer answered: {answer}" if answer else "Not answered yet.")
    return Dialog(title="A question about a referral", paragraphs=tuple(paragraphs))


# --- snoozing a reminder ----------------------------------------------------------------------


def snooze_button(referral: Referral, left: int) -> Button:
    return Button(f"Remind me tomorrow ({left} left)", "referral.snooze", str(referral.id))


def snoozed(referral: Referral, at: datetime, zone: str, left: int) -> Notice:
    return Notice(f"I'll remind you about referral {reference(referral)} again on {when(at, zone)} "
                  f"({left} snooze{'s' if left != 1 else ''} left). The referrer's managers are still told on time "
                  "if nobody answers.")


def not_snoozable(referral: Referral, why: str) -> Notice:
    return Notice(f"The reminder for referral {reference(referral)} can't be snoozed: {why}.")
