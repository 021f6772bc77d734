"""Time-ordered UUIDs (version 7, RFC 9562) for primary keys.

A UUIDv7 starts with the Unix time in milliseconds, so ordering by the primary
key is ordering by creation time. That gives cursor pagination a unique,
immutable and indexed ordering for free, while ids stay unguessable.

Within one process ids are strictly increasing: ids made in the same
millisecond use the 12-bit ``rand_a`` field as a counter (RFC 9562, method 1).
Across processes, ids are ordered to the millisecond.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0
_COUNTER_MAX = 0xFFF


def uuid7() -> uuid.UUID:
    """Return a new version-7 UUID, greater than any made before in this process."""
    global _last_ms, _counter
    with _lock:
        unix_ms = time.time_ns() // 1_000_000
        if unix_ms > _last_ms:
            _last_ms = unix_ms
            # Start low in the range so many ids fit in one millisecond.
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        elif _counter < _COUNTER_MAX:
            _counter += 1
        else:  # 4096 ids in one millisecond: borrow the next millisecond
            _last_ms += 1
            _counter = 0
        unix_ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80  # 48-bit timestamp
    value |= 0x7 << 76  # version
    value |= counter << 64  # rand_a, used as a counter
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand_b  # 62 random bits
    return uuid.UUID(int=value)
