"""A mock interview's settings and the typed events it yields (what the page and the CLI show)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from coach.errors import InputError
from coach.sessions.question_bank import DEFAULT_QUESTIONS, KINDS, LEVELS, STYLES


@dataclass
class InterviewSettings:
    role: str = ""
    level: str = "mid"
    kind: str = "mixed"
    style: str = "neutral"
    questions: int = DEFAULT_QUESTIONS
    job_description: str = ""
    question_ids: list[str] = field(default_factory=list)  # replay chosen bank questions (from a debrief)
    seed: int | None = None
    custom_questions: list[str] = field(default_factory=list)  # questions from a transcript, asked as they were
    # Practice cards that are due (coach/practice), asked first; the usual plan fills the rest.
    due_ids: list[str] = field(default_factory=list)
    due_questions: list[str] = field(default_factory=list)

    def validate(self) -> "InterviewSettings":
        self.role = (self.role or "").strip()[:120]
        if self.level not in LEVELS:
            raise InputError(f"Unknown seniority {self.level!r}.", f"Choose one of: {', '.join(LEVELS)}.")
        if self.kind not in KINDS:
            raise InputError(f"Unknown interview kind {self.kind!r}.", f"Choose one of: {', '.join(KINDS)}.")
        if self.style not in STYLES:
            raise InputError(f"Unknown interviewer style {self.style!r}.", f"Choose one of: {', '.join(STYLES)}.")
        return self


@dataclass(frozen=True)
class InterviewerLine:
    """Something the interviewer says (a question, a follow-up, the closing)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    kind: ClassVar[str] = "interviewer"


@dataclass(frozen=True)
class AnswerReviewed:
    """The analysis of an answer, as :meth:`Review.public` gives it (flags, STAR, tips with sources)."""

    review: dict[str, Any]
    kind: ClassVar[str] = "review"


@dataclass(frozen=True)
class CoachComment:
    """The coach's short comment on an answer, with the passage behind it."""

    text: str
    source: dict[str, Any] | None = None
    source_label: str | None = None
    worded_by_model: bool = False
    rejected: str = ""
    kind: ClassVar[str] = "comment"


@dataclass(frozen=True)
class InterviewFinished:
    """The scorecard, once the interview is over."""

    card: dict[str, Any]
    kind: ClassVar[str] = "finished"


InterviewEvent = Union[InterviewerLine, AnswerReviewed, CoachComment, InterviewFinished]
