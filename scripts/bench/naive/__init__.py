"""The naive baseline: Orderly's benchmarked endpoints written the tutorial way.

ModelViewSet, ModelSerializer, page-number pagination, no select_related or
prefetch_related, no cache. It exists only to be measured beside Orderly by
``scripts/bench/run.py`` and is never part of the product's URLs.
"""
