"""Everything people are told about being away and standing in, for a reviewer to read in one place."""

from __future__ import annotations

from datetime import timedelta

from bot.features.away.storage import AwayPeriod
from bot.machinery.storage.models import Person
from bot.org.hours import when
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice

FORM_ID = "away"


def _last_day(period: AwayPeriod, zone: str) -> str:
    # ends_at is the start of the day after the last day away.
    return when(period.ends_at - timedelta(minutes=1), zone).replace(", 23:59", "")


DEPUTY_PICKER = "away.deputy"


def form(standing: Person | None, values=None, errors=None) -> Form:
    help_text = (f"Leave empty and {standing.display_name}, your standing deputy, stands in."
                 if standing else "Who gets your escalations, approvals and referrals while you're away.")
    return Form(
        form_id=FORM_ID,
        title="Away from chat",
        intro=("While you're away, escalations, approvals and referrals that would come to you go to "
               "the colleague you choose instead, and each time that happens it is recorded."),
        fields=(
            Field("first_day", "First day away", FieldKind.DATE, required=True),
            Field("last_day", "Last day away", FieldKind.DATE, required=True),
            Field("deputy", "Who stands in for you?", FieldKind.SINGLE_CHOICE, required=standing is None,
                  search=DEPUTY_PICKER, placeholder="Type a name", help=help_text),
        ),
        submit_label="Set me away",
        values=values or {},
        errors=errors or {},
    )


def set_card(period: AwayPeriod, deputy: Person, zone: str) -> Card:
    return Card(
        title="You're set as away",
        paragraphs=(f"From {when(period.starts_at, zone)} until the end of {_last_day(period, zone)}, "
                    f"{deputy.display_name} gets what would come to you, and has been told.",),
        buttons=(Button("I'm back", "away.back", "", ButtonStyle.PRIMARY),),
    )


def deputy_told(period: AwayPeriod, absent: Person, zone: str) -> Notice:
    return Notice(
        f"{absent.display_name} has named you to stand in for them from {when(period.starts_at, zone)} "
        f"until the end of {_last_day(period, zone)}. Escalations, approvals and referrals that would go "
        "to them come to you in that time. Thank you.")


def back_for_deputy(absent: Person) -> Notice:
    return Notice(f"{absent.display_name} is back: you no longer stand in for them. Thank you.")


BACK = Notice("Welcome back. Everything comes to you again.")
NOT_AWAY = Notice("You're not set as away. Type away to set days away and who stands in.")


def status_card(period: AwayPeriod, deputy: Person | None, zone: str, now) -> Card:
    now_or_later = "You're away" if period.starts_at <= now else f"You'll be away from {when(period.starts_at, zone)}"
    who = deputy.display_name if deputy else "nobody (no deputy found)"
    return Card(title=f"{now_or_later} until the end of {_last_day(period, zone)}",
                paragraphs=(f"{who} stands in for you.",),
                buttons=(Button("I'm back" if period.starts_at <= now else "Cancel it", "away.back", ""),))


def standing_in_card(rows: list[tuple[AwayPeriod, Person]], zone: str) -> Card:
    return Card(title="You're standing in",
                facts=tuple((absent.display_name, f"{when(p.starts_at, zone)} to the end of {_last_day(p, zone)}")
                            for p, absent in rows))
