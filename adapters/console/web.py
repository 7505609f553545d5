"""What every console page shares: templates, security headers, the session cookie, the
CSRF and Origin checks, and the 403 answer.

The session cookie is HttpOnly and SameSite=Lax (Lax, not Strict, so that coming back from
the identity provider's sign-in page keeps it), and Secure when the public URL is https.
Every POST must come from our own origin and carry the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web
from markupsafe import Markup

from adapters.appkeys import BOT_KEY, SETTINGS_KEY
from bot.features import console
from bot.features.console import SignedIn

COOKIE = "bb_console"
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
JINJA_KEY = web.AppKey("console_jinja", jinja2.Environment)
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

Handler = Callable[[web.Request, SignedIn], Awaitable[web.StreamResponse]]


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = lambda moment: moment.strftime("%-d %b %Y, %H:%M UTC") if moment else "—"
    env.globals["urlencode"] = urlencode
    env.filters["cell"] = _cell  # a filter, not a macro: the year view has thousands of cells
    return env


def _cell(cell) -> Markup:
    """A dashboard figure: the number, or its suppression label, marked as such."""
    if cell.shown:
        return Markup(str(cell.count))
    return Markup('<span class="suppressed">{}</span>').format(cell.label)


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
        if request.path.startswith("/console"):
            _harden(response)
        raise
    if request.path.startswith("/console"):
        _harden(response)
    return response


def _harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin: no Referer (so no sign-in token) ever leaves for another site, while our own
    # POSTs keep their Origin (with no-referrer, browsers send "Origin: null").
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")


def render(request: web.Request, template: str, status: int = 200, me: SignedIn | None = None,
           **context) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    html = request.app[JINJA_KEY].get_template(template).render(
        me=me, csrf=me.csrf if me else "", local=settings.is_local, **context)
    return web.Response(text=html, content_type="text/html", status=status)


def secure_cookies(request: web.Request) -> bool:
    return request.app[SETTINGS_KEY].public_base_url.startswith("https://")


def set_session_cookie(request: web.Request, response: web.StreamResponse, secret: str) -> None:
    response.set_cookie(COOKIE, secret, httponly=True, samesite="Lax", secure=secure_cookies(request),
                        path="/console", max_age=int(console.SESSION_LIFETIME.total_seconds()))


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/console")


def same_origin(request: web.Request) -> bool:
    """The request comes from one of our own pages: its Origin (or, failing that, Referer)
    is the public URL's origin or this very host's."""
    given = request.headers.get("Origin") or ""
    if not given or given == "null":
        referer = request.headers.get("Referer") or ""
        parts = urlsplit(referer)
        given = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    if not given:
        return False
    public = urlsplit(request.app[SETTINGS_KEY].public_base_url)
    allowed = {f"{public.scheme}://{public.netloc}", f"{request.scheme}://{request.host}"}
    return given in allowed


def refuse(request: web.Request, me: SignedIn | None, why: str = "") -> web.Response:
    return render(request, "refused.html", status=403, me=me if me and me.access.allowed else None, why=why)


async def current(request: web.Request) -> SignedIn | None:
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        return await console.session_for(tx, request.cookies.get(COOKIE), bot.clock.now())


def page(part: str | None = None, *, post: bool = False, stream: bool = False) -> Callable[[Handler], Callable]:
    """A console page: signed in, allowed this part (else 403), and for a POST, from our own
    origin with the session's CSRF token (else 403). ``stream``: the handler reads the body
    itself (a large upload) and checks the CSRF token in it."""

    def wrap(handler: Handler):
        @wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            me = await current(request)
            if me is None:
                return refuse(request, None, "signin")
            if part is not None and not me.access.may(part):
                return refuse(request, me)
            if request.method == "POST":
                if not same_origin(request):
                    return refuse(request, me, "origin")
                if stream:
                    return await handler(request, me)
                form = await request.post()
                if not console.csrf_ok(request.cookies.get(COOKIE, ""), form.get("csrf")):
                    return refuse(request, me, "csrf")
            return await handler(request, me)

        return run

    return wrap


def number(value, default: int = 1, low: int = 1, high: int = 10**6) -> int:
    try:
        got = int(str(value))
    except (TypeError, ValueError):
        return default
    return got if low <= got <= high else default
