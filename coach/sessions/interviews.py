"""Mock interviews as a use case: start one (saved at once), resume it turn by turn, each turn saved."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from coach.feedback.review import AnswerReviewer
from coach.model.llm import ChatModel
from coach.model.prompts import PromptLibrary
from coach.practice.queue import PracticeQueue
from coach.sessions.history import History
from coach.sessions.interview import InterviewSettings, MockInterview
from coach.sessions.question_bank import QuestionBank


def interview_title(s: InterviewSettings) -> str:
    if s.question_ids or s.custom_questions:
        role = f" for {s.role}" if s.role else ""
        return f"Practice: {len(s.question_ids) + len(s.custom_questions)} question(s) from a debrief{role} ({s.style})"
    return f"Mock interview: {s.role or 'general'} ({s.kind}, {s.level}, {s.style})"


class InterviewService:
    def __init__(
        self,
        history: History,
        bank: QuestionBank,
        model: ChatModel,
        prompts: PromptLibrary,
        reviewer: AnswerReviewer,
        practice: PracticeQueue | None = None,
    ) -> None:
        self.history = history
        self.bank = bank
        self.model = model
        self.prompts = prompts
        self.reviewer = reviewer
        self.practice = practice or PracticeQueue(history)

    def start(self, settings: InterviewSettings, owner: str = "") -> tuple[str, MockInterview]:
        """A new mock interview, saved before its first question: returns (session id, interview)."""
        state = MockInterview.new_state(settings, self.bank)
        saved: dict[str, Any] = {k: v for k, v in asdict(settings).items() if k != "job_description"}
        saved["job_description_given"] = bool(settings.job_description.strip())
        sid = self.history.create("interview", interview_title(settings), saved, owner=owner)
        return sid, self.resume(sid, state, owner)

    def resume(self, session_id: str, state: dict, owner: str | None = None) -> MockInterview:
        """The interview behind a session, continuing from ``state``; every turn and the end are saved."""
        history = self.history
        if owner is None:
            owner = history.get(session_id).info.owner
        practice = self.practice
        return MockInterview(
            state,
            self.model,
            self.prompts,
            self.reviewer,
            on_turn=lambda role, text, meta, st: history.add_turn(session_id, role, text, meta, st),
            on_finish=lambda card, st: history.finish(session_id, card, st),
            previous=lambda q: practice.previous(owner, q.id, q.text),
            clock=practice.clock,
        )

    def with_due(self, settings: InterviewSettings, owner: str = "") -> InterviewSettings:
        """``settings`` with the practice cards due now asked first (at most ``settings.questions``)."""
        due = self.practice.due(owner, limit=settings.questions)
        settings.due_ids = [c.bank_id for c in due if c.bank_id]
        settings.due_questions = [c.question for c in due if not c.bank_id]
        return settings

    def practice_settings(
        self, weak: list[dict], level: str = "mid", style: str = "neutral", role: str = ""
    ) -> InterviewSettings:
        """Settings for a practice interview on the questions a debrief found weak (the debrief's role, if any)."""
        ids = [w["question_id"] for w in weak if w.get("question_id")]
        custom = [w["question"] for w in weak if not w.get("question_id")]
        return InterviewSettings(role, level or "mid", "mixed", style or "neutral", len(weak), "", ids, None, custom)
