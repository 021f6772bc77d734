"""The anonymous and per-user throttles count on one atomic counter per window."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.core.throttling import AnonRateThrottle, UserRateThrottle


def _request(address: str = "10.1.2.3", user=None):
    request = APIRequestFactory().get("/", REMOTE_ADDR=address)
    request.user = user or AnonymousUser()
    return request


@pytest.fixture
def three_per_minute(monkeypatch):
    for throttle in (AnonRateThrottle, UserRateThrottle):
        rates = {**throttle.THROTTLE_RATES, "anon": "3/min", "user": "3/min"}
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


# Every test runs on a stopped clock (the `clock` fixture, at the start of a
# minute): counts are per fixed window, and a window ending halfway through a
# test would start them again.
pytestmark = pytest.mark.usefixtures("clock")


def test_anonymous_callers_are_refused_past_the_rate_with_a_wait(three_per_minute):
    allowed = [
        AnonRateThrottle().allow_request(_request(), APIView()) for _ in range(3)
    ]
    refused = AnonRateThrottle()
    assert allowed == [True, True, True]
    assert refused.allow_request(_request(), APIView()) is False
    assert refused.wait() == 60  # the window has just begun
    # Another address has its own count.
    assert AnonRateThrottle().allow_request(_request("10.9.9.9"), APIView()) is True


def _signed_in() -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, pk=uuid.uuid4())


def test_users_are_counted_apart_from_their_address(three_per_minute):
    alice, bob = _signed_in(), _signed_in()
    for _ in range(3):
        assert UserRateThrottle().allow_request(_request(user=alice), APIView())
    assert not UserRateThrottle().allow_request(_request(user=alice), APIView())
    assert UserRateThrottle().allow_request(_request(user=bob), APIView())


def test_concurrent_requests_are_each_counted(monkeypatch):
    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": "10/min"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)

    def attempt(_: int) -> bool:
        return AnonRateThrottle().allow_request(_request("10.5.5.5"), APIView())

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(attempt, range(40)))
    assert answers.count(True) == 10


def test_the_cache_holds_a_counter_not_a_list_of_timestamps(three_per_minute):
    for _ in range(3):
        AnonRateThrottle().allow_request(_request("10.7.7.7"), APIView())
    drf_key = AnonRateThrottle().get_cache_key(_request("10.7.7.7"), APIView())
    assert cache.get(drf_key) is None


def test_a_throttle_without_a_rate_allows_everything(monkeypatch):
    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": None}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    assert all(
        AnonRateThrottle().allow_request(_request(), APIView()) for _ in range(200)
    )


def test_anonymous_requests_count_against_the_anon_rate_only(three_per_minute):
    throttle = UserRateThrottle()
    assert throttle.get_cache_key(_request("10.6.6.6"), APIView()) is None
    assert all(
        UserRateThrottle().allow_request(_request("10.6.6.6"), APIView())
        for _ in range(10)
    )
    anon = [
        AnonRateThrottle().allow_request(_request("10.6.6.6"), APIView())
        for _ in range(4)
    ]
    assert anon == [True, True, True, False]
