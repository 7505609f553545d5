"""What keeps the local web chat to the person at the keyboard.

- Every POST must come from the chat's own origin (``Origin`` equal to the host it was
  asked on) and carry the CSRF token the page was rendered with (``csrf``, the same value as
  the ``bb_csrf`` cookie, which is SameSite=Strict and HttpOnly): another site's form cannot
  know it, so it cannot post as the chosen person.
- Every page carries security headers: a Content-Security-Policy with no inline script
  (the one script is /static/chat.js), ``frame-ancestors 'none'``, ``nosniff`` and a
  same-origin referrer policy.
- Links a view carries are shown only when they are http(s) or mailto (never
  ``javascript:``); all text is escaped by the templates (autoescape).
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from aiohttp import web

CSRF_COOKIE = "bb_csrf"
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_TOKEN = re.compile(r"[0-9a-f]{32}")
PATHS = ("/chat/", "/static/")


def csrf_token(request: web.Request) -> str:
    """This browser's token (from its cookie), or a new one to set."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if _TOKEN.fullmatch(token) else secrets.token_hex(16)


def keep_token(response: web.StreamResponse, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict")


async def refusal(request: web.Request) -> str | None:
    """Why a POST is refused (None when it is from our own page)."""
    origin = request.headers.get("Origin", "")
    if origin != f"{request.scheme}://{request.host}":
        return "cross-origin request"
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = (await request.post()).get("csrf", "")
    if not _TOKEN.fullmatch(cookie) or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        return "missing or wrong CSRF token"
    return None


def _ours(path: str) -> bool:
    return path == "/" or path.startswith(PATHS)


def harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"


@web.middleware
async def web_chat_guard(request: web.Request, handler):
    if not _ours(request.path):
        return await handler(request)
    if request.method == "POST":
        try:
            reason = await refusal(request)
        except (ValueError, web.HTTPException):
            reason = "unreadable form"
        if reason:
            response = web.Response(status=403, text=f"Refused: {reason}. Reload the page and try again.\n")
            harden(response)
            return response
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        harden(exc)
        raise
    harden(response)
    return response


def safe_url(url: object) -> str | None:
    """The link when it is http(s) or mailto; None otherwise (it is then not shown)."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https", "mailto") else None
