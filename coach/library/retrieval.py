"""Query text to the best passages, best first: vectors and keywords together.

Measured recall@3 (see README, 'Retrieval quality'), development set / held-out set:
vectors alone 0.77 / 0.70; + 0.2 x BM25 0.89 / 0.76; + asked-as alias vectors
(knowledge/asked_as.jsonl, written without seeing either set) and 0.1 x BM25
0.94 / 0.88. The keyword index also searches each passage's asked-as questions
(doc2query on the keyword side, 2026-11-25): on the three development sets
(236 situations, one written that day by someone who had seen neither the
aliases nor any evaluation set) recall@3 went from 209 to 214 found, and it was
higher at every weight from 0.1 to 0.25; 0.15 sits in the middle of the flat
part. The weight was chosen on the development sets only. A passage's
score is its best cosine similarity (its own vector or an alias), 0..1, so
thresholds on it mean the same with or without keywords.
"""

from __future__ import annotations

import re

from coach.errors import InputError
from coach.library.keyword_index import KeywordIndex, fuse
from coach.library.store import KnowledgeStore, Passage
from coach.model.embedding import Embedder
from coach.text import cosine

MAX_QUERY_CHARS = 2000
KEYWORD_WEIGHT = 0.15
CANDIDATES = 30


def clean_query(query: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", query or "")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InputError("The question is empty.", "Type what you want to know, for example: how do I stop rambling?")
    return text[:MAX_QUERY_CHARS]


class Retriever:
    def __init__(
        self, store: KnowledgeStore, embedder: Embedder, default_k: int = 4, keywords: KeywordIndex | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.default_k = default_k
        self.keywords = keywords

    def search(self, query: str, k: int | None = None, advice_only: bool = False) -> list[Passage]:
        text = clean_query(query)
        k = self.default_k if k is None else k
        if k < 1:
            raise InputError("-k must be at least 1.")
        vector = self.embedder.embed([text])[0]
        where = {"kind": "advice"} if advice_only else None
        candidates = {p.chunk_id: p for p in self.store.query(vector, max(k, CANDIDATES), where=where)}
        if self.keywords is None or not candidates:
            return list(candidates.values())[:k]
        self.keywords.ensure(self.store.revision(), self.store.keyword_corpus)
        keyword_scores = self.keywords.scores(text, CANDIDATES)
        missing = [pid for pid in keyword_scores if pid not in candidates]
        for passage, vec in self.store.get_with_vectors(missing):
            if advice_only and passage.kind != "advice":
                continue
            score = max(0.0, min(1.0, cosine(vector, vec)))
            candidates[passage.chunk_id] = Passage(**{**passage.__dict__, "score": score})
        cosines = {pid: p.score for pid, p in candidates.items()}
        ranked = fuse(cosines, {pid: s for pid, s in keyword_scores.items() if pid in candidates}, KEYWORD_WEIGHT)
        return [candidates[pid] for pid, _ in ranked[:k]]
