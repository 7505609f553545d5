"""What the report form says about client references, and the alert managers get."""

from __future__ import annotations

from datetime import timedelta

from bot.org.policy import describe_duration
from bot.port.views import Card, Field, FieldKind

REFERENCE_MAX = 64

FIELD = Field(
    "pattern_ref", "Client reference, to spot patterns (optional)", FieldKind.SHORT_TEXT,
    max_length=REFERENCE_MAX, placeholder="e.g. the initials and record number your service uses",
    help="Not the nickname above. This is never stored or shown to anyone: the bot keeps only a coded "
         "fingerprint of it. If another colleague reports the same client within the organisation's "
         "window (usually 90 days), your team's managers are told that several colleagues have reported "
         "one client — without your names and without the reference.",
)

TOO_SHORT = ("This is too short to tell clients apart. Please use the full reference your organisation "
             "uses, for example initials and record number.")
NOT_FOR_COUNTS = ("A count-only report can't be linked to a client: the bot would need to know who filed it to "
                  "tell colleagues apart. Leave this empty, or keep the report as yours.")


def alert(colleagues: int, team_names: list[str], window: timedelta) -> Card:
    teams = ", ".join(team_names) or "your team"
    return Card(
        title="Several colleagues have reported the same client",
        paragraphs=(
            f"{colleagues} colleagues in {teams} have each reported a difficult encounter with the same client "
            f"within {describe_duration(window)}. The bot does not keep the client's reference and will not say "
            "who reported, so this is about the pattern, not about any one person.",
            "You might: raise it with the team (who sees this client, and how), check whether sessions need a "
            "second person present or a handover to a colleague, and remind the team that they can report "
            "privately and ask for a chaperone.",
        ),
        facts=(("Colleagues", str(colleagues)), ("Window", describe_duration(window)), ("Team", teams)),
    )
