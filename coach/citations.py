"""Check that each cited sentence is supported by the passage it cites.

Support is the cosine similarity between the sentence (markers removed) and the
passage, both embedded with the store's model. The threshold was calibrated on
tests/data/citation_calibration.jsonl (see README, 'Grounding').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .embedding import Embedder

SUPPORT_THRESHOLD = 0.40
MARKER = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Citation:
    sentence: str
    source_index: int  # 1-based, as shown to the user
    supported: bool
    score: float
    added: bool = False  # True when the checker attached a citation the model left out

    def public(self) -> dict:
        return {"sentence": self.sentence, "source_index": self.source_index, "supported": self.supported}


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?\]])\s+(?=[A-Z0-9\"'(])|\n+", text.strip())
    return [p.strip() for p in parts if re.search(r"[A-Za-z]{2}", p or "")]


def strip_markers(sentence: str) -> str:
    return re.sub(r"\s*\[\d{1,2}\]", "", sentence).strip()


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b)))  # vectors are normalised


def check_citations(
    answer: str,
    passage_texts: Sequence[str],
    embedder: Embedder,
    threshold: float = SUPPORT_THRESHOLD,
    attach_uncited: bool = True,
) -> list[Citation]:
    sentences = split_sentences(answer)
    if not sentences or not passage_texts:
        return []
    plain = [strip_markers(s) for s in sentences]
    vectors = embedder.embed(plain + list(passage_texts))
    sent_vecs, pass_vecs = vectors[: len(plain)], vectors[len(plain):]
    citations: list[Citation] = []
    for sentence, vec in zip(sentences, sent_vecs):
        cited = [int(n) for n in MARKER.findall(sentence)]
        if cited:
            for n in dict.fromkeys(cited):
                if 1 <= n <= len(pass_vecs):
                    score = cosine(vec, pass_vecs[n - 1])
                    citations.append(Citation(sentence, n, score >= threshold, round(score, 4)))
                else:
                    citations.append(Citation(sentence, n, False, 0.0))
        elif attach_uncited:
            scores = [cosine(vec, p) for p in pass_vecs]
            best = max(range(len(scores)), key=scores.__getitem__)
            if scores[best] >= threshold:
                citations.append(Citation(sentence, best + 1, True, round(scores[best], 4), added=True))
    return citations


def supported_rate(citations: Sequence[Citation]) -> float:
    made = [c for c in citations if not c.added]
    return sum(c.supported for c in made) / len(made) if made else 1.0
