"""A platform at the delivery port, for worker and scheduler tests: it records what it was
given and can be told to fail in the ways real platforms do."""

from __future__ import annotations

from collections import deque

from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable


class ScriptedPlatform:
    platform = "web"

    def __init__(self, platform: str = "web") -> None:
        self.platform = platform
        self.sent: list[tuple[Address, object, str]] = []
        self.updated: list[tuple[MessageRef, object, str]] = []
        self.failures: deque[Exception] = deque()
        self.calls = 0

    def fail_next(self, *errors: Exception) -> None:
        self.failures.extend(errors)

    def _maybe_fail(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.popleft()

    async def send(self, to: Address, view, key: str) -> MessageRef:
        self._maybe_fail()
        self.sent.append((to, view, key))
        return MessageRef(self.platform, {"message": str(len(self.sent)), "user": to.user_id})

    async def update(self, ref: MessageRef, view, key: str) -> MessageRef:
        self._maybe_fail()
        self.updated.append((ref, view, key))
        return ref


def server_error() -> RetryLater:
    return RetryLater("the platform answered 500")


def rate_limited(after: float) -> RetryLater:
    return RetryLater("rate limited", after=after)


def unknown_user() -> Undeliverable:
    return Undeliverable("user_not_found")
