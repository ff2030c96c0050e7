"""STAR per sentence: each sentence of an answer tagged situation, task, action, result or other.

A multinomial logistic regression over the sentence's embedding (the vectors the relevance check
already computes) plus a few cues: where the sentence sits in the answer, first person, "would",
a number, a question back, and short word lists for task, result, background and filler words.
Trained on ``tests/data/star_sentences.jsonl`` (team-written; answers whose crc32(answer_id) % 3 == 0
are held out and never trained or tuned on) by ``python -m coach.feedback.star_tagger``, which
writes ``star_tagger.npz`` beside this file. Training is deterministic (zero start, full-batch
gradient descent), so the shipped weights can be rebuilt exactly. Figures: README, "Answer analysis".
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Sequence

TAGS = ("situation", "task", "action", "result", "other")
WEIGHTS = Path(__file__).with_name("star_tagger.npz")
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "star_sentences.jsonl"
L2, RATE, EPOCHS = 1e-4, 2.0, 1500  # chosen by 3-fold cross-validation on the development answers

CUES = (
    re.compile(r"\bI\b|\bI'(d|ll|m|ve)\b"),
    re.compile(r"\b(would|'d|will)\b"),
    re.compile(r"\d|%"),
    re.compile(r"\b(we|our)\b", re.I),
    re.compile(r"\?\s*$"),
    re.compile(
        r"\b(had to|needed to|my job|my role|responsible|goal|the problem was|task|asked me to|it was on me)\b", re.I
    ),
    re.compile(
        r"\b(so|as a result|in the end|by the end|after that|which meant|led to|result|now|since then|learned|"
        r"went from|dropped|rose|increased|reduced|saved)\b",
        re.I,
    ),
    re.compile(
        r"\b(ago|last (year|spring|summer|winter|autumn|month)|when I was|at my (last|previous)|was working)\b", re.I
    ),
    re.compile(r"\b(um|uh|honestly|I think|I guess|kind of|sort of)\b", re.I),
)


def features(sentences: Sequence[str], vectors: Sequence[Sequence[float]]):
    """One row per sentence: its embedding, then the cues and its position in the answer."""
    import numpy as np

    last = max(len(sentences) - 1, 1)
    rows = []
    for n, (s, v) in enumerate(zip(sentences, vectors)):
        pos = n / last if len(sentences) > 1 else 0.0
        cues = [bool(c.search(s)) for c in CUES]
        rows.append([*v, *cues, pos, pos * pos, n == 0, n == len(sentences) - 1])
    return np.asarray(rows, dtype=np.float32)


@lru_cache(maxsize=1)
def _weights():
    import numpy as np

    with np.load(WEIGHTS) as data:
        return data["W"], data["b"]


def tag(sentences: Sequence[str], vectors: Sequence[Sequence[float]]) -> list[str]:
    """The STAR tag of each sentence, from its embedding (``vectors``, one per sentence)."""
    if not sentences:
        return []
    W, b = _weights()
    scores = features(sentences, vectors) @ W + b
    return [TAGS[i] for i in scores.argmax(1)]


def _clear_results(sentences: Sequence[str], tags: list[str]) -> list[str]:
    """A sentence the rules read plainly as an outcome with a number ("Handover went from about 45
    minutes to 30") is a result, not the situation or "other" the embedding guessed; "the stronger
    version" would otherwise move it to the front of the story."""
    from coach.feedback.analysis import patterns

    out = list(tags)
    for n, sentence in enumerate(sentences):
        tag = out[n]
        if tag not in ("situation", "task", "other") or not patterns().number.search(sentence):
            continue
        if _rule_scores(sentence)[3] < CLEAR_RESULT:
            continue
        if tag != "other" and out.count(tag) == 1:
            continue  # the only sentence holding its element keeps it
        out[n] = "result"
    return out


CLEAR_RESULT = 0.6


def _rule_scores(sentence: str) -> list[float]:
    from coach.feedback.analysis import star_scores

    star = star_scores(sentence)
    return [star[t] for t in TAGS[:4]] + [0.49]  # "other" unless a cue reaches the presence line


def tag_agreeing(sentences: Sequence[str], vectors, present: dict[str, bool]) -> list[str]:
    """Tags that agree with the answer's STAR flags, so the marks on screen never contradict them.

    The flags come from the rule set, which is measured more accurate per answer (README, "Answer
    analysis"); the tagger says which sentence is which. An element the flags call missing is
    never a tag; an element they call present goes to the sentence most likely to hold it."""
    import numpy as np

    if not sentences:
        return []
    W, b = _weights()
    X = features(sentences, vectors)
    if X.shape[1] != W.shape[0]:  # another embedding model (a test's fake): the rule cues per sentence
        scores = np.asarray([_rule_scores(s) for s in sentences], dtype=np.float32)
    else:
        scores = X @ W + b
    for i, element in enumerate(TAGS[:4]):
        if not present.get(element, True):
            scores[:, i] = -np.inf
    tags = [TAGS[i] for i in scores.argmax(1)]
    if present.get("result"):
        tags = _clear_results(sentences, tags)
    for i, element in enumerate(TAGS[:4]):
        if present.get(element) and element not in tags:
            # the likeliest sentence that is not the only one holding another present element
            free = [n for n, t in enumerate(tags) if t == "other" or t not in TAGS[:4] or tags.count(t) > 1]
            if free:
                margin = scores[free, i] - scores[free].max(1)
                tags[free[int(margin.argmax())]] = element
    return tags


# ------------------------------------------------------------ training


def fit(X, y):
    import numpy as np

    W = np.zeros((X.shape[1], len(TAGS)), dtype=np.float64)
    b = np.zeros(len(TAGS), dtype=np.float64)
    Y = np.eye(len(TAGS))[y]
    for _ in range(EPOCHS):
        z = X @ W + b
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        g = p - Y
        W -= RATE * (X.T @ g / len(X) + L2 * W)
        b -= RATE * g.mean(0)
    return W.astype(np.float32), b.astype(np.float32)


def held_out(answer_id: str) -> bool:
    return zlib.crc32(answer_id.encode()) % 3 == 0


def labelled(path: Path = DATA) -> dict[str, list[dict]]:
    """The labelled sentences, grouped by answer in order."""
    answers: dict[str, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            answers.setdefault(row["answer_id"], []).append(row)
    return {k: sorted(v, key=lambda r: r["n"]) for k, v in answers.items()}


def matrix(answers: dict[str, list[dict]], embedder):
    import numpy as np

    blocks, ys = [], []
    for rows in answers.values():
        sentences = [r["sentence"] for r in rows]
        blocks.append(features(sentences, embedder.embed(sentences)))
        ys += [TAGS.index(r["tag"]) for r in rows]
    return np.vstack(blocks), np.asarray(ys)


def train(embedder, path: Path = DATA):
    """Weights fitted on the development answers only."""
    answers = {k: v for k, v in labelled(path).items() if not held_out(k)}
    return fit(*matrix(answers, embedder))


def main() -> None:  # python -m coach.feedback.star_tagger: rebuild star_tagger.npz
    import numpy as np

    from coach.app import build
    from coach.config import Settings
    from coach.offline import go_offline

    go_offline()
    embedder = build(Settings.load()).embedder
    W, b = train(embedder)
    np.savez(WEIGHTS, W=W, b=b)
    print(f"wrote {WEIGHTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
