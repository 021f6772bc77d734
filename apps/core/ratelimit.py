"""Fixed-window rate limits on atomic cache counters.

On Redis a hit is one round trip: a short script (``EVALSHA``) runs
``SET key 0 EX period NX`` and ``INCR key`` for each counter, so concurrent
requests on any number of processes count exactly and a counter always
carries its expiry. Throttles count every API request, so the round trip
matters: two (``add`` then ``incr`` through the cache API) cost about 0.2 ms
more per request than one, and ``MULTI``/``EXEC`` around the two commands
about 0.07 ms more than the script (docs/performance.md). The same round
trip can read cache keys (``count_and_read``): a storefront cache hit counts
its caller and reads its page at once (ADR 0067). The script goes over a
connection each worker thread keeps for it, not one lent by redis-py's pool
per call (ADR 0075). On any other cache (the
embedded default's local memory) ``add`` and ``incr`` are atomic within one
process.
"""

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django_redis.cache import RedisCache
from redis.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ReadOnlyError, RedisError, ResponseError

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
# Redis names a script by the SHA-1 of its text.
_SCRIPT_SHA = hashlib.sha1(_COUNT_AND_READ.encode(), usedforsecurity=False).hexdigest()


def _count_and_read(
    keys: list[str], timeouts: list[int], reads: Sequence[str]
) -> tuple[list[int | None], dict[str, Any]]:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        counts: list[int | None] = [
            _count_locally(k, timeout=t) for k, t in zip(keys, timeouts, strict=True)
        ]
        return counts, (cache.get_many(reads) if reads else {})
    client = backend.client
    # The keys as the cache names them (prefix and version), so cache.get
    # reads a counter and the values read are the cache's own.
    names = [str(client.make_key(key)) for key in (*keys, *reads)]
    pool = client.get_client(write=True).connection_pool
    try:
        reply = _run_script(pool, names, [len(keys), *timeouts])
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


class _Held(threading.local):
    """The connection this thread of this process runs the script on."""

    pool: ConnectionPool | None = None
    pid = 0
    connection: AbstractConnection | None = None


_held = _Held()


def _connection_for(pool: ConnectionPool) -> AbstractConnection:
    """This thread's connection to the cache's Redis, made on first use.

    Every API request runs the script, so it is sent on a connection of its
    own per thread, with redis-py's connection calls: through the client
    (``Script``, ``execute_command``: its retry wrapper and metrics; the
    pool's loan: a lock, a poll of the socket for unread data) the call took
    105 microseconds of CPU, on the connection 46 (ADR 0075). The connection
    is made with the pool's settings (address, database, password, TLS,
    timeouts), and again after a fork or when the cache is configured anew.
    It is outside the pool: each worker thread holds one more connection to
    Redis, and the client's command retries (django-redis sets none) do not
    apply to it.
    """
    held = _held
    pid = os.getpid()
    if held.connection is None or held.pool is not pool or held.pid != pid:
        if held.connection is not None and held.pid == pid:
            held.connection.disconnect()
        held.connection = pool.connection_class(**pool.connection_kwargs)
        held.pool, held.pid = pool, pid
    return held.connection


def _run_script(pool: ConnectionPool, keys: list[str], args: list[int]) -> Any:
    """Run the counting script on this thread's connection and return its reply.

    A connection opened by an earlier request that Redis has since closed (a
    restart, an idle timeout) is found closed as the script is sent or its
    reply read, and is made again once, as the pool would have (it polls a
    connection before lending it). A new connection that fails, or a reply
    that does not come in time, is not tried again: the request goes on
    uncounted rather than wait twice, and a script Redis ran but answered
    late is not counted twice. (A reused connection that breaks after Redis
    ran the script, a reset mid-reply, counts that hit twice: one more, while
    Redis restarts.) A script Redis has forgotten (a restart, ``SCRIPT
    FLUSH``) is sent whole, which loads it again.
    """
    connection = _connection_for(pool)
    reused = connection.is_connected
    try:
        try:
            return _send_script(connection, keys, args)
        except RedisConnectionError:
            if not reused:
                raise
            connection.disconnect()  # the next command connects again
            return _send_script(connection, keys, args)
    except ResponseError as error:
        # Redis answered with an error, read whole: the connection is in step,
        # unless the server has become a replica (a failover), where a new
        # connection finds the primary again.
        if isinstance(error, ReadOnlyError):
            connection.disconnect()
        raise
    except BaseException:
        # Interrupted between sending and reading (a timeout, a signal), a
        # reply may be left unread: start afresh.
        connection.disconnect()
        raise


def _send_script(
    connection: AbstractConnection, keys: list[str], args: list[int]
) -> Any:
    try:
        connection.send_command("EVALSHA", _SCRIPT_SHA, len(keys), *keys, *args)
        return connection.read_response()
    except NoScriptError:
        connection.send_command("EVAL", _COUNT_AND_READ, len(keys), *keys, *args)
        return connection.read_response()


def _count_locally(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` of a cache other than Redis."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this hit opens a window
        cache.add(key, 1, timeout=timeout)
        return 1
