"""The console: signed-in web pages for managers, admins and auditors — a team dashboard with
small-number suppression, open work, the audit log, exports and organisation admin.

This package holds the rules and the queries (neutral data); the pages themselves are the
web adapter's (``adapters/console``). Inside: ``access`` (who may see what), ``signin``
(one-time links, sessions, OpenID Connect matching), ``filters`` and ``dashboard`` with
``suppression``, ``openwork``, ``auditlog``, ``exports``, ``orgadmin``, ``wording``,
``storage``.
"""

from bot.feature import Feature, Verb
from bot.features.console import auditlog, dashboard, exports, filters, openwork, orgadmin, signin
from bot.features.console.access import AUDIT as AUDIT_LOG
from bot.features.console.access import DASHBOARD, EXPORT, ORG, WORK, Access, access_for
from bot.features.console.wording import AUDIT_ACTIONS


async def _link_opened(turn, value):
    return []  # a link button: the browser opens it; the platform still tells us it was pressed


FEATURE = Feature(
    name="console",
    verbs=(Verb("console", signin.console_verb,
                "a one-time sign-in link to the web console (managers, admins, auditors)", order=80),),
    buttons={"console.open": _link_opened},
    audit_actions={**AUDIT_ACTIONS, "report.exported": "an admin exported a report's narrative (reason recorded)"},
)

__all__ = ["FEATURE", "Access", "access_for", "signin", "dashboard", "filters", "openwork", "auditlog",
           "exports", "orgadmin", "DASHBOARD", "WORK", "AUDIT_LOG", "EXPORT", "ORG"]
