"""Everything people are told about peer support, for a reviewer to read in one place.

The tone: what happened to the clinician was not their doing; asking for support is a good
thing to do, not a sign of not coping; nobody in their management line is told. Every card a
clinician sees names the organisation's employee-assistance and crisis contacts.
"""

from __future__ import annotations

from datetime import datetime

from bot.content.regions import parse_org_region
from bot.content.taxonomy import CATEGORY_LABELS, Category
from bot.features.support.storage import CheckIn, SupportRequest
from bot.machinery.storage.models import Organisation, Person
from bot.org import directory_search as directory
from bot.org.contacts import contact_lines
from bot.org.hours import when
from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice, Option

FORM_ID = "support"
SHARED_MAX = 500
HOW = {"chat": "A message in chat first", "phone": "A phone call", "video": "A video call",
       "in_person": "Meeting in person"}
SOON = {"today": "Today if possible", "few_days": "In the next few days", "this_week": "Any time this week"}
CHECK_INS = {"1d": ("Tomorrow", 1), "2d": ("In two days", 2), "7d": ("In a week", 7)}
CHECK_IN_LIMIT = 6  # "ask me again" at most this many times; then it stops by itself
NOT_FOUND = Notice("I can't find that support request among yours. Type status to see where things stand.")
NOT_ASKED = Notice("I can't find a support request that you were asked about.")
CONFIDENTIAL = ("Your manager is not told, and nothing of it appears in reports, dashboards or exports "
                "beyond an anonymous count.")


WELLBEING = ["employee_assistance", "crisis_line"]  # always shown to the clinician


def _contact_lines(org: Organisation | None) -> list[str]:
    region = parse_org_region(org.region or org.jurisdiction)[0] if org else None
    return contact_lines((org.contacts or {}) if org else {}, WELLBEING, region)


def contact_facts(org: Organisation | None) -> tuple[tuple[str, str], ...]:
    """Employee assistance and crisis services, the organisation's own or a plain default."""
    return tuple(tuple(line.split(": ", 1)) for line in _contact_lines(org))


def contact_sentence(org: Organisation | None) -> str:
    return "If you need someone now: " + "; ".join(_contact_lines(org)) + "."


def reference(request: SupportRequest) -> str:
    return f"S-{request.id}"


def zone_of(person: Person, org: Organisation | None) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


def kind_label(kind: str | None) -> str | None:
    return Category(kind).short if kind and kind in Category._value2member_map_ else None


# --- the offer on a report's confirmation ----------------------------------------------------


OFFER_LINE = ("Moments like this can stay with you, and that is no reflection on you. If it would help to talk "
              "it over, a trained peer supporter — a colleague outside your management line — can listen, "
              "confidentially. Only if you want to.")


def offer_button(report_id: int | None) -> Button:
    return Button("Talk to a peer supporter", "support.start", str(report_id or ""))


# --- the request form -----------------------------------------------------------------------


SITE_PICKER = "support.site"


def request_form(org: Organisation | None, values=None, errors=None) -> Form:
    sites = org.sites if org else None
    fields = [
        Field("how", "How would you like to talk?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in HOW.items())),
        Field("soon", "When would suit you?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in SOON.items())),
    ]
    if sites:
        fields.append(directory.site_field("site", "Where could you meet? (in person, optional)",
                                           FieldKind.SINGLE_CHOICE, sites, SITE_PICKER, (values or {}).get("site")))
    fields += [
        Field("phone", "Your phone number (optional)", FieldKind.SHORT_TEXT, max_length=40,
              help="Only the supporter who accepts sees it."),
        Field("about", "Say what kind of situation it was? (optional)", FieldKind.SINGLE_CHOICE,
              options=tuple(Option(c.value, label) for c, label in CATEGORY_LABELS.items()),
              help="Only the supporter who accepts sees this, and only if you choose it."),
        Field("shared", "Anything you'd like them to know first (optional)", FieldKind.LONG_TEXT,
              max_length=SHARED_MAX,
              help="Only the supporter who accepts reads it, in a private view. There's no need to say "
                   "anything about the client; please leave out anything that could identify them."),
    ]
    return Form(
        form_id=FORM_ID,
        title="Talk to a peer supporter",
        intro=("A trained colleague can listen, confidentially, after something difficult at work. Asking is a "
               "good thing to do. " + CONFIDENTIAL + " The supporters are asked privately and the first who "
               "can takes it; you choose what they see. " + contact_sentence(org)),
        fields=tuple(fields),
        submit_label="Ask for a peer supporter",
        values=values if values is not None else {"how": "chat", "soon": "few_days"},
        errors=errors or {},
    )


NOT_A_PHONE = "Please give a phone number (digits, spaces, + and brackets), or leave it empty."


def identifies(described: str) -> str:
    return f"This seems to contain {described}. Please leave out anything that could identify the client."


# --- to the clinician -----------------------------------------------------------------------


def check_in_buttons() -> tuple[Button, ...]:
    return tuple(Button(f"Check in with me: {label.lower()}", "support.check_in", key)
                 for key, (label, _) in CHECK_INS.items())


def _cancel(request: SupportRequest) -> Button:
    return Button("Cancel my request", "support.cancel", str(request.id), ButtonStyle.DANGER)


def sent_card(request: SupportRequest, asked: int, next_at: datetime | None, zone: str, org) -> Card:
    if asked:
        progress = (f"I've asked {asked} trained peer supporter{'s' if asked != 1 else ''} privately. The first who "
                    "can will take it, and I'll tell you who as soon as they do.")
    elif next_at:
        progress = (f"No peer supporter is on right now. I'll ask them as soon as one is: {when(next_at, zone)}. "
                    "I'll tell you who as soon as someone accepts.")
    else:
        progress = "I couldn't find a peer supporter to ask just now. The contacts below are there for you."
    return Card(
        title="Peer support requested",
        paragraphs=(progress, CONFIDENTIAL, "If you'd like, I can also check in with you in a few days."),
        facts=contact_facts(org),
        buttons=(_cancel(request), *check_in_buttons()),
    )


def found_card(request: SupportRequest, supporter: Person, zone: str, org) -> Card:
    return Card(
        title=f"{supporter.display_name} will be in touch",
        paragraphs=(f"{supporter.display_name}, a trained peer supporter, has taken your request and will reach out "
                    f"({HOW[request.how].lower()}). They see only what you chose to share.", CONFIDENTIAL),
        facts=contact_facts(org),
        buttons=(Button("We've talked", "support.done", str(request.id), ButtonStyle.PRIMARY), _cancel(request),
                 *check_in_buttons()),
    )


def handed_back(request: SupportRequest, supporter: Person) -> Notice:
    return Notice(f"{supporter.display_name} can't take your request after all, and has said so in time. I'm "
                  "asking the other supporters now and will tell you who takes it.")


def unfilled_card(request: SupportRequest, org) -> Card:
    return Card(
        title="No peer supporter could take it this time",
        paragraphs=("I'm sorry: I couldn't find a peer supporter who could take your request in time. That is about "
                    "their availability, nothing to do with you or what happened.",
                    "You can ask again, and the contacts below are there for you now."),
        facts=contact_facts(org),
        buttons=(Button("Ask again", "support.start", ""), *check_in_buttons()),
    )


def cancelled(request: SupportRequest) -> Notice:
    return Notice("Your request is cancelled, and anyone asked has been told it's no longer "
                  "needed. You can ask again any time: type support.")


def closed_for_requester(request: SupportRequest, org) -> Card:
    return Card(title="Thank you for letting me know",
                paragraphs=("I hope the conversation helped. If you'd like, I can check in with you in a few days.",),
                facts=contact_facts(org), buttons=check_in_buttons())


def already_taken(request: SupportRequest) -> Notice:
    return Notice("You've already taken this request. If you can't do it after all, press Hand back on "
                  "it, and another supporter will be asked.")


def already(request: SupportRequest) -> Notice:
    words = {"open": "still looking for a supporter", "accepted": "with a supporter", "done": "closed",
             "cancelled": "cancelled", "unfilled": "closed: nobody could take it"}
    return Notice(f"That request is {words.get(request.status, request.status)}.")


# --- to supporters --------------------------------------------------------------------------


OFFER_TEXT = {
    "offered": "A colleague has asked for a confidential conversation. Can you take it? The first supporter to "
               "accept does; their name and what they chose to share come only to you when you accept.",
    "accepted": "You've taken this one. Thank you.",
    "covered": "Another supporter has taken this one. Thank you.",
    "declined": "You declined. Thank you for saying so.",
    "cancelled": "No longer needed: your colleague cancelled the request. Thank you.",
    "withdrawn": "You handed this one back. Thank you for saying so in time.",
    "expired": "No longer waiting: the request has closed.",
}


def offer_card(request: SupportRequest, supporter: Person, state: str, org) -> Card:
    facts = [("How", HOW[request.how]), ("When", SOON[request.soon])]
    if request.site:
        facts.append(("Where", request.site))
    buttons: tuple[Button, ...] = ()
    value = str(request.id)
    if state == "offered":
        buttons = (Button("Accept", "support.accept", value, ButtonStyle.PRIMARY),
                   Button("Not this time", "support.decline", value))
    elif state == "accepted":
        buttons = (Button("What they shared", "support.shared", value, dialog=True),
                   Button("We've talked", "support.done", value, ButtonStyle.PRIMARY),
                   Button("Hand it back", "support.hand_back", value))
    return Card(title="A colleague would like peer support", paragraphs=(OFFER_TEXT[state],), facts=tuple(facts),
                buttons=buttons)


def accepted_card(request: SupportRequest, requester: Person) -> Card:
    """The supporter's answer: who, and a way to reach them; what they shared opens privately."""
    reach = [("Colleague", requester.display_name), ("How they'd like to talk", HOW[request.how]),
             ("When", SOON[request.soon])]
    if requester.email:
        reach.append(("Email", requester.email))
    if request.site:
        reach.append(("Where", request.site))
    if label := kind_label(request.kind_shared):
        reach.append(("What kind of situation", label))
    return Card(
        title=f"You're supporting {requester.display_name}",
        paragraphs=(f"Thank you. {requester.display_name} has been told it's you; please reach out soon. Anything "
                    "they chose to share, and their phone number if they gave one, opens in a private view.",
                    "Keep it between the two of you: nothing goes to their manager."),
        facts=tuple(reach),
        buttons=(Button("What they shared", "support.shared", str(request.id), dialog=True),
                 Button("We've talked", "support.done", str(request.id), ButtonStyle.PRIMARY),
                 Button("Hand it back", "support.hand_back", str(request.id))),
    )


def lost_race(request: SupportRequest, mine: bool) -> Notice:
    if mine:
        return Notice("You've already taken this request. Thank you.")
    if request.status == "cancelled":
        return Notice(f"{reference(request)} was cancelled: no longer needed. Thank you for offering.")
    return Notice("Another supporter has already taken this request. Thank you for offering.")


DECLINED = Notice("Thank you for saying so. Another supporter will be asked.")


def shared_dialog(request: SupportRequest, requester: Person, shared: str | None, phone: str | None) -> Dialog:
    paragraphs = ["Shown only here, never posted in chat."]
    paragraphs.append(f"In their words: {shared}" if shared else "They didn't write anything; ask them how they are.")
    facts = [("Colleague", requester.display_name)]
    if phone:
        facts.append(("Phone", phone))
    return Dialog(title="What they shared", paragraphs=tuple(paragraphs), facts=tuple(facts))


def cancelled_for_supporter(request: SupportRequest, requester: Person) -> Notice:
    return Notice(f"{requester.display_name} has cancelled {reference(request)}: no need to reach out. Thank you.")


def done_for_supporter(request: SupportRequest) -> Notice:
    return Notice("Thank you for supporting a colleague. It's closed.")


def handed_back_for_supporter(request: SupportRequest) -> Notice:
    return Notice(f"You've handed {reference(request)} back; other supporters are being asked. Thank you for "
                  "saying so in time.")


# --- check-ins ------------------------------------------------------------------------------


def check_in_set(check_in: CheckIn, zone: str, org) -> Card:
    return Card(title="I'll check in with you",
                paragraphs=(f"I'll ask how you're doing on {when(check_in.due_at, zone)}. Only you see it.",),
                facts=contact_facts(org),
                buttons=(Button("Stop checking in", "support.stop", str(check_in.id)),))


def check_in_card(check_in: CheckIn, org) -> Card:
    value = str(check_in.id)
    return Card(
        title="How are you doing?",
        paragraphs=("You asked me to check in after a difficult encounter. How are things now? Your answer stays "
                    "with you: nobody else is told.",),
        facts=contact_facts(org),
        buttons=(Button("I'm doing OK", "support.answer", f"{value}:ok", ButtonStyle.PRIMARY),
                 Button("Not so good", "support.answer", f"{value}:not_ok"),
                 Button("Ask me again in two days", "support.answer", f"{value}:later"),
                 Button("Stop checking in", "support.stop", value)),
    )


def answered_ok(org) -> Card:
    return Card(title="Glad to hear it",
                paragraphs=("Thank you for telling me. If it comes back, a peer supporter is a message away: type "
                            "support.",),
                facts=contact_facts(org))


def answered_not_ok(org) -> Card:
    return Card(
        title="Thank you for saying so",
        paragraphs=("That's an understandable way to feel after something like this, and it's good that you said "
                    "it. A trained peer supporter can listen, confidentially, or you can reach the contacts below.",),
        facts=contact_facts(org),
        buttons=(Button("Talk to a peer supporter", "support.start", "", ButtonStyle.PRIMARY),
                 Button("Ask me again in two days", "support.check_in", "2d")),
    )


def asked_again(check_in: CheckIn, zone: str) -> Notice:
    return Notice(f"I'll ask again on {when(check_in.due_at, zone)}.")


STOPPED = Notice("I've stopped checking in. You can ask me to again any time from a support card, or type support.")
CHECK_IN_GONE = Notice("That check-in has already finished. Type support any time.")
ENOUGH = Notice("I've asked several times now, so I'll stop here. Type support whenever you'd like to talk to "
                "someone.")
