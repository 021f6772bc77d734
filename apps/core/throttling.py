"""DRF's anonymous and per-user throttles, counted on one atomic counter each.

DRF's ``SimpleRateThrottle`` keeps, per caller, the list of the timestamps of
every request in the window, reads it, prunes it, appends and writes it back on
each request. At 600/min that is a list of up to 600 floats unpickled and
pickled per request, and two concurrent requests of one caller each write a
list without the other's timestamp, so the limit under-counts exactly when it
matters. These throttles keep DRF's scopes, rates, cache keys and ``wait()``
(the ``Retry-After`` header) and count in a fixed window with
``apps.core.ratelimit.hit``: one ``SET NX`` and one ``INCR`` (one script on
Redis), exact across processes. A fixed window lets a caller send up to twice
the rate across a window boundary; for abuse protection that is the accepted
trade (ADR 0063).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .ratelimit import Hit, Rate, count_and_read, hit


class CounterThrottleMixin(throttling.SimpleRateThrottle):
    _wait: int | None = None
    num_requests: int | None
    duration: int | None

    def counted_hit(self, request: Request, view: Any) -> Hit | None:
        """The hit this request adds to its caller's counter (None: not counted)."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        # A rate was parsed (above), so both parts are set.
        limit, period = int(self.num_requests or 0), int(self.duration or 1)
        return Hit(
            scope=self.scope or "throttle",
            identity=key,
            rate=Rate(limit=limit, period=period),
        )

    def allow_request(self, request: Request, view: Any) -> bool:
        if getattr(request, "throttles_counted", False):
            # SharedPageMiddleware counted this request with the view's own
            # throttles before sending it on (a miss): not twice.
            return True
        counted = self.counted_hit(request, view)
        if counted is None:
            return True
        self._wait = hit(
            scope=counted.scope, identity=counted.identity, rate=counted.rate
        )
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class AnonRateThrottle(CounterThrottleMixin, throttling.AnonRateThrottle):
    """Requests without a signed-in user, per client address (``anon`` rate)."""


class UserRateThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    """Requests of a signed-in user (``user`` rate).

    DRF's version also counts anonymous requests, per address, against the
    ``user`` rate; ``AnonRateThrottle`` already counts them against the lower
    ``anon`` rate (120/min against 600/min by default), so that second counter
    only cost a cache round trip per anonymous request. It is not kept: the
    ``anon`` rate alone bounds anonymous callers.
    """

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def count_throttles(
    throttles: Sequence[BaseThrottle],
    request: Request | HttpRequest,  # SharedPageMiddleware's is Django's own
    view: Any,
    reads: Sequence[str] = (),
) -> tuple[list[int | None], dict[str, Any]] | None:
    """Count a view's throttles, and read ``reads``, in one round trip.

    Returns each counted throttle's wait (None: within its limit) and the
    values read, as ``count_and_read``; None, counting nothing, when a
    throttle is not one of these counters (then each must be asked in turn).
    """
    if not all(isinstance(throttle, CounterThrottleMixin) for throttle in throttles):
        return None
    counted = [
        throttle.counted_hit(request, view)  # type: ignore[attr-defined]
        for throttle in throttles
    ]
    return count_and_read([hit for hit in counted if hit is not None], reads)


if TYPE_CHECKING:
    from rest_framework.views import APIView
else:
    # DRF's APIView imports the default throttles (this module) as it is built.
    APIView = object


class ThrottlesCountedTogetherMixin(APIView):
    """Count a view's throttles in one round trip to the cache, not one each.

    DRF asks each throttle in turn; a view with two counters (a placement:
    the caller's ``user`` rate and ``order_placement``) paid two Redis round
    trips, about 0.13 ms each. The answer is DRF's: every throttle counts,
    and a request over any limit is refused with the longest wait.
    """

    def check_throttles(self, request: Request) -> None:
        if getattr(request, "throttles_counted", False):
            return  # counted by SharedPageMiddleware
        throttles = self.get_throttles()
        counted = count_throttles(throttles, request, self)
        if counted is None:
            super().check_throttles(request)
            return
        refused = [wait for wait in counted[0] if wait is not None]
        if refused:
            self.throttled(request, max(refused))
