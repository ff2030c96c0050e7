"""An answer's full review: deterministic analysis, relevance, and a tip per flag."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.feedback.analysis import Analysis, analyze, normalise_answer
from coach.feedback.question_kind import asks_for_story
from coach.feedback.relevance import RelevanceScorer
from coach.feedback.rubric import rubric
from coach.feedback.star_tagger import tag_agreeing
from coach.feedback.stronger import fact_lock, stronger
from coach.feedback.tips import FlagTip, TipBook
from coach.model.embedding import Embedder
from coach.text import split_sentences


@dataclass(frozen=True)
class Review:
    answer: str
    analysis: Analysis
    tips: list[FlagTip]
    topic_tip: FlagTip | None = None  # guidance for what the question is about (salary, a case...)
    sentences: list[dict] = field(default_factory=list)  # [{"text", "tag"}]: STAR per sentence
    score: dict = field(default_factory=dict)  # the rubric: {"overall", "dimensions"}
    stronger: dict = field(default_factory=dict)  # "your answer, stronger": {"text", "slots"}

    def public(self) -> dict:
        out = {"question": self.analysis.question, "answer": self.answer}
        out.update(self.analysis.public())
        out["tips"] = [t.public() for t in self.tips]
        out["topic_tip"] = self.topic_tip.public() if self.topic_tip else None
        out["sentences"] = self.sentences
        out["score"] = self.score
        out["stronger"] = self.stronger
        return out


class AnswerReviewer:
    def __init__(self, relevance: RelevanceScorer | None, tips: TipBook) -> None:
        self.relevance = relevance
        self.tipbook = tips

    @property
    def embedder(self) -> Embedder | None:
        return self.relevance.embedder if self.relevance else None

    def asks_for_story(self, question: str, kind: str | None) -> bool:
        """The bank's kind when there is one; otherwise the question's wording and meaning."""
        if kind is not None:
            return kind == "behavioral"
        return asks_for_story(question, self.embedder)

    def review(self, question: str, answer: str, level: str = "mid", kind: str | None = None) -> Review:
        """``kind`` is the bank's kind for the question, when it came from the bank.

        The bank knows a question asks for a story even when its wording is not
        one the behavioral patterns know ("What is the most challenging project...").
        Without a kind, the question itself is read (coach/feedback/question_kind.py).
        """
        sentences = split_sentences(normalise_answer(answer))
        score, vectors = self.relevance.measure(question, answer, sentences) if self.relevance else (None, [])
        analysis = analyze(question, answer, relevance=score, behavioral=self.asks_for_story(question, kind))
        if vectors and len(vectors) == len(sentences):
            tags = tag_agreeing(sentences, vectors, analysis.star_present)
        else:
            tags = ["other"] * len(sentences)
        return Review(
            answer,
            analysis,
            self.tipbook.tips(analysis.flags),
            self.tipbook.topic_tip(question),
            [{"text": s, "tag": t} for s, t in zip(sentences, tags)],
            rubric(analysis, answer, sentences, tags, level),
            locked(stronger(analysis, sentences, tags), answer),
        )


def locked(version: dict, answer: str) -> dict:
    """The stronger version, or nothing when it says a number or name the answer never said."""
    invented = fact_lock(version["text"], answer)
    return {"text": "", "slots": [], "dropped": invented} if invented else version
