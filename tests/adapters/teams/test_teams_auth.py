"""With an app id, on each engine: the Bot Connector's JWT on every incoming activity (401
otherwise), and the bot's own tokens from the local Microsoft login service (real JWTs,
checked by the fake connector) — one per lifetime, one refresh when the connector refuses it."""

from __future__ import annotations

import asyncio

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.teams_harness import APP_ID, activity, token


async def test_jwt_is_enforced_when_an_app_id_is_set(secured):
    client, app, key = secured
    body = activity(client.fake, text="help")

    async def status(authorization: str | None, activity_body: dict = body) -> int:
        headers = {"Authorization": authorization} if authorization else {}
        return (await client.post(activity_body, headers=headers))[0]

    assert await status(None) == 401
    assert await status("Bearer not-a-jwt") == 401
    assert await status("Basic dXNlcjpwYXNz") == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert await status(f"Bearer {token(other)}") == 401  # signed by someone else
    assert await status(f"Bearer {token(key, audience='someone-else')}") == 401
    assert await status(f"Bearer {token(key, ttl=-900)}") == 401  # expired
    assert await status(f"Bearer {token(key, issuer='https://sts.windows.net/x/')}") == 401
    assert await status(f"Bearer {token(key, kid='unknown-key')}") == 401
    assert await status(f"Bearer {token(key, service_url='https://evil.invalid/')}") == 401
    slack = activity(client.fake, text="help", channelId="slack")  # key endorsed for msteams only
    assert await status(f"Bearer {token(key, service_url=client.fake.url)}", slack) == 401
    assert client.fake.sent() == []

    assert await status(f"Bearer {token(key, service_url=client.fake.url)}") == 200
    assert await status(f"Bearer {token(key)}") == 200  # a token that names no service URL
    reply = client.fake.sent()[-1]
    assert reply.token["appid"] == APP_ID and reply.token_number == 1


async def test_one_token_per_lifetime_and_one_refresh_on_401(secured):
    client, app, key = secured
    headers = {"Authorization": f"Bearer {token(key, service_url=client.fake.url)}"}
    results = await asyncio.gather(*[
        client.post(activity(client.fake, text="help"), headers=headers) for _ in range(12)
    ])
    assert {status for status, _ in results} == {200}
    assert len(client.fake.token_requests) == 1
    form = client.fake.token_requests[0]
    assert form["grant_type"] == "client_credentials" and form["client_id"] == APP_ID
    assert form["scope"].split() == ["https://api.botframework.com/.default"]
    assert {r.token_number for r in client.fake.sent()} == {1}

    client.fake.fail(401)  # the connector no longer accepts the token: one refresh, then it works
    status, _ = await client.post(activity(client.fake, text="help"), headers=headers)
    assert status == 200 and len(client.fake.token_requests) == 2
    assert client.fake.sent()[-1].token_number == 2 and client.fake.sent()[-1].method == "POST"


async def test_an_expired_token_is_replaced_once_for_every_turn_waiting(secured):
    client, app, key = secured
    # Refreshed shortly before it ends; long enough that a slow first turn (a loaded machine)
    # still finishes inside the first token's life.
    client.fake.login.token_lifetime = 6
    headers = {"Authorization": f"Bearer {token(key, service_url=client.fake.url)}"}
    await client.post(activity(client.fake, text="help"), headers=headers)
    assert len(client.fake.token_requests) == 1
    await asyncio.sleep(6)
    results = await asyncio.gather(*[
        client.post(activity(client.fake, text="help"), headers=headers) for _ in range(6)
    ])
    assert {status for status, _ in results} == {200}
    assert len(client.fake.token_requests) == 2
    assert {r.token_number for r in client.fake.sent()[-6:]} == {2}


async def test_wrong_credentials_refuse_no_request_and_send_nothing(secured):
    client, app, key = secured
    client.fake.login.secrets = {APP_ID: "another secret"}
    headers = {"Authorization": f"Bearer {token(key, service_url=client.fake.url)}"}
    status, _ = await client.post(activity(client.fake, text="help"), headers=headers)
    assert status == 200  # the Bot Connector is not asked to redeliver; the failure is logged
    assert client.fake.sent() == [] and client.fake.token_requests


async def test_a_token_checked_before_is_still_checked_against_each_activity(secured):
    """A token is verified once and kept until it expires; what depends on the activity
    (its service URL, the key's endorsement for its channel) and whether the key is still
    published are checked on every activity, and an expired kept token is refused."""
    client, app, key = secured
    from adapters.teams.auth import LEEWAY

    good = token(key, service_url=client.fake.url, ttl=2 - LEEWAY)  # good for two more seconds
    headers = {"Authorization": f"Bearer {good}"}

    async def status(body: dict) -> int:
        return (await client.post(body, headers=headers))[0]

    assert await status(activity(client.fake, text="help")) == 200
    assert await status(activity(client.fake, text="help")) == 200  # the kept token
    elsewhere = activity(client.fake, text="help", serviceUrl="https://smba.trafficmanager.net/emea/")
    assert await status(elsewhere) == 401  # the token names another service URL
    slack = activity(client.fake, text="help", channelId="slack")
    assert await status(slack) == 401  # the key is endorsed for msteams only
    sent = len(client.fake.sent())

    await asyncio.sleep(2.5)  # the token expires (beyond the leeway): the kept copy is refused too
    assert await status(activity(client.fake, text="help")) == 401
    assert len(client.fake.sent()) == sent
