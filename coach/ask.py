"""Coaching questions answered from retrieved passages, with checked citations.

Flow: retrieve -> (nothing relevant? say so, no model call) -> prompt with the
passages in the latest message -> stream the guarded reply -> check citations.
If the model's reply is degenerate or cites nothing the passages support, the
answer falls back to the most relevant sentences of the passages themselves,
so what the user reads is always grounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from .citations import Citation, check_citations, split_sentences
from .context_budget import fit_messages
from .embedding import Embedder
from .guard import degenerate_reason
from .llm import ChatModel, Message
from .prompts import PromptLibrary, as_data, passages_block
from .retrieval import Retriever, clean_query
from .store import Passage

# Below this retrieval score the knowledge base has nothing on the question
# (calibrated on tests/data/ask_questions.jsonl: in-scope questions score 0.38+,
# out-of-scope ones 0.27 or less).
MIN_RELEVANCE = 0.32
NO_GUIDANCE = (
    "I have no guidance on that in my knowledge base. I can help with preparing for interviews, "
    "answering questions, handling nerves, and recovering and following up after an interview."
)


@dataclass
class AskResult:
    question: str
    answer: str
    sources: list[Passage]
    citations: list[Citation]
    fallback: bool = False  # True when the answer was built from the passages, not the model
    model_reply: str = ""  # the guarded model text, kept for evaluation
    degenerate: str | None = None

    def public(self) -> dict:
        return {
            "answer": self.answer,
            "sources": [p.public() for p in self.sources],
            "citations": [c.public() for c in self.citations],
        }


@dataclass
class AskEvent:
    kind: str  # "sources" | "queued" | "token" | "done"
    text: str = ""
    passages: list[Passage] = field(default_factory=list)
    result: AskResult | None = None


def extractive_answer(question: str, passages: Sequence[Passage], embedder: Embedder, limit: int = 3) -> str:
    """The passage sentences closest to the question, each with its citation."""
    candidates: list[tuple[int, str]] = []
    for i, p in enumerate(passages[:3], 1):
        for s in split_sentences(p.text):
            if 6 <= len(s.split()) <= 45:
                candidates.append((i, s))
    if not candidates:
        return ""
    vectors = embedder.embed([question] + [s for _, s in candidates])
    q = vectors[0]
    scored = sorted(
        zip(candidates, vectors[1:]), key=lambda cv: -sum(a * b for a, b in zip(q, cv[1]))
    )
    chosen: list[tuple[int, str]] = []
    used_passages: set[int] = set()
    for (i, s), _ in scored:
        if i in used_passages and len(used_passages) < min(2, len(passages)):
            continue
        chosen.append((i, s))
        used_passages.add(i)
        if len(chosen) == limit:
            break
    chosen.sort(key=lambda c: c[0])
    return " ".join(f"{s.rstrip()} [{i}]" for i, s in chosen)


class AskService:
    def __init__(self, retriever: Retriever, model: ChatModel, prompts: PromptLibrary, embedder: Embedder, k: int = 3, max_tokens: int = 320) -> None:
        self.retriever = retriever
        self.model = model
        self.prompts = prompts
        self.embedder = embedder
        self.k = k
        self.max_tokens = max_tokens

    def relevant_passages(self, question: str) -> list[Passage]:
        passages = self.retriever.search(question, k=self.k)
        return [p for p in passages if p.score >= MIN_RELEVANCE]

    def messages(self, question: str, passages: Sequence[Passage], history: Sequence[Message] = (), context: str = "") -> list[Message]:
        latest = self.prompts.render(
            "ask",
            passages=passages_block(passages),
            question=as_data("question", question),
            context=as_data("context", context) if context else "",
        )
        system = self.prompts.render("coach_system")
        return fit_messages(self.model, system, history, latest, reserve=self.max_tokens)

    def stream(self, question: str, history: Sequence[Message] = (), context: str = "") -> Iterator[AskEvent]:
        question = clean_query(question)
        passages = self.relevant_passages(question)
        yield AskEvent("sources", passages=passages)
        if not passages:
            yield AskEvent("token", text=NO_GUIDANCE)
            yield AskEvent("done", result=AskResult(question, NO_GUIDANCE, [], []))
            return
        queued: list[int] = []
        reply_parts: list[str] = []
        stream = self.model.stream(self.messages(question, passages, history, context), on_queued=queued.append)
        for chunk in stream:
            if queued:
                yield AskEvent("queued", text=f"Waiting for the model ({queued.pop()} ahead)...")
            reply_parts.append(chunk)
            yield AskEvent("token", text=chunk)
        yield AskEvent("done", result=self.finish(question, "".join(reply_parts).strip(), passages))

    def finish(self, question: str, reply: str, passages: Sequence[Passage]) -> AskResult:
        texts = [p.text for p in passages]
        reason = degenerate_reason(reply, question)
        citations = [] if reason else check_citations(reply, texts, self.embedder)
        if reason or not any(c.supported for c in citations):
            answer = extractive_answer(question, passages, self.embedder)
            return AskResult(
                question,
                answer,
                list(passages),
                check_citations(answer, texts, self.embedder),
                fallback=True,
                model_reply=reply,
                degenerate=reason,
            )
        return AskResult(question, reply, list(passages), citations, model_reply=reply)

    def ask(self, question: str, history: Sequence[Message] = (), context: str = "") -> AskResult:
        for event in self.stream(question, history, context):
            if event.kind == "done":
                assert event.result is not None
                return event.result
        raise RuntimeError("ask stream ended without a result")


def render_with_marks(result: AskResult) -> str:
    """The answer with unsupported citations visibly marked, e.g. [2?]."""
    text = result.answer
    for c in result.citations:
        if not c.supported and not c.added:
            text = text.replace(c.sentence, re.sub(rf"\[{c.source_index}\]", f"[{c.source_index}?]", c.sentence), 1)
    return text
