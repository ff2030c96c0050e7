"""Deterministic answer analysis: no model, the same answer always gives the same facts.

The flag vocabulary is shared by the CLI, the page and the tests:
missing_situation, missing_task, missing_action, missing_result, filler_heavy,
too_short, too_long, no_numbers, off_topic, blames_others, self_blame, hedging.

STAR flags and ``no_numbers`` apply only to behavioral questions (those that
ask for a real past example); a hypothetical, motivation or technical question
is not marked down for lacking a result. ``off_topic`` needs a relevance score
(embedding similarity of question and answer), computed by the caller.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from coach.feedback.flags import REPORT_ORDER
from coach.text import split_sentences

FLAGS = REPORT_ORDER  # the flag vocabulary, in the order flags are reported (see coach/feedback/flags.py)

MIN_WORDS = 40
MAX_WORDS = 350
FILLER_MIN_COUNT = 3
FILLER_MIN_RATE = 3.0  # per 100 words
HEDGE_MIN_COUNT = 2
STAR_PRESENT = 0.5
# Below this question/answer similarity an answer is off topic (calibrated on
# tests/data/analysis_cases.jsonl; see README, 'Answer analysis').
OFF_TOPIC_BELOW = 0.12

WORD = re.compile(r"[A-Za-z0-9']+")
PATTERNS_FILE = Path(__file__).with_name("patterns.json")


@dataclass(frozen=True)
class Patterns:
    """The wording tables from patterns.json, compiled once on first use."""

    behavioral: re.Pattern
    fillers: dict[str, str]
    hedges: dict[str, str]
    blame: list[str]
    self_blame: list[str]
    number: re.Pattern
    situation: list[tuple[str, float]]
    task: list[tuple[str, float]]
    action: re.Pattern
    not_actions: frozenset[str]
    result: list[tuple[str, float]]
    vague_result: re.Pattern


@cache
def patterns() -> Patterns:
    raw = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    others = raw["others"]
    verbs = "|".join(raw["action_verbs"])
    return Patterns(
        behavioral=re.compile("|".join(raw["behavioral"]), re.I),
        fillers=raw["fillers"],
        hedges=raw["hedges"],
        blame=[p.replace("{OTHERS}", others) for p in raw["blame"]],
        self_blame=raw["self_blame"],
        number=re.compile(rf"\d|[%$£€]|\b({'|'.join(raw['number_words'])})\b", re.I),
        situation=[(p, w) for p, w in raw["situation"]],
        task=[(p, w) for p, w in raw["task"]],
        action=re.compile(
            r"\bi (?:\w+ly |then |also |first |quickly |immediately "
            r"|personally |eventually |finally |just |had |have |sort of |kind of )?"
            rf"(?:(?:{verbs})\b|(?P<ed>[a-z-]{{3,}}ed)\b)",
            re.I,
        ),
        not_actions=frozenset(raw["not_actions"]),
        result=[(p, w) for p, w in raw["result"]],
        vague_result=re.compile("|".join(raw["vague_result"]), re.I),
    )


def is_action(match: re.Match) -> bool:
    """A match of the action pattern that is a deed ("I called"), not a state of mind ("I wanted")."""
    return not (match.group("ed") and match.group("ed").lower() in patterns().not_actions)


def count_actions(text: str) -> int:
    """Things the candidate says they did ("I called", "I then rewrote"), not states of mind ("I wanted")."""
    return sum(1 for m in patterns().action.finditer(text) if is_action(m))


@dataclass(frozen=True)
class Analysis:
    question: str
    word_count: int
    behavioral: bool
    fillers: dict[str, int]
    hedges: dict[str, int]
    blames_others: list[str]
    self_blame: list[str]
    has_numbers: bool
    star: dict[str, float]
    star_present: dict[str, bool]
    relevance: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def hedge_count(self) -> int:
        return sum(self.hedges.values())

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("question")
        out["filler_count"] = self.filler_count
        out["hedge_count"] = self.hedge_count
        return out


def is_behavioral(question: str) -> bool:
    return bool(patterns().behavioral.search(question or ""))


def _counts(patterns: dict[str, str], text: str) -> dict[str, int]:
    counts = {name: len(re.findall(p, text, re.I)) for name, p in patterns.items()}
    return {k: v for k, v in counts.items() if v}


def _phrases(patterns: list[str], text: str) -> list[str]:
    found = []
    for p in patterns:
        for m in re.finditer(p, text, re.I):
            found.append(m.group(0).strip())
    return found


def _score(cues: list[tuple[str, float]], text: str) -> float:
    total = 0.0
    for pattern, weight in cues:
        hits = len(re.findall(pattern, text, re.I))
        total += weight * min(hits, 2)
    return round(min(1.0, total), 2)


def without_fillers(text: str) -> str:
    """The answer with filler words removed, so "I, um, called" reads as "I called"."""
    for pattern in patterns().fillers.values():
        text = re.sub(pattern, " ", text, flags=re.I)
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    text = re.sub(r"\b(i|we)\s*,\s*", r"\1 ", text, flags=re.I)
    return re.sub(r"\s{2,}", " ", text)


def star_scores(answer: str) -> dict[str, float]:
    answer = without_fillers(answer)
    actions = count_actions(answer)
    return {
        "situation": _score(patterns().situation, answer),
        "task": _score(patterns().task, answer),
        "action": round(min(1.0, 0.5 * actions + (0.1 if actions >= 3 else 0)), 2),
        "result": _score(patterns().result, without_vague_results(answer)),
    }


def without_vague_results(text: str) -> str:
    """The answer without sentences whose only outcome is vague ("people seemed happier", "it went well").

    A vague outcome is not a result (issue 12); the same sentence with a number in it is kept.
    """
    p = patterns()
    kept = [s for s in split_sentences(text) if not (p.vague_result.search(s) and not p.number.search(s))]
    return " ".join(kept)


def normalise_answer(text: str) -> str:
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)


def analyze(question: str, answer: str, relevance: float | None = None, behavioral: bool | None = None) -> Analysis:
    """``behavioral`` True says the question asks for a story whatever its wording (the bank knows)."""
    text = normalise_answer(answer)
    words = WORD.findall(text)
    wc = len(words)
    behavioral = bool(behavioral) or is_behavioral(question)
    p = patterns()
    fillers = _counts(p.fillers, text)
    hedges = _counts(p.hedges, text)
    blames = _phrases(p.blame, text)
    selfb = _phrases(p.self_blame, text)
    has_numbers = bool(p.number.search(text))
    star = star_scores(text)
    present = {k: v >= STAR_PRESENT for k, v in star.items()}

    flags: list[str] = []
    if behavioral:
        for element in ("situation", "task", "action", "result"):
            if not present[element]:
                flags.append(f"missing_{element}")
    filler_total = sum(fillers.values())
    if filler_total >= FILLER_MIN_COUNT and wc and filler_total * 100 / wc >= FILLER_MIN_RATE:
        flags.append("filler_heavy")
    if wc < MIN_WORDS:
        flags.append("too_short")
    if wc > MAX_WORDS:
        flags.append("too_long")
    if behavioral and not has_numbers:
        flags.append("no_numbers")
    if relevance is not None and relevance < OFF_TOPIC_BELOW:
        flags.append("off_topic")
    if blames:
        flags.append("blames_others")
    if selfb:
        flags.append("self_blame")
    if sum(hedges.values()) >= HEDGE_MIN_COUNT:
        flags.append("hedging")
    ordered = [f for f in FLAGS if f in flags]
    return Analysis(
        question=question,
        word_count=wc,
        behavioral=behavioral,
        fillers=fillers,
        hedges=hedges,
        blames_others=blames,
        self_blame=selfb,
        has_numbers=has_numbers,
        star=star,
        star_present=present,
        relevance=None if relevance is None else round(relevance, 4),
        flags=ordered,
    )
