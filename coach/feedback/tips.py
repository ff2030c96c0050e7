"""One line of advice per analysis flag, with the knowledge passage that supports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from coach.feedback.flags import flag as flag_record
from coach.feedback.topics import topic_of
from coach.library.retrieval import Retriever
from coach.library.store import Passage


@dataclass(frozen=True)
class FlagTip:
    flag: str
    tip: str
    passage: Passage | None

    def public(self) -> dict:
        return {"flag": self.flag, "tip": self.tip, "source": self.passage.public() if self.passage else None}


class TipBook:
    """Looks up each flag's supporting passage once per store revision and remembers it.

    When a source is added or removed the store's revision changes, and every tip is looked
    up again, so a tip never cites a passage that is no longer there.
    """

    def __init__(self, retriever: Retriever | None) -> None:
        self.retriever = retriever
        self._cache: dict[str, Passage | None] = {}
        self._revision: object = None

    def passage_for(self, flag: str) -> Passage | None:
        return self._lookup(flag, flag_record(flag).query)

    def passage_about(self, key: str, query: str) -> Passage | None:
        """The best advice passage for ``query``, remembered under ``key`` until the store changes."""
        return self._lookup(key, query)

    def _lookup(self, key: str, query: str) -> Passage | None:
        if self.retriever is None:
            return None
        revision = self.retriever.store.revision()
        if revision != self._revision:
            self._cache.clear()
            self._revision = revision
        if key not in self._cache:
            found = self.retriever.search(query, k=1, advice_only=True)
            self._cache[key] = found[0] if found else None
        return self._cache[key]

    def tips(self, flags: Iterable[str]) -> list[FlagTip]:
        return [FlagTip(f, flag_record(f).tip, self.passage_for(f)) for f in flags]

    def topic_tip(self, question: str) -> FlagTip | None:
        """Guidance for what the question is about (salary, a case, a design round...), if it has any."""
        topic = topic_of(question)
        if topic is None:
            return None
        return FlagTip(f"topic:{topic.name}", topic.tip, self._lookup(f"topic:{topic.name}", topic.query))
