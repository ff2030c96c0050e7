"""Coaching questions as a use case: answer with cited passages, knowing a saved session the person
chose (only one they may see), and save the question and answer in the person's ask session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from coach.errors import CoachError
from coach.model.llm import Message
from coach.sessions.ask import AskEvent, AskResult, AskService
from coach.sessions.history import History, SessionRecord

HISTORY_MESSAGES = 8  # earlier messages of the conversation the model sees


def session_context(record: SessionRecord) -> str:
    """What a follow-up question should know about a saved interview or debrief."""
    summary = record.summary or {}
    if record.info.kind == "debrief":
        notes = next((t.content for t in record.turns if t.role == "user"), "")
        weak = "; ".join(w["question"] for w in summary.get("weak_questions", []))
        areas = ", ".join((summary.get("facts") or {}).get("areas", []))
        return (
            f"After a bad interview they wrote: {notes[:600]}\n"
            f"Questions that went badly: {weak or 'none named'}. Areas to improve: {areas or 'not known'}."
        )
    if record.info.kind == "interview":
        answers = summary.get("answers", [])
        weak = [f"{a['question']} ({', '.join(a['flags'])})" for a in answers if a.get("flags")]
        improvements = ", ".join(i["flag"] for i in summary.get("improvements", []))
        return (
            f"In a mock interview the weak answers were: {'; '.join(weak)[:600] or 'none'}. "
            f"Top improvements: {improvements or 'none'}."
        )
    return ""


@dataclass
class Conversation:
    """One person's coaching conversation: the saved session it goes into, and what was said."""

    session_id: str = ""
    messages: list[Message] | None = None

    def recent(self) -> Sequence[Message]:
        return (self.messages or [])[-HISTORY_MESSAGES:]


class CoachingService:
    def __init__(self, asker: AskService, history: History) -> None:
        self.asker = asker
        self.history = history

    def context_for(self, session_id: str, owner: str) -> str:
        """The context of a saved session, if this owner may see it (the same rule as History's)."""
        if not session_id:
            return ""
        return session_context(self.history.get_visible(session_id, owner))

    def ask(
        self, question: str, conversation: Conversation, owner: str = "", context_session: str = ""
    ) -> Iterator[AskEvent]:
        """The answer's events. When it is done, the question and answer are saved before "done" is
        passed on; if saving fails, a "not_saved" event with the reason comes first (the answer still shows)."""
        context = self.context_for(context_session, owner)
        for event in self.asker.stream(question, history=conversation.recent(), context=context):
            if event.kind == "done":
                assert event.result is not None
                try:
                    self.save(question, event.result, conversation, owner)
                except CoachError as err:
                    yield AskEvent("not_saved", text=err.explain())
            yield event

    def save(self, question: str, result: AskResult, conversation: Conversation, owner: str) -> None:
        if not conversation.session_id:
            conversation.session_id = self.history.create("ask", "Coaching: " + question[:80], {}, owner=owner)
        self.history.add_turn(conversation.session_id, "user", question)
        meta = {"sources": [p.public() for p in result.sources], "citations": [c.public() for c in result.citations]}
        self.history.add_turn(conversation.session_id, "coach", result.answer, meta)
        conversation.messages = [
            *(conversation.messages or []),
            {"role": "user", "content": question},
            {"role": "assistant", "content": result.answer},
        ]
