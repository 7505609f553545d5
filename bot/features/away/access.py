"""Who may set whom away, and who may stand in.

| who | set themselves away | set someone else away | end a period | be named deputy |
|---|---|---|---|---|
| anyone in the organisation | yes, in chat (`away`) | no | their own | yes, if active and not themselves |
| an admin (the console, later) | yes | yes, through `set_away(..., by=admin, source="console")` | anyone's | — |
| the organisation file | — | names standing deputies (`deputy:`) who stand in whenever no one else is named | — | — |

A deputy sees only what is routed to them while the period lasts, exactly as the absent person
would have; nothing already sent to the absent person moves.
"""

from __future__ import annotations

from bot.machinery.storage.models import Person


def may_set_for(actor: Person, person: Person) -> bool:
    return actor.id == person.id or bool(actor.is_admin)


def may_stand_in(deputy: Person, person: Person) -> bool:
    return deputy.active and deputy.id != person.id
