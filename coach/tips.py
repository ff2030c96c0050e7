"""One line of advice per analysis flag, with the knowledge passage that supports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .retrieval import Retriever
from .store import Passage

# flag -> (tip, the query that finds its supporting passage)
FLAG_TIPS: dict[str, tuple[str, str]] = {
    "missing_situation": ("Open with one sentence of context: where you were, when, and what was going on.", "STAR answer situation set the scene context"),
    "missing_task": ("Say what you were responsible for or trying to achieve before you describe what you did.", "STAR answer task what you were responsible for goal"),
    "missing_action": ("Describe what you personally did, with 'I' rather than 'we', step by step.", "say I instead of we what you did actions"),
    "missing_result": ("Finish with the outcome: what changed, for whom, and what you learned.", "STAR result outcome what changed"),
    "filler_heavy": ("Cut fillers such as 'um', 'like' and 'you know': pause silently instead.", "reduce filler words um uh like you know"),
    "too_short": ("Give more detail: a complete answer usually takes one to two minutes.", "keep each answer one to two minutes enough detail"),
    "too_long": ("Tighten it: lead with the direct answer and keep it under two minutes.", "rambling long answer structure concise"),
    "no_numbers": ("Quantify the result where you honestly can: time saved, money, people, percentages.", "quantify the result numbers measurable"),
    "off_topic": ("Answer the question that was asked; restate it to yourself before you start.", "answer the question you were actually asked skirt the question"),
    "blames_others": ("Describe what others did neutrally and focus on your own part and what you would do differently.", "talk about past employers colleagues without blaming them"),
    "self_blame": ("Own the specific mistake without putting yourself down; one bad moment is not who you are.", "do not blame yourself you are not a failure own mistakes"),
    "hedging": ("Drop hedges like 'I guess' and 'sort of': state what you did and what you think with confidence.", "hedging language I guess sort of kind of confident"),
}


@dataclass(frozen=True)
class FlagTip:
    flag: str
    tip: str
    passage: Passage | None

    def public(self) -> dict:
        return {"flag": self.flag, "tip": self.tip, "source": self.passage.public() if self.passage else None}


class TipBook:
    """Looks up each flag's supporting passage once and remembers it."""

    def __init__(self, retriever: Retriever | None) -> None:
        self.retriever = retriever
        self._cache: dict[str, Passage | None] = {}

    def passage_for(self, flag: str) -> Passage | None:
        if flag not in self._cache:
            found = self.retriever.search(FLAG_TIPS[flag][1], k=1, advice_only=True) if self.retriever else []
            self._cache[flag] = found[0] if found else None
        return self._cache[flag]

    def tips(self, flags: Iterable[str]) -> list[FlagTip]:
        return [FlagTip(f, FLAG_TIPS[f][0], self.passage_for(f)) for f in flags]
