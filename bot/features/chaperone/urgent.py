"""[Get a colleague with me now]: an urgent request, no form, from the safety card.

Someone who has just said they are in danger should not fill in a form. The request starts
as soon as someone can get there (the team's urgent deadline), lasts 30 minutes, is in person at no fixed site (so it goes to every volunteer who can
come now, whatever their sites), and fans out to all of them at once like any urgent request;
the first to accept covers it, and everything else (covered cards, the deadline, telling the
manager when nobody answers) is the ordinary chaperone flow.
"""

from __future__ import annotations

from bot.features.chaperone import wording
from bot.features.chaperone.matching import deadline_for, fan_out, policy_for
from bot.features.chaperone.storage import DEADLINE, EXPIRE, ChaperoneRequest, schedule
from bot.port.views import Card, View
from bot.turn import Turn

NOW_MINUTES = 30


async def colleague_now(turn: Turn, value: str) -> list[View]:
    report_id = None
    if value.isdigit():
        report = await turn.tx.reports.get(int(value))
        report_id = report.id if report is not None and report.author_id == turn.person.id else None
    now = turn.clock.now()
    policy = await policy_for(turn.tx, turn.person.id)
    # "Now" is as soon as someone can get there: the urgent deadline. Unfilled by then, the
    # ordinary flow tells the requester and their manager.
    request = ChaperoneRequest(
        requester_id=turn.person.id, report_id=report_id, starts_at=now + policy.urgent_deadline_after,
        minutes=NOW_MINUTES,
        setting="in_person", site=None, room=None, join_link_sealed=None, note_sealed=None, urgent=True,
        status="open", wave=0, generation=1, created_at=now, updated_at=now,
    )
    turn.tx.session.add(request)
    await turn.tx.session.flush()
    await turn.tx.audit.record(now, turn.person.id, "chaperone.requested", "chaperone", request.id)
    asked, matching = await fan_out(turn.tx, request, turn.person, policy, now, everyone=True)
    deadline = deadline_for(request, policy, now)
    await schedule(turn.tx, request, DEADLINE, deadline, now)
    await schedule(turn.tx, request, EXPIRE, request.starts_at, now)
    zone = wording.zone_of(turn.person, turn.org)
    sent = wording.sent_card(request, asked, matching, deadline, zone)
    first = (f"I've asked {asked} colleague{'s' if asked != 1 else ''} to come to you now. I'll tell you "
             "the moment one of them accepts." if asked else
             "No volunteer can come right now. If you are in danger, call security or the emergency "
             "number now; I'll keep looking and tell your manager.")
    return [Card(title="Getting a colleague to you", paragraphs=(first, *sent.paragraphs[1:]),
                 buttons=sent.buttons)]


async def link_opened(turn: Turn, value: str) -> list[View]:
    return []  # [Message …] is a link: the platform opens it and still tells us it was pressed
