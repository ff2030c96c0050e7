"""Guidance tied to what a question is about (salary, a case, a design round, ...), not to how it was answered.

The table is data (``topics.json``): a question pattern, a tip and the query that finds the passage
behind the tip. :class:`coach.feedback.tips.TipBook` looks the passage up, once per store revision.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TOPICS_FILE = Path(__file__).with_name("topics.json")


@dataclass(frozen=True)
class Topic:
    name: str
    pattern: str
    tip: str
    query: str


@cache
def topics() -> tuple[Topic, ...]:
    raw = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))
    return tuple(Topic(t["name"], t["pattern"], t["tip"], t["query"]) for t in raw["topics"])


def topic_of(question: str) -> Topic | None:
    """The first topic whose pattern the question matches, if any."""
    for topic in topics():
        if re.search(topic.pattern, question or "", re.I):
            return topic
    return None
