"""Slowing down someone who acts far faster than a person can: token buckets on a clock.

Each key (a person) has a bucket holding up to ``capacity`` tokens, refilled at
``per_second``; each action takes one. An empty bucket says how long until the next token.
Buckets live in the instance's memory: with several instances behind a load balancer a
person's effective allowance is up to one bucket per instance, which still stops a script.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.machinery.clock import Clock


@dataclass(frozen=True)
class Rate:
    capacity: float
    per_second: float


class TokenBuckets:
    def __init__(self, clock: Clock, rate: Rate, *, max_keys: int = 50_000) -> None:
        self.clock = clock
        self.rate = rate
        self.max_keys = max_keys
        self._buckets: dict[object, tuple[float, float]] = {}  # key → (tokens, at: epoch seconds)

    def take(self, key: object) -> float:
        """Take a token: 0.0 if there was one, otherwise the seconds until there will be."""
        now = self.clock.now().timestamp()
        tokens, at = self._buckets.pop(key, (self.rate.capacity, now))
        tokens = min(self.rate.capacity, tokens + max(0.0, now - at) * self.rate.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate.per_second
        self._buckets[key] = (tokens, now)  # most recently used last
        if len(self._buckets) > self.max_keys:
            self._buckets.pop(next(iter(self._buckets)))  # forget the longest idle: its bucket is full by now
        return wait


# A person can press a few buttons a second for a while, and fill in a form every few seconds;
# these leave room for that and stop anything much faster.
ACTIONS = Rate(capacity=20, per_second=2.0)
FORMS = Rate(capacity=10, per_second=0.2)
