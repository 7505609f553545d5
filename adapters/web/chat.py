"""Local web chat at ``/``: pick a demo person, type verbs, fill forms, press buttons.

It only translates: HTML form posts become the core's events; the views that come back are
rendered with Jinja2 templates (autoescaped). The transcript lives in this process's memory,
per browser session, and is never written to disk: it is a demo, like a DM that is not kept.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from sqlalchemy import select

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY
from adapters.web.guard import csrf_token, keep_token, safe_url, web_chat_guard
from adapters.web.live import Changes, stream
from bot.app import BoundaryBot, parse_command
from bot.machinery.storage.models import Identity as IdentityRow
from bot.machinery.storage.models import Person
from bot.port.delivery import Address, MessageRef
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, FieldKind, Form, Notice, View

WORKSPACE = "demo"
SESSION_COOKIE = "bb_session"
PERSON_COOKIE = "bb_person"
MAX_ENTRIES = 60
MAX_SESSIONS = 500
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@dataclass
class Entry:
    """One line of the transcript: something the person did, or a view the bot sent."""

    id: int
    who: str  # "you" or "bot"
    text: str = ""
    view: View | None = None
    closed: bool = False  # a form that was submitted (and answered below it)
    key: str | None = None  # for a notification: its outbox key
    rev: int = 0  # bumped when the view is replaced (a card turned "covered"), for live pages


@dataclass
class Transcript:
    entries: list[Entry] = field(default_factory=list)
    _next_id: int = 0

    def add(self, who: str, text: str = "", view: View | None = None, key: str | None = None) -> Entry:
        self._next_id += 1
        entry = Entry(self._next_id, who, text, view, key=key)
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        return entry

    def find(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if str(e.id) == entry_id), None)


class Transcripts:
    """Per browser session and person; the oldest sessions are forgotten first.

    Notifications for a person (from the outbox) go into every open transcript of theirs
    and into an inbox that later sessions start from, once each by outbox key.
    """

    def __init__(self) -> None:
        self._by_key: OrderedDict[tuple[str, str], Transcript] = OrderedDict()
        self._inbox: dict[str, OrderedDict[str, View]] = {}
        self.changes = Changes()

    def get(self, session: str, person: str) -> Transcript:
        key = (session, person)
        transcript = self._by_key.pop(key, None)
        if transcript is None:
            transcript = Transcript()
            for note_key, view in self._inbox.get(person, {}).items():
                transcript.add("bot", view=view, key=note_key)
        self._by_key[key] = transcript
        while len(self._by_key) > MAX_SESSIONS:
            self._by_key.popitem(last=False)
        return transcript

    def _of(self, person: str) -> list[Transcript]:
        return [t for (_, p), t in self._by_key.items() if p == person]

    def deliver(self, person: str, view: View, key: str) -> None:
        inbox = self._inbox.setdefault(person, OrderedDict())
        if key in inbox:
            return  # a redelivery: shown once
        inbox[key] = view
        while len(inbox) > MAX_ENTRIES:
            inbox.popitem(last=False)
        for transcript in self._of(person):
            transcript.add("bot", view=view, key=key)
        self.changes.touch(person)

    def replace(self, person: str, key: str, view: View) -> None:
        if key in self._inbox.get(person, {}):
            self._inbox[person][key] = view
        for transcript in self._of(person):
            for entry in transcript.entries:
                if entry.key == key:
                    entry.view = view
                    entry.rev += 1
        self.changes.touch(person)


class WebDeliverer:
    """Delivers outbox notifications into the web chat (local mode)."""

    platform = "web"

    def __init__(self, transcripts: Transcripts) -> None:
        self._transcripts = transcripts

    async def send(self, to: Address, view: Card | Notice, key: str) -> MessageRef:
        self._transcripts.deliver(to.user_id, view, key)
        return MessageRef("web", {"user": to.user_id, "key": key})

    async def update(self, ref: MessageRef, view: Card | Notice, key: str) -> MessageRef:
        self._transcripts.replace(ref.data["user"], ref.data["key"], view)
        return ref


TRANSCRIPTS_KEY = web.AppKey("web_transcripts", Transcripts)
JINJA_KEY = web.AppKey("web_jinja", jinja2.Environment)


def setup_web_chat(app: web.Application) -> None:
    app[TRANSCRIPTS_KEY] = Transcripts()
    app[DELIVERERS_KEY]["web"] = WebDeliverer(app[TRANSCRIPTS_KEY])
    app[JINJA_KEY] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app[JINJA_KEY].filters["safe_url"] = safe_url
    app.middlewares.append(web_chat_guard)  # Origin + CSRF on every POST, security headers
    app[JINJA_KEY].globals.update(
        FieldKind=FieldKind, is_form=_is(Form), is_card=_is(Card), is_notice=_is(Notice), is_dialog=_is(Dialog)
    )
    app.router.add_get("/", index)
    app.router.add_get("/chat/live", live)
    app.router.add_get("/chat/events", events)
    app.router.add_post("/chat/as", choose_person)
    app.router.add_post("/chat/say", say)
    app.router.add_post("/chat/submit", submit)
    app.router.add_post("/chat/press", press)
    app.router.add_post("/chat/find", find)
    app.router.add_get("/chat/search", search)
    app.router.add_static("/static", STATIC)
    app.on_shutdown.append(_end_streams)


async def _end_streams(app: web.Application) -> None:
    app[TRANSCRIPTS_KEY].changes.close_all()


def _is(kind: type):
    return lambda view: isinstance(view, kind)


def _render(request: web.Request, template: str, status: int = 200, **context) -> web.Response:
    html = request.app[JINJA_KEY].get_template(template).render(**context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store"})


async def _demo_people(bot: BoundaryBot) -> tuple[list[tuple[Person, list[str]]], object]:
    """People the web chat can act as (those with a web identity), with what they do."""
    async with bot.db.transaction() as tx:
        # Only those with a web identity, chosen in the database: the organisation may hold
        # 20,000 people, a handful of whom are the demo's.
        people = (await tx.session.scalars(
            select(Person).where(Person.active.is_(True), Person.id.in_(
                select(IdentityRow.person_id).where(IdentityRow.platform == "web")))
            .order_by(Person.display_name))).all()
        described = []
        for person in people:
            roles = [person.profession] if person.profession else []
            for team, role in await tx.people.teams_of(person.id):
                if role == "manager":
                    roles.append(f"manager of {team.name}")
            if person.is_volunteer:
                roles.append("volunteer chaperone")
            if person.is_admin:
                roles.append("admin")
            if person.is_auditor:
                roles.append("auditor")
            described.append((person, roles))
        org = await tx.org.get()
    return described, org


def _web_user(person: Person) -> str | None:
    return next((i.user_id for i in person.identities if i.platform == "web"), None)


def _chosen(request: web.Request, form: dict | None = None) -> str | None:
    """Who this tab acts as: the person the page names (``?as=`` or the forms' ``_as``, so two
    tabs can be two people in the local demo), else the one last chosen in this browser. The
    core checks the name against the organisation on every turn, as it does any identity."""
    named = (form or {}).get("_as") or request.query.get("as")
    return str(named) if named else request.cookies.get(PERSON_COOKIE)


def _home_url(person: str, anchor: str = "") -> str:
    return f"/?{urlencode({'as': person})}" + (f"#{anchor}" if anchor else "")


async def index(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    people, org = await _demo_people(bot)
    chosen = _chosen(request)
    me = next((p for p, _ in people if _web_user(p) == chosen), None)
    session = request.cookies.get(SESSION_COOKIE) or secrets.token_urlsafe(16)
    csrf = csrf_token(request)
    context = dict(org=org, people=people, me=me, me_user=chosen, csrf=csrf)
    transcript = None
    if me is not None:
        transcript = context["transcript"] = request.app[TRANSCRIPTS_KEY].get(session, chosen)
        context["home"] = await bot.home_of(Identity("web", WORKSPACE, chosen))
    response = _render(request, "chat.html", **context)
    if transcript is not None:
        # A dialog (a report's narrative) is shown once and not kept, like a closed modal.
        transcript.entries = [e for e in transcript.entries if not isinstance(e.view, Dialog)]
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="Strict")
    keep_token(response, csrf)
    return response


async def _live_person(request: web.Request) -> tuple[str, Transcript]:
    chosen = _chosen(request)
    session = request.cookies.get(SESSION_COOKIE)
    if not chosen or not session:
        raise web.HTTPNoContent()
    return chosen, request.app[TRANSCRIPTS_KEY].get(session, chosen)


async def live(request: web.Request) -> web.Response:
    """The home and the transcript as HTML, for a live page to merge in (no private views:
    those open only on the page that asked for them)."""
    chosen, transcript = await _live_person(request)
    home = await request.app[BOT_KEY].home_of(Identity("web", WORKSPACE, chosen))
    entries = [e for e in transcript.entries if not isinstance(e.view, Dialog)]
    return _render(request, "live.html", home=home, entries=entries, me_user=chosen,
                   csrf=request.cookies.get("bb_csrf", ""))


async def events(request: web.Request) -> web.StreamResponse:
    chosen, _ = await _live_person(request)
    return await stream(request, request.app[TRANSCRIPTS_KEY].changes, chosen)


async def choose_person(request: web.Request) -> web.Response:
    data = await request.post()
    person = str(data.get("person", ""))
    redirect = web.HTTPSeeOther(_home_url(person) if person else "/")
    redirect.set_cookie(PERSON_COOKIE, person, httponly=True, samesite="Strict")
    raise redirect


def _identity(request: web.Request, form: dict) -> Identity | None:
    person = _chosen(request, form)
    if not person:
        return None
    return Identity("web", WORKSPACE, person)


def _transcript(request: web.Request, identity: Identity) -> Transcript:
    session = request.cookies.get(SESSION_COOKIE) or ""
    return request.app[TRANSCRIPTS_KEY].get(session, identity.user_id)


def _after(request: web.Request, identity: Identity, anchor: Entry | None) -> web.HTTPSeeOther:
    request.app[TRANSCRIPTS_KEY].changes.touch(identity.user_id)  # other tabs of this person
    return web.HTTPSeeOther(_home_url(identity.user_id, f"e{anchor.id}" if anchor else ""))


async def _answer(request: web.Request, identity: Identity, said: str, event) -> web.Response:
    transcript = _transcript(request, identity)
    if said:  # a pressed button is not echoed back ("Pressed: Accept"): its answer follows
        transcript.add("you", text=said)
    for view in await request.app[BOT_KEY].handle(event):
        transcript.add("bot", view=view)
    raise _after(request, identity, transcript.entries[-1])


async def say(request: web.Request) -> web.Response:
    data = await request.post()
    identity = _identity(request, data)
    if identity is None:
        raise web.HTTPSeeOther("/")
    text = str(data.get("text", "")).strip()
    if not text:
        raise web.HTTPSeeOther(_home_url(identity.user_id))
    verb, args = parse_command(text)
    # The transcript shows the verb only: arguments may hold words the person would not
    # want kept, even in memory.
    return await _answer(request, identity, verb, Command(identity, verb, args))


async def submit(request: web.Request) -> web.Response:
    data = await request.post()
    identity = _identity(request, data)
    if identity is None:
        raise web.HTTPSeeOther("/")
    form_id = str(data.get("_form", ""))
    values: dict[str, object] = {}
    for key in set(data.keys()) - {"_form", "_state", "_entry", "_as", "csrf"}:
        got = [str(v) for v in data.getall(key)]
        values[key] = got if len(got) > 1 else got[0]
    event = FormSubmitted(identity, form_id, values, state=str(data.get("_state", "")))
    views = await request.app[BOT_KEY].handle(event)

    transcript = _transcript(request, identity)
    entry = anchor = transcript.find(str(data.get("_entry", "")))
    if entry is not None and views and isinstance(views[0], Form) and views[0].form_id == form_id:
        # The same form back with errors: show it where it was, with what was typed.
        entry.view, views = views[0], views[1:]
        entry.rev += 1
    elif entry is not None:
        entry.closed = True
        entry.rev += 1
    for view in views:
        anchor = transcript.add("bot", view=view)
    raise _after(request, identity, anchor)


async def press(request: web.Request) -> web.Response:
    data = await request.post()
    identity = _identity(request, data)
    if identity is None:
        raise web.HTTPSeeOther("/")
    event = ButtonPressed(identity, str(data.get("action", "")), str(data.get("value", "")))
    return await _answer(request, identity, "", event)


FOUND_MAX = 20  # choices listed under a search box: enough to pick from, short enough to read


async def find(request: web.Request) -> web.Response:
    """A form's Find button (no script needed): the same form again, where it was, with the
    choices the field's picker found for what was typed and everything else kept."""
    data = await request.post()
    identity = _identity(request, data)
    if identity is None:
        raise web.HTTPSeeOther("/")
    transcript = _transcript(request, identity)
    entry = transcript.find(str(data.get("_entry", "")))
    form = entry.view if entry is not None else None
    name = str(data.get("_find", ""))
    field = next((f for f in form.fields if f.name == name and f.search), None) if isinstance(form, Form) else None
    if field is None:
        raise web.HTTPSeeOther("/")
    typed = str(data.get(f"{name}__q", ""))
    found = await request.app[BOT_KEY].search(identity, field.search, typed, limit=FOUND_MAX)
    values: dict[str, object] = {}
    for key in set(data.keys()) - {"_form", "_state", "_entry", "_find", "_as", "csrf"}:
        got = [str(v) for v in data.getall(key)]
        values[key] = got if len(got) > 1 else got[0]
    chosen = set(values.get(name) or ()) if isinstance(values.get(name), list) else {values.get(name)}
    kept = tuple(o for o in field.options if o.value in chosen)  # what was already ticked stays
    options = kept + tuple(o for o in found if o.value not in {k.value for k in kept})
    fields = tuple(replace(f, options=options) if f.name == name else f for f in form.fields)
    entry.view = replace(form, fields=fields, values=values, errors={})
    raise web.HTTPSeeOther(_home_url(identity.user_id, f"e{entry.id}"))


async def search(request: web.Request) -> web.Response:
    """The same search as JSON (``?picker=…&q=…``), for a page script or another client."""
    identity = _identity(request, {})  # this tab's person: ?as= or the browser's choice
    if identity is None:
        return web.json_response({"options": []}, status=401)
    picker, typed = request.query.get("picker", "")[:100], request.query.get("q", "")[:100]
    found = await request.app[BOT_KEY].search(identity, picker, typed, limit=FOUND_MAX)
    return web.json_response({"options": [{"value": o.value, "label": o.label} for o in found]})
