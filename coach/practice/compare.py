"""Before and after: what changed between two answers to the same question."""

from __future__ import annotations

from typing import Any, Sequence

from coach.feedback.flags import label


def flag_changes(before: Sequence[str], after: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(fixed, still there, new) flags, in the order they were found."""
    fixed = [f for f in before if f not in after]
    still = [f for f in after if f in before]
    new = [f for f in after if f not in before]
    return fixed, still, new


def before_after(previous: dict[str, Any] | None, flags: Sequence[str], score: float | None) -> dict[str, Any] | None:
    """The previous answer's score and flags beside this one's, and what improved, in words."""
    if not previous:
        return None
    fixed, still, new = flag_changes(previous.get("flags") or [], flags)
    before_score = previous.get("score")
    parts = []
    if before_score is not None and score is not None:
        change = round(score - before_score, 1)
        parts.append(f"score {before_score:.1f} -> {score:.1f}" + (f" ({change:+.1f})" if change else " (no change)"))
    if fixed:
        parts.append("fixed: " + ", ".join(label(f) for f in fixed))
    if still:
        parts.append("still there: " + ", ".join(label(f) for f in still))
    if new:
        parts.append("new this time: " + ", ".join(label(f) for f in new))
    return {
        "answered_at": previous.get("answered_at"),
        "answer": previous.get("answer", ""),
        "score": before_score,
        "flags": list(previous.get("flags") or []),
        "fixed": fixed,
        "still": still,
        "new": new,
        "summary": "Since your last answer to this question: " + ("; ".join(parts) or "no change") + ".",
    }
