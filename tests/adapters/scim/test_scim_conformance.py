"""scim2-tester (a SCIM 2.0 conformance checker) against our endpoint on a real port."""

from __future__ import annotations

import asyncio

import httpx2
from scim2_tester import Status, check_server

from tests.scim_harness import scim_server, sync_client  # noqa: F401  (fixture)


def run_checker(base: str):
    client, http = sync_client(base)
    try:
        return check_server(client, raise_exceptions=False)
    finally:
        http.close()


async def test_the_conformance_checker_passes(scim_server):  # noqa: F811
    base, _ = scim_server
    results = await asyncio.to_thread(run_checker, base)
    failed = [(r.title, r.description, r.reason) for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    passed = [r for r in results if r.status == Status.SUCCESS]
    print(f"scim2-tester: {len(passed)} passed, {len(failed)} failed, {len(results)} checks")
    for title, _, reason in failed:
        print("FAILED", title, "|", (reason or "")[:300].replace("\n", " "))
    assert passed and not failed, failed


async def test_without_the_token_nothing_is_served(scim_server):  # noqa: F811
    base, _ = scim_server
    async with httpx2.AsyncClient(base_url=base) as http:
        assert (await http.get("/Users")).status_code == 401
        wrong = await http.get("/Users", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        assert wrong.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        # The service provider configuration is public (RFC 7643 §5).
        assert (await http.get("/ServiceProviderConfig")).status_code == 200


def test_a_token_pasted_instead_of_its_hash_is_refused_without_repeating_it(tmp_path, database_url):
    import pytest

    from adapters.server import create_app
    from bot.runtime import StartupError
    from tests.conftest import local_settings

    pasted = "not-a-hash-but-the-token-itself"
    with pytest.raises(StartupError) as refused:
        create_app(local_settings(database_url, tmp_path, BOUNDARY_SCIM_TOKEN_HASH=pasted))
    assert "64 hex digits" in str(refused.value) and pasted not in str(refused.value)
