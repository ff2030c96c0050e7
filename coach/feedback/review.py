"""An answer's full review: deterministic analysis, relevance, and a tip per flag."""

from __future__ import annotations

from dataclasses import dataclass

from coach.feedback.analysis import Analysis, analyze
from coach.feedback.relevance import RelevanceScorer
from coach.feedback.tips import FlagTip, TipBook


@dataclass(frozen=True)
class Review:
    answer: str
    analysis: Analysis
    tips: list[FlagTip]
    topic_tip: FlagTip | None = None  # guidance for what the question is about (salary, a case...)

    def public(self) -> dict:
        out = {"question": self.analysis.question, "answer": self.answer}
        out.update(self.analysis.public())
        out["tips"] = [t.public() for t in self.tips]
        out["topic_tip"] = self.topic_tip.public() if self.topic_tip else None
        return out


class AnswerReviewer:
    def __init__(self, relevance: RelevanceScorer | None, tips: TipBook) -> None:
        self.relevance = relevance
        self.tipbook = tips

    def review(self, question: str, answer: str) -> Review:
        score = self.relevance.score(question, answer) if self.relevance else None
        analysis = analyze(question, answer, relevance=score)
        return Review(answer, analysis, self.tipbook.tips(analysis.flags), self.tipbook.topic_tip(question))
