"""Signing in to the console through OpenID Connect, against a local issuer that signs real
RS256 tokens: the happy path, then one test per check that must refuse (state, nonce, PKCE,
signature, audience, expiry, issuer), and an email the organisation file does not know."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.console_harness import Browser, console_server
from tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeIssuer


@pytest.fixture
async def issuer():
    fake = await FakeIssuer().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def site(database_url, tmp_path, clock, issuer):
    extra = {"BOUNDARY_OIDC_ISSUER": issuer.url, "BOUNDARY_OIDC_CLIENT_ID": CLIENT_ID,
             "BOUNDARY_OIDC_CLIENT_SECRET": CLIENT_SECRET, "BOUNDARY_OIDC_LABEL": "Test SSO"}
    async with console_server(database_url, tmp_path, clock, **extra) as (base, app):
        browser = Browser(base)
        yield base, browser
        await browser.close()


async def test_a_manager_signs_in_through_the_identity_provider(site, issuer):
    base, browser = site
    status, page = await browser.get("/console/signin")
    assert "Sign in with Test SSO" in page
    status, page = await browser.get("/console/oidc/start")  # → issuer → back → /console/ → dashboard
    assert status == 200 and "Dashboard" in page and "Morgan Reyes" in page
    (sent,) = issuer.token_requests
    assert sent["code_verifier"] and sent["redirect_uri"] == base + "/console/oidc/callback"


async def _redirect_to_issuer(browser: Browser) -> dict:
    async with browser.http.get(browser.base + "/console/oidc/start", allow_redirects=False) as response:
        assert response.status == 302
        location = response.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    return query


async def _get_absolute(browser: Browser, url: str, **params):
    async with browser.http.get(url, params=params or None) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("spoilt", ["audience", "expired", "signature", "nonce", "issuer", "email_unverified"])
async def test_an_id_token_with_one_thing_wrong_is_refused(site, issuer, spoilt):
    base, browser = site
    issuer.tamper = spoilt
    status, page = await browser.get("/console/oidc/start")
    assert status == 403 and "could not be signed in" in page
    assert (await browser.get("/console/dashboard"))[0] == 403
    issuer.tamper = ""  # the same browser, a sound token: in (so the refusal was about that one thing)
    status, page = await browser.get("/console/oidc/start")
    assert status == 200 and "Dashboard" in page


async def test_a_state_that_does_not_match_is_refused(site, issuer):
    base, browser = site
    query = await _redirect_to_issuer(browser)
    status, page = await _get_absolute(browser, issuer.url + "/authorize", **{**query, "state": "forged"})
    assert status == 403 and "could not be signed in" in page
    assert not issuer.token_requests  # refused before the code was even exchanged


async def test_a_callback_without_the_browsers_flow_cookie_is_refused(site, issuer):
    """A code and state replayed into another browser (login CSRF) get nowhere."""
    base, browser = site
    query = await _redirect_to_issuer(browser)
    async with browser.http.get(issuer.url + "/authorize", params=query, allow_redirects=False) as response:
        callback = response.headers["Location"]
    stranger = Browser(base)
    status, page = await _get_absolute(stranger, callback)
    assert status == 403 and "could not be signed in" in page
    await stranger.close()


async def test_a_wrong_pkce_verifier_is_refused_by_the_provider_and_so_by_us(site, issuer):
    base, browser = site
    query = await _redirect_to_issuer(browser)
    query["code_challenge"] = "A" * 43  # as if someone swapped the challenge on the way
    status, page = await _get_absolute(browser, issuer.url + "/authorize", **query)
    assert status == 403 and "could not be signed in" in page


async def test_an_email_the_organisation_does_not_know_gets_a_clear_refusal(site, issuer):
    base, browser = site
    issuer.next_email = "stranger@elsewhere.invalid"
    status, page = await browser.get("/console/oidc/start")
    assert status == 403 and "isn't in this organisation's Boundary Bot file" in page
    issuer.next_email = "asha@demo.invalid"  # known, but a clinician
    status, page = await browser.get("/console/oidc/start")
    assert status == 403 and "managers, admins and auditors" in page


async def test_an_unreachable_provider_is_a_clear_page_not_an_error(database_url, tmp_path, clock):
    from tests.conftest import free_port

    extra = {"BOUNDARY_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}", "BOUNDARY_OIDC_CLIENT_ID": CLIENT_ID}
    async with console_server(database_url, tmp_path, clock, **extra) as (base, app):
        browser = Browser(base)
        status, page = await browser.get("/console/oidc/start")
        assert status == 502 and "could not reach your organisation" in page
        status, page = await browser.get("/console/oidc/callback?code=x&state=y")
        assert status == 403
        await browser.close()
