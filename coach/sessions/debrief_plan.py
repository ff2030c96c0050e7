"""The debrief's action plan and its two drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coach.model.prompts import PromptLibrary
from coach.sessions.debrief_areas import area_table
from coach.text import quote


def action_plan(facts: dict[str, Any], today: dt.date) -> list[dict[str, str]]:
    """Dated steps for the next two weeks, from what the debrief found."""
    weak = facts["weak_questions"]

    def day(n: int) -> str:
        d = today + dt.timedelta(days=n)
        return f"{d.isoformat()} ({d.strftime('%A')})"

    plan = [
        {"when": day(1), "do": "Send the follow-up note below (it repairs your weakest answer)."},
        {"when": day(2), "do": "Send the request for feedback below, or send it as soon as you hear the outcome."},
        {
            "when": day(3),
            "do": "Practise out loud: "
            + ("; ".join(quote(w["question"], 60) for w in weak) if weak else "five stock questions for your field")
            + ".",
        },
    ]
    for i, area in enumerate(facts["areas"][:2]):
        plan.append({"when": day(4 + i), "do": area_table()[area][1]})
    plan += [
        {
            "when": day(7),
            "do": "Write down the three things you want the interviewers to remember, and practise working them in.",
        },
        {
            "when": day(10),
            "do": "Do a full mock interview with a friend or in the coach, and book an informational interview.",
        },
        {"when": day(14), "do": "Apply for the next relevant role and go on the next interview you are offered."},
    ]
    return plan


def drafts(prompts: PromptLibrary, facts: dict[str, Any], role: str) -> dict[str, str]:
    """The follow-up note and the request for feedback, with placeholders for what only the person knows."""
    weak = facts["weak_questions"]
    worst = weak[0]["question"] if weak else ""
    role = role or "[role]"
    follow = prompts.render(
        "drafts/follow_up",
        interviewer="[interviewer's name]",
        role=role,
        question=worst or "[the question you want to answer better]",
        better_example=(
            "[one or two sentences: the situation, what you did, and the result, with a number if you can]."
        ),
        name="[your name]",
    )
    feedback = prompts.render(
        "drafts/feedback_request", interviewer="[interviewer's name]", role=role, question=worst, name="[your name]"
    )
    return {"follow_up": follow, "feedback_request": feedback}
