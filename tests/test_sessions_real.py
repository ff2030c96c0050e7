"""End to end with the real default model: a 3-question interview and a debrief through the `coach` command."""

import json

import pytest
from conftest import run_coach

pytestmark = pytest.mark.model

ANSWERS = (
    "At my last job as a shift supervisor at a supermarket, two of my team kept arguing about the rota. "
    "I was responsible for the schedule, so I met each of them, then proposed a swap system. "
    "Complaints stopped and sick days fell by a third over two months.\n\n"
    "um, I guess I just, like, did my work, you know.\n\n"
    "It went fine in the end and my manager was happy.\n\n"
    "In my first month at a logistics firm I noticed our delivery report double counted returns. "
    "I owned that report, so I traced the bug to a join, fixed it and re-ran three months of data. "
    "Operations changed their staffing plan based on the corrected numbers, saving about 20 hours a week.\n\n"
    "I would first ask what the deadline and priorities are, then agree with my manager what to drop, "
    "and tell the affected people early.\n\n"
    "What does success look like in the first ninety days?\n"
)


def test_three_question_interview_unattended(indexed_home, tmp_path):
    f = tmp_path / "answers.txt"
    f.write_text(ANSWERS)
    out = run_coach(
        "interview",
        "--role",
        "operations analyst",
        "--kind",
        "mixed",
        "--questions",
        "3",
        "--seed",
        "5",
        "--answers",
        str(f),
        "--json",
        home=indexed_home,
    )
    assert out.returncode == 0, out.stderr
    card = json.loads(out.stdout)
    assert set(card) >= {"answers", "improvements", "transcript"}
    assert len(card["answers"]) == 3
    for a in card["answers"]:
        assert set(a) >= {"question", "answer", "flags", "star", "comment"} and a["comment"]
    assert card["transcript"][0]["role"] == "interviewer"
    said = [t["text"] for t in card["transcript"] if t["role"] == "interviewer"]
    assert all("<|" not in s and "User:" not in s for s in said)
    history = json.loads(run_coach("history", "--json", home=indexed_home).stdout)
    assert any(s["id"] == card["session_id"] and s["status"] == "finished" for s in history)


def test_debrief_from_notes(indexed_home, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "My interview for a marketing coordinator role went badly. I rambled on the first question and "
        "froze when they asked about my greatest weakness. I didn't research the company. I feel like a failure."
    )
    out = run_coach("debrief", "--notes", str(notes), "--json", home=indexed_home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["steps"]) == 5
    for step in report["steps"]:
        assert set(step) == {"name", "text", "sources"} and step["sources"] and "[" in step["text"]
    assert report["action_plan"] and set(report["drafts"]) == {"follow_up", "feedback_request"}
    md = run_coach("debrief", "--notes", "-", home=indexed_home, input=notes.read_text())
    assert md.returncode == 0 and md.stdout.startswith("# Your interview debrief")
