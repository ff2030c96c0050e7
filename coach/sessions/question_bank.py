"""The question bank (data in knowledge/question_bank/) and interview question plans."""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from coach.errors import InputError
from coach.feedback.flags import flag

KINDS = ("behavioral", "technical", "situational", "mixed")
LEVELS = ("junior", "mid", "senior", "lead")
STYLES = ("friendly", "neutral", "tough")
MAX_QUESTIONS = 12
DEFAULT_QUESTIONS = 5  # a mock interview's length unless the user picks another (page and command line)


# Follow-ups for questions that have none of their own (those drawn from a job description).
@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    competency: str
    levels: tuple[str, ...]
    follow_up: str
    looks_for: str
    origin: str = "bank"  # "bank", "job_description" or "custom"
    skill: str = ""
    # A team-written example answer for stock questions (knowledge/question_bank/example_answers.json).
    example_answer: str = ""
    example_role: str = ""
    example_why: str = ""

    @property
    def known_kind(self) -> str | None:
        """The kind the bank or a template gives; None for a question asked as worded elsewhere (a
        transcript's, a due card's), whose ``kind`` is only the stock wording's guess. The review then
        reads the question itself (coach/feedback/question_kind.py)."""
        return None if self.origin == "custom" else self.kind

    def model_answer(self) -> dict | None:
        """The example answer as `coach analyze --json` and the page show it, or None."""
        if not self.example_answer:
            return None
        return {"text": self.example_answer, "speaker": self.example_role, "why_it_works": self.example_why}

    def public(self) -> dict:
        out = asdict(self)
        out["levels"] = list(self.levels)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Question":
        return cls(
            id=d["id"],
            text=d["text"],
            kind=d["kind"],
            competency=d.get("competency", ""),
            levels=tuple(d.get("levels", LEVELS)),
            follow_up=d.get("follow_up", ""),
            looks_for=d.get("looks_for", ""),
            origin=d.get("origin", "bank"),
            skill=d.get("skill", ""),
            example_answer=d.get("example_answer", ""),
            example_role=d.get("example_role", ""),
            example_why=d.get("example_why", ""),
        )


@dataclass(frozen=True)
class Skill:
    name: str
    aliases: tuple[str, ...]
    category: str


class QuestionBank:
    def __init__(self, questions: list[Question], skills: list[Skill], templates: dict[str, list[str]]) -> None:
        self.questions = questions
        self.skills = skills
        self.templates = templates

    @classmethod
    def load(cls, folder: Path) -> "QuestionBank":
        try:
            raw = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
            skills_raw = json.loads((folder / "skills.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(
                f"The question bank in {folder} cannot be read ({err}).",
                "Restore knowledge/question_bank/ from the repository.",
            ) from None
        examples = cls._examples(folder / "example_answers.json")
        questions = [Question.from_dict(d | examples.get(d["id"], {})) for d in raw]
        skills = [Skill(s["name"], tuple(a.lower() for a in s["aliases"]), s["category"]) for s in skills_raw["skills"]]
        return cls(questions, skills, skills_raw["templates"])

    @staticmethod
    def _examples(path: Path) -> dict[str, dict]:
        """Example answers by question id; a missing or unreadable file means none (they are optional)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {
            qid: {
                "example_answer": e["answer"],
                "example_role": e.get("role", ""),
                "example_why": e.get("why_it_works", ""),
            }
            for qid, e in raw.items()
            if isinstance(e, dict) and isinstance(e.get("answer"), str)
        }

    def by_id(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def by_text(self, text: str) -> Question | None:
        """The bank question worded exactly like ``text`` (case, spaces and end punctuation aside)."""
        key = re.sub(r"[\s?.!]+", " ", text or "").strip().lower()
        return next((q for q in self.questions if re.sub(r"[\s?.!]+", " ", q.text).strip().lower() == key), None)

    @staticmethod
    def custom_question(text: str, n: int = 0) -> Question:
        """A question from outside the bank (e.g. a transcript), asked as it was worded."""
        from coach.feedback.analysis import is_behavioral

        return Question(
            id=f"custom-{n + 1}",
            text=text.strip()[:400],
            kind="behavioral" if is_behavioral(text) else "motivation",
            competency="custom",
            levels=LEVELS,
            follow_up=flag("missing_result").follow_up,
            looks_for="A direct, specific answer.",
            origin="custom",
        )

    # ---------------------------------------------------------- job descriptions

    def skills_in(self, text: str) -> list[Skill]:
        """Skills a job description names, in the order they first appear, each called what the text calls
        it: "Meta Ads Manager" is asked about as Meta Ads, never as Google Ads (the skill it is filed under)."""
        text = text or ""
        lower = text.lower()
        found: list[tuple[int, Skill]] = []
        for skill in self.skills:
            spans = [
                (m.start(), m.end())
                for alias in skill.aliases
                for m in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", lower)
            ]
            if spans:
                start, end = min(spans)
                own = re.search(rf"(?<!\w){re.escape(skill.name.lower())}(?!\w)", lower)
                named = skill.name if own else text[start:end]
                found.append((start, replace(skill, name=named)))
        return [s for _, s in sorted(found, key=lambda f: f[0])]

    def skill_questions(self, text: str, rng: random.Random, limit: int) -> list[Question]:
        out = []
        for i, skill in enumerate(self.skills_in(text)[:limit]):
            templates = self.templates.get(skill.category) or self.templates["technical"]
            template = templates[rng.randrange(len(templates))]
            out.append(
                Question(
                    id=f"jd-{re.sub(r'[^a-z0-9]+', '-', skill.name.lower()).strip('-')}",
                    text=template.replace("{skill}", skill.name),
                    kind="behavioral",
                    competency=skill.category,
                    levels=LEVELS,
                    follow_up=flag("missing_result").follow_up,
                    looks_for=(
                        f"A concrete, recent example of {skill.name} with the candidate's own actions and a result."
                    ),
                    origin="job_description",
                    skill=skill.name,
                )
            )
        return out

    # ---------------------------------------------------------- plans

    def plan(
        self,
        kind: str = "mixed",
        level: str = "mid",
        count: int = 5,
        job_description: str = "",
        seed: int | None = None,
    ) -> list[Question]:
        """A question plan: bank questions for the kind and level, some drawn from the job description."""
        if kind not in KINDS:
            raise InputError(f"Unknown interview kind {kind!r}.", f"Choose one of: {', '.join(KINDS)}.")
        if level not in LEVELS:
            raise InputError(f"Unknown seniority {level!r}.", f"Choose one of: {', '.join(LEVELS)}.")
        if not 1 <= count <= MAX_QUESTIONS:
            raise InputError(f"The number of questions must be between 1 and {MAX_QUESTIONS}.")
        rng = random.Random(seed)
        jd_questions = (
            self.skill_questions(job_description, rng, limit=max(1, count // 3)) if job_description.strip() else []
        )
        wanted = {
            "behavioral": ["behavioral"],
            "technical": ["technical"],
            "situational": ["situational"],
            "mixed": ["motivation", "behavioral", "situational", "technical", "behavioral"],
        }[kind]
        pools = {
            k: [q for q in self.questions if q.kind == k and level in q.levels] for k in dict.fromkeys(wanted)
        }  # in a fixed order: the same seed, the same plan
        for pool in pools.values():
            rng.shuffle(pool)
        plan: list[Question] = []
        used_competencies: set[str] = set()
        slot = 0
        while len(plan) < count - len(jd_questions) and any(pools.values()):
            k = wanted[slot % len(wanted)]
            slot += 1
            pool = pools.get(k) or []
            if not pool:
                continue
            pick = next((q for q in pool if q.competency not in used_competencies), pool[0])
            pool.remove(pick)
            used_competencies.add(pick.competency)
            plan.append(pick)
        # Job-description questions go after the opener, spread through the plan.
        for i, q in enumerate(jd_questions):
            plan.insert(min(len(plan), 1 + i * 2), q)
        return plan[:count]
