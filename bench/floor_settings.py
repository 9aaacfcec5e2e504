"""The app's settings with bench/floor_urls.py as the URL conf (see there)."""

from academy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
