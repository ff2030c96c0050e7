"""Query text to the best passages, best first."""

from __future__ import annotations

import re

from .embedding import Embedder
from .errors import InputError
from .store import KnowledgeStore, Passage

MAX_QUERY_CHARS = 2000


def clean_query(query: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", query or "")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InputError("The question is empty.", "Type what you want to know, for example: how do I stop rambling?")
    return text[:MAX_QUERY_CHARS]


class Retriever:
    def __init__(self, store: KnowledgeStore, embedder: Embedder, default_k: int = 4) -> None:
        self.store = store
        self.embedder = embedder
        self.default_k = default_k

    def search(self, query: str, k: int | None = None, advice_only: bool = False) -> list[Passage]:
        text = clean_query(query)
        k = self.default_k if k is None else k
        if k < 1:
            raise InputError("-k must be at least 1.")
        vector = self.embedder.embed([text])[0]
        where = {"kind": "advice"} if advice_only else None
        return self.store.query(vector, k, where=where)
