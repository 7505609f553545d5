"""How fast this machine is right now: CPU seconds for a fixed piece of Python work.

This machine is shared, and its speed moves by a third or more within minutes with nothing
of ours running (the same work took 0.38 s and 0.65 s half an hour apart on 2026-12-06).
The benches print a reading before and after each run; compare figures only between runs
with similar readings.

    .venv/bin/python bench/gauge.py
"""

from __future__ import annotations

import json
import time

_WORK = {"a": [1, 2, 3, {"b": "c" * 50}] * 20}


def reading() -> float:
    """CPU seconds for 20,000 JSON round trips of a small document (0.38 s on a good reading)."""
    started = time.process_time()
    for _ in range(20_000):
        json.loads(json.dumps(_WORK))
    return time.process_time() - started


if __name__ == "__main__":
    print(f"machine gauge: {reading():.2f} s")
