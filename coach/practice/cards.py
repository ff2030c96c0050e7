"""Practice cards: a question and every answer given to it, scheduled by FSRS.

A card is never stored: it is replayed from its answers (``History.practice_answers``) through
the ``fsrs`` scheduler, so deleting a session removes its answers and the card follows. The
scheduler has no learning steps (an interview question is not a flash card to see again in ten
minutes) and no fuzzing (the same answers always give the same due date): a weak answer comes back
the next day, a strong one about a week later, and each good answer pushes it further out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterable

from coach.practice.rating import NAMES


def card_key(question_id: str | None, question: str) -> str:
    """The bank id, or the question's words: the same question asked twice is one card."""
    if question_id and not question_id.startswith(("custom", "jd-")):
        return question_id
    words = re.sub(r"[^a-z0-9 ]+", " ", (question or "").lower())
    return "text:" + " ".join(words.split())[:300]


def answer_entry(question: dict[str, Any], answer: str, review: dict[str, Any], now: float) -> dict[str, Any]:
    """What one scored answer adds to its card (saved with the turn that carries it)."""
    from coach.practice.rating import rating_for

    score = (review.get("score") or {}).get("overall")
    flags = list(review.get("flags") or [])
    return {
        "key": card_key(question.get("id"), question.get("text", "")),
        "question": question.get("text", ""),
        "question_id": question.get("id"),
        "competencies": [c for c in [question.get("competency")] if c],
        "answered_at": now,
        "score": score,
        "flags": flags,
        "rating": rating_for(flags, score),
        "answer": answer[:4000],
    }


@cache
def scheduler():
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def when(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


@dataclass
class Card:
    key: str
    question: str
    question_id: str | None
    competencies: list[str]
    answers: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    due: dt.datetime | None = None
    stability: float | None = None

    @property
    def bank_id(self) -> str | None:
        """The bank question to ask again, or None when the card is asked by its words."""
        return None if self.key.startswith("text:") else self.key

    @property
    def last(self) -> dict[str, Any]:
        return self.answers[-1]

    def is_due(self, now: dt.datetime) -> bool:
        return self.due is not None and self.due <= now

    def public(self) -> dict[str, Any]:
        """The shape of `coach practice --json`."""
        return {
            "question": self.question,
            "question_id": self.question_id,
            "due": self.due.isoformat() if self.due else None,
            "last_answered": when(self.last["answered_at"]).isoformat(),
            "last_score": self.last.get("score"),
            "last_flags": self.last.get("flags", []),
            "last_rating": NAMES.get(self.last.get("rating"), ""),
            "answers": len(self.answers),
            "competencies": self.competencies,
        }


def replay(answers: Iterable[dict[str, Any]]) -> list[Card]:
    """Cards from answers (oldest first), each scheduled by replaying its ratings through FSRS."""
    from fsrs import Card as FsrsCard
    from fsrs import Rating

    cards: dict[str, Card] = {}
    states: dict[str, Any] = {}
    for a in answers:
        card = cards.get(a["key"])
        if card is None:
            tags = list(a.get("competencies", []))
            card = cards[a["key"]] = Card(a["key"], a["question"], a.get("question_id"), tags)
            states[a["key"]] = FsrsCard(card_id=len(cards))
        card.answers.append(a)
        state, _ = scheduler().review_card(states[a["key"]], Rating(int(a["rating"])), when(a["answered_at"]))
        states[a["key"]] = state
        card.due, card.stability = state.due, state.stability
    return list(cards.values())
