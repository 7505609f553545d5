"""Organisation admin pages: people, teams and policies, sites, volunteers (paged), and a new
organisation file — uploaded or pasted, checked with a dry run, then applied.

The file form is multipart (an upload can be several megabytes for 20,000 people), read as a
stream with its own size limit; its CSRF token is the first field.
"""

from __future__ import annotations

from aiohttp import web

from adapters.appkeys import BOT_KEY
from adapters.console.web import COOKIE, number, page, refuse, render
from bot.features import console
from bot.features.console import ORG


@page(ORG)
async def admin_home(request: web.Request, me) -> web.Response:
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        teams = await console.teams(tx)
        sites = await console.sites(tx)
    return render(request, "admin.html", me=me, section="admin", teams=teams, sites=sites)


@page(ORG)
async def people_page(request: web.Request, me) -> web.Response:
    bot = request.app[BOT_KEY]
    search = request.query.get("q", "").strip()[:100]
    async with bot.db.transaction() as tx:
        found = await console.people(tx, search, number(request.query.get("page")))
    return render(request, "people.html", me=me, section="admin", found=found, search=search)


@page(ORG)
async def volunteers_page(request: web.Request, me) -> web.Response:
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        found = await console.volunteers(tx, number(request.query.get("page")))
    return render(request, "volunteers.html", me=me, section="admin", found=found)


async def _read_org_form(request: web.Request) -> tuple[dict[str, str], str | None]:
    """The multipart form's fields (the file's text under ``text``), or an error."""
    fields: dict[str, str] = {}
    if request.content_type != "multipart/form-data":
        # A plain form post (no file): small, read whole (aiohttp caps it at 1 MB).
        try:
            form = await request.post()
        except ValueError:
            return fields, "The form could not be read; please try again."
        if not console.csrf_ok(request.cookies.get(COOKIE, ""), form.get("csrf")):
            return fields, "csrf"
        return {k: str(form.get(k, "")) for k in ("csrf", "text", "digest")}, None
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError):
        return fields, "The form could not be read; please try again."
    total = 0
    while (part := await reader.next()) is not None:
        if part.name not in ("csrf", "text", "file", "digest"):
            continue
        chunks = []
        while chunk := await part.read_chunk():
            total += len(chunk)
            if total > console.MAX_FILE_BYTES:
                return fields, "The file is larger than 10 MB."
            chunks.append(chunk)
        data = b"".join(chunks)
        if part.name == "csrf" and not console.csrf_ok(request.cookies.get(COOKIE, ""), data.decode("ascii", "replace")):
            return fields, "csrf"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return fields, "The file is not UTF-8 text."
        if part.name == "file" and text.strip():
            fields["text"] = text
        elif part.name != "file" and (part.name != "text" or "text" not in fields):
            fields[part.name] = text
    if "csrf" not in fields:
        return fields, "csrf"
    return fields, None


def org_form_check(handler):
    """ORG pages that post the file: our origin, and the CSRF token read from the stream."""

    @page(ORG, post=True, stream=True)
    async def run(request: web.Request, me) -> web.Response:
        fields, error = await _read_org_form(request)
        if error == "csrf":
            return refuse(request, me, "csrf")
        return await handler(request, me, fields, error)

    return run


@org_form_check
async def preview(request: web.Request, me, fields: dict[str, str], error: str | None) -> web.Response:
    bot = request.app[BOT_KEY]
    text = fields.get("text", "").replace("\r\n", "\n")
    if error or not text.strip():
        return render(request, "org_file.html", status=400, me=me, section="admin", text=text,
                      error=error or "Paste the organisation file or choose one to upload.", result=None)
    now = bot.clock.now()
    result = await console.dry_run(bot.db, text, now)
    async with bot.db.transaction() as tx:
        await tx.audit.record(now, me.person.id, "console.org_previewed", "organisation", 1)
    return render(request, "org_file.html", status=200 if result.ok else 400, me=me, section="admin",
                  text=text, error="", result=result)


@org_form_check
async def apply(request: web.Request, me, fields: dict[str, str], error: str | None) -> web.Response:
    bot = request.app[BOT_KEY]
    text = fields.get("text", "").replace("\r\n", "\n")
    if error or not text.strip():
        return render(request, "org_file.html", status=400, me=me, section="admin", text=text,
                      error=error or "There was no file to apply.", result=None)
    async with bot.db.transaction() as tx:
        result = await console.apply_text(tx, text, fields.get("digest", ""), me.person.id, bot.clock.now())
    return render(request, "org_file.html", status=200 if result.ok else 400, me=me, section="admin", text=text,
                  error="", result=result, applied=result.ok)


@page(ORG)
async def org_file_page(request: web.Request, me) -> web.Response:
    return render(request, "org_file.html", me=me, section="admin", text="", error="", result=None)


def setup_admin(app: web.Application) -> None:
    app.router.add_get("/console/admin", admin_home)
    app.router.add_get("/console/admin/people", people_page)
    app.router.add_get("/console/admin/volunteers", volunteers_page)
    app.router.add_get("/console/admin/org-file", org_file_page)
    app.router.add_post("/console/admin/org-file/preview", preview)
    app.router.add_post("/console/admin/org-file/apply", apply)
