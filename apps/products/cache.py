"""The storefront cache: public catalog responses, per store, versioned.

Every cached page of a store lives under the store's current *catalog
version*. A write to its catalog replaces the version (after commit), so all
of the store's pages are stale at once without deleting keys by pattern; old
entries simply expire. The version is a random token, not a counter, so a
version key evicted from Redis can never bring back an old version's pages.

Only the public representation (what anonymous callers and shoppers see) is
cached; members of the store always read from the database. Serving pages,
their ETags and 304s is ``apps.core.caching``'s work; this module names the
pages and replaces the version.
"""

import hashlib
import uuid
from uuid import UUID

from django.core.cache import cache
from django.db import transaction


def _version_key(store_id: UUID) -> str:
    return f"catalog:{store_id}:version"


def catalog_version(*, store_id: UUID) -> str:
    """The store's current catalog version (made on first use)."""
    key = _version_key(store_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return str(version)


def catalog_bump(*, store_id: UUID) -> None:
    """After commit, make every cached catalog page of the store stale."""
    transaction.on_commit(
        lambda: cache.set(_version_key(store_id), uuid.uuid4().hex, timeout=None)
    )


def page_key(*, store_id: UUID, view: str, url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    return f"catalog:{store_id}:{catalog_version(store_id=store_id)}:{view}:{digest}"
