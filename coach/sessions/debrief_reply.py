"""The coach's answer to what the person types between two debrief steps.

The page asks "Reply if you like", so a reply is read, never ignored (issue 11: "Is that better?"
went unanswered). Decision, in this order:

1. A question ("Should I email them again?") is answered in the words of the passage that fits it
   best, with the passage named.
2. At the practise and try-again steps, a new answer to a question that went badly (20 words or
   more) is analysed as an answer to that question and, when the debrief had the transcript's
   answer, compared with it: what is fixed, what is still there.
3. Anything else gets a short authored reply that fits the step, saying what to do next.

No model text: all of it is the coach's own words and the passages' sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from coach.feedback.flags import label
from coach.practice.compare import flag_changes
from coach.sessions.answer_comment import authored_comment
from coach.sessions.debrief_notes import question_for_coach
from coach.text import cosine, quote

MIN_ANSWER_WORDS = 20
STEP_REPLIES = {
    "acknowledge": (
        "Thank you for telling me. Feeling like this after a hard interview is normal, and it eases once you "
        "look at what happened calmly, which is the next step."
    ),
    "review": "Noted. Owning your part, without blaming yourself for all of it, is what changes the next interview.",
    "improve": "Noted. Keep the list short: one or two things you will practise before the next interview.",
    "practise": (
        "When you are ready, type a new answer to one of the questions above and press Next step: "
        "I will tell you how it reads."
    ),
    "try_again": "Noted. Your action plan and drafts come next.",
}
ANSWER_STEPS = ("practise", "try_again")  # where a new answer is invited (the page says so at step 4)


@dataclass
class DebriefReply:
    text: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "step"  # "answer" | "question" | "step"


def _without_asides(text: str) -> str:
    """The answer without a trailing "Is that better?" or "How about this:" around it."""
    text = re.sub(r"(?i)\b(is|was) (that|this|it) (any )?better\??\s*$", "", text.strip())
    return re.sub(
        r"(?i)^\s*(how about|what about|try|ok(ay)?|here'?s (my|a) (new|better) (answer|try))\b[^:]{0,25}:\s*", "", text
    )


def _compare(before: list[str], after: list[str]) -> str:
    fixed, still, new = flag_changes(before, after)
    parts = []
    if fixed:
        parts.append(f"fixed since the interview: {', '.join(label(f) for f in fixed)}")
    if still:
        parts.append(f"still there: {', '.join(label(f) for f in still)}")
    if new:
        parts.append(f"new this time: {', '.join(label(f) for f in new)}")
    if not parts:
        return "Compared with the interview: no problems then or now."
    text = "; ".join(parts)
    return f"Compared with the interview: {text}."


def respond(debrief, report: dict[str, Any], step_key: str, text: str) -> DebriefReply:
    """The coach's reply to ``text`` typed after the step ``step_key`` of ``report``."""
    body = _without_asides(text)  # "Is that better?" asks about the answer, not for guidance
    question = question_for_coach(body)
    found = debrief.their_question(question) if question else None
    if found is not None:
        line, passage = found
        return DebriefReply(f"{line} [1]", [passage.shown()], "question")
    embedder = debrief.reviewer.embedder
    weak = report.get("weak_questions") or []
    if weak and step_key in ANSWER_STEPS and len(body.split()) >= MIN_ANSWER_WORDS:
        target = weak[0]
        if len(weak) > 1 and embedder is not None:  # the question this answer is closest to
            body_vec, *question_vecs = embedder.embed([body, *(w["question"] for w in weak)])
            scores = [cosine(body_vec, v) for v in question_vecs]
            target = weak[max(range(len(weak)), key=scores.__getitem__)]
        review = debrief.reviewer.review(target["question"], body)
        comment, passage = authored_comment(review)
        flags = review.analysis.flags
        said = f"Flags: {', '.join(label(f) for f in flags)}." if flags else "No flags."
        lines = [
            f'Read as your answer to "{quote(target["question"], 140)}": {comment}{" [1]" if passage else ""} {said}'
        ]
        if target.get("flags"):  # the transcript's answer was analysed: say what changed
            lines.append(_compare(target["flags"], flags))
        return DebriefReply(" ".join(lines), [passage.shown()] if passage else [], "answer")
    return DebriefReply(STEP_REPLIES.get(step_key, "Noted, and saved with your debrief."))
