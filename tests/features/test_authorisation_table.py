"""Authorisation as a table: every button, form and verb in tests/features/authorisation_cases.py
pressed by every role, each cell's answer written there. A refused press must change nothing
(no audit entry, no notification) and show nothing sensitive, and "not theirs" (N) must be the
very answer an id that does not exist gets, so a replayed button cannot probe what exists; an
allowed one gets a fresh
subject so that cells do not disturb each other. Runs on SQLite and PostgreSQL (it uses the
database, so it is a storage test); on PostgreSQL:

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \
        pytest tests/features/test_authorisation_table.py tests/features/test_authorisation_coverage.py
"""

from __future__ import annotations

import html
import re

import aiohttp
import pytest
from sqlalchemy import func, select, update

from adapters.appkeys import BOT_KEY
from bot.app import NO_LONGER_ACTIVE, UNKNOWN_PERSON
from bot.features.escalation.storage import Escalation
from bot.features.support.storage import CheckIn
from bot.features.volunteer.storage import VolunteerProfile
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.ratelimit import Rate, TokenBuckets
from bot.machinery.storage.models import AuditEntry, Notification, Person
from bot.org import orgfile
from bot.port.events import FormSubmitted, Identity
from bot.port.views import Dialog, Form, Notice
from tests.console_harness import Browser, apply_org, console_server, force_session
from tests.fake_deliverer import ScriptedPlatform
from tests.features.authorisation_cases import (
    CASES,
    CONSOLE_CASES,
    CONSOLE_ROLES,
    REFUSED_IDENTITIES,
    ROLES,
)
from tests.features.authorisation_world import NARRATIVE, ORG, SECRETS, UNSAFE, build, press
from tests.world import World, text_of

pytestmark = pytest.mark.storage
DIGEST = re.compile(r'name="digest" value="([^"]*)"')
NOWHERE = "999999"  # the id of nothing that exists

# What "refused because of the state it is in now" says (referral/wording.where_it_stands and
# the like): the referral is with someone else, closed, declined or waiting for approval.
CLOSED = ("already", "no longer", "nothing to", "withdrawn", "cancelled", "deleted", "isn't waiting", "is not waiting",
          "still open", "is closed", "was declined", "was returned", "waiting for a manager's approval",
          "can't be snoozed", "no chaperone to record")


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
        vera = await tx.people.by_key("vera")
        await tx.session.execute(update(VolunteerProfile).where(VolunteerProfile.person_id == vera.id)
                                 .values(active=False))  # so she is never asked
        await tx.session.execute(update(Person).where(Person.key == "ray").values(active=False))
    world = World(db, sealer, library, clock)
    world.platform = ScriptedPlatform("slack")
    world.worker = DeliveryWorker(db, {"slack": world.platform}, clock)
    # The table presses far faster than a person: it is not what the rate limit is for.
    world.bot.actions = world.bot.submissions = TokenBuckets(clock, Rate(capacity=10**6, per_second=10**6))
    return world


def answer(views: list, changed: bool) -> str:
    text = " ".join(text_of(v) if not isinstance(v, Dialog) else " ".join((v.title, *v.paragraphs))
                    for v in views)
    if views in ([UNKNOWN_PERSON], [NO_LONGER_ACTIVE]):  # refused before any feature: not a person here
        return "U"
    if any(isinstance(v, Form) and v.errors for v in views):  # the table's own values were refused: fix them
        return f"E{sorted(next(v for v in views if isinstance(v, Form)).errors)}"
    if any(isinstance(v, Dialog) for v in views) and any(secret in text for secret in SECRETS):
        return "S"
    if changed or len(views) != 1 or not isinstance(views[0], Notice):
        return "Y"
    if "can't find" in text:
        return "N"
    if any(word in text.lower() for word in CLOSED):
        return "X"
    return "Y"


async def footprint(world) -> tuple:
    async with world.db.transaction() as tx:
        # (a second account claiming the manager's email is audited as held: that is the point)
        return (await tx.session.scalar(select(func.count()).select_from(AuditEntry)
                                        .where(AuditEntry.action.not_like("identity.%"))),
                await tx.session.scalar(select(func.count()).select_from(Notification)),
                # check-ins are neither audited nor announced: what they are now is the trace
                tuple((await tx.session.execute(select(CheckIn.id, CheckIn.status, CheckIn.generation)
                                                .order_by(CheckIn.id))).all()))


@pytest.mark.parametrize(("name", "state", "action", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_every_role(world, name, state, action, expected):
    wanted = dict(zip(ROLES, (expected + " " + REFUSED_IDENTITIES).split(), strict=True))
    got: dict[str, str] = {}
    shared = await build(world, state)
    before = await footprint(world)
    for role in [r for r in ROLES if wanted[r] in "NUX"]:  # refusals share one subject: none may touch it
        views = await press(world, role, action, shared)
        got[role] = answer(views, changed=False)
        assert not any(secret in repr(views) for secret in SECRETS), (name, role)
        if got[role] == "N":  # not theirs looks exactly like nothing at all: existence is not revealed
            assert views == await press(world, role, action, NOWHERE), (name, role)
    assert await footprint(world) == before or not any(wanted[r] in "NUX" for r in ROLES), name
    for role in [r for r in ROLES if wanted[r] in "YS"]:
        value = await build(world, state)
        before = await footprint(world)
        views = await press(world, role, action, value)
        got[role] = answer(views, changed=await footprint(world) != before)
    assert " ".join(got[r] for r in ROLES) == " ".join(wanted[r] for r in ROLES), name


@pytest.mark.parametrize(("name", "method", "target", "expected"), CONSOLE_CASES, ids=[c[0] for c in CONSOLE_CASES])
async def test_every_role_in_the_console(database_url, tmp_path, clock, name, method, target, expected):
    keys = dict(zip(CONSOLE_ROLES, ("rosa", "carl", "vera", "vic", "morgan", "olga", "alex", "audrey", "ray", None),
                    strict=True))
    got = {}
    async with console_server(database_url, tmp_path, clock) as (base, app):
        await apply_org(app, ORG)
        bot = app[BOT_KEY]
        secrets = {role: await force_session(app, key, clock.now()) for role, key in keys.items() if key}
        async with bot.db.transaction() as tx:
            await tx.session.execute(update(Person).where(Person.key == "ray").values(active=False))
        path, _, what = target.partition(" ")
        for role in CONSOLE_ROLES:  # the manager acts last, on something nobody else could touch
            if role == "mgr":
                continue
            got[role] = await _console_cell(bot, base, secrets.get(role), method, path, what)
        got["mgr"] = await _console_cell(bot, base, secrets["mgr"], method, path, what)
    assert " ".join(got[r] for r in CONSOLE_ROLES) == expected, name


async def _escalation_for_console(bot) -> int:
    async with bot.db.transaction() as tx:
        escalation = await tx.session.scalar(select(func.max(Escalation.id)))
    if escalation is None:
        await bot.handle(FormSubmitted(Identity("slack", "T1", "UROSA"), "report", UNSAFE))
        async with bot.db.transaction() as tx:
            escalation = await tx.session.scalar(select(func.max(Escalation.id)))
    return escalation


async def _org_file(browser: Browser, path: str) -> tuple[int, str]:
    """The organisation file posted as the page posts it (multipart); to apply, previewed first
    for the digest that says which text was checked."""
    fields = {"csrf": browser.csrf, "text": ORG}
    if path.endswith("/apply"):
        _, page = await _org_file(browser, "/console/admin/org-file/preview")
        fields["digest"] = (DIGEST.search(page) or ["", ""])[1] if page else ""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    async with browser.http.post(browser.base + path, data=form, headers={"Origin": browser.base},
                                 allow_redirects=False) as response:
        return response.status, await response.text()


async def _console_cell(bot, base, secret, method, path, what) -> str:
    browser = Browser(base)
    try:
        if secret:
            browser.use_session(secret)
            await browser.get("/console/")  # a CSRF token, for those allowed a page at all
        if method == "GET":
            status, body = await browser.get(path, allow_redirects=False)
        elif path == "/console/work/press":
            status, body = await browser.post(path, {"action": what, "value": str(await _escalation_for_console(bot))})
        elif path == "/console/work/submit":
            status, body = await browser.post(path, {"_form": what, "_state": str(await _escalation_for_console(bot)),
                                                     "note": "talked it over with the team"})
        elif path.startswith("/console/admin/org-file/"):
            status, body = await _org_file(browser, path)
        elif path == "/console/exports":
            day = "2026-01-05"
            narratives = {"narratives": "yes", "reason": "an inquiry"} if what == "reports" else {}
            status, body = await browser.post(path, {"kind": what, "format": "json", "from": day, "to": day,
                                                     **narratives})
        else:  # signing in and out: a made-up link, the local demo picker naming the admin, sign out
            fields = {"/console/link": {"t": "not-a-link-anyone-was-sent"}, "/console/demo": {"person": "alex"}}
            status, body = await browser.post(path, fields.get(path, {}), allow_redirects=False)
    finally:
        await browser.close()
    if status == 200 and NARRATIVE in body:
        return "S"
    if status == 200 and "can't find" in html.unescape(body):
        return "N"
    return str(status)
