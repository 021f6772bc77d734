"""Production settings, with the naive baseline's URLs instead of Orderly's."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "naive.urls"
