"""The web console for managers, admins and auditors, served by the same aiohttp server.

Plain server-rendered HTML (Jinja2, autoescaped), one stylesheet, charts drawn as SVG on the
server, no script at all, nothing fetched from elsewhere. The rules and queries live in
``bot.features.console``; this package only translates HTTP to them and back.
"""

from __future__ import annotations

from aiohttp import web

from adapters.appkeys import SETTINGS_KEY
from adapters.console.admin import setup_admin
from adapters.console.pages import setup_pages
from adapters.console.signin_pages import setup_signin
from adapters.console.web import JINJA_KEY, STATIC, make_templates, security_headers


def setup_console(app: web.Application) -> None:
    app[JINJA_KEY] = make_templates()
    app.middlewares.append(security_headers)
    setup_signin(app)
    setup_pages(app)
    setup_admin(app)
    if app[SETTINGS_KEY].oidc_enabled:
        from adapters.console.oidc import setup_oidc

        setup_oidc(app)
    app.router.add_static("/console/static", STATIC)


__all__ = ["setup_console"]
