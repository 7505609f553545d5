"""``volunteer``: opting in or out as a chaperone, with where, what and when."""

from bot.feature import Feature, Verb
from bot.features.volunteer import flow
from bot.features.volunteer.availability import (
    Window,
    covers,
    describe_windows,
    parse_windows,
    parsed_windows,
)
from bot.features.volunteer.flow import ensure_default_profile
from bot.features.volunteer.roster import apply as apply_roster
from bot.features.volunteer.roster import parse as parse_roster
from bot.features.volunteer.storage import VolunteerProfile

__all__ = ["FEATURE", "ensure_default_profile", "Window", "covers", "parse_windows", "parsed_windows",
           "describe_windows",
           "VolunteerProfile", "parse_roster", "apply_roster"]


async def _section(turn):
    card = await flow.status_card(turn)
    return [card] if card else []


async def _form_as_shown(turn, state):
    return flow.form(turn, await flow.profile_of(turn.tx, turn.person.id))


FEATURE = Feature(
    name="volunteer",
    verbs=(Verb("volunteer", flow.start, "offer to be a chaperone, or pause (volunteer off)", order=40),),
    buttons={"volunteer.open": flow.start, "volunteer.toggle": flow.toggle},
    forms={flow.FORM_ID: flow.submit},
    pickers={flow.SITE_PICKER: flow.SITES},
    form_views={flow.FORM_ID: _form_as_shown},
    audit_actions={
        "volunteer.updated": "a volunteer changed when, where or whether they chaperone",
        "volunteer.paused": "a volunteer paused or resumed chaperoning",
    },
    status=_section,
    status_order=30,
)
