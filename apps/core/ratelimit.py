"""Fixed-window rate limits on atomic cache counters.

On Redis, ``add`` (SET NX) and ``incr`` (INCR) are atomic, so concurrent
requests on any number of processes count exactly. On the local-memory cache
(embedded default) they are atomic within one process.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, value: str) -> "Rate":
        """Parse ``"<count>/<seconds>"``, e.g. ``"10/60"``."""
        count, _, seconds = value.partition("/")
        return cls(limit=int(count), period=int(seconds))


def hit(*, scope: str, identity: str, rate: Rate) -> int | None:
    """Count one hit; return the seconds to wait if over the limit, else None.

    The identity is hashed, so no email address or IP is stored in the cache.
    """
    now = time.time()
    window = int(now // rate.period)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=rate.period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this hit opens a window
        cache.add(key, 1, timeout=rate.period + 1)
        count = 1
    if count is None:  # the cache is down (errors ignored and logged): fail open
        return None
    if count > rate.limit:
        return max(1, int((window + 1) * rate.period - now + 0.999))
    return None
