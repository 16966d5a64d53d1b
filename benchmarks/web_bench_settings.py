"""Settings of the web load benchmark: Pinpoint's own settings, with one extra URL for the baseline view.

Only the URL map differs (``web_bench_urls`` adds a trivial view); everything else, middleware
included, is the project's. The benchmark runs the development profile with ``PINPOINT_DEBUG=0``.
"""

from pinpoint.web.settings import *  # noqa: F403 - the project's settings, unchanged but for the URL map

ROOT_URLCONF = "web_bench_urls"
