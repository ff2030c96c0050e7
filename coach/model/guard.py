"""Guarding small-model output: stop loops and role breaks, and judge what is degenerate.

:class:`StreamGuard` sits on the token stream: text is released a sentence at a
time, a sentence already said ends the reply, and so does the model starting
to speak as the user or leaking chat-template tokens. :func:`degenerate_reason`
is the judge used by tests and benchmarks on the final text.
"""

from __future__ import annotations

import re

# The model starting a new turn, or leaking template tokens: cut there.
ROLE_BREAK = re.compile(
    r"(<\|[a-z_]+\|>|<\/?s>|\[/?INST\]|^\s*#{0,3}\s*(?:user|candidate|human|interviewee|me|you|assistant|system|question)\s*:)",
    re.I | re.M,
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
LOOP = re.compile(r"(.{6,60}?)(?:\W*\1){3,}", re.S)


def normalise(sentence: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", sentence.lower()).strip()


class StreamGuard:
    """Feed chunks; get back the text that is safe to show. ``stopped`` ends generation."""

    def __init__(self) -> None:
        self.buffer = ""
        self.emitted: list[str] = []
        self.seen: set[str] = set()
        self.stopped = False
        self.reason = ""

    def _stop(self, reason: str) -> None:
        self.stopped = True
        self.reason = reason

    def _accept(self, sentence: str) -> str:
        key = normalise(sentence)
        if key and len(key) >= 6 and key in self.seen:
            self._stop("repeated sentence")
            return ""
        if key:
            self.seen.add(key)
        self.emitted.append(sentence)
        return sentence

    def feed(self, chunk: str) -> str:
        if self.stopped:
            return ""
        self.buffer += chunk
        out = []
        role = ROLE_BREAK.search(self.buffer)
        if role:
            self.buffer = self.buffer[: role.start()]
            self._stop("role break")
        loop = LOOP.search(self.buffer)
        if loop:
            self.buffer = self.buffer[: loop.start() + len(loop.group(1))]
            self._stop("loop")
        while True:
            match = SENTENCE_END.search(self.buffer)
            if not match:
                break
            sentence = self.buffer[: match.end()]
            self.buffer = self.buffer[match.end() :]
            if sentence.strip():
                out.append(self._accept(sentence))
            elif sentence:
                out.append(sentence)
            if self.stopped:
                self.buffer = ""
                break
        if self.stopped and self.buffer:
            out.append(self._accept(self.buffer) if not self.reason == "repeated sentence" else "")
            self.buffer = ""
        return "".join(out)

    def finish(self) -> str:
        """The rest of the buffer; a dangling half sentence cut by the token cap is dropped."""
        rest, self.buffer = self.buffer, ""
        if self.stopped or not rest.strip():
            return ""
        if self.emitted and not re.search(r"[.!?)\]\"']\s*$", rest):
            return ""  # unfinished sentence after complete ones (a closing "]" ends a slot or citation)
        return self._accept(rest)


def clean(text: str) -> str:
    """Run a whole text through the guard (non-streaming use)."""
    guard = StreamGuard()
    out = guard.feed(text) + guard.finish()
    return re.sub(r"[ \t]+\n", "\n", out).strip()


def degenerate_reason(text: str, user_text: str = "") -> str | None:
    """Why a final reply is degenerate, or None if it is usable."""
    stripped = (text or "").strip()
    words = re.findall(r"[A-Za-z']+", stripped)
    if len(words) < 3:
        return "empty"
    if ROLE_BREAK.search(stripped):
        return "speaks as another role"
    sentences = [normalise(s) for s in re.split(r"(?<=[.!?])\s+|\n+", stripped) if len(normalise(s)) >= 6]
    if len(sentences) != len(set(sentences)):
        return "repeats a sentence"
    lower = [w.lower() for w in words]
    grams = [" ".join(lower[i : i + 4]) for i in range(len(lower) - 3)]
    if grams and max(grams.count(g) for g in set(grams)) >= 3:
        return "loops"
    if len(set(lower)) / len(lower) < 0.3 and len(lower) > 20:
        return "loops"
    letters = sum(ch.isalpha() for ch in stripped)
    if letters / max(1, len(stripped)) < 0.5:
        return "not prose"
    if user_text and normalise(stripped) and normalise(stripped) in normalise(user_text):
        return "echoes the user"
    return None
