"""The coach's short comment on one answer: it always agrees with the flags.

The authored comment says one true thing the answer did (never praise it did not earn: no
"answered directly" beside off topic, no "solid answer" beside any flag) and the tip for the
most important flag, with the passage behind it. The model may word the comment instead when
its text passes the judge, praises nothing the flags contradict, and is supported by the passage.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from coach.feedback.flags import PRIORITY
from coach.feedback.judge import LineContext, judge, non_answer
from coach.feedback.review import AnswerReviewer, Review
from coach.feedback.rubric import DIMENSIONS, verdict
from coach.model.llm import ChatModel
from coach.model.phrasing import copies, worded_line
from coach.model.prompts import PromptLibrary, as_data
from coach.sessions.question_bank import Question

NO_FLAGS = (
    "A solid answer: keep it this clear and specific.",
    "Nothing to fix here: answer like this on the day.",
    "That is the shape to keep: clear, specific and complete.",
)
PRAISE = re.compile(r"\b(great|solid|excellent|well done|good job|strong|perfect|impressive|clear|directly)\b", re.I)
NO_PRAISE_FLAGS = ("off_topic", "too_short", "blames_others", "self_blame", "missing_action")


def dimensions(review: Review) -> list[dict]:
    """The rubric's dimensions, or none when the answer was not scored."""
    return (review.score or {}).get("dimensions") or []


def what_went_right(review: Review) -> str:
    """One thing the answer did, true to the flags."""
    a = review.analysis
    flags = a.flags
    present = [k for k, v in a.star_present.items() if v]
    if "off_topic" in flags:
        return "This did not yet answer the question that was asked."
    if non_answer(review.answer):
        return "There was no example to work with yet, and that is fixable with preparation."
    if "too_short" in flags:
        return "You made a start, but it was too short to show much."
    if a.behavioral and present:
        return f"You covered the {', '.join(present)}."
    answers = next((d for d in dimensions(review) if d["name"] == DIMENSIONS[0]), None)
    if answers and answers["score"] <= 3:  # the rubric says it only touches the question: not "directly"
        return "You gave an answer to work with."
    if not flags:
        return "You answered the question directly."
    return "You answered the question."


def authored_comment(review: Review) -> tuple[str, Any]:
    top = next((t for f in PRIORITY for t in review.tips if t.flag == f), None)
    good = what_went_right(review)
    if top:
        return f"{good} {top.tip}", top.passage
    if review.analysis.flags:
        return good, None
    dims = dimensions(review)
    if dims and verdict(review.score["overall"]) != "strong":  # "solid" only when the score earns it
        weakest = min(dims, key=lambda d: d["score"])
        if weakest["score"] <= 3:
            return f"{good} To make it stronger ({weakest['name']}): {weakest['reason']}", None
        return f"{good} A good answer; a sharper detail or number would make it stand out.", None
    # Chosen by the question, so the same words do not come back answer after answer.
    return f"{good} {NO_FLAGS[zlib.crc32(review.analysis.question.encode()) % len(NO_FLAGS)]}", None


def agrees_with_flags(text: str, flags: list[str]) -> str | None:
    if any(f in flags for f in NO_PRAISE_FLAGS) and PRAISE.search(text):
        return "praises what the flags say is missing"
    return None


def answer_comment(
    model: ChatModel,
    prompts: PromptLibrary,
    reviewer: AnswerReviewer,
    question: Question,
    answer: str,
    review: Review,
) -> dict[str, Any]:
    """A short comment grounded in the passage behind the most important flag."""
    flags = review.analysis.flags
    fallback, passage = authored_comment(review)
    if passage is None:
        return {"text": fallback, "source": None, "worded_by_model": False}
    if model.small:  # as for the interviewer's lines: a small model's comments did not pass the judge
        return {"text": fallback, "source": passage.public(), "source_label": passage.label(), "worded_by_model": False}
    facts = ", ".join(flags) if flags else "no problems"
    latest = prompts.render(
        "answer_comment",
        passage=as_data("passage", passage.text, title=passage.title),
        question=question.text,
        answer=as_data("candidate", answer),
        facts=facts,
    )
    messages = [
        {"role": "system", "content": prompts.render("coach_system")},
        {"role": "user", "content": latest},
    ]
    instruction = prompts.render("answer_comment", passage="", question=question.text, answer="", facts=facts)
    context = LineContext(
        "coach_comment", question.text, question.kind, answer, instruction, extra=passage.text + " " + fallback
    )
    line = worded_line(
        model,
        messages,
        fallback,
        lambda t: (
            judge(t, context)
            or agrees_with_flags(t, flags)
            or ("copies the passage" if copies(t, passage.text, 0.85) else None)
        ),
        sentences=2,
    )
    text = line.text
    if line.from_model:
        from coach.feedback.citations import check_citations

        supported = (
            check_citations(f"{text} [1]", [passage.text], reviewer.embedder, attach_uncited=False)
            if reviewer.embedder
            else []
        )
        if not supported or not supported[0].supported:
            text = fallback
    return {
        "text": text,
        "source": passage.public(),
        "source_label": passage.label(),
        "worded_by_model": text != fallback,
        "rejected": line.rejected
        or ("" if text != fallback or not line.from_model else "not supported by the passage"),
    }
