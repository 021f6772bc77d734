"""Time-ordered UUIDs (version 7, RFC 9562) for primary keys.

A UUIDv7 starts with the Unix time in milliseconds, so ordering by the primary
key is ordering by creation time. That gives cursor pagination a unique,
immutable and indexed ordering for free, while ids stay unguessable.

Within one process ids are strictly increasing, from any thread, even when
many are made in the same millisecond (a counter follows the timestamp, RFC
9562 §6.2, and the clock is never pushed ahead of real time). Across processes
they are ordered to the millisecond. The generator is ``uuid-utils`` (the Rust
``uuid`` crate); its ``compat`` module returns the standard library's
``uuid.UUID``, which Django's ``UUIDField`` expects.

Migrations name ``apps.core.ids.uuid7`` as the default of every primary key, so
this function stays here whatever generates the value.
"""

import uuid

from uuid_utils import compat


def uuid7() -> uuid.UUID:
    """Return a new version-7 UUID, greater than any made before in this process."""
    return compat.uuid7()
