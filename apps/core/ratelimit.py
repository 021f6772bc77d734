"""Fixed-window rate limits on atomic cache counters.

On Redis a hit is one round trip: ``SET key 0 EX period NX`` and ``INCR key``
sent together inside ``MULTI``/``EXEC``, so concurrent requests on any number of
processes count exactly and a counter always carries its expiry. Throttles
count every API request, so the round trip matters: two (``add`` then
``incr`` through the cache API) cost about 0.2 ms more per request than one
(docs/performance.md). On any other cache (the embedded default's local
memory) ``add`` and ``incr`` are atomic within one process.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django_redis.cache import RedisCache
from redis import Redis
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


def hit(*, scope: str, identity: str, rate: Rate) -> int | None:
    """Count one hit; return the seconds to wait if over the limit, else None.

    The identity is hashed, so no email address or IP is stored in the cache.
    """
    now = time.time()
    window = int(now // rate.period)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    count = _count(key, timeout=rate.period + 1)
    if count is None:  # the cache is down (errors ignored and logged): fail open
        return None
    if count > rate.limit:
        return max(1, int((window + 1) * rate.period - now + 0.999))
    return None


def _count(key: str, *, timeout: int) -> int | None:
    """Add one to the counter ``key`` (made with ``timeout``); None if unreachable."""
    client = _redis_client()
    if client is None:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: this hit opens a window
            cache.add(key, 1, timeout=timeout)
            return 1
    # The key as the cache names it (prefix and version), so cache.get reads it.
    name = caches["default"].client.make_key(key)  # type: ignore[attr-defined]
    try:
        with client.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=timeout, nx=True)
            pipe.incr(name)
            _, count = pipe.execute()
    except RedisError:
        logger.warning("rate limit counter unreachable; letting the request through")
        return None
    return int(count)


def _redis_client() -> Redis | None:
    """The cache's Redis client, when the cache is django-redis's."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend.client.get_client(write=True)
