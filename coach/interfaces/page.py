"""Handlers behind the page's three modes: plain functions over the use cases, testable without a browser.

Each browser session has its own ``state`` dict (held by Gradio); nothing here
is shared between sessions except the core objects and the model gate. Every
text that comes in is checked on the server (length, emptiness); on a problem
the handler returns a message and hands back what was typed, so nothing is lost.
A session id that comes from a browser is only ever used if that browser may see
the session (see :meth:`History.get_visible`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from coach.errors import CoachError, InputError
from coach.interfaces.limits import check_owner, check_role, check_text
from coach.interfaces.page_history import HistoryHandlers
from coach.interfaces.page_models import ModelHandlers
from coach.interfaces.page_practice import PracticeHandlers
from coach.interfaces.page_speech import SpeechHandlers
from coach.interfaces.views import (
    AskView,
    DebriefView,
    InterviewView,
    flags_markdown,
    problem,
    scorecard_markdown,
)
from coach.interfaces.warmup import Warmup
from coach.model.gate import MODEL_GATE
from coach.sessions.coaching import Conversation
from coach.sessions.debrief import STEP_COUNT, STEPS, DebriefInput
from coach.sessions.export import debrief_markdown
from coach.sessions.interview import AnswerReviewed, CoachComment, InterviewerLine, InterviewFinished, InterviewSettings
from coach.sessions.transcripts import MAX_TRANSCRIPT_BYTES

TRANSCRIPT_TYPES = {".txt", ".vtt", ".srt"}

if TYPE_CHECKING:
    from coach.app import Coach


def new_state() -> dict[str, Any]:
    return {"interview": None, "conversation": Conversation(), "debrief": None}


def queue_note() -> str:
    if MODEL_GATE.busy or MODEL_GATE.waiting:
        ahead = MODEL_GATE.waiting + (1 if MODEL_GATE.busy else 0)
        return f"⏳ The model is busy with another request; yours is queued ({ahead} ahead)…"
    return ""


def source_messages(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each cited passage as a folded chat message titled "[n] its label", under the text that cites it."""
    return [
        {
            "role": "assistant",
            "content": s["text"],
            "metadata": {"title": f"[{i}] {s.get('label') or s['title']}", "status": "done"},
        }
        for i, s in enumerate(sources, 1)
    ]


class PageHandlers(HistoryHandlers, PracticeHandlers, SpeechHandlers, ModelHandlers):
    def __init__(self, coach: Coach, warmup: Warmup) -> None:
        super().__init__(coach, warmup)

    # ------------------------------------------------------------ status

    def status(self) -> str:
        try:
            return self.warmup.describe()
        except CoachError as err:
            return problem(err)

    def _wait(self, *parts: str) -> str | None:
        """None when ready; otherwise the message to show while waiting (after waiting)."""
        if self.warmup.ready(*parts):
            return None
        return "⏳ Still loading the models (this takes a few seconds after start-up)…"

    # ------------------------------------------------------------ interview

    def interview_start(
        self, state, owner, role, level, kind, style, count, job_description, due=False
    ) -> Iterator[InterviewView]:
        """``due``: start with the practice questions that are due (the tab's tick box)."""
        state = state or new_state()
        try:
            owner = check_owner(owner)
            jd = (
                check_text(job_description, self.settings.max_notes_chars, "job description")
                if (job_description or "").strip()
                else ""
            )
            settings = InterviewSettings(check_role(role), level, kind, style, int(count), jd)
            if due and owner:
                settings = self.coach.interviews.with_due(settings, owner)
            if msg := self._wait("embedding", "store", "model"):
                yield InterviewView([], state, notice=msg)
                self.warmup.wait("embedding", "store", "model")
            if note := queue_note():
                yield InterviewView([], state, notice=note)
            sid, interview = self.coach.interviews.start(settings, owner=owner or "")
        except CoachError as err:
            yield InterviewView([], state, notice=problem(err))
            return
        yield from self._begin(
            state, sid, interview, f"Interview started (session {sid}). Type your answer and press Enter."
        )

    def _begin(self, state, sid: str, interview, notice: str) -> Iterator[InterviewView]:
        chat = [{"role": "assistant", "content": e.text} for e in interview.start() if isinstance(e, InterviewerLine)]
        state["interview"] = {"sid": sid, "state": interview.state}
        yield InterviewView(chat, state, notice=notice)

    def interview_answer(self, state, text, chat) -> Iterator[InterviewView]:
        state = state or new_state()
        chat = list(chat or [])
        current = state.get("interview")
        if not current:
            yield InterviewView(chat, state, notice="Start an interview first.", answer_box=text)
            return
        try:
            answer = check_text(text, self.settings.max_answer_chars, "answer")
        except InputError as err:
            yield InterviewView(chat, state, notice=problem(err), answer_box=text)
            return
        interview = self.coach.interviews.resume(current["sid"], current["state"])
        if interview.finished:  # what the finished interview showed stays on screen
            yield InterviewView(
                chat,
                state,
                analysis=current.get("analysis", ""),
                scorecard=current.get("scorecard", ""),
                notice="This interview has finished; start a new one.",
                answer_box=text,
            )
            return
        chat.append({"role": "user", "content": answer})
        view = InterviewView(
            chat, state, analysis=current.get("analysis", "")
        )  # the last analysis stays until a new one
        view.notice = queue_note() or "The interviewer is thinking…"
        yield view
        view.notice = ""
        try:
            for event in interview.answer(answer, self.spoken_delivery(current, answer)):
                if isinstance(event, AnswerReviewed):
                    view.analysis = flags_markdown(event.review)
                elif isinstance(event, CoachComment):
                    view.analysis += f"\n\n**Coach:** {event.text}" + (
                        f"  \n*Source: {event.source_label}*" if event.source_label else ""
                    )
                elif isinstance(event, InterviewerLine):
                    chat.append({"role": "assistant", "content": event.text})
                elif isinstance(event, InterviewFinished):
                    view.scorecard = current["scorecard"] = scorecard_markdown(event.card)
                yield view
        except CoachError as err:
            view.notice = problem(err)
            yield view
            return
        current["state"] = interview.state
        current["analysis"] = view.analysis
        if interview.finished:
            view.notice = "Interview finished: your scorecard is below and saved in History."
        yield view

    # ------------------------------------------------------------ ask

    def ask(self, state, owner, question, chat, context_session) -> Iterator[AskView]:
        state = state or new_state()
        # A reply stopped before anything passed its checks left an empty bubble: it goes.
        chat = [
            m for m in (chat or []) if not (m.get("role") == "assistant" and str(m.get("content") or "").strip() == "")
        ]
        try:
            owner = check_owner(owner)
            q = check_text(question, 2000, "question")
        except InputError as err:
            yield AskView(chat, state, problem(err), question)
            return
        if msg := self._wait("embedding", "store", "model"):
            yield AskView(chat, state, msg, question)
            try:
                self.warmup.wait("embedding", "store", "model")
            except CoachError as err:
                yield AskView(chat, state, problem(err), question)
                return
        chat.append({"role": "user", "content": q})
        chat.append({"role": "assistant", "content": ""})
        yield AskView(chat, state, queue_note())
        conversation = state.setdefault("conversation", Conversation())
        context_id = (context_session or "").split(" ", 1)[0]
        result, notice, text = None, "", ""
        try:
            for event in self.coach.coaching.ask(q, conversation, owner=owner or "", context_session=context_id):
                if event.kind == "queued":
                    yield AskView(chat, state, event.text)
                elif event.kind == "token":
                    text += event.text
                    chat[-1] = {"role": "assistant", "content": text}
                    yield AskView(chat, state)
                elif event.kind == "not_saved":
                    notice = f"Warning: Not saved: {event.text}"
                elif event.kind == "done":
                    result = event.result
        except CoachError as err:
            chat[-1] = {"role": "assistant", "content": problem(err)}
            yield AskView(chat, state)
            return
        from coach.sessions.ask import render_with_marks

        answer = render_with_marks(result)
        note = "\n\n*Citations marked [n?] are not supported by the passage they cite.*" if "?]" in answer else ""
        chat[-1] = {"role": "assistant", "content": answer + note}
        chat.extend(source_messages([p.shown() for p in result.sources]))
        yield AskView(chat, state, notice)

    # ------------------------------------------------------------ debrief

    def debrief_start(self, state, owner, notes, transcript_file, role) -> Iterator[DebriefView]:
        state = state or new_state()
        try:
            owner = check_owner(owner)
            role = check_role(role)
            text = check_text(notes, self.settings.max_notes_chars, "notes")
            transcript = (
                self.read_upload(transcript_file, TRANSCRIPT_TYPES, "transcript", MAX_TRANSCRIPT_BYTES)
                if transcript_file
                else ""
            )
        except InputError as err:
            yield DebriefView([], state, notice=problem(err), box=notes)
            return
        if msg := self._wait("embedding", "store", "model"):
            yield DebriefView([], state, notice=msg, box=notes)
            try:
                self.warmup.wait("embedding", "store", "model")
            except CoachError as err:
                yield DebriefView([], state, notice=problem(err), box=notes)
                return
        said = [{"role": "user", "content": text}]
        yield DebriefView(said, state, notice=queue_note() or "Preparing your debrief…", box=notes)
        try:
            sid, report = self.coach.debriefs.run(
                DebriefInput(text, transcript=transcript, role=role or ""), owner=owner or ""
            )
        except CoachError as err:
            yield DebriefView(said, state, notice=problem(err), box=notes)
            return
        state["debrief"] = {"sid": sid, "report": report, "shown": 1, "role": role or ""}
        chat = [*said, self._step_message(report, 0)]
        yield DebriefView(
            chat, state, notice=f"Step 1 of {STEP_COUNT}. Reply if you like, then press “Next step”.", box=notes
        )

    @staticmethod
    def _step_message(report: dict, i: int) -> dict[str, str]:
        step = report["steps"][i]
        return {"role": "assistant", "content": f"**Step {i + 1} of {STEP_COUNT}: {step['name']}**\n\n{step['text']}"}

    def debrief_next(self, state, reply, chat) -> DebriefView:
        state = state or new_state()
        chat = list(chat or [])
        current = state.get("debrief")
        if not current:
            return DebriefView(chat, state, notice="Start a debrief first.", box=reply)
        report = current["report"]
        i = current["shown"]
        if (reply or "").strip():
            try:
                said = check_text(reply, self.settings.max_answer_chars, "reply")
                answer = self.coach.debriefs.reply(current["sid"], said, report, i)
            except CoachError as err:
                return DebriefView(chat, state, notice=problem(err), box=reply)
            chat.append({"role": "user", "content": said})
            chat.append({"role": "assistant", "content": answer.text})
            chat.extend(source_messages(answer.sources))
        if i < STEP_COUNT:
            chat.append(self._step_message(report, i))
            current["shown"] = i + 1
            if i + 1 == STEP_COUNT:
                hint = " Press “Next step” for your action plan and drafts."
            elif STEPS[i][0] == "practise" and report.get("weak_questions"):
                hint = " Type a new answer to one of these questions and press “Next step” to see how it reads."
            else:
                hint = " Reply if you like (a question, or how you see it), then press “Next step”."
            return DebriefView(chat, state, notice=f"Step {i + 1} of {STEP_COUNT}.{hint}")
        return DebriefView(
            chat,
            state,
            report=debrief_markdown(report, steps=False, drafts=False),
            follow_up=report["drafts"]["follow_up"],
            feedback_request=report["drafts"]["feedback_request"],
            notice="Debrief complete and saved. You can practise the weak questions now.",
        )

    def practise_weak(self, state, owner, level, style) -> Iterator[InterviewView]:
        """Start a mock interview on the debrief's weak questions."""
        state = state or new_state()
        weak = ((state.get("debrief") or {}).get("report") or {}).get("weak_questions", [])
        if not weak:
            notice = (
                "No questions to practise: the debrief named none "
                "(add a transcript, or mention the questions in your notes)."
            )
            yield InterviewView([], state, notice=notice)
            return
        try:
            owner = check_owner(owner)
            role = (state.get("debrief") or {}).get("role", "")
            settings = self.coach.interviews.practice_settings(weak, level, style, role)
            sid, interview = self.coach.interviews.start(settings, owner=owner or "")
        except CoachError as err:
            yield InterviewView([], state, notice=problem(err))
            return
        yield from self._begin(
            state, sid, interview, f"Practising {len(weak)} question(s) from your debrief (session {sid})."
        )
