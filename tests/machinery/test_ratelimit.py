"""Token buckets on a manual clock."""

from bot.machinery.clock import ManualClock
from bot.machinery.ratelimit import Rate, TokenBuckets


def test_a_burst_then_the_refill_rate():
    clock = ManualClock()
    buckets = TokenBuckets(clock, Rate(capacity=3, per_second=0.5))
    assert [buckets.take("p") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("p") == 2.0  # one token every two seconds
    assert buckets.take("other") == 0.0  # each person has their own
    clock.advance(seconds=2)
    assert buckets.take("p") == 0.0
    clock.advance(seconds=60)
    assert [buckets.take("p") for _ in range(4)][-1] > 0  # refilled only up to the burst size


def test_memory_is_bounded_by_forgetting_the_longest_idle():
    buckets = TokenBuckets(ManualClock(), Rate(capacity=1, per_second=1), max_keys=100)
    for n in range(1000):
        buckets.take(n)
    assert len(buckets._buckets) == 100 and 999 in buckets._buckets
