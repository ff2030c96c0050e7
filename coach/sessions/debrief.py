"""The guided debrief after an interview that went badly.

The five steps of the guidance documents, in order: acknowledge the feelings;
review objectively and own your part (not blaming yourself, nor only the
panel); choose what to improve; practise; try again. Each step is written for
this person from their notes (and transcript, if any), cites the passages it
uses, and may open with one sentence worded by the model when that sentence
passes the checks. Also produced: an action plan with dates, a follow-up note
that repairs the worst answer, and a polite request for feedback.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from coach.feedback.analysis import analyze
from coach.feedback.flags import flag
from coach.feedback.review import AnswerReviewer
from coach.library.retrieval import Retriever
from coach.library.store import Passage
from coach.model.llm import ChatModel
from coach.model.phrasing import check_line, worded_line
from coach.model.prompts import PromptLibrary, as_data
from coach.practice.cards import answer_entry
from coach.practice.rating import AGAIN
from coach.sessions.ask import best_sentence
from coach.sessions.debrief_areas import area_table, feelings
from coach.sessions.debrief_notes import bad_moments, question_for_coach
from coach.sessions.debrief_plan import action_plan, drafts
from coach.sessions.transcripts import parse_transcript
from coach.text import quote

STEPS = [
    (
        "acknowledge",
        "Acknowledge the feelings",
        "It is healthy to feel the disappointment before analysing anything.",
        "allow yourself to feel the emotions talk about how you are feeling after a bad interview",
    ),
    (
        "review",
        "Review objectively and own your part",
        "Look at what happened calmly, owning your part without blaming yourself or only the interviewers.",
        "objectively review the interview list what went wrong own it do not blame yourself",
    ),
    (
        "improve",
        "Choose what to improve",
        "Pick the one or two things that will make the most difference next time.",
        "focus on what you can improve next time nerves preparation company attire answer the question",
    ),
    (
        "practise",
        "Practise",
        "Practise the questions that went badly and the three things you want the interviewers to remember.",
        "practice answers to anticipated questions three things to impress on the panel practise with another person",
    ),
    (
        "try_again",
        "Try again",
        "Keep applying, and get back into an interview soon.",
        "try again keep applying go on the next relevant interview informational interview ask for feedback",
    ),
]
STEP_COUNT = len(STEPS)


@dataclass
class DebriefInput:
    notes: str
    transcript: str = ""
    candidate: str | None = None
    role: str = ""
    today: dt.date | None = None


@dataclass
class Step:
    key: str
    name: str
    text: str
    sources: list[Passage] = field(default_factory=list)
    worded_by_model: bool = False

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "sources": [p.public() for p in self.sources]}


class Cites:
    """Numbers passages across the whole debrief so [n] is the same everywhere."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []

    def n(self, passage: Passage | None) -> str:
        if passage is None:
            return ""
        for i, p in enumerate(self.passages, 1):
            if p.chunk_id == passage.chunk_id:
                return f" [{i}]"
        self.passages.append(passage)
        return f" [{len(self.passages)}]"


class Debrief:
    def __init__(
        self,
        retriever: Retriever,
        reviewer: AnswerReviewer,
        model: ChatModel | None,
        prompts: PromptLibrary,
        question_bank=None,
    ) -> None:
        self.retriever = retriever
        self.reviewer = reviewer
        self.model = model
        self.prompts = prompts
        self.bank = question_bank

    # ------------------------------------------------------------ facts

    def facts(self, data: DebriefInput) -> dict[str, Any]:
        notes = data.notes
        lower = notes.lower()
        notes_analysis = analyze("How did the interview go?", notes)
        weak: list[dict[str, Any]] = []
        practice: list[dict[str, Any]] = []  # every question joins the practice queue (coach/practice)
        now = time.time()
        candidate = None
        if data.transcript.strip():
            candidate, _, pairs = parse_transcript(data.transcript, data.candidate)
            for pair in pairs:
                known = self.bank.by_text(pair.question) if self.bank else None
                review = self.reviewer.review(pair.question, pair.answer, "mid", known.kind if known else None)
                question = known.public() if known else {"text": pair.question}
                practice.append(answer_entry(question, pair.answer, review.public(), now))
                severity = sum(flag(f).weight for f in review.analysis.flags)
                weak.append(
                    {
                        "question": pair.question,
                        "answer": pair.answer,
                        "flags": review.analysis.flags,
                        "severity": severity,
                    }
                )
            weak.sort(key=lambda w: -w["severity"])
            weak = [w for w in weak if w["severity"] > 0][:3]
        else:
            weak = self.questions_mentioned(notes)
            for w in weak:  # a question the notes say went badly, with no answer to score: due again soon
                known = self.bank.by_id(w["question_id"]) if self.bank and w.get("question_id") else None
                question = known.public() if known else {"text": w["question"]}
                practice.append(answer_entry(question, "", {"flags": [], "score": None}, now) | {"rating": AGAIN})
        matches = {
            name: m.group(0) for name, (pattern, _, _) in area_table().items() if (m := re.search(pattern, lower))
        }
        areas = list(matches)
        for w in weak:
            for f in w.get("flags", []):
                area = flag(f).area
                if area and area not in areas:
                    areas.append(area)
        return {
            "moments": bad_moments(notes),
            "question": question_for_coach(notes),
            "feelings": [f for f in feelings() if re.search(rf"\b{f}\b", lower)],
            "blames_others": notes_analysis.blames_others,
            "self_blame": notes_analysis.self_blame,
            "weak_questions": weak,
            "areas": areas[:4] or ["preparation"],
            "area_matches": matches,
            "candidate": candidate,
            "practice": practice,
        }

    def questions_mentioned(self, notes: str) -> list[dict[str, Any]]:
        """Bank questions that match what the notes say they were asked (no transcript)."""
        if self.bank is None:
            return []
        # Each sentence and its clauses compete: "I froze when they asked about my weakness and I
        # hadn't researched the company" holds one question and one unrelated fact.
        embedder = self.reviewer.embedder
        if embedder is None:
            return []
        groups = []
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", notes):
            if not re.search(r"\b(asked|question|ask)\b|\?", sentence, re.I):
                continue
            clauses = [
                c
                for c in re.split(r"[;,]\s+|\s+(?:and|but|then|so)\s+", sentence)
                if re.search(r"\b(asked|question|ask)\b|\?", c, re.I)
            ]
            groups.append([sentence] + [c for c in clauses if c != sentence])
        if not groups:
            return []
        questions = self.bank.questions
        qv = embedder.embed([q.text for q in questions])
        found: list[dict[str, Any]] = []
        for group in groups:
            best_score, best_q, best_text = 0.0, None, ""
            for text, v in zip(group, embedder.embed(group)):
                scores = [sum(a * b for a, b in zip(v, q)) for q in qv]
                i = max(range(len(scores)), key=scores.__getitem__)
                if scores[i] > best_score:
                    best_score, best_q, best_text = scores[i], questions[i], text
            if best_q is not None and best_score >= 0.45 and all(f["question_id"] != best_q.id for f in found):
                found.append(
                    {
                        "question": best_q.text,
                        "question_id": best_q.id,
                        "answer": "",
                        "flags": [],
                        "mentioned": best_text.strip(),
                    }
                )
        return found[:3]

    # ------------------------------------------------------------ steps

    def passage(self, query: str, notes: str = "") -> Passage | None:
        found = self.retriever.search(f"{query} {notes[:200]}".strip(), k=1, advice_only=True)
        return found[0] if found else None

    def step_texts(self, data: DebriefInput, facts: dict[str, Any], cites: Cites) -> Iterator[Step]:
        weak = facts["weak_questions"]
        for number, (key, name, guidance, query) in enumerate(STEPS, 1):
            main = self.passage(query)
            extra: list[Passage] = []
            if key == "acknowledge":
                feel = " and ".join(facts["feelings"][:2]) or "shaken"
                body = (
                    f"Feeling {feel} after an interview like this is "
                    "normal, and it does not mean you failed as a person."
                    " Let yourself feel it: talk it through with someone you trust, "
                    f"or write it down, before you analyse anything{cites.n(main)}."
                )
            elif key == "review":
                parts = []
                if facts["moments"]:
                    said = "\n".join(f"- {m}" for m in facts["moments"])
                    parts.append(f"From your notes, these are the moments that went badly:\n{said}\n\n")
                if weak:
                    qs = "; ".join(f'"{quote(w["question"], 80)}"' for w in weak)
                    parts.append(f"The questions that went worst were {qs}.")
                if facts["blames_others"]:
                    other = self.passage("speak about others without blaming them own your part")
                    extra += [other] if other else []
                    parts.append(
                        f'You wrote "{quote(facts["blames_others"][0], 60)}": some of that may be '
                        f"true, but the review is only useful for the part you control{cites.n(other)}."
                    )
                if facts["self_blame"]:
                    kind = self.passage("do not blame yourself you are not a failure not every job is meant for you")
                    extra += [kind] if kind else []
                    parts.append(
                        f'You also wrote "{quote(facts["self_blame"][0], 50)}". That '
                        f"is not true: one interview does not define you{cites.n(kind)}."
                    )
                parts.append(
                    "When you feel calmer, list what you did wrong and what went well, "
                    f"and own it without blaming yourself or only the interviewers{cites.n(main)}."
                )
                body = " ".join(parts)
            elif key == "improve":
                lines = []
                for area in facts["areas"][:3]:
                    _, tip, area_query = area_table()[area]
                    p = self.passage(area_query.replace("{match}", facts["area_matches"].get(area, "")).strip())
                    if p:
                        extra.append(p)
                    lines.append(f"- {tip}{cites.n(p)}")
                body = f"Focus on what will help most next time{cites.n(main)}:\n" + "\n".join(lines)
            elif key == "practise":
                three = self.passage("three things you want the interviewers to remember")
                mock = self.passage("run a realistic mock interview with another person")
                extra += [p for p in (three, mock) if p]
                what = (
                    "; ".join(f'"{quote(w["question"], 70)}"' for w in weak)
                    if weak
                    else "the stock questions for your field"
                )
                body = (
                    f"Practise out loud your answers to {what}{cites.n(main)}."
                    " Decide on the three things you want the interviewers to "
                    f"remember about you and practise them too{cites.n(three)}."
                    " Then do a mock interview with another person, or "
                    f"here in the coach on these questions{cites.n(mock)}."
                )
            else:
                info = self.passage("schedule an informational interview with someone in your field")
                feedback = self.passage("ask the interviewer for feedback after a rejection")
                extra += [p for p in (info, feedback) if p]
                answer = self.answer_their_question(facts["question"], cites, extra)
                body = answer + (
                    "Don't let one interview stop you: keep applying, and go on "
                    f"the next relevant interview as soon as you can{cites.n(main)}."
                    f" Meanwhile, an informational interview keeps you in practice{cites.n(info)}, "
                    f"and feedback from this interviewer tells you what to fix{cites.n(feedback)}."
                )
            # Only the first step opens with a model-worded sentence, and only from a bigger model: empathy
            # suits it, but a small model's openers read as filler ("It's not just about the job...").
            small = self.model is None or self.model.small
            opener = (
                self.opening_line(number, name, guidance, data.notes) if key == "acknowledge" and not small else None
            )
            text = f"{opener.text} {body}" if opener and opener.from_model else body
            sources = [p for p in [main, *extra] if p]
            yield Step(
                key, name, text, list(dict.fromkeys(sources)), worded_by_model=bool(opener and opener.from_model)
            )

    def answer_their_question(self, question: str | None, cites: Cites, extra: list[Passage]) -> str:
        """The person's own question, answered in the words of the passage that best fits it."""
        found = self.their_question(question) if question else None
        if found is None:
            return ""
        line, p = found
        extra.append(p)
        return f"{line}{cites.n(p)}\n\n"

    def their_question(self, question: str) -> tuple[str, Passage] | None:
        """'You asked: "..."' and the sentence of the best-fitting passage that answers it, with that passage."""
        embedder = self.reviewer.embedder
        p = self.passage(question) if embedder else None
        if p is None:
            return None
        sentence = best_sentence(embedder.embed([question])[0], p, embedder)
        return f'You asked: "{quote(question, 120)}" {sentence}', p

    def opening_line(self, number: int, step: str, guidance: str, notes: str):
        if self.model is None:
            return None
        latest = self.prompts.render(
            "debrief_step", notes=as_data("notes", notes[:1500]), number=number, step=step, guidance=guidance
        )
        instruction = self.prompts.render("debrief_step", notes="", number=number, step=step, guidance=guidance)
        messages = [
            {"role": "system", "content": self.prompts.render("coach_system")},
            {"role": "user", "content": latest},
        ]
        return worded_line(
            self.model,
            messages,
            "",
            lambda t: check_line(
                t,
                max_words=30,
                question=False,
                user_text=notes,
                instruction=instruction,
                banned=("[", "passage", "i can only imagine"),
            ),
            sentences=1,
        )

    # ------------------------------------------------------------ whole debrief

    def run(self, data: DebriefInput) -> dict[str, Any]:
        facts = self.facts(data)
        cites = Cites()  # numbering shared by all steps
        steps = list(self.step_texts(data, facts, cites))
        today = data.today or dt.date.today()
        return {
            "steps": [s.public() for s in steps],
            "action_plan": action_plan(facts, today),
            "drafts": drafts(self.prompts, facts, data.role),
            "weak_questions": [
                {k: w[k] for k in ("question", "flags") if k in w}
                | ({"question_id": w["question_id"]} if "question_id" in w else {})
                for w in facts["weak_questions"]
            ],
            "sources": [p.public() for p in cites.passages],
            "practice": facts["practice"],  # saved into the practice queue with the notes, not in the report
            "facts": {
                k: facts[k]
                for k in ("moments", "question", "feelings", "areas", "blames_others", "self_blame", "candidate")
            },
        }
