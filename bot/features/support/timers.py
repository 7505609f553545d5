"""Peer-support timers: the next wave, asking everyone who matches, and closing it kindly when
nobody could take it. None of them ever tells a manager."""

from __future__ import annotations

from datetime import datetime

from bot.features.support import checkin
from bot.features.support.flow import give_up as close_unfilled
from bot.features.support.matching import fan_out, next_available, policy_of
from bot.features.support.storage import CHECK_IN, GIVE_UP, WAVE, WIDEN, SupportRequest, schedule
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx


async def _live(tx: Tx, timer: Timer) -> SupportRequest | None:
    request = await tx.session.get(SupportRequest, timer.payload["request_id"], with_for_update=True)
    if request is None or request.status != "open" or request.generation != timer.payload["generation"]:
        return None
    return request


async def next_wave(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer)
    if request is None:
        return
    requester = await tx.people.get(request.requester_id)
    asked, _ = await fan_out(tx, request, requester, await policy_of(tx), now, everyone=request.widened)
    if not asked and timer.key.endswith(":waiting"):
        # Nobody came on after all (a holiday, someone away): wait for the next one.
        next_at = await next_available(tx, request, requester, now)
        if next_at is not None:
            await schedule(tx, request, WAVE, next_at, now, tag=f":waiting:{next_at:%Y%m%d%H%M}")


async def widen(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still nobody: ask everyone who matches and is available now."""
    request = await _live(tx, timer)
    if request is None:
        return
    request.widened = True
    requester = await tx.people.get(request.requester_id)
    await fan_out(tx, request, requester, await policy_of(tx), now, everyone=True)


async def give_up(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer)
    if request is not None:
        await close_unfilled(tx, request, now)


TIMER_HANDLERS = {WAVE: next_wave, WIDEN: widen, GIVE_UP: give_up, CHECK_IN: checkin.fire}
