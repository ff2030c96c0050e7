"""A 1-5 rubric score per answer, on five named dimensions, each with a one-line reason.

Every score is read off the deterministic analysis (flags, relevance, numbers) and the STAR tags
of the answer's sentences, so the reason can always say why. Expectations scale with seniority:
for senior and lead roles a result without a number is worth less, and a short answer costs
more. The overall score is the mean of the dimensions, capped when the answer does not answer
the question (a fluent answer to another question is not a 4). Thresholds were set on the
development part of ``tests/data/graded_answers.jsonl``; the held-out figures are in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from coach.feedback.analysis import Analysis
from coach.feedback.judge import non_answer

DIMENSIONS = ("answers the question", "structure", "specificity and evidence", "result and impact", "delivery")
SENIOR = ("senior", "lead")
ON_TOPIC = 0.30  # relevance at or above this reads as clearly on the question


@dataclass
class Score:
    name: str
    score: int
    reason: str

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "reason": self.reason}


def _answers(a: Analysis, answer: str) -> Score:
    name = DIMENSIONS[0]
    if a.word_count == 0 or non_answer(answer):
        return Score(name, 1, "No example or answer was given yet.")
    if "off_topic" in a.flags:
        return Score(name, 1, "It talks about something other than the question asked.")
    if "too_short" in a.flags:
        return Score(name, 2, f"It starts to answer, but in {a.word_count} words it says little.")
    if a.relevance is not None and a.relevance < ON_TOPIC:
        return Score(name, 3, "It touches the question, but only loosely.")
    if "blames_others" in a.flags:
        return Score(name, 3, "It answers, but spends words on blaming others.")
    return Score(name, 5 if a.relevance is None or a.relevance >= 0.45 else 4, "It answers the question asked.")


def _structure(a: Analysis, tags: Sequence[str]) -> Score:
    name = DIMENSIONS[1]
    if a.behavioral:
        present = [k for k in ("situation", "task", "action", "result") if a.star_present[k]]
        missing = [k for k in ("situation", "task", "action", "result") if not a.star_present[k]]
        score = {4: 5, 3: 4, 2: 3, 1: 2, 0: 1}[len(present)]
        reason = (
            "Situation, task, action and result are all there." if not missing else f"Missing: {', '.join(missing)}."
        )
    else:
        score, reason = 4, "A clear line from start to finish."
        if "too_short" in a.flags:
            score, reason = 2, "Too short to have a shape yet."
        elif tags and tags.count("other") > len(tags) / 2:
            score, reason = 3, "More general remarks than points that answer it."
    if "too_long" in a.flags:
        score, reason = max(1, score - 1), reason + f" At {a.word_count} words it runs long."
    return Score(name, score, reason)


def _specificity(a: Analysis, level: str) -> Score:
    name = DIMENSIONS[2]
    if "too_short" in a.flags:
        return Score(name, 1, "Too short to show anything specific.")
    score = 5 if a.has_numbers else (3 if a.behavioral else 4)
    reason = "Concrete details and numbers back it up." if a.has_numbers else "No numbers or concrete details yet."
    if not a.behavioral and not a.has_numbers:
        reason = "Specific enough; a number or a real example would make it stronger."
    if "hedging" in a.flags:
        score, reason = score - 1, reason + ' Hedges ("I think maybe") weaken it.'
    if level in SENIOR and not a.has_numbers:
        score -= 1
    return Score(name, max(1, min(5, score)), reason)


def _result(a: Analysis, tags: Sequence[str], sentences: Sequence[str], level: str) -> Score:
    name = DIMENSIONS[3]
    if not a.behavioral:
        shows = "result" in tags or a.has_numbers
        return Score(
            name,
            4 if shows else 3,
            "It says what would come of it." if shows else "It could say what would come of it.",
        )
    if "missing_result" in a.flags:
        return Score(name, 1, "It never says how it turned out.")
    result_text = " ".join(s for s, t in zip(sentences, tags) if t == "result")
    numbered = any(ch.isdigit() for ch in result_text) or (a.has_numbers and not result_text)
    if numbered:
        return Score(name, 5, "The result is there, with a number.")
    if level in SENIOR:
        return Score(name, 3, "The result is there, but at this level it needs a number.")
    return Score(name, 4, "The result is there; a number would make it land.")


# What the text shows of a delivery with nothing to fix: only what was checked, so a non-answer is not
# called "direct".
CLEAN_DELIVERY = "No fillers, hedges or blame."


def _delivery(a: Analysis) -> Score:
    name = DIMENSIONS[4]
    score, notes = 5, []
    if "blames_others" in a.flags:
        score -= 2
        notes.append("blame others")
    if "filler_heavy" in a.flags:
        score -= 2
        notes.append(f"use {a.filler_count} fillers")
    if "hedging" in a.flags:
        score -= 1
        notes.append("hedge")
    if "self_blame" in a.flags:
        score -= 1
        notes.append("are hard on yourself")
    reason = CLEAN_DELIVERY if not notes else "You " + ", ".join(notes) + "."
    return Score(name, max(1, score), reason)


def rubric(a: Analysis, answer: str, sentences: Sequence[str], tags: Sequence[str], level: str = "mid") -> dict:
    """{"overall": 1.0-5.0, "dimensions": [{"name", "score", "reason"}]} for one answer."""
    dims = [
        _answers(a, answer),
        _structure(a, tags),
        _specificity(a, level),
        _result(a, tags, sentences, level),
        _delivery(a),
    ]
    return {"overall": _overall([d.score for d in dims], a.flags), "dimensions": [d.public() for d in dims]}


def _overall(scores: Sequence[int], flags: Sequence[str]) -> float:
    overall = sum(scores) / len(scores)
    if scores[0] <= 2:  # an answer to another question, or none, is not rescued by its polish
        overall = min(overall, scores[0] + 0.5)
    if "blames_others" in flags:  # interviewers hear blame first: never better than fair
        overall = min(overall, 3.0)
    return round(overall, 1)


SPOKEN = {"too_fast": "speak too fast", "too_slow": "speak slowly", "long_pauses": "pause for long"}


def with_spoken_delivery(score: dict, flags: Sequence[str], delivery: dict) -> dict:
    """The rubric of a spoken answer: its delivery dimension also hears the pace and pauses.

    One point off the delivery dimension per delivery flag (too fast, too slow, long pauses), and
    the words a minute named in its reason; the overall score is recomputed with the same caps."""
    if not score:
        return score
    dims = [dict(d) for d in score["dimensions"]]
    spoken = dims[4]
    heard = [SPOKEN[f] for f in flags if f in SPOKEN]
    spoken["score"] = max(1, spoken["score"] - len(heard))
    pace = f"{delivery.get('words_per_minute', 0):.0f} words a minute"
    said = "" if spoken["reason"] == CLEAN_DELIVERY else spoken["reason"].rstrip(".") + "; "
    if heard:
        spoken["reason"] = f"{said}{'you' if said else 'You'} {', '.join(heard)} ({pace})."
    else:
        spoken["reason"] = spoken["reason"].rstrip(".") + f", at {pace}."
    return {"overall": _overall([d["score"] for d in dims], flags), "dimensions": dims}


def verdict(overall: float) -> str:
    """The score in words, used by comments: "strong" is said only when earned."""
    return "strong" if overall >= 4.3 else "fair" if overall >= 3.0 else "weak"
