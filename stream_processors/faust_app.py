"""For `faust -A stream_processors.faust_app worker`: the app built once from the environment.

`scan-analytics worker` is the usual entry point (it also creates topics and serves
metrics); this module exists for faust's own command line.
"""

from __future__ import annotations

from scan_analytics.settings import load_settings
from stream_processors.app import create_app

app = create_app(load_settings())
