"""Fixed-set measurements of model output through the coach's own code paths.

Used by the tests (which assert the goals) and by `coach bench`. Figures are
rates over fixed inputs in tests/data/, never timings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.model.guard import degenerate_reason
from coach.sessions.ask import AskService, tidy_sentence
from coach.sessions.interview import InterviewSettings, MockInterview

DEGENERATE = {"empty", "speaks as another role", "repeats a sentence", "loops", "not prose", "echoes the user"}


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def split_qa(text: str) -> tuple[str, str]:
    m = re.match(r"\s*QUESTION:\s*(.*?)\s*ANSWER:\s*(.*)$", text, re.S)
    return (m.group(1).strip(), m.group(2).strip()) if m else ("Tell me about yourself.", text)


@dataclass
class Tally:
    samples: int = 0
    bad: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, reason: str | None, what: str) -> None:
        self.samples += 1
        if reason:
            self.bad += 1
            if len(self.examples) < 8:
                self.examples.append(f"{what}: {reason}")

    @property
    def rate(self) -> float:
        return self.bad / self.samples if self.samples else 0.0


def degenerate_rate(coach, prompts: list[dict[str, Any]]) -> Tally:
    """Share of model replies that are degenerate (empty, looping, speaking as the user...), after the stream guard."""
    tally = Tally()
    asker = AskService(coach.retriever, coach.chat_model, coach.prompts, coach.embedder, answer_style="per_passage")
    for item in prompts:
        if item["mode"] == "ask":
            result = asker.ask(item["text"])
            if not result.sources:
                continue
            for raw in result.model_reply.split("\n"):
                tally.add(degenerate_reason(tidy_sentence(raw), item["text"]), item["id"])
            continue
        question, answer = split_qa(item["text"])
        state = MockInterview.new_state(InterviewSettings(kind="behavioral", questions=1, seed=1), coach.question_bank)
        state["plan"][0]["text"] = question
        state["stage"] = "answer"
        interview = MockInterview(state, coach.chat_model, coach.prompts, coach.reviewer)
        if item["mode"] == "interviewer":
            events = list(interview.answer(answer))
            said = [e for e in events if e.kind == "interviewer"]
            rejected = said[-1].meta.get("rejected", "") if said else ""
            tally.add(rejected if rejected in DEGENERATE else None, item["id"])
        else:
            review = coach.reviewer.review(question, answer)
            comment = interview.comment(interview.current, answer, review)
            rejected = comment.get("rejected", "")
            tally.add(rejected if rejected in DEGENERATE else None, item["id"])
    return tally


def citation_rate(coach, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Supported share of the sentences the model wrote, and of the citations finally shown."""
    asker = AskService(coach.retriever, coach.chat_model, coach.prompts, coach.embedder, answer_style="per_passage")
    written = supported = shown = shown_ok = answered = no_guidance = passages = 0
    for item in questions:
        result = asker.ask(item["question"])
        if item.get("in_scope", True):
            answered += bool(result.sources)
            passages += len(result.sources)
            written += result.model_sentences
            supported += result.model_sentences_supported
            shown += len(result.citations)
            shown_ok += sum(c.supported for c in result.citations)
        else:
            no_guidance += not result.sources
    in_scope = sum(1 for q in questions if q.get("in_scope", True))
    out_scope = len(questions) - in_scope
    return {
        "model_sentences": written,
        "passages": passages,
        "model_supported_rate": supported / written if written else 0.0,
        "shown_supported_rate": shown_ok / shown if shown else 0.0,
        "in_scope_answered": answered / in_scope if in_scope else 0.0,
        "out_of_scope_declined": no_guidance / out_scope if out_scope else 0.0,
    }
