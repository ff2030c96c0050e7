"""Fakes for the fast unit tier: a scripted chat model that records what it was sent, and a
deterministic embedder. They live only in tests; the app never builds them."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

from coach.model.llm import DEFAULT_SAMPLING, Message, answer_style, approx_tokens, guarded


@dataclass
class ScriptedChatModel:
    """Replies from a queue (then ``default``) and records every request in ``history``."""

    replies: list[str] = field(default_factory=list)
    default: str = "Practise your answer out loud and keep it to two minutes."
    name: str = "scripted"
    where: str = "scripted fake"
    context_size: int = 4096
    small: bool = True
    history: list[list[Message]] = field(default_factory=list)
    samplings: list = field(default_factory=list)
    loaded: bool = True
    stop_tokens: tuple[str, ...] = ("<|im_end|>",)

    @property
    def answer_style(self) -> str:
        return answer_style(self.small)

    def load(self) -> None:
        return None

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def raw_stream(self, messages, sampling=DEFAULT_SAMPLING, on_queued=None):
        self.history.append([dict(m) for m in messages])
        self.samplings.append(sampling)
        reply = self.replies.pop(0) if self.replies else self.default
        for word in reply.split(" ")[: max(1, sampling.max_tokens)]:
            yield word + " "

    def stream(self, messages, sampling=DEFAULT_SAMPLING, on_queued=None):
        return guarded(self.raw_stream(messages, sampling, on_queued))

    @property
    def last_prompt(self) -> str:
        return "\n".join(m["content"] for m in self.history[-1]) if self.history else ""


class FakeEmbedder:
    """Deterministic bag-of-words vectors: texts that share words are close, with no model at all.

    Each word (cut to five letters, as the citation check does) adds a fixed pseudo-random
    direction; the sum is normalised. Good enough for logic tests; never for quality figures.
    """

    name = "fake-bag-of-words"
    dimension = 64

    def embed(self, texts, progress=None):
        out = [self._one(t) for t in texts]
        if progress:
            progress(len(out), len(out))
        return out

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in re.findall(r"[a-z']+", text.lower()):
            digest = hashlib.sha256(word[:5].encode()).digest()
            for i in range(self.dimension):
                vector[i] += (digest[i % 32] - 127.5) / 127.5 * (1 if (digest[(i + 7) % 32] & 1) else -1)
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


class FakeRetriever:
    """The shipped knowledge, chunked by the real loader, ranked by the share of the query's content words
    each passage contains: no Chroma, no ONNX, and scores high enough to pass the coach's relevance floor.

    It is its own ``store`` as far as callers that follow the store's revision are concerned.
    """

    def __init__(self, knowledge_dir, embedder=None) -> None:
        from coach.library.chunking import chunk_document
        from coach.library.documents import load_documents
        from coach.library.store import Passage

        self.embedder = embedder or FakeEmbedder()
        self.store = self
        self._revision = 1
        report = load_documents([knowledge_dir], [knowledge_dir])
        chunks = [c for doc in report.documents for c in chunk_document(doc)]
        self.passages = [Passage(c.text, c.source, c.title, 0.0, c.id, c.heading, c.kind, c.author) for c in chunks]
        self.searches: list[str] = []

    def revision(self) -> int:
        return self._revision

    def remove_source(self, source: str) -> int:
        before = len(self.passages)
        self.passages = [p for p in self.passages if p.source != source]
        self._revision += 1
        return before - len(self.passages)

    def search(self, query: str, k: int | None = None, advice_only: bool = False):
        from dataclasses import replace

        from coach.feedback.citations import content_words

        self.searches.append(query)
        words = content_words(query) or {""}
        scored = [
            replace(p, score=len(words & content_words(p.text)) / len(words))
            for p in self.passages
            if not advice_only or p.kind == "advice"
        ]
        return sorted(scored, key=lambda p: -p.score)[: k or 3]
