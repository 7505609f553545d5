"""The Slack adapter: slack-bolt listeners that translate Slack payloads into the core's
events and the core's views into modals, DMs, message updates and the App Home.

Bolt runs with ``process_before_response=True``: a button press is recorded and acknowledged
first, and its slow work (core calls, Web API calls) goes to the bounded work queue, so the
HTTP answer goes out as soon as the listener returns — without bolt's 10 ms polling for the
ack — and shutdown can wait for the work in flight. Two kinds wait for the core before their
ack: a view submission, because per-field errors must travel in the ack itself, and a slash
command (up to :data:`DECISION_WAIT`), so its ack can say where the answer is going.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, options, submission
from adapters.slack.caches import Emails, Seen, _reason
from adapters.slack.deliver import SlackDeliverer, with_retries
from adapters.slack.payloads import team_of
from adapters.slack.pending import SWEEP_EVERY, PendingPresses, Press
from adapters.slack.work import BUSY, WorkQueue
from bot.app import BoundaryBot, parse_command
from bot.machinery.config import Settings
from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable
from bot.port.events import ButtonPressed, Command, Event, Identity
from bot.port.views import Card, Dialog, Form, Notice, View

log = logging.getLogger(__name__)

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
SHUTDOWN_WAIT = 10.0

SENT_TO_DM = "I've sent you a direct message."
NOT_TAKEN = "Sorry, I couldn't take that just now and nothing was done. Please try again in a minute."
# The command's acknowledgement, when the answer is on its way to the person's DM.
ANSWER_IN_DM = "I'm sending you my answer in a direct message."
DM_FAILED = ("Sorry, I couldn't send you a direct message just now, so my answer didn't reach you. "
             "Please try the command again in a minute.")
# How long a command's acknowledgement waits for the core to say where the answer goes; after
# that it is sent empty and the hint follows through the response_url (Slack waits 3 s).
DECISION_WAIT = 1.5
TOO_SLOW = Notice("That took too long for Slack to open the form. Please run the command again.")
FORM_REFUSED = Notice(
    "Slack couldn't show that form, so nothing has been saved. Please try the command again in a "
    "minute; if it still doesn't open, tell your Boundary Bot admin (the problem is on our side, "
    "not yours)."
)
# Slack's answers to views.open that mean the trigger id had expired or was used already.
TRIGGER_EXPIRED = {"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"}
PAGE_ACTION = "status.show"  # the status pages' buttons: on the Home tab they page in place


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


async def credentials_problem(client: AsyncWebClient) -> str | None:
    """None when Slack accepts the bot token (auth.test), else what is wrong, in words. A
    network failure is raised: that is no judgement on the token."""
    try:
        await client.auth_test()
    except SlackApiError as exc:
        if getattr(exc.response, "status_code", 200) >= 500:
            raise ConnectionError(f"Slack answered {exc.response.status_code}") from None
        return f"Slack refused SLACK_BOT_TOKEN ({_reason(exc)})"
    return None


TOO_LATE = "the core had not decided in time"  # compared by identity, never shown


def _settle(decided: asyncio.Future, value: str) -> None:
    if not decided.done():
        decided.set_result(value)


class SlackAdapter:
    def __init__(self, settings: Settings, trace_configs=()) -> None:
        self.settings = settings
        self.trace_configs = list(trace_configs)  # outbound spans, when tracing is on
        self.client = AsyncWebClient(
            token=settings.slack_bot_token, base_url=api_url(settings), retry_handlers=[]
        )
        self.deliverer = SlackDeliverer(self.client)
        self.emails = Emails(self.client)
        self.seen = Seen()
        self.bot: BoundaryBot | None = None
        self.session: aiohttp.ClientSession | None = None
        self._sweeper: asyncio.Future | None = None
        self.pending: PendingPresses | None = None
        # Work after the ack: bounded, so a flood is told "busy" instead of queueing forever.
        self.work = WorkQueue(settings.slack_workers, settings.slack_queue_depth)
        self._hints: set[asyncio.Task] = set()
        self.digest_key = (settings.slack_signing_secret or settings.slack_bot_token or "").encode()
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret or "",
            process_before_response=True,
            # adapters/slack/http.py verifies the signature, then hands bolt the body rebuilt
            # from the checked model, which no longer matches it. Socket Mode needs none.
            request_verification_enabled=False,
            logger=logging.getLogger("slack_bolt.boundary"),
        )
        self._register()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self, bot: BoundaryBot) -> None:
        self.bot = bot
        self.pending = PendingPresses(bot)
        self._sweeper = asyncio.ensure_future(self.sweep())
        self.deliverer.keep_dms_in(bot.db)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15),
                                             trace_configs=self.trace_configs or None)
        self.client.session = self.session

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self.work.stop(SHUTDOWN_WAIT)
        if self.pending is not None:
            await self.pending.flush()
        if self.session is not None:
            await self.session.close()
            self.client.session = None

    def _refused_hint(self, response_url: str, text: str) -> None:
        """Tell someone whose click was refused, outside the work queue (one small call)."""
        if response_url:
            task = asyncio.ensure_future(self.hint(response_url, text))
            self._hints.add(task)
            task.add_done_callback(self._hints.discard)

    async def idle(self) -> None:
        """Wait until no background work is left (tests and shutdown)."""
        await self.work.idle()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Work that continues something already done (never refused)."""
        self.work.always(work)

    # --- listeners ----------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt

        @bolt.error
        async def on_error(error):
            # Bolt's own handler would log the error's message, which can quote a payload.
            log.error("slack listener failed with %s", type(error).__name__)

        @bolt.command(self.settings.slack_command)
        async def on_command(ack, body):  # Socket Mode (over HTTP, adapters/slack/http.py calls slash)
            text = await self.slash(body)
            await (ack(text=text) if text else ack())

        @bolt.view(re.compile(".*"))
        async def on_submission(ack, body):
            await self.submission(ack, body)

        @bolt.options(re.compile(".*"))
        async def on_options(ack, body):
            await ack(**await self.suggest(body))

        @bolt.action(re.compile(".*"))
        async def on_action(ack, body):
            if not self.work.has_room():
                await ack()  # nothing recorded or done; the presser is told so beside the queue
                self._refused_hint(str(body.get("response_url") or ""), BUSY)
                return
            await self.acknowledged(ack, "action", body)

        @bolt.event("app_home_opened")
        async def on_home(body, event):
            # Refused when busy: the Home tab shows what it showed; opening it again refreshes it.
            if event.get("tab", "home") == "home":
                self.work.offer(self.publish_home(team_of(body), str(event.get("user") or ""), body.get("event_id")))

    async def slash(self, body: dict[str, Any]) -> str | None:
        """A slash command: handed to the work queue and acknowledged, with the text to show
        (None: nothing), once the core has done it and said where its answer goes. If the core
        takes longer than :data:`DECISION_WAIT`, the command is recorded before the
        acknowledgement, so a restart still carries it out (adapters/slack/pending.py)."""
        if not self.work.has_room():
            return BUSY  # nothing of it is recorded or done: trying again is safe
        loop = asyncio.get_running_loop()
        decided: asyncio.Future[str | None] = loop.create_future()
        press = Press()
        self.spawn(self.carry_out(press, "command", body, decided))
        # A timer settles it if the core is late (cheaper per command than wait_for and shield).
        timer = loop.call_later(DECISION_WAIT, _settle, decided, TOO_LATE)
        said = await decided
        timer.cancel()
        if said is not TOO_LATE:
            return said
        # The command goes on, and says where its answer went afterwards.
        try:
            await self.pending.record_late(press, "command", body)
        except Exception as exc:  # it is under way here all the same
            log.error("slack command not recorded: %s", type(exc).__name__)
        return None

    async def acknowledged(self, ack, kind: str, body: dict[str, Any]) -> None:
        """Record the press, then ack, then carry it out (see adapters/slack/pending.py)."""
        try:
            press_id = await self.pending.record(kind, body)
        except Exception as exc:
            log.error("slack %s not recorded: %s", kind, type(exc).__name__)
            await ack()  # nothing done, and the presser is told so: pressing again is safe
            self._refused_hint(str(body.get("response_url") or ""), NOT_TAKEN)
            return
        await ack()
        self.spawn(self.carry_out(Press(press_id), kind, body))

    async def carry_out(self, press: Press, kind: str, body: dict[str, Any],
                        decided: asyncio.Future[str | None] | None = None) -> None:
        try:
            await (self.command(body, decided) if kind == "command" else self.action(body))
        finally:
            if decided is not None and not decided.done():
                decided.set_result(None)  # nothing to say in the acknowledgement
            await self.pending.finish(press)

    async def sweep(self) -> None:
        """Carry out presses an instance acknowledged but did not finish (it stopped)."""
        while True:
            try:
                for press_id, kind, body in await self.pending.claim_stale():
                    log.info("slack %s resumed after a restart", kind)
                    self.spawn(self.carry_out(Press(press_id), kind, body))
            except Exception as exc:  # the database may be briefly away; the next sweep retries
                log.warning("slack pending sweep failed: %s", type(exc).__name__)
            await asyncio.sleep(SWEEP_EVERY)

    async def identity(self, team: str, user: str) -> Identity:
        return Identity(PLATFORM, team, user, await self.emails.get(team, user))

    async def ask_core(self, event: Event) -> list[View]:
        assert self.bot is not None, "the Slack adapter was not started"
        return await self.bot.handle(event)

    async def command(self, body: dict[str, Any], decided: asyncio.Future[str | None] | None = None) -> None:
        """Run a command; ``decided`` (while the acknowledgement waits) is told what it should
        say: that the answer is coming by DM, when it is asked from anywhere else."""
        team, user = team_of(body), str(body.get("user_id") or "")
        trigger = str(body.get("trigger_id") or "")
        event_id = f"slack:{team}:{user}:command:{trigger}"
        if not user or not self.seen.first(event_id):
            return
        identity = await self.identity(team, user)
        verb, args = parse_command(str(body.get("text") or ""))
        views = await self.ask_core(Command(identity, verb, args, event_id=event_id))
        messages = any(isinstance(view, Card | Notice) for view in views)
        told = None
        if decided is not None and not decided.done():
            if messages and str(body.get("channel_id") or "") != await self._dm_or_none(identity):
                told = ANSWER_IN_DM
            decided.set_result(told)
        rest = await self._open_forms(trigger, views)
        if not rest:
            return
        sent = await self.reply(identity, rest, event_id)
        response_url = str(body.get("response_url") or "")
        if told == ANSWER_IN_DM and not sent:
            await self.hint(response_url, DM_FAILED)
        elif sent and told is None and str(body.get("channel_id") or "") != self.deliverer.known_dm(team, user):
            await self.hint(response_url, SENT_TO_DM)

    async def submission(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        await submission.submit(self, ack, body)

    async def suggest(self, body: dict[str, Any]) -> dict[str, Any]:
        return await options.answer(self.bot, self.identity, body)

    async def action(self, body: dict[str, Any]) -> None:
        actions = body.get("actions") or []
        if not actions or not isinstance(actions[0], dict):
            return
        team, user = team_of(body), str((body.get("user") or {}).get("id") or "")
        pressed = actions[0]
        name, value = blocks.read_action(pressed)
        event_id = f"slack:{team}:{user}:action:{pressed.get('action_ts')}:{pressed.get('action_id')}"
        if not user or not self.seen.first(event_id):
            return
        container = body.get("container") or {}
        home = container.get("type") == "view" and (body.get("view") or {}).get("type") == "home"
        if home and name == PAGE_ACTION:
            await self.publish_home(team, user, None, page=value)  # the Home tab pages in place
            return
        identity = await self.identity(team, user)
        views = await self.ask_core(ButtonPressed(identity, name, value, event_id=event_id))
        rest = await self._open_forms(str(body.get("trigger_id") or ""), views)
        if (
            container.get("type") == "message"
            and len(rest) == 1
            and isinstance(rest[0], Notice)
            and await self._is_own_dm(identity, str(container.get("channel_id") or ""))
        ):
            # The outcome replaces the card the button was on (e.g. "withdrawn").
            ref = MessageRef(PLATFORM, {"channel": str(container["channel_id"]),
                                        "ts": str(container.get("message_ts") or "")})
            try:
                await with_retries(lambda: self.deliverer.update(ref, rest[0], event_id))
                rest = []
            except (RetryLater, Undeliverable) as exc:
                log.warning("slack chat.update failed: %s", exc.reason)
        if rest:
            await self.reply(identity, rest, event_id)
        if home:
            await self.publish_home(team, user, None)

    async def publish_home(self, team: str, user: str, event_id: str | None, page: str = "") -> None:
        if not user or (event_id and not self.seen.first(f"slack:{team}:{user}:home:{event_id}")):
            return
        identity = await self.identity(team, user)
        assert self.bot is not None, "the Slack adapter was not started"
        views = await self.bot.home_of(identity)
        shown = [v for v in views if isinstance(v, Card | Notice)]
        try:
            await self.client.views_publish(
                user_id=user, view=blocks.home(shown, self.settings.slack_command)
            )
        except Exception as exc:
            log.warning("slack views.publish failed: %s", _reason(exc))

    # --- answering ----------------------------------------------------------------------

    async def _open_forms(self, trigger: str, views: list[View]) -> list[View]:
        """Open the first form or dialog as a modal (straight away: a trigger id lives ~3 s);
        return the views still to send. A dialog is never posted as a message."""
        rest: list[View] = []
        opened = False
        for view in views:
            if isinstance(view, Form | Dialog):
                if opened:
                    continue
                opened = True
                shown = blocks.modal(view) if isinstance(view, Form) else blocks.dialog_modal(view)
                try:
                    await self.client.views_open(trigger_id=trigger, view=shown)
                except Exception as exc:
                    reason = _reason(exc)
                    log.warning("slack views.open failed: %s", reason)
                    # Only an expired trigger is "too slow"; anything else (a form Slack
                    # refuses, a network fault) must not blame the person's timing.
                    rest.append(TOO_SLOW if reason in TRIGGER_EXPIRED else FORM_REFUSED)
            else:
                rest.append(view)
        return rest

    async def reply(self, identity: Identity, views: list[View], key: str) -> int:
        """DM the person who acted, view by view (a few attempts each); how many went."""
        to = Address(PLATFORM, identity.workspace, identity.user_id)
        sent = 0
        for i, view in enumerate(views):
            if not isinstance(view, Card | Notice):
                continue
            try:
                await with_retries(lambda v=view, n=i: self.deliverer.send(to, v, f"{key}:{n}"))
                sent += 1
            except (RetryLater, Undeliverable) as exc:
                log.warning("slack reply not delivered: %s", exc.reason)
        return sent

    async def hint(self, response_url: str, text: str) -> None:
        """A passing ephemeral hint through the command's response_url."""
        if not response_url or self.session is None:
            return
        try:
            async with self.session.post(
                response_url, json={"response_type": "ephemeral", "text": text}
            ) as response:
                await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.info("slack ephemeral hint not sent: %s", type(exc).__name__)

    async def _dm_or_none(self, identity: Identity) -> str | None:
        try:
            return await self.deliverer.dm_channel(Address(PLATFORM, identity.workspace, identity.user_id))
        except (RetryLater, Undeliverable):
            return None

    async def _is_own_dm(self, identity: Identity, channel: str) -> bool:
        if not channel:
            return False
        try:
            own = await self.deliverer.dm_channel(Address(PLATFORM, identity.workspace, identity.user_id))
        except (RetryLater, Undeliverable):
            return False
        return own == channel
