"""Fixed-window rate limits on atomic cache counters.

On Redis a hit is one round trip: a short script (``EVALSHA``) runs
``SET key 0 EX period NX`` and ``INCR key`` for each counter, so concurrent
requests on any number of processes count exactly and a counter always
carries its expiry. Throttles count every API request, so the round trip
matters: two (``add`` then ``incr`` through the cache API) cost about 0.2 ms
more per request than one, and ``MULTI``/``EXEC`` around the two commands
about 0.07 ms more than the script (docs/performance.md). The same round
trip can read cache keys (``count_and_read``): a storefront cache hit counts
its caller and reads its page at once (ADR 0067). On any other cache (the
embedded default's local memory) ``add`` and ``incr`` are atomic within one
process.
"""

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django_redis.cache import RedisCache
from redis.commands.core import Script
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, value: str) -> "Rate":
        """Parse ``"<count>/<seconds>"``, e.g. ``"10/60"``."""
        count, _, seconds = value.partition("/")
        return cls(limit=int(count), period=int(seconds))


@dataclass(frozen=True)
class Hit:
    """A hit to count on ``identity``'s counter of ``scope``, limited to ``rate``."""

    scope: str
    identity: str
    rate: Rate


def hit(*, scope: str, identity: str, rate: Rate) -> int | None:
    """Count one hit; return the seconds to wait if over the limit, else None.

    The identity is hashed, so no email address or IP is stored in the cache.
    """
    waits, _ = count_and_read([Hit(scope=scope, identity=identity, rate=rate)])
    return waits[0]


def count_and_read(
    hits: Sequence[Hit], reads: Sequence[str] = ()
) -> tuple[list[int | None], dict[str, Any]]:
    """Count ``hits`` and read the cache keys ``reads`` (one round trip on Redis).

    Returns, per hit, the seconds to wait if it is over its limit (else None),
    and the values found under ``reads`` as ``cache.get_many`` gives them.
    When the cache is down (errors are logged) every hit is let through and
    nothing is found: rate limits fail open.
    """
    now = time.time()
    windows = [int(now // h.rate.period) for h in hits]
    keys = [
        f"ratelimit:{h.scope}:{hashlib.sha256(h.identity.encode()).hexdigest()[:32]}"
        f":{window}"
        for h, window in zip(hits, windows, strict=True)
    ]
    timeouts = [h.rate.period + 1 for h in hits]
    counts, found = _count_and_read(keys, timeouts, reads)
    waits: list[int | None] = []
    for h, window, count in zip(hits, windows, counts, strict=True):
        over = count is not None and count > h.rate.limit
        waits.append(
            max(1, int((window + 1) * h.rate.period - now + 0.999)) if over else None
        )
    return waits, found


# KEYS: the counters, then the keys to read; ARGV: how many counters, then
# each counter's expiry in seconds. Returns the counts, then the values read.
_COUNT_AND_READ = """
local counters = tonumber(ARGV[1])
local out = {}
for i = 1, counters do
  redis.call('SET', KEYS[i], 0, 'EX', ARGV[i + 1], 'NX')
  out[i] = redis.call('INCR', KEYS[i])
end
for i = counters + 1, #KEYS do
  out[i] = redis.call('GET', KEYS[i])
end
return out
"""
_script: Script | None = None


def _count_and_read(
    keys: list[str], timeouts: list[int], reads: Sequence[str]
) -> tuple[list[int | None], dict[str, Any]]:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        counts: list[int | None] = [
            _count_locally(k, timeout=t) for k, t in zip(keys, timeouts, strict=True)
        ]
        return counts, (cache.get_many(reads) if reads else {})
    global _script
    client = backend.client
    redis = client.get_client(write=True)
    if _script is None:
        _script = redis.register_script(_COUNT_AND_READ)
    # The keys as the cache names them (prefix and version), so cache.get
    # reads a counter and the values read are the cache's own.
    names = [str(client.make_key(key)) for key in (*keys, *reads)]
    try:
        reply = _script(keys=names, args=[len(keys), *timeouts], client=redis)
    except RedisError:
        logger.warning("rate limit counter unreachable; letting the request through")
        return [None] * len(keys), {}
    counted: list[int | None] = [int(count) for count in reply[: len(keys)]]
    found = {
        key: client.decode(value)
        for key, value in zip(reads, reply[len(keys) :], strict=True)
        if value is not None
    }
    return counted, found


def _count_locally(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` of a cache other than Redis."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this hit opens a window
        cache.add(key, 1, timeout=timeout)
        return 1
