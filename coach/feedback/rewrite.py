"""A capable model's rewrite of "your answer, stronger", kept only when it passes the same checks.

The authored version (coach/feedback/stronger.py) is the user's own sentences in STAR order. A model
that is not small may make it read more fluently; its text is shown instead only when it:

- passes the fact lock (no number, number word or name the answer never said);
- keeps every slot ("[the result: what changed, with a number]") word for word, so the gaps stay
  visible;
- is not degenerate (empty, a refusal, an echo of the instructions) and adds no blame;
- is at most 1.5 times as long as the authored version (a rewrite, not an essay).

Otherwise the authored version stays and the reason is kept under "model_rejected" for the tests
and `--json`. Small models are never asked: the default 135M model cannot keep facts straight.
"""

from __future__ import annotations

import re
from typing import Any

from coach.feedback.analysis import patterns
from coach.feedback.stronger import SLOT, fact_lock
from coach.model.guard import degenerate_reason
from coach.model.llm import ChatModel, Sampling, complete
from coach.model.prompts import PromptLibrary, as_data

REWRITE_SAMPLING = Sampling(max_tokens=320, temperature=0.2, stop=("\n\n\n",))
MAX_GROWTH = 1.5


def rewrite_problem(text: str, answer: str, version: dict[str, Any]) -> str | None:
    """Why a model's rewrite cannot be shown, or None."""
    text = text.strip()
    reason = degenerate_reason(text, answer)
    if reason:
        return reason
    if re.search(r"(?i)stronger version|square brackets|first person|situation, task, action", text):
        return "echoes the instructions"
    invented = fact_lock(text, answer)
    if invented:
        return f"says what the answer never said: {', '.join(invented[:5])}"
    missing = [s for s in SLOT.findall(version["text"]) if s not in text]
    if missing:
        return f"drops the gap {missing[0]}"
    if len(text.split()) > MAX_GROWTH * max(20, len(version["text"].split())):
        return "much longer than the answer"
    if any(re.search(b, text, re.I) for b in patterns().blame) and not any(
        re.search(b, answer, re.I) for b in patterns().blame
    ):
        return "blames someone"
    return None


def rewritten(
    model: ChatModel | None, prompts: PromptLibrary, question: str, answer: str, version: dict[str, Any]
) -> dict[str, Any]:
    """``version`` with the model's text in place of the authored one when the model may and it passes."""
    if model is None or model.small or not version.get("text"):
        return version
    messages = [
        {"role": "system", "content": prompts.render("coach_system")},
        {
            "role": "user",
            "content": prompts.render(
                "stronger_rewrite",
                question=question,
                answer=as_data("candidate", answer),
                version=version["text"],
            ),
        },
    ]
    text = complete(model, messages, REWRITE_SAMPLING).strip()
    problem = rewrite_problem(text, answer, version)
    if problem:
        return version | {"model_rejected": problem}
    return version | {"text": text, "authored_text": version["text"], "worded_by_model": True}
