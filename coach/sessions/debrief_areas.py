"""The debrief's wording tables (debrief_areas.json), read once on first use."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

AREAS_FILE = Path(__file__).with_name("debrief_areas.json")


@cache
def _tables() -> dict[str, Any]:
    return json.loads(AREAS_FILE.read_text(encoding="utf-8"))


def feelings() -> list[str]:
    return _tables()["feelings"]


def area_table() -> dict[str, tuple[str, str, str]]:
    """Improvement area -> (pattern in the notes, advice line, query for its passage)."""
    return {name: (a["pattern"], a["tip"], a["query"]) for name, a in _tables()["areas"].items()}
