"""The authorisation table's world: the organisation, who presses (one identity per role),
what each form is filled in with, and how to make a fresh subject in each state a row names.
tests/features/test_authorisation_table.py presses; tests/features/authorisation_cases.py
says what each press must answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.features.chaperone.storage import ChaperoneRequest
from bot.features.escalation.storage import Escalation
from bot.features.referral.storage import Referral, ReferralQuestion
from bot.features.support.storage import CheckIn, SupportRequest
from bot.machinery.storage.models import Report, Team
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from tests.features.authorisation_cases import ROLES

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, sites: [North], slack_workspaces: [T1],
               teams_tenants: [tenant-1],
               contacts: {safeguarding_lead: {name: Alex Admin, phone: "ext. 1234", person: alex}}}
people:
  - {key: rosa, name: Rosa Reporter, email: rosa@clinic.invalid, profession: nurse,
     identities: [{platform: slack, workspace: T1, user: UROSA}]}
  - {key: carl, name: Carl Clinician, email: carl@clinic.invalid, profession: doctor,
     identities: [{platform: slack, workspace: T1, user: UCARL}]}
  - {key: vera, name: Vera Volunteer, email: vera@clinic.invalid, volunteer: true,
     identities: [{platform: slack, workspace: T1, user: UVERA}]}
  - {key: vic, name: Vic Volunteer, email: vic@clinic.invalid, volunteer: true,
     identities: [{platform: slack, workspace: T1, user: UVIC}]}
  - {key: morgan, name: Morgan Manager, email: morgan@clinic.invalid,
     identities: [{platform: slack, workspace: T1, user: UMORGAN}]}
  - {key: olga, name: Olga Other, email: olga@clinic.invalid, identities: [{platform: slack, workspace: T1, user: UOLGA}]}
  - {key: alex, name: Alex Admin, email: alex@clinic.invalid, admin: true,
     identities: [{platform: slack, workspace: T1, user: UALEX}]}
  - {key: audrey, name: Audrey Auditor, email: audrey@clinic.invalid, auditor: true,
     identities: [{platform: slack, workspace: T1, user: UAUDREY}]}
  - {key: ray, name: Ray Removed, email: ray@clinic.invalid, identities: [{platform: slack, workspace: T1, user: URAY}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa, carl, vera, vic, ray]
    escalation: {levels: [{who: managers, wait: 15m}], remind_every: 4h}
  - {key: other, name: Other Team, managers: [olga], members: [olga]}
peer_support:
  supporters: [{who: vic}]
"""
# The manager's Slack account is in the file, so a Slack account elsewhere with their email is
# refused twice over (the email is spoken for); tests/adapters/slack/test_slack_foreign_workspace.py
# shows the workspace check alone. They have no Teams account yet: the other tenant (ftn)
# claims an email nobody holds there, so only the tenant check refuses it.
MANAGER_EMAIL = "morgan@clinic.invalid"
WHO = dict(zip(ROLES, (
    Identity("slack", "T1", "UROSA"), Identity("slack", "T1", "UCARL"), Identity("slack", "T1", "UVERA"),
    Identity("slack", "T1", "UVIC"), Identity("slack", "T1", "UMORGAN"), Identity("slack", "T1", "UOLGA"),
    Identity("slack", "T1", "UALEX"), Identity("slack", "T1", "UAUDREY"), Identity("slack", "T1", "URAY"),
    Identity("slack", "T1", "UNOBODY"),
    Identity("slack", "T2", "UMORGAN", MANAGER_EMAIL),
    Identity("slack", "T2", "UOTHER", MANAGER_EMAIL),
    Identity("slack", "T1", "UMORGAN2", MANAGER_EMAIL),
    Identity("teams", "tenant-2", "aad-morgan", MANAGER_EMAIL),
), strict=True))
NARRATIVE = "he waited by my car after the session"
NOTE, LINK = "side door by the pharmacy", "https://meet.example.org/join/abc"
HANDOFF = "prefers afternoon sessions and a calm room"
SHARED = "I keep replaying what he said"
FOR_REPORTER = "we moved his sessions to the clinic"  # the resolver's words for the reporter
FOR_REFERRER = "first session booked with me next week"  # the receiver's words for the referrer
QUESTION, ANSWER = "does he need an interpreter", "no, his English is fluent"
SECRETS = (NARRATIVE, NOTE, LINK, HANDOFF, SHARED, FOR_REPORTER, FOR_REFERRER, QUESTION, ANSWER)
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": NARRATIVE}
PLAIN = {"category": "CONTACT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no",
         "factors": ["unwanted"], "details": NARRATIVE}
TELEHEALTH = {"start": "14:00", "minutes": "30", "setting": "telehealth",
              "join_link": LINK, "note": NOTE, "urgent": "no"}
KEYS = dict(zip(ROLES[:9], ("rosa", "carl", "vera", "vic", "morgan", "olga", "alex", "audrey", "ray"), strict=True))


async def person_id(world, key: str) -> int:
    async with world.db.transaction() as tx:
        return (await tx.people.by_key(key)).id


def day(world, ahead: int) -> str:
    return (world.clock.now().date() + timedelta(days=ahead)).isoformat()


async def form_values(world, role: str, form_id: str) -> dict:
    """What each form is filled in with: valid answers, so that a cell tests who may submit
    it and never how the form checks its fields (a form sent back with errors fails the cell)."""
    me = KEYS.get(role)
    if form_id == "report":
        return PLAIN
    if form_id == "chaperone":
        world.builds = getattr(world, "builds", 0) + 1  # a day of its own: the volunteer is never busy
        return {**TELEHEALTH, "date": day(world, 1 + world.builds)}
    if form_id == "referral":
        return {"reason": "boundary", "urgency": "routine", "note": HANDOFF,
                "receiver": f"person:{await person_id(world, 'rosa' if me == 'carl' else 'carl')}"}
    if form_id == "referral.reroute":  # after Carl declined: the ward's intake pool
        async with world.db.transaction() as tx:
            ward = await tx.session.scalar(select(Team.id).where(Team.key == "ward"))
        return {"receiver": f"team:{ward}"}
    if form_id == "away":
        return {"first_day": day(world, 3), "last_day": day(world, 5),
                "deputy": str(await person_id(world, "audrey" if me == "alex" else "alex"))}
    return {
        "escalation.resolve": {"note": "talked it over with the team", "for_reporter": FOR_REPORTER},
        "referral.decline": {"reason": "my list is full this month"},
        "referral.return": {"reason": "please try the community team first"},
        "referral.ask": {"question": QUESTION},
        "referral.answer": {"answer": ANSWER},
        "referral.told": {"how": "phone"},
        "referral.close": {"for_referrer": FOR_REFERRER},
        "report.more": {"occurrence": "repeated"},
        "support": {"how": "chat", "soon": "few_days", "shared": SHARED},
        "volunteer": {"active": "yes", "settings": ["telehealth"], "days": ["Sat"], "start": "09:00",
                      "end": "12:00", "sites": [], "professions": [], "unavailable": ""},
    }[form_id]


async def press(world, role: str, action: str, value: str) -> list:
    """``verb:x`` types x; ``form:x`` submits form x about ``value``; ``button:suffix`` presses
    the button with ``value:suffix`` (or the suffix alone when there is no subject)."""
    who = WHO[role]
    if action.startswith("verb:"):
        return await world.bot.handle(Command(who, action.removeprefix("verb:")))
    if action.startswith("form:"):
        form_id = action.removeprefix("form:")
        return await world.bot.handle(FormSubmitted(who, form_id, await form_values(world, role, form_id),
                                                    state=value))
    action, _, suffix = action.partition(":")
    return await world.bot.handle(ButtonPressed(who, action, f"{value}:{suffix}" if value and suffix
                                                else value or suffix))


async def newest(world, table) -> int:
    async with world.db.transaction() as tx:
        return await tx.session.scalar(select(func.max(table.id)))


async def build(world, state: str) -> str:
    """A fresh subject in ``state``; the value its buttons carry."""
    kind, _, stage = state.partition(" ")
    if kind == "nothing":
        return ""
    return await BUILDERS[kind](world, stage)


async def _report(world, stage: str) -> str:
    await world.bot.handle(FormSubmitted(WHO["own"], "report", UNSAFE if stage == "unsafe" else PLAIN))
    report = str(await newest(world, Report))
    if stage in ("withdrawn", "deleted"):
        await press(world, "own", {"withdrawn": "report.withdraw", "deleted": "report.delete"}[stage], report)
    return report


async def _support(world, stage: str) -> str:
    await press(world, "own", "form:support", "")
    request = str(await newest(world, SupportRequest))
    if stage in ("accepted", "cancelled"):
        await press(world, "vas", "support.accept", request)
    if stage == "cancelled":
        await press(world, "own", "support.cancel", request)
    return request


async def _check_in(world, stage: str) -> str:
    """set, sent (the day came and it asked), answered or stopped."""
    await press(world, "own", "support.check_in:2d", "")
    check_in = str(await newest(world, CheckIn))
    if stage != "set":
        async with world.db.transaction() as tx:  # as the timer does when the day comes
            await tx.session.execute(update(CheckIn).where(CheckIn.id == int(check_in)).values(status="sent", asked=1))
    if stage == "answered":
        await press(world, "own", "support.answer:ok", check_in)
    if stage == "stopped":
        await press(world, "own", "support.stop", check_in)
    return check_in


async def _referral(world, stage: str) -> str:
    """To Carl by name (cli): open, awaiting approval (from the manager), declined, accepted,
    withdrawn, closed (by Carl, with a note for the referrer), questioned or answered (by Carl,
    then the referrer: the value is then ``referral:question``)."""
    values = await form_values(world, "own", "referral")
    await world.bot.handle(FormSubmitted(WHO["own"], "referral", {**values, "approval": "yes"}
                                         if stage == "awaiting approval" else values))
    referral = str(await newest(world, Referral))
    if stage in ("accepted", "closed"):
        await press(world, "cli", "referral.accept", referral)
    if stage == "closed":
        await press(world, "cli", "form:referral.close", referral)
    if stage == "declined":
        await press(world, "cli", "form:referral.decline", referral)
    if stage == "withdrawn":
        await press(world, "own", "referral.withdraw_yes", referral)
    if stage in ("questioned", "answered"):
        await press(world, "cli", "form:referral.ask", referral)
        referral = f"{referral}:{await newest(world, ReferralQuestion)}"
    if stage == "answered":
        await press(world, "own", "form:referral.answer", referral)
    return referral


async def _escalation(world, stage: str) -> str:
    """A report that felt unsafe, escalated at once; ``plain …``: an ordinary report the
    reporter escalated themselves (not about safety, so its reminders can be snoozed)."""
    plain, stage = stage.startswith("plain "), stage.removeprefix("plain ")
    await world.bot.handle(FormSubmitted(WHO["own"], "report", PLAIN if plain else UNSAFE))
    if plain:
        await press(world, "own", "report.escalate", str(await newest(world, Report)))
    escalation, report = str(await newest(world, Escalation)), str(await newest(world, Report))
    if stage in ("acknowledged", "resolved", "reopened"):
        await press(world, "mgr", "escalation.ack", escalation)
    if stage in ("resolved", "reopened"):
        await press(world, "mgr", "form:escalation.resolve", escalation)
    if stage == "reopened":
        await press(world, "own", "escalation.reopen", escalation)
    if stage == "report withdrawn":
        await press(world, "own", "report.withdraw", report)
    if stage == "report deleted":
        await press(world, "own", "report.delete", report)
    return escalation


async def _chaperone(world, stage: str) -> str:
    await press(world, "own", "form:chaperone", "")
    request = str(await newest(world, ChaperoneRequest))
    if stage in ("covered", "cancelled", "recorded"):
        await press(world, "vas", "chaperone.accept", request)
    if stage == "cancelled":
        await press(world, "own", "chaperone.cancel", request)
    if stage == "recorded":
        await press(world, "own", "chaperone.record:observed", request)
    return request


BUILDERS = {"report": _report, "support": _support, "check-in": _check_in, "referral": _referral,
            "escalation": _escalation, "chaperone": _chaperone}
