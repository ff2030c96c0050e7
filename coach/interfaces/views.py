"""What the page's handlers hand to Gradio: one small dataclass per panel, and the Markdown they show.

Handlers return these instead of positional tuples; :mod:`coach.interfaces.ui` turns each into
the outputs of its components, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coach.feedback.flags import label
from coach.text import quote

Chat = list[dict[str, Any]]


@dataclass
class InterviewView:
    chat: Chat
    state: dict[str, Any]
    analysis: str = ""
    scorecard: str = ""
    notice: str = ""
    answer_box: str = ""  # what stays in the answer box (the text, when it was refused)

    def start_outputs(self) -> tuple:
        return self.chat, self.analysis, self.scorecard, self.notice, self.state

    def answer_outputs(self) -> tuple:
        return (*self.start_outputs(), self.answer_box)


@dataclass
class AskView:
    chat: Chat
    state: dict[str, Any]
    notice: str = ""
    question_box: str = ""

    def outputs(self) -> tuple:
        return self.chat, self.notice, self.state, self.question_box


@dataclass
class DebriefView:
    chat: Chat
    state: dict[str, Any]
    report: str = ""
    follow_up: str = ""
    feedback_request: str = ""
    notice: str = ""
    box: str = ""  # the notes box (on start) or the reply box (between steps)

    def outputs(self) -> tuple:
        return self.chat, self.report, self.follow_up, self.feedback_request, self.notice, self.state, self.box


@dataclass
class KnowledgeView:
    rows: list[list[Any]]
    notice: str = ""
    sources: list[str] = field(default_factory=list)


def source_line(src: dict[str, Any] | None) -> str:
    src = src or {}
    return f"{src.get('title', '')} ({src.get('source', '')})"


def flags_markdown(review: dict[str, Any]) -> str:
    flags = review.get("flags", [])
    lines = ["**Flags:** " + (", ".join(label(f) for f in flags) if flags else "none")]
    if review.get("delivery"):  # a spoken answer
        d = review["delivery"]
        pauses = ", ".join(f"{p['seconds']:.1f} s at {p['start_s']:.0f} s" for p in d.get("pauses", [])) or "none"
        lines.append(
            f"**Delivery:** {d.get('duration_s', 0):.0f} s, {d.get('words_per_minute', 0):.0f} words a minute, "
            f"{d.get('fillers_per_minute', 0):.1f} fillers a minute; pauses over 2 s: {pauses}"
        )
    if review.get("previous"):  # the practice queue's before and after
        lines.append(f"**{review['previous']['summary']}**")
    lines.append(f"**Words:** {review.get('word_count', 0)}")
    if review.get("behavioral"):
        marks = " · ".join(
            f"{k}: {'yes' if review['star_present'][k] else 'missing'}"
            for k in ("situation", "task", "action", "result")
        )
        lines.append("**STAR:** " + marks)
    for tip in [*review.get("tips", [])[:2], *([review["topic_tip"]] if review.get("topic_tip") else [])]:
        lines.append(f"Tip: {tip['tip']}  \n*Source: {source_line(tip.get('source'))}*")
    lines += rubric_lines(review)
    if review.get("looks_for"):
        lines.append(f"**What a strong answer shows:** {review['looks_for']}")
    if review.get("model_answer"):
        example = review["model_answer"]
        lines.append(
            f"**An example answer** (written by the team for {example['speaker'] or 'someone else'}: "
            f"a model of the shape, not words to copy): {example['text']}  \n*Why it works: {example['why_it_works']}*"
        )
    return "\n\n".join(lines)


def rubric_lines(review: dict[str, Any]) -> list[str]:
    """The rubric score, the answer with its sentences marked, and the stronger version."""
    out = []
    score = review.get("score") or {}
    if score:
        dims = "  \n".join(f"- {d['name']}: {d['score']}/5: {d['reason']}" for d in score["dimensions"])
        out.append(f"**Score:** {score['overall']}/5  \n{dims}")
    if review.get("sentences") and review.get("behavioral"):
        marked = " ".join(f"[{s['tag']}] {s['text']}" for s in review["sentences"])
        out.append(f"**Your answer, sentence by sentence:** {marked}")
    stronger = review.get("stronger") or {}
    if stronger.get("text") and stronger.get("text") != review.get("answer"):
        how = (
            "reworded by the model from your words; every number and name checked against your answer"
            if stronger.get("worded_by_model")
            else "your own words; fill in the brackets"
        )
        out.append(f"**Your answer, stronger** ({how}): {stronger['text']}")
    return out


def scorecard_markdown(card: dict[str, Any]) -> str:
    lines = ["### Scorecard"]
    for i, a in enumerate(card["answers"], 1):
        flags = ", ".join(label(f) for f in a["flags"]) or "none"
        score = f"  \nScore: {a['score']}/5" if a.get("score") is not None else ""
        before = f"  \n{a['previous']['summary']}" if a.get("previous") else ""
        if a.get("delivery"):
            d = a["delivery"]
            before += (
                f"  \nSpoken: {d.get('words_per_minute', 0):.0f} words a minute, "
                f"{len(d.get('pauses') or [])} long pause(s), {d.get('fillers_per_minute', 0):.1f} fillers a minute"
            )
        lines.append(f"**{i}. {a['question']}**  \nFlags: {flags}{score}{before}  \nCoach: {a['comment']}")
    if card.get("overall_score") is not None:
        lines.append(f"**Overall score:** {card['overall_score']}/5")
    if card.get("delivery_average"):
        d = card["delivery_average"]
        lines.append(
            f"**Delivery across {d.get('recordings', 0)} recording(s):** {d['words_per_minute']:.0f} words a minute, "
            f"{d['fillers_per_minute']:.1f} fillers a minute, {d['pauses']:.1f} long pauses per answer"
        )
    if card.get("star_average"):
        lines.append("**STAR averages:** " + ", ".join(f"{k} {v:.2f}" for k, v in card["star_average"].items()))
    if card.get("improvements"):
        lines.append("**Top improvements**")
        for imp in card["improvements"]:
            src = imp.get("source") or {}
            lines.append(f"- {imp['tip']}  \n  *Source: {source_line(src)}: “{quote(src.get('text', ''), 160)}”*")
    return "\n\n".join(lines)


def problem(err) -> str:
    """A CoachError as the page shows it: a plain warning with what to do."""
    return f"Warning: {err.explain()}"
