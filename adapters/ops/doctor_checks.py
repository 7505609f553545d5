"""The checks ``boundary-bot doctor`` runs against the outside world: the key file, the
database, Slack, Teams and the organisation file. Each notes the clock of whatever it talks to,
so the clock check can compare."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from sqlalchemy.engine.url import make_url

from adapters.ops.findings import (
    MAX_SKEW,
    Finding,
    bad,
    key_file_problem,
    ok,
    skew_from_date_header,
    skip,
)
from bot.machinery.config import Settings
from bot.machinery.crypto import EncryptionKeyError, load_sealer
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database, DatabaseUnavailable, describe

TIMEOUT = aiohttp.ClientTimeout(total=10)


class Checks:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clocks: list[tuple[str, float]] = []  # (whose clock, our clock minus theirs in seconds)

    # --- key ------------------------------------------------------------------------------

    def encryption_key(self) -> Finding:
        s = self.settings
        try:
            load_sealer(s.encryption_key, s.key_file, create_if_missing=False, keys_dir=s.keys_dir)
        except EncryptionKeyError as exc:
            if s.encryption_key:
                return bad("encryption key", f"BOUNDARY_ENCRYPTION_KEY is not a valid key ({exc})",
                           "make one with `boundary-bot key generate` (keys are comma-separated)")
            if s.is_local and not Path(s.key_file).exists():
                return ok("encryption key", f"local mode: {s.key_file} will be created at first start")
            return bad("encryption key", str(exc), "set BOUNDARY_ENCRYPTION_KEY, BOUNDARY_ENCRYPTION_KEY_FILE or "
                                                   "BOUNDARY_ENCRYPTION_KEYS_DIR")
        except (UnicodeError, ValueError) as exc:
            return bad("encryption key", f"BOUNDARY_ENCRYPTION_KEY is not a valid key ({type(exc).__name__})",
                       "make one with `boundary-bot key generate`")
        if s.encryption_key:
            return ok("encryption key", "from BOUNDARY_ENCRYPTION_KEY")
        if s.keys_dir:
            return ok("encryption key", f"from the directory {s.keys_dir}")
        problem = key_file_problem(Path(s.key_file))
        if problem:
            return bad("encryption key", problem, f"chmod 600 {s.key_file} (and chown it to the bot's user)")
        return ok("encryption key", f"{s.key_file}, readable by its owner only")

    # --- database -------------------------------------------------------------------------

    async def database(self) -> list[Finding]:
        s = self.settings
        where = describe(s.database_url)
        sqlite_file = make_url(s.database_url).database if s.database_url.startswith("sqlite") else None
        if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).exists():
            if s.is_local:
                return [ok("database", f"local mode: {where} will be created at first start")]
            return [bad("database", f"there is no database file at {sqlite_file}",
                        "set DATABASE_URL to your PostgreSQL database (or the SQLite file you use)")]
        try:
            db = Database(s.database_url)
        except Exception as exc:  # an unknown driver or a malformed URL
            return [bad("database", f"DATABASE_URL cannot be used ({type(exc).__name__})",
                        "use postgresql://user:password@host:5432/name or sqlite:///path/to/file.db")]
        try:
            try:
                await db.ping()
            except DatabaseUnavailable as exc:
                return [bad("database", str(exc), "check DATABASE_URL, that the server runs and accepts this "
                                                  "user, and the network between them")]
            found = [ok("database", f"reachable: {where}")]
            todo = await migrate.pending(db.engine)
            at = await migrate.current(db.engine)
            if at - set(migrate.revisions()):
                found.append(bad("migrations", f"the database is at {', '.join(sorted(at))}, newer than this "
                                 "version", "run the newer release, or restore the database it was made for"))
            elif todo:
                found.append(bad("migrations", f"{len(todo)} migration(s) not applied ({', '.join(todo)})",
                                 "run `boundary-bot db upgrade` (or start with BOUNDARY_AUTO_MIGRATE=true)"))
            else:
                found.append(ok("migrations", f"at head ({', '.join(sorted(migrate.heads()))})"))
            if db.engine.dialect.name == "postgresql":
                await self._database_clock(db)
            return found
        finally:
            await db.dispose()

    async def _database_clock(self, db: Database) -> None:
        from datetime import UTC, datetime

        from sqlalchemy import text

        async with db.engine.connect() as conn:
            theirs = (await conn.execute(text("SELECT now()"))).scalar_one()
        self.clocks.append(("the database server", (datetime.now(UTC) - theirs).total_seconds()))

    # --- Slack ----------------------------------------------------------------------------

    async def slack(self) -> list[Finding]:
        from slack_sdk.errors import SlackApiError
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.adapter import api_url
        from adapters.slack.manifest import BOT_SCOPES

        s = self.settings
        client = AsyncWebClient(token=s.slack_bot_token, base_url=api_url(s), retry_handlers=[], timeout=10)
        try:
            answer = await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else exc.response.status_code
            return [bad("slack auth.test", f"Slack refused SLACK_BOT_TOKEN ({error})",
                        "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions; reinstall the app "
                        "if it was revoked")]
        except Exception as exc:
            return [bad("slack auth.test", f"Slack could not be reached ({type(exc).__name__})",
                        "check the network (and SLACK_API_URL, if set) from this host to Slack")]
        found = [ok("slack auth.test", f"workspace {answer.get('team')} ({answer.get('team_id')}), "
                                       f"bot user {answer.get('user_id')}")]
        headers = {k.lower(): v for k, v in (answer.headers or {}).items()}
        date = headers.get("date")
        skew = skew_from_date_header(date[0] if isinstance(date, list) else date)
        if skew is not None:
            self.clocks.append(("Slack", skew))
        granted = headers.get("x-oauth-scopes")
        granted = granted[0] if isinstance(granted, list) else granted
        if granted is None:
            found.append(skip("slack scopes", "Slack did not say which scopes the token has"))
        else:
            missing = sorted(set(BOT_SCOPES) - {g.strip() for g in granted.split(",")})
            found.append(bad("slack scopes", f"the installed app lacks {', '.join(missing)}",
                             "add them under OAuth & Permissions (or paste `boundary-bot slack-manifest` "
                             "output) and reinstall the app") if missing
                         else ok("slack scopes", ", ".join(BOT_SCOPES)))
        found.append(await self._slack_manifest(client))
        if s.public_url and s.slack_signing_secret:
            found.append(await self._endpoint("slack endpoint", s.public_url.rstrip("/") + "/slack/events",
                                              data=b"", expect=401,
                                              fix="point your HTTPS proxy at this server's /slack/events"))
        return found

    async def _slack_manifest(self, client) -> Finding:
        from slack_sdk.errors import SlackApiError

        from adapters.slack.manifest import manifest

        s = self.settings
        if not (s.slack_config_token and s.slack_app_id):
            return skip("slack manifest", "not compared: apps.manifest.export needs SLACK_CONFIG_TOKEN (an app "
                                          "configuration token) and SLACK_APP_ID; the scopes above were checked "
                                          "from auth.test instead")
        try:
            answer = await client.apps_manifest_export(app_id=s.slack_app_id, token=s.slack_config_token)
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else exc.response.status_code
            return bad("slack manifest", f"apps.manifest.export refused ({error})",
                       "make a new configuration token (they last 12 hours) and check SLACK_APP_ID")
        except Exception as exc:
            return bad("slack manifest", f"Slack could not be reached ({type(exc).__name__})", "check the network")
        installed = answer.get("manifest") or {}
        ours = manifest(s.public_url or "https://unset.invalid", s.slack_command)
        drift = manifest_drift(installed, ours, compare_urls=bool(s.public_url))
        if drift:
            return bad("slack manifest", "; ".join(drift),
                       "update the app from `boundary-bot slack-manifest --url BOUNDARY_PUBLIC_URL` "
                       "(App Manifest page) and reinstall if scopes changed")
        return ok("slack manifest", "scopes, command" + (" and request URLs" if s.public_url else "")
                  + " match" + ("" if s.public_url else " (set BOUNDARY_PUBLIC_URL to compare the URLs too)"))

    # --- Teams ----------------------------------------------------------------------------

    async def teams(self) -> list[Finding]:
        from adapters.teams.connector import TokenError, TokenSource
        from adapters.teams.runtime import TeamsOptions

        s = self.settings
        options = TeamsOptions.from_settings(s)
        found: list[Finding] = []
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            tokens = TokenSource(options.app_id, options.password, options.token_url, lambda: session)
            try:
                await tokens.token()
                found.append(ok("teams token", f"issued for the app id by {options.token_url.split('/')[2]}"))
            except TokenError as exc:
                found.append(bad("teams token", f"no token for MicrosoftAppId ({exc})",
                                 "check MicrosoftAppPassword (client secrets expire), MicrosoftAppType and "
                                 "MicrosoftAppTenantId against the app registration"))
            if s.public_url:
                found.append(await self._endpoint(
                    "teams messaging endpoint", s.public_url.rstrip("/") + "/api/messages", expect=401,
                    json=UNSIGNED_ACTIVITY,
                    fix="set the Azure Bot's messaging endpoint to BOUNDARY_PUBLIC_URL/api/messages and route "
                        "it to this server"))
            else:
                found.append(skip("teams messaging endpoint", "set BOUNDARY_PUBLIC_URL to check it answers from "
                                  "outside (the address Azure has cannot be read without Azure credentials)"))
        return found

    async def _endpoint(self, check: str, url: str, *, expect: int, fix: str, data=None, json=None) -> Finding:
        """Our endpoint, from outside: an unsigned request must be refused with ``expect``."""
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                    session.post(url, data=data, json=json) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            return bad(check, f"{url} did not answer ({type(exc).__name__})", fix)
        if status != expect:
            return bad(check, f"{url} answered {status} to an unsigned request, not {expect}: it is not this "
                              "bot, or it is not checking signatures", fix)
        return ok(check, f"{url} answers and refuses unsigned requests")

    # --- the organisation file --------------------------------------------------------------

    async def organisation(self, path: Path | None) -> Finding:
        from bot.org import orgfile

        if path is None:
            return skip("organisation file", "none given (--org FILE or BOUNDARY_ORG_FILE)")
        try:
            spec = orgfile.load(path)
        except orgfile.OrgFileError as exc:
            return bad("organisation file", f"{len(exc.problems)} problem(s): " + "; ".join(exc.problems[:5]),
                       f"correct {path} (`boundary-bot org apply --dry-run {path}` lists them all)")

        class Rollback(Exception):
            pass

        db = Database(self.settings.database_url)
        summary = None
        try:
            async with db.transaction() as tx:
                summary = await orgfile.apply(tx, spec)
                raise Rollback
        except Rollback:
            pass
        except Exception as exc:
            return bad("organisation file", f"{path} is valid but could not be compared with the database "
                                            f"({type(exc).__name__})", "fix the database first (see above)")
        finally:
            await db.dispose()
        if summary.changed:
            return bad("organisation file", f"the database does not match {path}: " + "; ".join(summary.lines()),
                       f"run `boundary-bot org apply {path}`")
        if unlisted := self._platforms_unlisted(spec):
            return bad("organisation file", f"{path} lists no {unlisted[0]}: every request from it will be refused",
                       f"add organisation.{unlisted[1]}: [...] (see docs/security.md) and apply it")
        return ok("organisation file", f"{path} is valid and applied")

    def _platforms_unlisted(self, spec) -> tuple[str, str] | None:
        """A platform with credentials whose workspaces or tenants the file does not name."""
        if spec.organisation.demo:
            return None
        named = {i.platform for p in spec.people for i in p.identities}
        for platform, configured, listed, words in (
                ("slack", self.settings.slack_bot_token, spec.organisation.slack_workspaces,
                 ("Slack workspace", "slack_workspaces")),
                ("teams", self.settings.microsoft_app_id, spec.organisation.teams_tenants,
                 ("Teams tenant", "teams_tenants"))):
            if configured and not listed and platform not in named:
                return words
        return None

    # --- the clock --------------------------------------------------------------------------

    def clock(self) -> list[Finding]:
        if not self.clocks:
            return [skip("clock", "nothing to compare with (PostgreSQL, Slack or Teams)")]
        found = []
        for whose, skew in self.clocks:
            if abs(skew) > MAX_SKEW:
                ahead = "ahead of" if skew > 0 else "behind"
                found.append(bad("clock", f"this host's clock is {abs(skew):.0f} s {ahead} {whose}'s",
                                 "run NTP (chrony or systemd-timesyncd); signatures and tokens older than "
                                 "a few minutes are refused"))
            else:
                found.append(ok("clock", f"within {abs(skew):.0f} s of {whose}"))
        return found


UNSIGNED_ACTIVITY = {"type": "message", "id": "doctor", "channelId": "msteams", "serviceUrl": "https://doctor.invalid/",
                     "from": {"id": "doctor"}, "recipient": {"id": "doctor"}, "conversation": {"id": "doctor"},
                     "text": "help"}


def manifest_drift(installed: dict, ours: dict, *, compare_urls: bool) -> list[str]:
    """How the installed Slack app differs from ours: scopes, the command, request URLs."""
    drift = []
    have = set(((installed.get("oauth_config") or {}).get("scopes") or {}).get("bot") or [])
    want = set(ours["oauth_config"]["scopes"]["bot"])
    if want - have:
        drift.append(f"missing scopes {', '.join(sorted(want - have))}")
    if have - want:
        drift.append(f"extra scopes {', '.join(sorted(have - want))} (the bot needs fewer)")
    commands = {c.get("command"): c.get("url") for c in (installed.get("features") or {}).get("slash_commands") or []}
    [command] = ours["features"]["slash_commands"]
    if command["command"] not in commands:
        drift.append(f"no {command['command']} slash command (the app has {', '.join(commands) or 'none'})")
    if compare_urls:
        settings = installed.get("settings") or {}
        urls = {"the slash command's request URL": commands.get(command["command"]),
                "the interactivity request URL": (settings.get("interactivity") or {}).get("request_url"),
                "the events request URL": (settings.get("event_subscriptions") or {}).get("request_url")}
        drift += [f"{what} is {url or 'unset'}, not {command['url']}" for what, url in urls.items()
                  if url != command["url"]]
    return drift
