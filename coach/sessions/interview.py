"""The mock interview: a question plan from the bank, one question at a time,
one follow-up when an answer is thin, a closing that invites the candidate's
questions, and a scorecard.

The plan and the questions come from the bank; the model only words the
greeting, acknowledgements, follow-ups and the closing (see :mod:`coach.model.phrasing`).
All state is a plain dict so the session can be saved after every turn.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Callable, Iterator

from coach.errors import InputError
from coach.feedback.flags import PRIORITY as IMPROVEMENT_PRIORITY
from coach.feedback.flags import THIN as THIN_FLAGS
from coach.feedback.flags import flag
from coach.feedback.review import AnswerReviewer, Review
from coach.model.context_budget import fit_messages
from coach.model.llm import ChatModel
from coach.model.phrasing import Line, check_line, copies, worded_line
from coach.model.prompts import PromptLibrary, as_data
from coach.sessions.interview_types import (
    AnswerReviewed,
    CoachComment,
    InterviewerLine,
    InterviewEvent,
    InterviewFinished,
    InterviewSettings,
)
from coach.sessions.question_bank import Question, QuestionBank
from coach.sessions.scorecard import build_scorecard

ACKNOWLEDGEMENTS = {
    "friendly": ["Thank you, that's helpful.", "Great, thanks for sharing that.", "Thanks, I appreciate the detail."],
    "neutral": ["Thank you.", "Okay, thanks.", "Thanks, that's clear."],
    "tough": ["Noted.", "Okay.", "Right, let's move on."],
}


class MockInterview:
    """Drive with :meth:`start` then :meth:`answer` until ``state['stage'] == 'done'``."""

    def __init__(
        self,
        state: dict[str, Any],
        model: ChatModel,
        prompts: PromptLibrary,
        reviewer: AnswerReviewer,
        on_turn: Callable[[str, str, dict, dict], None] | None = None,
        on_finish: Callable[[dict, dict], None] | None = None,
    ) -> None:
        self.state = state
        self.model = model
        self.prompts = prompts
        self.reviewer = reviewer
        self.on_turn = on_turn or (lambda role, text, meta, state: None)
        self.on_finish = on_finish or (lambda scorecard, state: None)

    # ------------------------------------------------------------ creation

    @staticmethod
    def new_state(settings: InterviewSettings, bank: QuestionBank) -> dict[str, Any]:
        settings.validate()
        if settings.question_ids or settings.custom_questions:
            plan = [q for q in (bank.by_id(i) for i in settings.question_ids) if q is not None]
            plan += [bank.custom_question(text, i) for i, text in enumerate(settings.custom_questions)]
            plan = plan[:12]
        else:
            plan = bank.plan(
                settings.kind, settings.level, settings.questions, settings.job_description, seed=settings.seed
            )
        if not plan:
            raise InputError("No questions match those settings.", "Try another kind or seniority.")
        return {
            "settings": asdict(settings),
            "plan": [q.public() for q in plan],
            "index": 0,
            "stage": "new",  # new -> answer -> follow_up -> candidate_questions -> done
            "records": [],
            "transcript": [],
            "messages": [],  # the model-facing conversation, as sent (stable prefix)
            "pending_user": None,  # the candidate's last words, until a message carries them
        }

    # ------------------------------------------------------------ helpers

    @property
    def settings(self) -> dict[str, Any]:
        return self.state["settings"]

    @property
    def current(self) -> Question:
        return Question.from_dict(self.state["plan"][self.state["index"]])

    @property
    def finished(self) -> bool:
        return self.state["stage"] == "done"

    def _system(self) -> str:
        style = self.settings["style"]
        article = {"friendly": "a friendly", "neutral": "a professional", "tough": "a tough"}[style]
        role = self.settings["role"]
        return self.prompts.render(
            "interviewer_system",
            interviewer_style=article,
            style=style,
            level=self.settings["level"],
            role=role or "open",
        )

    def _word(self, prompt: str, fallback: str, validate, sentences: int = 2, **variables) -> Line:
        """Ask the model to word a line; ``validate(text, instruction)`` says why it cannot be used.

        The message sent is kept in the conversation exactly as sent (instruction and
        the candidate's words together), so the next turn's prompt starts with what
        llama.cpp already has in its cache and only the new turn is read.
        """
        latest = self.prompts.render(prompt, **variables)
        instruction = self.prompts.render(prompt, **{k: ("" if k in ("answer",) else v) for k, v in variables.items()})
        self.state["pending_user"] = None  # the candidate's words are inside ``latest``
        messages = fit_messages(self.model, self._system(), self.state["messages"], latest, reserve=80)
        self.state["messages"].append({"role": "user", "content": latest})
        return worded_line(
            self.model,
            messages,
            fallback,
            lambda t: validate(t) or check_line(t, max_words=200, instruction=instruction),
            sentences=sentences,
        )

    def _say(self, text: str, meta: dict | None = None) -> InterviewEvent:
        pending = self.state.get("pending_user")
        if pending:  # nothing was worded this turn: the candidate's words still join the conversation
            self.state["messages"].append({"role": "user", "content": pending})
            self.state["pending_user"] = None
        self.state["transcript"].append({"role": "interviewer", "text": text})
        self.state["messages"].append({"role": "assistant", "content": text})
        self.on_turn("interviewer", text, meta or {}, self.state)
        return InterviewerLine(text, meta or {})

    def _heard(self, text: str) -> None:
        self.state["transcript"].append({"role": "candidate", "text": text})
        self.state["pending_user"] = as_data("candidate", text)

    # ------------------------------------------------------------ flow

    def start(self) -> Iterator[InterviewEvent]:
        if self.state["stage"] != "new":
            return
        count = len(self.state["plan"])
        role = self.settings["role"]
        position = f"the {role} position" if role else "this position"
        fallback = (
            f"Hello, and thanks for joining me today. I'll ask you {count} question{'s' if count != 1 else ''} "
            f"for {position}."
        )
        greeting = self._word(
            "interviewer_opening",
            fallback,
            lambda t: check_line(t, max_words=45, question=False),
            position=position,
            count=count,
            plural="s" if count != 1 else "",
        )
        self.state["stage"] = "answer"
        q = self.current
        yield self._say(
            f"{greeting.text}\n\n{q.text}",
            {"question_id": q.id, "worded_by_model": greeting.from_model, "rejected": greeting.rejected},
        )

    def answer(self, text: str) -> Iterator[InterviewEvent]:
        stage = self.state["stage"]
        if stage == "done":
            raise InputError("This interview has finished.", "Start a new one to practise again.")
        if stage == "new":
            raise InputError("The interview has not started yet.")
        self._heard(text)
        self.on_turn("candidate", text, {"stage": stage}, self.state)
        if stage == "candidate_questions":
            yield from self._wrap_up(text)
            return
        if stage == "answer":
            yield from self._after_answer(text)
        else:
            yield from self._after_follow_up(text)

    def _after_answer(self, text: str) -> Iterator[InterviewEvent]:
        q = self.current
        review = self.reviewer.review(q.text, text)
        record = {"question": q.public(), "answer": text, "follow_up_question": None, "follow_up_answer": None}
        self.state["records"].append(record)
        thin = next((f for f in THIN_FLAGS if f in review.analysis.flags), None)
        yield AnswerReviewed(review.public())
        if thin:
            fallback = flag(thin).follow_up if thin == "off_topic" or not q.follow_up else q.follow_up
            line = self._word(
                "interviewer_follow_up",
                fallback,
                lambda t: check_line(t, max_words=30, question=True, user_text=text),
                sentences=1,
                question=q.text,
                answer=as_data("candidate", text),
                gap=flag(thin).gap,
            )
            record["follow_up_question"] = line.text
            record["follow_up_reason"] = thin
            self.state["stage"] = "follow_up"
            yield self._say(
                line.text, {"follow_up": thin, "worded_by_model": line.from_model, "rejected": line.rejected}
            )
            return
        yield from self._score_and_move_on(record, review)

    def _after_follow_up(self, text: str) -> Iterator[InterviewEvent]:
        record = self.state["records"][-1]
        record["follow_up_answer"] = text
        q = self.current
        combined = f"{record['answer']}\n{text}"
        review = self.reviewer.review(q.text, combined)
        yield AnswerReviewed(review.public())
        yield from self._score_and_move_on(record, review)

    def _score_and_move_on(self, record: dict, review: Review) -> Iterator[InterviewEvent]:
        comment = self.comment(
            Question.from_dict(record["question"]),
            record["answer"] if not record["follow_up_answer"] else f"{record['answer']}\n{record['follow_up_answer']}",
            review,
        )
        record["review"] = review.public()
        record["comment"] = comment["text"]
        record["comment_source"] = comment["source"]
        yield CoachComment(
            comment["text"],
            comment["source"],
            comment.get("source_label"),
            comment["worded_by_model"],
            comment.get("rejected", ""),
        )
        self.state["index"] += 1
        last_answer = record["follow_up_answer"] or record["answer"]
        style = self.settings["style"]
        if self.state["index"] >= len(self.state["plan"]):
            line = self._word(
                "interviewer_closing",
                "Thank you, that was my last question. What would you like to ask me about the role or the team?",
                lambda t: check_line(t, max_words=40, question=True, user_text=last_answer),
                answer=as_data("candidate", last_answer),
            )
            self.state["stage"] = "candidate_questions"
            yield self._say(line.text, {"closing": True, "worded_by_model": line.from_model, "rejected": line.rejected})
            return
        options = ACKNOWLEDGEMENTS[style]
        ack = self._word(
            "interviewer_transition",
            options[self.state["index"] % len(options)],
            lambda t: check_line(t, max_words=20, question=False, user_text=last_answer),
            sentences=1,
            answer=as_data("candidate", last_answer),
        )
        self.state["stage"] = "answer"
        q = self.current
        yield self._say(
            f"{ack.text}\n\n{q.text}",
            {"question_id": q.id, "worded_by_model": ack.from_model, "rejected": ack.rejected},
        )

    def _wrap_up(self, text: str) -> Iterator[InterviewEvent]:
        asked = "?" in text
        if asked:
            line = self._word(
                "interviewer_reply",
                "That's a good question; the hiring manager can tell you "
                "more about it. Thank you for your time today, goodbye.",
                lambda t: check_line(t, max_words=60, question=False, user_text=text),
                answer=as_data("candidate", text),
            )
            closing = line.text
        else:
            closing = "Thank you for your time today. Goodbye."
        self.state["stage"] = "done"
        yield self._say(closing, {"closing": True})
        card = self.scorecard()
        self.on_finish(card, self.state)
        yield InterviewFinished(card)

    def stop(self) -> dict[str, Any]:
        """End early (e.g. the answers ran out): the scorecard covers what was answered."""
        self.state["stage"] = "done"
        card = self.scorecard()
        self.on_finish(card, self.state)
        return card

    # ------------------------------------------------------------ feedback

    def comment(self, question: Question, answer: str, review: Review) -> dict[str, Any]:
        """A short comment grounded in the passage behind the most important flag."""
        flags = review.analysis.flags
        top = next((t for f in IMPROVEMENT_PRIORITY for t in review.tips if t.flag == f), None)
        present = [k for k, v in review.analysis.star_present.items() if v]
        if review.analysis.behavioral and present:
            good = f"You covered the {', '.join(present)}."
        elif "too_short" not in flags and "off_topic" not in flags:
            good = "You answered the question directly."
        else:
            good = "You gave it a go under pressure."
        fallback = f"{good} {top.tip}" if top else f"{good} A solid answer: keep it this clear and specific."
        passage = top.passage if top else None
        if passage is None:
            return {"text": fallback, "source": None, "worded_by_model": False}
        facts = ", ".join(flags) if flags else "no problems"
        latest = self.prompts.render(
            "answer_comment",
            passage=as_data("passage", passage.text, title=passage.title),
            question=question.text,
            answer=as_data("candidate", answer),
            facts=facts,
        )
        messages = [
            {"role": "system", "content": self.prompts.render("coach_system")},
            {"role": "user", "content": latest},
        ]
        instruction = self.prompts.render("answer_comment", passage="", question=question.text, answer="", facts=facts)
        line = worded_line(
            self.model,
            messages,
            fallback,
            lambda t: (
                check_line(t, max_words=60, user_text=answer, instruction=instruction)
                or ("copies the passage" if copies(t, passage.text, 0.85) else None)
            ),
            sentences=2,
        )
        text = line.text
        if line.from_model:
            from coach.feedback.citations import check_citations

            supported = (
                check_citations(f"{text} [1]", [passage.text], self.reviewer.relevance.embedder, attach_uncited=False)
                if self.reviewer.relevance
                else []
            )
            if not supported or not supported[0].supported:
                text = fallback
        return {
            "text": text,
            "source": passage.public(),
            "source_label": passage.label(),
            "worded_by_model": text != fallback,
            "rejected": line.rejected
            or ("" if text != fallback or not line.from_model else "not supported by the passage"),
        }

    def scorecard(self) -> dict[str, Any]:
        return build_scorecard(self.state, self.settings)
