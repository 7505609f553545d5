"""The console: signed-in web pages for managers, admins and auditors — a team dashboard with
small-number suppression, open work, the audit log, exports and organisation admin.

This package holds the rules and the queries (neutral data); the pages themselves are the
web adapter's (``adapters/console``). Inside: ``access`` (who may see what), ``signin``
(one-time links, sessions, OpenID Connect matching), ``filters`` and ``dashboard`` with
``suppression``, ``openwork``, ``auditlog``, ``exports``, ``orgadmin``, ``wording``,
``storage``.
"""

from bot.feature import Feature, Verb
from bot.features.console import signin
from bot.features.console.access import AUDIT as AUDIT_LOG
from bot.features.console.access import DASHBOARD, EXPORT, ORG, WORK, Access, access_for
from bot.features.console.auditlog import AuditQuery
from bot.features.console.auditlog import page as audit_page
from bot.features.console.dashboard import DIMENSIONS, Dashboard, keep_warm, shown
from bot.features.console.dashboard import build as build_dashboard
from bot.features.console.exports import ExportRefused, ExportRequest
from bot.features.console.exports import run as run_export
from bot.features.console.exports import size as export_size
from bot.features.console.filters import parse as parse_filters
from bot.features.console.openwork import CONSOLE_BUTTONS, CONSOLE_FORMS
from bot.features.console.openwork import gather as open_work
from bot.features.console.orgadmin import (
    MAX_FILE_BYTES,
    apply_text,
    dry_run,
    people,
    sites,
    teams,
    volunteers,
)
from bot.features.console.signin import (
    SESSION_LIFETIME,
    SignedIn,
    csrf_ok,
    end_session,
    person_by_email,
    redeem_link,
    session_for,
    start_session,
)
from bot.features.console.storage import forget_old
from bot.features.console.suppression import Cell
from bot.features.console.wording import AUDIT_ACTIONS


async def _link_opened(turn, value):
    return []  # a link button: the browser opens it; the platform still tells us it was pressed


FEATURE = Feature(
    name="console",
    verbs=(Verb("console", signin.console_verb,
                "a one-time sign-in link to the web console (managers, admins, auditors)", order=95),),
    buttons={"console.open": _link_opened},
    watchdogs={"console.forget_old_sessions": forget_old, "console.dashboard_rollup": keep_warm},
    audit_actions={**AUDIT_ACTIONS, "report.exported": "an admin exported a report's narrative (reason recorded)"},
)

__all__ = [
    "FEATURE", "Access", "access_for", "DASHBOARD", "WORK", "AUDIT_LOG", "EXPORT", "ORG",
    "SESSION_LIFETIME", "SignedIn", "csrf_ok", "end_session", "person_by_email", "redeem_link", "session_for",
    "start_session", "AuditQuery", "audit_page", "DIMENSIONS", "Dashboard", "shown", "build_dashboard",
    "ExportRefused", "ExportRequest", "run_export", "export_size", "parse_filters", "CONSOLE_BUTTONS",
    "CONSOLE_FORMS", "open_work", "MAX_FILE_BYTES", "apply_text", "dry_run", "people", "sites", "teams",
    "volunteers", "Cell",
]
