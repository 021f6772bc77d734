"""The storefront cache: public catalog responses, per store, versioned.

Every cached page of a store is kept with the store's *catalog version* it
was built under, and served only while that is still the current one. A write
to its catalog replaces the version (after commit), so all of the store's
pages are stale at once without deleting keys by pattern; the next read of
each page rebuilds it in place. The version is a random token, not a counter, so a
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


def version_key(*, store_id: UUID) -> str:
    """The key of the store's catalog version (``SharedPage.version_key``)."""
    return f"catalog:{store_id}:version"


def catalog_bump(*, store_id: UUID) -> None:
    """After commit, make every cached catalog page of the store stale."""
    transaction.on_commit(
        lambda: cache.set(
            version_key(store_id=store_id), uuid.uuid4().hex, timeout=None
        )
    )


def page_key(*, store_id: UUID, view: str, url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    return f"catalog:{store_id}:{view}:{digest}"
