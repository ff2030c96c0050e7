"""A BM25 keyword index over the store's passages (English stemming), built in memory.

It is rebuilt when the store's revision changes, so any app instance sharing a
Chroma server sees new passages on its next query.
"""

from __future__ import annotations

import threading


class KeywordIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: object = None
        self._ids: list[str] = []
        self._bm25 = None
        self._stemmer = None

    def _stem(self):
        if self._stemmer is None:
            import Stemmer

            self._stemmer = Stemmer.Stemmer("english")
        return self._stemmer

    def ensure(self, revision: object, load: "callable") -> None:
        """(Re)build from ``load() -> (ids, texts)`` when ``revision`` differs from the last build."""
        with self._lock:
            if self._revision == revision and self._bm25 is not None:
                return
            import bm25s

            ids, texts = load()
            self._ids = list(ids)
            if not texts:
                self._bm25 = None
            else:
                bm = bm25s.BM25()
                bm.index(
                    bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stem(), show_progress=False),
                    show_progress=False,
                )
                self._bm25 = bm
            self._revision = revision

    def scores(self, query: str, k: int) -> dict[str, float]:
        """BM25 scores of the k best passages for the query (empty when nothing matches)."""
        import bm25s

        with self._lock:
            bm, ids = self._bm25, self._ids
        if bm is None or not ids:
            return {}
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stem(), show_progress=False)
        if not tokens.vocab:
            return {}
        docs, scores = bm.retrieve(tokens, k=min(k, len(ids)), show_progress=False, n_threads=1)
        return {ids[int(d)]: float(s) for d, s in zip(docs[0], scores[0]) if s > 0}


def normalise(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values(), default=0.0)
    return {k: v / top for k, v in scores.items()} if top > 0 else {}


def fuse(cosines: dict[str, float], keywords: dict[str, float], weight: float) -> list[tuple[str, float]]:
    """Rank ids by cosine + weight * normalised BM25 (ids without a cosine are skipped)."""
    bm = normalise(keywords)
    fused = {pid: cos + weight * bm.get(pid, 0.0) for pid, cos in cosines.items()}
    return sorted(fused.items(), key=lambda kv: -kv[1])
