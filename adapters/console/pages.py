"""The console's pages: home, dashboard, open work (acting on escalations), audit log, exports.

Only translation happens here: query strings and form posts become calls into the console
feature (``bot.features.console``) and the bot's own event handling; what comes back is
rendered with templates.
"""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from adapters.appkeys import BOT_KEY
from adapters.console import charts
from adapters.console.web import page, refuse, render
from bot.features import console
from bot.features.console import AUDIT_LOG, DASHBOARD, EXPORT, WORK
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Card, Dialog, FieldKind, Form, Notice


@page()
async def home(request: web.Request, me) -> web.StreamResponse:
    if me.access.may(DASHBOARD):
        raise web.HTTPSeeOther("/console/dashboard")
    raise web.HTTPSeeOther("/console/audit")


@page(DASHBOARD)
async def dashboard_page(request: web.Request, me) -> web.Response:
    bot = request.app[BOT_KEY]
    params = dict(request.query)
    if params.get("team", "all") != "all" and me.access.team(params["team"]) is None:
        return refuse(request, me)  # another team's id: the same answer as a missing one
    today = bot.clock.now().date()
    chosen = console.parse_filters(params, list(me.access.teams), today, is_admin=me.access.is_admin)
    async with bot.db.transaction() as tx:
        board = await console.build_dashboard(tx, chosen)
    pictures = {}
    for name, table in board.reports.items():
        title = console.DIMENSIONS[name][0]
        pictures[name] = charts.bars(f"by-{name}", f"Reports by {title.lower()}",
                                     [(label, table.column_totals[v]) for v, label in table.values])
    first = board.reports["category"]
    pictures["time"] = charts.columns("over-time", f"Reports per {chosen.unit}",
                                      [(p, first.row_totals[p]) for p in first.periods])
    pictures["escalations"] = charts.timings(
        "ack", "Minutes to acknowledge escalations",
        [(f.team, f.acknowledge.median, f.acknowledge.p90, f.policy_wait_minutes) for f in board.escalations])
    pictures["chaperone"] = charts.bars("chaperone", "Chaperone requests",
                                        [(label, board.chaperone.column_totals[v]) for v, label in board.chaperone.values],
                                        unit="requests")
    pictures["referrals"] = charts.bars("referrals", "Referrals",
                                        [(label, board.referrals.column_totals[v]) for v, label in board.referrals.values],
                                        unit="referrals")
    pictures["volunteers"] = charts.bars("volunteers", "Volunteers available by site",
                                         [(site, console.shown(n)) for site, n in board.volunteers], unit="volunteers")
    return render(request, "dashboard.html", me=me, board=board, filters=chosen, charts=pictures,
                  dimensions=console.DIMENSIONS, section="dashboard")


def _identity(me) -> Identity:
    return Identity("console", "console", str(me.person.id))


async def _work_page(request: web.Request, me, message: str = "", status: int = 200) -> web.Response:
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        turn = bot.turn_for(tx, me.person, await tx.org.get(), platform="console")
        work = await console.open_work(turn, me.access)
    return render(request, "work.html", status=status, me=me, work=work, message=message, section="work",
                  is_card=lambda v: isinstance(v, Card), is_notice=lambda v: isinstance(v, Notice))


@page(WORK)
async def work_page(request: web.Request, me) -> web.Response:
    return await _work_page(request, me)


async def _show(request: web.Request, me, views) -> web.Response:
    """What the escalation feature answered, as a page: a form to fill, a private dialog, or
    a message above the refreshed list."""
    for view in views:
        if isinstance(view, Form):
            return render(request, "form.html", me=me, form=view, FieldKind=FieldKind, section="work")
        if isinstance(view, Dialog):
            return render(request, "dialog.html", me=me, dialog=view, section="work")
    text = " ".join(v.text for v in views if isinstance(v, Notice))
    return await _work_page(request, me, message=text)


@page(WORK, post=True)
async def press(request: web.Request, me) -> web.Response:
    form = await request.post()
    action = str(form.get("action", ""))
    if action not in console.CONSOLE_BUTTONS:
        return refuse(request, me)
    event = ButtonPressed(_identity(me), action, str(form.get("value", ""))[:32])
    return await _show(request, me, await request.app[BOT_KEY].handle_for(me.person.id, event))


@page(WORK, post=True)
async def submit(request: web.Request, me) -> web.Response:
    form = await request.post()
    form_id = str(form.get("_form", ""))
    if form_id not in console.CONSOLE_FORMS:
        return refuse(request, me)
    values = {k: str(form.get(k)) for k in form if k not in ("_form", "_state", "csrf")}
    event = FormSubmitted(_identity(me), form_id, values, state=str(form.get("_state", ""))[:32])
    return await _show(request, me, await request.app[BOT_KEY].handle_for(me.person.id, event))


@page(AUDIT_LOG)
async def audit_page(request: web.Request, me) -> web.Response:
    bot = request.app[BOT_KEY]
    query = console.AuditQuery.parse(dict(request.query))
    async with bot.db.transaction() as tx:
        found = await console.audit_page(tx, query, me.person.id)
        await tx.audit.record(bot.clock.now(), me.person.id, "console.audit_viewed", "audit_log", None)
    actions = sorted(bot.features.audit_actions.items())
    return render(request, "audit.html", me=me, found=found, query=query, actions=actions, section="audit")


@page(EXPORT)
async def exports_page(request: web.Request, me) -> web.Response:
    today = request.app[BOT_KEY].clock.now().date()
    return render(request, "exports.html", me=me, section="exports", error="",
                  since=(today - timedelta(days=90)).isoformat(), until=today.isoformat())


def _day(text, fallback: date) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return fallback


@page(EXPORT, post=True)
async def export_download(request: web.Request, me) -> web.StreamResponse:
    bot = request.app[BOT_KEY]
    form = await request.post()
    today = bot.clock.now().date()
    req = console.ExportRequest(
        kind=str(form.get("kind", "")), fmt=str(form.get("format", "csv")),
        since=_day(form.get("from"), today - timedelta(days=90)), until=_day(form.get("to"), today),
        narratives=form.get("narratives") == "yes", reason=str(form.get("reason", ""))[:500], via="console",
    )
    try:
        async with bot.db.transaction() as tx:
            done = await console.run_export(tx, bot.sealer, me.access, req, bot.clock.now())
    except console.ExportRefused as exc:
        return render(request, "exports.html", status=400, me=me, section="exports", error=str(exc),
                      since=req.since.isoformat(), until=req.until.isoformat())
    return web.Response(text=done.body, content_type=done.content_type, charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{done.filename}"'})


def setup_pages(app: web.Application) -> None:
    app.router.add_get("/console", home)
    app.router.add_get("/console/", home)
    app.router.add_get("/console/dashboard", dashboard_page)
    app.router.add_get("/console/work", work_page)
    app.router.add_post("/console/work/press", press)
    app.router.add_post("/console/work/submit", submit)
    app.router.add_get("/console/audit", audit_page)
    app.router.add_get("/console/exports", exports_page)
    app.router.add_post("/console/exports", export_download)
