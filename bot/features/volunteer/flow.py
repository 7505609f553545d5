"""``volunteer``: opting in (or out) as a chaperone, with where, what and when."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.content.taxonomy import Profession
from bot.features.volunteer.availability import (
    DAYS,
    DEFAULT_WINDOWS,
    Window,
    describe_windows,
    parse_dates,
)
from bot.features.volunteer.storage import VolunteerProfile
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.org import directory_search as directory
from bot.pickers import with_choices
from bot.port.forms import clean
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice, Option, View
from bot.turn import Turn

FORM_ID = "volunteer"
SETTINGS = (
    Option("in_person", "In person: be in the room"),
    Option("telehealth", "Telehealth: join the call as an announced observer"),
    Option("home_visit", "Home visits: be the buddy or check-in call"),
)
PROFESSIONS = tuple(Option(p.value, p.value.capitalize()) for p in Profession)
ALL_SETTINGS = [o.value for o in SETTINGS]


def zone_of(person: Person, org) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


async def profile_of(tx: Tx, person_id: int) -> VolunteerProfile | None:
    return await tx.session.get(VolunteerProfile, person_id)


async def ensure_default_profile(tx: Tx, person: Person, zone: str, now: datetime,
                                 windows: list[Window] | None = None) -> VolunteerProfile:
    """People marked ``volunteer: true`` in the organisation file start with office hours
    (or the ``windows`` the file gives), every setting, any site."""
    profile = await profile_of(tx, person.id)
    if profile is None:
        profile = VolunteerProfile(
            person_id=person.id, active=True, sites=[], settings=list(ALL_SETTINGS), professions=[],
            timezone=zone, windows=[w.to_json() for w in windows or DEFAULT_WINDOWS], unavailable=[],
            updated_at=now,
        )
        tx.session.add(profile)
    return profile


SITE_PICKER = "volunteer.sites"
SITES = directory.site_picker()


def form(turn: Turn, profile: VolunteerProfile | None, values=None, errors=None) -> Form:
    if values is None:
        values = _current_values(profile)
    sites = turn.org.sites if turn.org else None
    fields = [
        Field("active", "Take chaperone requests?", FieldKind.YES_NO, required=True,
              help="Say no to pause: you keep your settings and can switch back any time with volunteer on."),
        Field("settings", "What you can do", FieldKind.MULTI_CHOICE, required=True, options=SETTINGS),
        Field("days", "Days you are usually available", FieldKind.MULTI_CHOICE, required=True,
              options=tuple(Option(d, d) for d in DAYS)),
        Field("start", "From", FieldKind.TIME, required=True, help="In your own time zone."),
        Field("end", "Until", FieldKind.TIME, required=True),
    ]
    if sites:
        fields.append(directory.site_field("sites", "Sites you can get to (none ticked: any)", FieldKind.MULTI_CHOICE,
                                           sites, SITE_PICKER, values.get("sites")))
    fields += [
        Field("professions", "Whose sessions you can chaperone (none ticked: anyone's)",
              FieldKind.MULTI_CHOICE, options=PROFESSIONS),
        Field("unavailable", "Dates you are away (optional)", FieldKind.SHORT_TEXT, max_length=400,
              placeholder="2026-12-24, 2026-12-25"),
    ]
    return Form(
        form_id=FORM_ID,
        title="Volunteer as a chaperone",
        intro=(f"Colleagues sometimes need a second person in the room, on a call, or on the end of "
               f"the phone during a home visit. You are only asked when you are available, and you "
               f"can always decline. Times are in {zone_of(turn.person, turn.org)}."),
        fields=tuple(fields),
        submit_label="Save",
        values=values,
        errors=errors or {},
    )


def _current_values(profile: VolunteerProfile | None) -> dict:
    if profile is None:
        return {"active": "yes", "settings": list(ALL_SETTINGS), "days": list(DAYS[:5]), "start": "08:00", "end": "18:00"}
    windows = [Window.from_json(w) for w in profile.windows] or list(DEFAULT_WINDOWS)
    return {
        "active": "yes" if profile.active else "no",
        "settings": list(profile.settings),
        "days": [DAYS[d] for d in sorted({w.day for w in windows})],
        "start": windows[0].start.strftime("%H:%M"),
        "end": windows[0].end.strftime("%H:%M"),
        "sites": list(profile.sites),
        "professions": list(profile.professions),
        "unavailable": ", ".join(profile.unavailable),
    }


async def start(turn: Turn, args: str = "") -> list[View]:
    word = args.strip().lower()
    profile = await profile_of(turn.tx, turn.person.id)
    if word in ("off", "pause", "stop"):
        if profile is None or not profile.active:
            return [Notice("You are not taking chaperone requests. Type volunteer to start.")]
        profile.active, profile.updated_at = False, turn.clock.now()
        await turn.tx.audit.record(turn.clock.now(), turn.person.id, "volunteer.paused", "person", turn.person.id)
        return [Notice("Paused: you won't be asked to chaperone until you type volunteer on. Thank you for helping.")]
    if word in ("on", "resume", "start"):
        if profile is None:
            return [form(turn, None)]
        profile.active, profile.updated_at = True, turn.clock.now()
        turn.person.is_volunteer = True
        return [summary(turn, profile, "You are taking chaperone requests again.")]
    return [form(turn, profile)]


async def submit(turn: Turn, values: dict, state: str = "") -> list[View]:
    profile = await profile_of(turn.tx, turn.person.id)
    empty = await with_choices(turn, form(turn, profile, values={}), values)
    cleaned, errors = clean(empty, values)
    if not errors and cleaned["end"] <= cleaned["start"]:
        errors["end"] = "Please give a time after the start (availability can't cross midnight)."
    try:
        away = parse_dates(cleaned.get("unavailable") or "")
    except ValueError as exc:
        errors["unavailable"] = f"{exc}. Separate dates with commas."
    if errors:
        return [form(turn, profile, values=values, errors=errors)]
    now = turn.clock.now()
    windows = [Window(DAYS.index(d), cleaned["start"], cleaned["end"]).to_json() for d in cleaned["days"]]
    if profile is None:
        profile = VolunteerProfile(person_id=turn.person.id, updated_at=now)
        turn.tx.session.add(profile)
    profile.active = cleaned["active"]
    profile.settings = cleaned["settings"]
    profile.sites = cleaned.get("sites") or []
    profile.professions = cleaned.get("professions") or []
    profile.timezone = zone_of(turn.person, turn.org)
    profile.windows = windows
    profile.unavailable = away
    profile.updated_at = now
    if profile.active:
        turn.person.is_volunteer = True
    await turn.tx.audit.record(now, turn.person.id, "volunteer.updated", "person", turn.person.id)
    headline = "Saved. Thank you for volunteering." if profile.active else "Saved, and paused for now."
    return [summary(turn, profile, headline)]


def summary(turn: Turn, profile: VolunteerProfile, headline: str) -> Card:
    labels = {o.value: o.label.split(":")[0] for o in SETTINGS}
    return Card(
        title="Your chaperone availability",
        paragraphs=(headline,),
        facts=(
            ("Taking requests", "Yes" if profile.active else "Paused"),
            ("Can do", ", ".join(labels[s] for s in profile.settings) or "nothing ticked"),
            ("When", f"{describe_windows(Window.from_json(w) for w in profile.windows)} ({profile.timezone})"),
            ("Sites", ", ".join(profile.sites) or "Any"),
            ("For", ", ".join(p.capitalize() for p in profile.professions) or "Anyone"),
            ("Away", ", ".join(profile.unavailable) or "—"),
        ),
    )


async def toggle(turn: Turn, value: str) -> list[View]:
    """The pause/resume button (in status and Slack's App Home)."""
    return await start(turn, "off" if value == "off" else "on")


async def status_card(turn: Turn) -> Card | None:
    profile = await profile_of(turn.tx, turn.person.id)
    if profile is None:
        return None
    card = summary(turn, profile, "You are taking chaperone requests." if profile.active
                   else "Paused: you are not being asked to chaperone.")
    toggle_button = (Button("Pause", "volunteer.toggle", "off") if profile.active
                     else Button("Resume", "volunteer.toggle", "on", ButtonStyle.PRIMARY))
    return replace(card, buttons=(toggle_button, Button("Change availability", "volunteer.open")))
