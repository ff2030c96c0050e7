"""The practice queue as a use case: what is due, each card's answers, the previous answer to compare."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Callable

from coach.practice.cards import Card, card_key, replay, when

if TYPE_CHECKING:  # the sessions layer sits above this one: only its type is named here
    from coach.sessions.history import History


def _visible_to(owner: str | None) -> str | None:
    """The command line (owner "") sees every card on the machine, as `coach history` sees every
    session; a browser sees its own cards and the command line's."""
    return owner or None


class PracticeQueue:
    def __init__(self, history: History, clock: Callable[[], float] = time.time) -> None:
        self.history = history
        self.clock = clock  # tests pass a fixed clock

    def now(self) -> dt.datetime:
        return when(self.clock())

    def cards(self, owner: str | None = "") -> list[Card]:
        """Every card ``owner`` may see, soonest due first."""
        cards = replay(self.history.practice_answers(_visible_to(owner)))
        return sorted(cards, key=lambda c: (c.due or self.now(), c.key))

    def due(self, owner: str | None = "", limit: int | None = None) -> list[Card]:
        now = self.now()
        due = [c for c in self.cards(owner) if c.is_due(now)]
        return due[:limit] if limit else due

    def card(self, owner: str | None, question_id: str | None, question: str) -> Card | None:
        cards = replay(self.history.practice_answers(_visible_to(owner), card_key(question_id, question)))
        return cards[0] if cards else None

    def previous(self, owner: str | None, question_id: str | None, question: str) -> dict[str, Any] | None:
        """The last answer given to this question before, for the before/after view."""
        card = self.card(owner, question_id, question)
        return card.last if card else None

    def competency_progress(self, owner: str | None = "") -> dict[str, list[tuple[float, float]]]:
        """Per competency (the bank's tag), every scored answer as (time, score), for the progress plot."""
        out: dict[str, list[tuple[float, float]]] = {}
        for a in self.history.practice_answers(_visible_to(owner)):
            if a.get("score") is None:
                continue
            for c in a.get("competencies") or ["other"]:
                out.setdefault(c, []).append((a["answered_at"], a["score"]))
        return out
