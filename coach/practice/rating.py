"""The FSRS rating an answer earns from its analysis (issue 14).

- Again: the answer misses the question (``off_topic``), or scores under 2 of 5;
- Hard: a major flag (weight 2 or more in coach/feedback/flags.py: no result, no action, too
  short, blaming others), or a score under 3;
- Good: only minor flags, or no flags and a fair score;
- Easy: no flags and a score the rubric calls strong (4.3 or more).

An answer without a rubric score (an old session) is rated from its flags alone.
"""

from __future__ import annotations

from typing import Sequence

from coach.feedback.flags import BY_NAME
from coach.feedback.rubric import verdict

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}


def rating_for(flags: Sequence[str], score: float | None) -> int:
    if "off_topic" in flags or (score is not None and score < 2.0):
        return AGAIN
    if any(BY_NAME[f].weight >= 2 for f in flags if f in BY_NAME) or (score is not None and score < 3.0):
        return HARD
    if flags:
        return GOOD
    return EASY if score is None or verdict(score) == "strong" else GOOD
