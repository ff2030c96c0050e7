"""Stronger chat models one command away: the catalogue, `pull`, `use`, `remove` and what is installed.

Downloading is always an explicit command (``coach models pull``); nothing here runs at start-up and
nothing is fetched at run time. The decisions are in each module's docstring:
catalogue.py (the data and memory figures), download.py (the transfer and its checks) and local.py
(installed files, the saved choice, bench speeds). Importing this package loads no model and no
network library (httpx is imported when a pull starts).
"""

from coach.model.hub.catalogue import Entry, find, fits, load_catalogue, memory_needed
from coach.model.hub.download import DEFAULT_ENDPOINT, DISK_LIMIT_ENV, ENDPOINT_ENV, Pulled, pull
from coach.model.hub.local import (
    expected_speed,
    installed,
    last_bench,
    models_dir,
    record_bench,
    remove,
    use,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "DISK_LIMIT_ENV",
    "ENDPOINT_ENV",
    "Entry",
    "Pulled",
    "expected_speed",
    "find",
    "fits",
    "installed",
    "last_bench",
    "load_catalogue",
    "memory_needed",
    "models_dir",
    "pull",
    "record_bench",
    "remove",
    "use",
]
