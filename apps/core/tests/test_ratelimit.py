"""Rate-limit counters: exact under concurrency, expiring with their window,
and letting requests through when the cache cannot be reached."""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from apps.core import ratelimit
from apps.core.ratelimit import Rate, hit
from apps.core.testing import record_redis_commands

# Every test runs on a stopped clock (the `clock` fixture, at the start of a
# minute): counts are per fixed window, and a window ending halfway through a
# test would start its count again. Redis's expiries are relative, unaffected.
pytestmark = pytest.mark.usefixtures("clock")


def test_hits_past_the_limit_wait_for_the_next_window(clock):
    rate = Rate(limit=2, period=60)
    waits = [hit(scope="t", identity="someone", rate=rate) for _ in range(3)]
    assert waits == [None, None, 60]  # the window has just begun
    clock.shift(timedelta(seconds=45))
    assert hit(scope="t", identity="someone", rate=rate) == 15
    clock.shift(timedelta(seconds=15))  # the next window
    assert hit(scope="t", identity="someone", rate=rate) is None


def test_concurrent_hits_are_each_counted():
    rate = Rate(limit=25, period=60)

    def attempt(_: int) -> bool:
        return hit(scope="t", identity="crowd", rate=rate) is None

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(attempt, range(60)))
    assert answers.count(True) == 25


@pytest.mark.redis
def test_a_redis_counter_expires_with_its_window():
    hit(scope="t", identity="ttl", rate=Rate(limit=5, period=30))
    backend = caches["default"]
    client = backend.client.get_client(write=True)
    [name] = client.keys(backend.client.make_key("ratelimit:t:*"))  # this run's only
    assert cache.get(name.decode().split(":", 2)[2]) == 1  # readable by the cache
    assert 0 < client.ttl(name) <= 31


@pytest.mark.redis
def test_the_redis_counter_is_one_round_trip(monkeypatch):
    hit(scope="t", identity="warm", rate=Rate(limit=5, period=30))  # script loaded
    sent = record_redis_commands(monkeypatch)
    assert hit(scope="t", identity="trips", rate=Rate(limit=5, period=30)) is None
    assert sent == ["EVALSHA"]  # SET NX EX and INCR in one script


@pytest.mark.redis
def test_a_script_redis_has_forgotten_is_loaded_again():
    client = caches["default"].client.get_client(write=True)
    hit(scope="t", identity="flush", rate=Rate(limit=5, period=30))
    client.script_flush()  # as after a restart of Redis
    waits, _ = ratelimit.count_and_read(
        [ratelimit.Hit(scope="t", identity="flush", rate=Rate(limit=1, period=30))]
    )
    assert waits[0] is not None  # the second hit, counted: over a limit of 1


@pytest.mark.redis
def test_a_connection_redis_has_closed_is_made_again(caplog):
    rate = Rate(limit=1, period=30)
    assert hit(scope="t", identity="closed", rate=rate) is None
    held = ratelimit._held.connection
    held.send_command("CLIENT", "ID")
    own_id = held.read_response()
    client = caches["default"].client.get_client(write=True)
    assert client.client_kill_filter(_id=own_id) == 1  # as an idle timeout would
    with caplog.at_level(logging.WARNING, logger="apps.core.ratelimit"):
        assert hit(scope="t", identity="closed", rate=rate) is not None  # counted
    assert "unreachable" not in caplog.text
    assert ratelimit._held.connection is held  # the same, connected again


def test_an_unreachable_redis_is_tried_once_per_request(cache_down, monkeypatch):
    hit(scope="t", identity="down", rate=Rate(limit=5, period=30))  # connection made
    connection_class = type(ratelimit._held.connection)
    attempts = []
    real_connect = connection_class.connect_check_health

    def connect(self, *args, **kwargs):
        attempts.append(self)  # with the connection's own retries, if any
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(connection_class, "connect_check_health", connect)
    assert hit(scope="t", identity="down", rate=Rate(limit=0, period=30)) is None
    assert len(attempts) == 1  # not twice the connect timeout for one request


@pytest.mark.redis
def test_a_forked_process_connects_on_its_own(monkeypatch):
    rate = Rate(limit=5, period=30)
    hit(scope="t", identity="fork", rate=rate)
    parents = ratelimit._held.connection
    # As in a worker forked after its parent counted: the pid held is not its own.
    monkeypatch.setattr(ratelimit._held, "pid", ratelimit._held.pid + 1)
    assert hit(scope="t", identity="fork", rate=rate) is None
    assert ratelimit._held.connection is not parents
    assert parents.is_connected  # not closed: it is the parent's to use


@pytest.mark.redis
def test_a_cache_configured_anew_is_counted_on_anew(settings, caplog):
    hit(scope="t", identity="moved", rate=Rate(limit=0, period=30))
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    with caplog.at_level(logging.WARNING, logger="apps.core.ratelimit"):
        # Not counted on the Redis of before (a limit of 0 would refuse it).
        assert hit(scope="t", identity="moved", rate=Rate(limit=0, period=30)) is None
    assert "unreachable" in caplog.text


def test_counting_and_reading_together_reads_what_the_cache_holds(monkeypatch):
    cache.set_many({"a": {"kept": [1, 2]}, "b": 7, "c": "text"})
    rate = Rate(limit=1, period=60)
    counters = [
        ratelimit.Hit(scope="t", identity="one", rate=rate),
        ratelimit.Hit(scope="t", identity="two", rate=rate),
    ]
    waits, found = ratelimit.count_and_read(counters, ["a", "b", "c", "absent"])
    assert waits == [None, None]
    assert found == cache.get_many(["a", "b", "c", "absent"])
    assert found == {"a": {"kept": [1, 2]}, "b": 7, "c": "text"}
    waits, found = ratelimit.count_and_read(counters[1:])
    assert waits[0] is not None
    assert found == {}


def test_an_unreachable_cache_lets_the_hit_through_and_finds_nothing(cache_down):
    waits, found = ratelimit.count_and_read(
        [ratelimit.Hit(scope="t", identity="x", rate=Rate(limit=0, period=60))], ["a"]
    )
    assert waits == [None]
    assert found == {}


def test_an_unreachable_redis_lets_the_request_through(cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="apps.core.ratelimit"):
        assert hit(scope="t", identity="x", rate=Rate(limit=0, period=60)) is None
    assert "unreachable" in caplog.text


def test_a_local_counter_that_expires_between_add_and_incr_opens_a_window(monkeypatch):
    local = LocMemCache("ratelimit-test", {})
    monkeypatch.setattr(ratelimit, "cache", local)
    monkeypatch.setattr(ratelimit, "caches", {"default": local})
    real_incr = local.incr

    def expire_first(key, delta=1, version=None):
        monkeypatch.setattr(local, "incr", real_incr)
        local.delete(key)  # the window ends right after add
        return real_incr(key, delta, version)  # raises ValueError: no such key

    monkeypatch.setattr(local, "incr", expire_first)
    rate = Rate(limit=2, period=60)
    assert hit(scope="t", identity="edge", rate=rate) is None  # counted as 1
    assert hit(scope="t", identity="edge", rate=rate) is None  # 2
    assert hit(scope="t", identity="edge", rate=rate) is not None  # 3: over
