"""``support``: a confidential conversation with a trained peer supporter, and check-ins
("ask me how I'm doing in two days").

Inside: ``flow`` (request, accept, decline, hand back, cancel, close), ``matching`` (who
matches; waves and cards through the shared offer machinery), ``checkin`` (the clinician's own
check-ins), ``access`` (who may see and do what: nobody in the management line, ever),
``wording``, ``timers``, ``counts`` (the only figures that leave: suppressed below 5),
``roster`` (the supporters from the organisation file), ``storage``.
"""

from bot.feature import Feature, Verb
from bot.features.support import checkin, flow, leave
from bot.features.support.counts import FEWER_THAN_5, Count, SupportCounts, counts
from bot.features.support.retention import expired as expired_requests
from bot.features.support.retention import forget as forget_request
from bot.features.support.retention import forget_check_ins
from bot.features.support.roster import Supporter, apply_supporters
from bot.features.support.timers import TIMER_HANDLERS
from bot.features.support.waiting import waiting
from bot.features.support.wording import FORM_ID, OFFER_LINE, SITE_PICKER, offer_button
from bot.org.directory_search import site_picker

__all__ = ["FEATURE", "Supporter", "apply_supporters", "counts", "Count", "SupportCounts", "FEWER_THAN_5",
           "offer", "expired_requests", "forget_request", "forget_check_ins"]


def offer(report_id: int | None) -> tuple[str, object]:
    """The gentle, skippable offer on a report's confirmation: one paragraph and one button."""
    return OFFER_LINE, offer_button(report_id)


async def _status(turn):
    views = await flow.status_cards(turn)
    if card := await checkin.status_card(turn):
        views.append(card)
    return views


FEATURE = Feature(
    name="support",
    verbs=(Verb("support", flow.start, "talk confidentially to a trained peer supporter (your manager is not told)",
                aliases=("talk",), order=35),),
    buttons={
        "support.start": flow.start_for_report,
        "support.accept": flow.accept,
        "support.decline": flow.decline,
        "support.shared": flow.shared,
        "support.hand_back": flow.hand_back,
        "support.cancel": flow.cancel,
        "support.done": flow.done,
        "support.check_in": checkin.set_check_in,
        "support.answer": checkin.answer,
        "support.stop": checkin.stop,
    },
    forms={FORM_ID: flow.submit},
    pickers={SITE_PICKER: site_picker()},
    timers=TIMER_HANDLERS,
    # Deliberately no audit actions: an entry would name a person and a moment that auditors
    # see, which could point at who asked (see access.py).
    status=_status,
    waiting=waiting,
    status_order=45,
    on_leave=leave.on_leave,
)
