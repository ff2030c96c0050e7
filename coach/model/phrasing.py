"""Short lines worded by the model, checked, with fixed wording as the fallback.

The interviewer's greeting, acknowledgements and follow-ups, and the coach's
comments, are worded by the model when its text passes the checks here;
otherwise the fixed wording (the question bank's, or a template) is used, so
a session stays coherent even on the tiny default model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from coach.model.guard import degenerate_reason
from coach.model.llm import ChatModel, Message, Sampling

LINE_SAMPLING = Sampling(max_tokens=60, temperature=0.3, stop=("\n\n",))


@dataclass(frozen=True)
class Line:
    text: str
    from_model: bool
    rejected: str = ""  # why the model's text was not used


ROLE_LABEL = re.compile(r"^\s*(the )?(interviewer|coach|assistant|recruiter|hiring manager)\s*:\s*", re.I)
TAG = re.compile(r"</?[a-z_]+[^>]*>", re.I)


def first_sentences(text: str, n: int) -> str:
    text = ROLE_LABEL.sub("", re.sub(r"\s+", " ", text).strip())
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(parts[:n]).strip()


def copies(text: str, source: str, share: float = 0.7) -> bool:
    """True when most of text's words come from source (an echoed instruction or passage)."""
    words = re.findall(r"[a-z']+", text.lower())
    pool = set(re.findall(r"[a-z']+", source.lower()))
    return len(words) >= 3 and sum(w in pool for w in words) / len(words) >= share


def check_line(
    text: str,
    *,
    max_words: int,
    question: bool | None = None,
    banned: Sequence[str] = (),
    user_text: str = "",
    instruction: str = "",
) -> str | None:
    """Why a worded line cannot be used, or None when it can."""
    reason = degenerate_reason(text, user_text)
    if reason:
        return reason
    if TAG.search(text):
        return "contains markup"
    if re.search(r"\[[^\]]*\]", text):
        return "contains a placeholder"
    if instruction and any(
        copies(s, instruction, 0.75) for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3
    ):
        return "repeats the instruction"
    words = len(text.split())
    if words > max_words:
        return f"too long ({words} words)"
    has_q = "?" in text
    if question is True and not text.rstrip().endswith("?"):
        return "not a question"
    if question is False and has_q:
        return "asks a question"
    lower = text.lower()
    for b in banned:
        if b in lower:
            return f"contains {b!r}"
    if re.search(r"\b(as an ai|language model|i cannot|i can't help)\b", lower):
        return "breaks character"
    return None


def worded_line(
    model: ChatModel,
    messages: list[Message],
    fallback: str,
    validate: Callable[[str], str | None],
    sentences: int = 2,
    sampling: Sampling = LINE_SAMPLING,
    on_queued=None,
) -> Line:
    raw = "".join(model.stream(messages, sampling, on_queued=on_queued)).strip().strip('"').strip()
    text = first_sentences(raw, sentences).strip('"').strip()
    reason = validate(text) if text else "empty"
    if reason:
        return Line(fallback, False, reason)
    return Line(text, True)
