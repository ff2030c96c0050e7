"""Handlers behind the page's practice queue: what is due, each card's answers side by side, progress.

A browser sees the cards of its own sessions and of the command line's, never another browser's
(the same rule as for sessions). A page that has no browser id yet sees no cards.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from coach.feedback.flags import label
from coach.interfaces.limits import check_owner
from coach.text import quote

if TYPE_CHECKING:
    from coach.app import Coach
    from coach.practice.cards import Card


def _day(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return ""
    if when <= now:
        return "due now"
    return f"due {when.astimezone():%Y-%m-%d}"


class PracticeHandlers:
    coach: Coach

    def _cards(self, owner) -> list[Card]:
        owner = check_owner(owner)
        return self.coach.practice.cards(owner) if owner else []

    def due_label(self, owner) -> dict[str, Any]:
        """The Mock interview tab's "start with what is due" choice: its label and whether it can be ticked."""
        owner = check_owner(owner)
        due = len(self.coach.practice.due(owner)) if owner else 0
        if not due:
            return {"label": "No practice questions are due", "interactive": False, "value": False}
        return {"label": f"Start with the {due} question(s) due for practice", "interactive": True, "value": False}

    def practice_rows(self, owner) -> list[list[Any]]:
        """Every card, soonest due first: question, when it is due, answers, last score, last flags."""
        now = self.coach.practice.now()
        rows = []
        for c in self._cards(owner):
            p = c.public()
            flags = ", ".join(label(f) for f in p["last_flags"]) or "none"
            score = "" if p["last_score"] is None else p["last_score"]
            rows.append([p["question"], _day(c.due, now), p["answers"], score, flags])
        return rows

    def practice_card(self, owner, question: str | None) -> str:
        """One card's answers side by side (oldest first), with what changed from each to the next."""
        from coach.practice.compare import before_after

        card = next((c for c in self._cards(owner) if c.question == question), None)
        if card is None:
            return "Choose a question from the practice queue."
        answers = card.answers[-4:]
        header = "| | " + " | ".join(f"answer {len(card.answers) - len(answers) + i + 1}" for i in range(len(answers)))
        lines = [
            f"**{card.question}**  \n{_day(card.due, self.coach.practice.now())}; {len(card.answers)} answer(s)",
            header + " |",
            "|---" * (len(answers) + 1) + "|",
        ]

        def cell(text: str) -> str:
            return text.replace("|", "/").replace("\n", " ")

        def row(name: str, values: list[str]) -> str:
            return f"| {name} | " + " | ".join(cell(v) for v in values) + " |"

        lines.append(row("when", [dt.datetime.fromtimestamp(a["answered_at"]).strftime("%Y-%m-%d") for a in answers]))
        lines.append(row("score", ["" if a.get("score") is None else f"{a['score']}/5" for a in answers]))
        lines.append(row("flags", [", ".join(label(f) for f in a.get("flags", [])) or "none" for a in answers]))
        lines.append(
            row("answer", [quote(a.get("answer") or "(no answer: from a debrief's notes)", 300) for a in answers])
        )
        changes = [
            before_after(prev, cur.get("flags", []), cur.get("score"))["summary"]
            for prev, cur in zip(answers, answers[1:])
        ]
        if changes:
            lines.append("\n" + "\n".join(f"- {c}" for c in changes))
        return "\n".join(lines)

    def competency_progress(self, owner):
        """Scores over time per competency (the bank's tags), for the progress plot: (rows, x range)."""
        import pandas as pd

        owner = check_owner(owner)
        data = self.coach.practice.competency_progress(owner) if owner else {}
        rows = []
        order = sorted({t for points in data.values() for t, _ in points})
        number = {t: i for i, t in enumerate(order, 1)}
        for competency, points in data.items():
            for t, score in points:
                rows.append({"answer": number[t], "competency": competency, "score": score})
        frame = pd.DataFrame(rows, columns=["answer", "competency", "score"])
        return frame, [0.5, max(1, len(order)) + 0.5]
