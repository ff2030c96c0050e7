"""Does a question ask for a story from the candidate's past? Read from its wording and its meaning.

The analysis asks for situation, task, action and result only of a story question. A bank question's
kind is known; a question of the user's own (``coach analyze -q``, a debrief's transcript, the
page's free question) is not, and most story questions are asked without the stock wording
("What's the toughest feedback you've had to give?", "How did you get your team through the
restructure?"): the wording rules in patterns.json find under a third of them.

So a logistic regression over the question's embedding plus a few cues (past tense about "you",
"would", "what is", a last or previous role...) says how likely a story is asked for; the stock
wording still counts on its own. Trained on the bank's questions, the development part of
``tests/data/question_kinds.jsonl`` (written blind; ids whose crc32 % 3 == 0 are held out, never
trained or tuned on) and the questions of the development answers, by
``python -m coach.feedback.question_kind``, which writes ``question_kind.npz`` beside this file.
Training is deterministic (zero start, full-batch gradient descent). Figures: README, "Answer analysis".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from coach.feedback.star_tagger import held_out  # the one split of every labelled set: crc32(id) % 3 == 0

WEIGHTS = Path(__file__).with_name("question_kind.npz")
ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "knowledge" / "question_bank" / "questions.json"
DATA = ROOT / "tests" / "data"
L2, RATE, EPOCHS = 1e-3, 2.0, 2000  # chosen by 3-fold cross-validation on the development questions
STORY_FROM = 0.5  # the probability above which a question asks for a story (same cross-validation)

CUES = (
    re.compile(r"\b(have|has) you (ever )?\w+", re.I),
    re.compile(r"\byou('ve| have)\b", re.I),
    re.compile(r"\b(did|were) you\b", re.I),
    re.compile(r"\bwould\b", re.I),
    re.compile(r"\b(what is|what's|what are|explain|how does|difference between)\b", re.I),
    re.compile(r"\b(your|a) (last|previous|current|former|past)\b", re.I),
    re.compile(r"\b(ever|once|recently|last time)\b", re.I),
    re.compile(r"\b(imagine|suppose|if a|if you|say you)\b", re.I),
    re.compile(r"\bwhy\b", re.I),
    re.compile(r"\b(yourself|you see yourself|your (strength|weakness))", re.I),
)


def stock_wording(question: str) -> bool:
    """The wording rules alone ("Tell me about a time...", "Give me an example...")."""
    from coach.feedback.analysis import is_behavioral

    return is_behavioral(question)


def features(questions: Sequence[str], vectors: Sequence[Sequence[float]]):
    import numpy as np

    rows = [[*v, *(bool(c.search(q)) for c in CUES), stock_wording(q)] for q, v in zip(questions, vectors)]
    return np.asarray(rows, dtype=np.float32)


@lru_cache(maxsize=1)
def _weights():
    import numpy as np

    with np.load(WEIGHTS) as data:
        return data["w"], float(data["b"])


def story_probability(question: str, vector: Sequence[float]) -> float | None:
    """How likely the question asks for a story; None when ``vector`` is not from the shipped model."""
    import numpy as np

    w, b = _weights()
    x = features([question], [vector])[0]
    if x.shape[0] != w.shape[0]:  # another embedding model (a test's fake)
        return None
    return float(1 / (1 + np.exp(-(x @ w + b))))


def asks_for_story(question: str, embedder=None) -> bool:
    """True when the question asks for a past example: by its stock wording, or by the classifier."""
    if stock_wording(question):
        return True
    if embedder is None or not (question or "").strip():
        return False
    p = story_probability(question, embedder.embed([question])[0])
    return p is not None and p >= STORY_FROM


# ------------------------------------------------------------ training


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled() -> list[dict]:
    """Every labelled question as {"id", "question", "kind", "source"}."""
    rows = [
        {"id": q["id"], "question": q["text"], "kind": q["kind"], "source": "bank"}
        for q in json.loads(BANK.read_text())
    ]
    rows += [{**x, "source": "question_kinds"} for x in _jsonl(DATA / "question_kinds.jsonl")]
    for name in ("graded_answers.jsonl", "graded_answers_dev2.jsonl", "graded_answers_dev3.jsonl"):
        rows += [
            {"id": x["id"], "question": x["question"], "kind": x["kind"], "source": name} for x in _jsonl(DATA / name)
        ]
    return rows


def development(rows: list[dict]) -> list[dict]:
    """The rows training may see: the bank, and the parts of the labelled sets that are not held out
    (the graded answers' second and third sets are development only)."""
    keep = []
    for r in rows:
        if r["source"] == "bank" or r["id"].startswith(("dev2-", "dev3-")) or not held_out(r["id"]):
            keep.append(r)
    seen, unique = set(), []
    for r in keep:
        if r["question"] not in seen:
            seen.add(r["question"])
            unique.append(r)
    return unique


def fit(X, y):
    import numpy as np

    w = np.zeros(X.shape[1], dtype=np.float64)
    b = 0.0
    for _ in range(EPOCHS):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        g = p - y
        w -= RATE * (X.T @ g / len(X) + L2 * w)
        b -= RATE * g.mean()
    return w.astype(np.float32), np.float32(b)


def train(embedder):
    """Weights fitted on the development questions only."""
    import numpy as np

    rows = development(labelled())
    questions = [r["question"] for r in rows]
    X = features(questions, embedder.embed(questions))
    y = np.asarray([r["kind"] == "behavioral" for r in rows], dtype=np.float64)
    return fit(X, y)


def main() -> None:  # python -m coach.feedback.question_kind: rebuild question_kind.npz
    import numpy as np

    from coach.app import build
    from coach.config import Settings
    from coach.offline import go_offline

    go_offline()
    embedder = build(Settings.load()).embedder
    w, b = train(embedder)
    np.savez(WEIGHTS, w=w, b=b)
    print(f"wrote {WEIGHTS} from {len(development(labelled()))} development questions")


if __name__ == "__main__":
    main()
