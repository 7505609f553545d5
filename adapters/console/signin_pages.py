"""Signing in and out: the sign-in page, one-time links from chat, the local demo picker.

Opening a link shows a page with one button; only pressing it (a POST) uses the link. Link
previewers and mail scanners that fetch URLs therefore cannot burn it, and the token never
travels in a Referer (the console sends ``Referrer-Policy: same-origin``).
"""

from __future__ import annotations

from aiohttp import web

from adapters.appkeys import BOT_KEY, SETTINGS_KEY
from adapters.console.web import (
    COOKIE,
    clear_session_cookie,
    current,
    page,
    render,
    same_origin,
    set_session_cookie,
)
from bot.features import console


async def signin_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    me = await current(request)
    if me is not None:
        raise web.HTTPSeeOther("/console/")
    demo_people = []
    if settings.is_local:
        bot = request.app[BOT_KEY]
        async with bot.db.transaction() as tx:
            for person in await tx.people.active():
                access = await console.access_for(tx, person)
                if access.allowed:
                    demo_people.append((person, ", ".join(access.roles)))
    return render(request, "signin.html", oidc=settings.oidc_enabled, oidc_label=settings.oidc_label,
                  demo_people=demo_people, signed_out=request.query.get("signed_out") == "1")


async def link_page(request: web.Request) -> web.Response:
    token = request.query.get("t", "")
    return render(request, "link.html", token=token if 0 < len(token) <= 200 else "")


async def use_link(request: web.Request) -> web.StreamResponse:
    if not same_origin(request):
        return render(request, "refused_signin.html", status=403, why="origin")
    form = await request.post()
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        secret = await console.redeem_link(tx, str(form.get("t", "")), bot.clock.now())
    if secret is None:
        return render(request, "refused_signin.html", status=403, why="link")
    response = web.HTTPSeeOther("/console/")
    set_session_cookie(request, response, secret)
    raise response


async def demo_signin(request: web.Request) -> web.StreamResponse:
    """Local mode only: sign in as one of the demo organisation's managers, admins or auditors."""
    if not same_origin(request):
        return render(request, "refused_signin.html", status=403, why="origin")
    form = await request.post()
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        person = await tx.people.by_key(str(form.get("person", ""))[:64])
        secret = await console.start_session(tx, person, "demo", bot.clock.now()) if person and person.active else None
    if secret is None:
        return render(request, "refused_signin.html", status=403, why="role")
    response = web.HTTPSeeOther("/console/")
    set_session_cookie(request, response, secret)
    raise response


@page(post=True)
async def signout(request: web.Request, me) -> web.StreamResponse:
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        await console.end_session(tx, request.cookies.get(COOKIE), bot.clock.now())
    response = web.HTTPSeeOther("/console/signin?signed_out=1")
    clear_session_cookie(request, response)
    raise response


def setup_signin(app: web.Application) -> None:
    app.router.add_get("/console/signin", signin_page)
    app.router.add_get("/console/link", link_page)
    app.router.add_post("/console/link", use_link)
    app.router.add_post("/console/signout", signout)
    if app[SETTINGS_KEY].is_local:
        app.router.add_post("/console/demo", demo_signin)
