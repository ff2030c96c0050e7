"""Issue 14: the practice queue. Weak answers come back sooner than strong ones (FSRS), answering a due
card moves it, the user sees the previous answer beside the new one, and cards live and die with the
sessions they came from.

The scheduling rules run with the scripted model and a fixed clock; the end-to-end test at the bottom
runs the real `coach` command on the real default model."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from coach.practice.cards import answer_entry, card_key, replay
from coach.practice.rating import AGAIN, EASY, GOOD, HARD, rating_for
from coach.sessions.interview import InterviewSettings

DAY = 86400.0
T0 = 1_795_000_000.0  # a fixed clock (2026-11-18)
STRONG = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a "
    "daily triage meeting and wrote ten template replies. After four weeks the backlog was down to 80 and "
    "satisfaction rose from 72% to 88%."
)
WEAK = "I fixed a bug once and it was fine."
WEAK_AGAIN = "It went well in the end."


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def coach(make_coach, fake_model):
    coach = make_coach(fake_model)
    coach.practice.clock = Clock(T0)
    return coach


def interview(coach, answers, owner="", due=False, questions=1, seed=11):
    """One full interview: each answer (a follow-up gets the next), then no questions at the end."""
    settings = InterviewSettings(kind="behavioral", questions=questions, seed=seed)
    if due:
        settings = coach.interviews.with_due(settings, owner)
    sid, iv = coach.interviews.start(settings, owner=owner)
    events = list(iv.start())
    answers = list(answers)
    while not iv.finished:
        text = answers.pop(0) if answers else "No, thank you."
        events += list(iv.answer(text))
    return sid, iv, events


def test_ratings_follow_the_analysis():
    assert rating_for(["off_topic"], 4.0) == AGAIN
    assert rating_for([], 1.5) == AGAIN
    assert rating_for(["missing_result"], 3.5) == HARD
    assert rating_for(["too_short", "hedging"], None) == HARD
    assert rating_for(["hedging"], 3.8) == GOOD
    assert rating_for([], 3.6) == GOOD  # no flags but not a strong score: not Easy
    assert rating_for([], 4.6) == EASY


def test_the_same_question_is_one_card_and_deleted_answers_leave_it():
    q = {"id": "beh-teamwork-01", "text": "Tell me about a time you worked in a team."}
    weak = answer_entry(q, WEAK, {"flags": ["too_short", "missing_result"], "score": {"overall": 1.8}}, T0)
    strong = answer_entry(q, STRONG, {"flags": [], "score": {"overall": 4.6}}, T0 + 2 * DAY)
    assert weak["key"] == strong["key"] == "beh-teamwork-01"
    assert card_key("custom-1", "Why  THIS job?") == card_key(None, "why this job") == "text:why this job"
    (card,) = replay([weak, strong])
    assert len(card.answers) == 2 and card.last["score"] == 4.6
    (only_weak,) = replay([weak])
    assert (only_weak.due.timestamp() - T0) < (card.due.timestamp() - (T0 + 2 * DAY))


def test_a_weak_answer_is_due_sooner_than_a_strong_one(coach):
    interview(coach, [WEAK, WEAK_AGAIN], seed=11)
    interview(coach, [STRONG], seed=12)
    cards = {c.last["answer"]: c for c in coach.practice.cards()}
    weak = next(c for a, c in cards.items() if a.startswith(WEAK))
    strong = cards[STRONG]
    assert weak.last["rating"] in (AGAIN, HARD) and strong.last["rating"] in (GOOD, EASY)
    assert weak.due < strong.due
    assert weak.due.timestamp() - T0 <= DAY + 1
    assert coach.practice.due() == []  # nothing is due the same day
    coach.practice.clock.t = T0 + DAY + 60
    assert [c.key for c in coach.practice.due()] == [weak.key]


def test_a_due_card_is_asked_first_and_answering_it_moves_it_with_before_and_after(coach):
    _, first, _ = interview(coach, [WEAK, WEAK_AGAIN], seed=11)
    question = first.state["plan"][0]["text"]
    coach.practice.clock.t = T0 + 2 * DAY
    (due,) = coach.practice.due()
    sid, second, events = interview(coach, [STRONG], due=True, questions=2, seed=99)
    assert second.state["plan"][0]["text"] == question, "the due question comes first"
    assert len(second.state["plan"]) == 2 and second.state["plan"][1]["text"] != question
    reviewed = [e.review for e in events if e.kind == "review"]
    before = reviewed[0]["previous"]
    assert before and before["answer"].startswith(WEAK) and before["score"] < reviewed[0]["score"]["overall"]
    assert "Since your last answer to this question" in before["summary"] and before["fixed"]
    card = coach.history.get(sid).summary["answers"][0]
    assert card["previous"]["summary"] == before["summary"]
    moved = coach.practice.card("", due.question_id, due.question)
    assert len(moved.answers) == 2 and moved.due > due.due
    assert (
        moved.due.timestamp() - (T0 + 2 * DAY) > due.due.timestamp() - T0
    )  # a longer interval than after the weak one


def test_cards_survive_a_restart_and_are_deleted_with_their_sessions(coach, make_coach, fake_model):
    sid1, _, _ = interview(coach, [WEAK, WEAK_AGAIN], seed=11)
    sid2, _, _ = interview(coach, [STRONG], seed=12)
    assert len(coach.practice.cards()) == 2
    again = make_coach(fake_model)  # a new process's view of the same home
    assert {c.key for c in again.practice.cards()} == {c.key for c in coach.practice.cards()}
    coach.history.delete(sid1)
    assert [c.last["answer"] for c in coach.practice.cards()] == [STRONG]
    coach.history.delete_all()
    assert coach.practice.cards() == []


def test_a_card_answer_is_saved_in_the_same_transaction_as_its_turn(coach):
    sid = coach.history.create("interview", "t")
    broken = {"key": "k", "question": "q"}  # no rating: the insert fails inside the transaction
    with pytest.raises(KeyError):
        coach.history.add_turn(sid, "interviewer", "Next question?", {"practice": [broken]}, {"index": 1})
    assert coach.history.get(sid).turns == [] and coach.history.get(sid).state == {}
    entry = answer_entry({"text": "Why this job?"}, "Because.", {"flags": ["too_short"], "score": None}, T0)
    coach.history.add_turn(sid, "interviewer", "Next question?", {"practice": [entry]}, {"index": 1})
    record = coach.history.get(sid)
    assert len(record.turns) == 1 and "practice" not in record.turns[0].meta
    assert [a["question"] for a in coach.history.practice_answers()] == ["Why this job?"]


def test_one_browser_never_sees_another_browsers_cards(coach):
    interview(coach, [WEAK, WEAK_AGAIN], owner="browser-a", seed=11)
    interview(coach, [STRONG], owner="browser-b", seed=12)
    a = coach.practice.cards("browser-a")
    b = coach.practice.cards("browser-b")
    assert [c.last["answer"] for c in b] == [STRONG]
    assert all(c.last["answer"] != STRONG for c in a)
    assert len(coach.practice.cards("")) == 2  # the command line sees the machine's cards, as `coach history` does


def test_debrief_transcript_questions_join_the_queue(coach):
    from coach.sessions.debrief import DebriefInput

    transcript = (
        "Interviewer: Tell me about a time you handled a difficult customer.\n"
        "Sam: Um, I just dealt with it, I guess. It was fine.\n"
        "Interviewer: Why do you want to work here?\n"
        "Sam: I have used your app for three years, and your work on offline maps is what I want to build next.\n"
    )
    sid, report = coach.debriefs.run(DebriefInput(notes="It went badly.", transcript=transcript, candidate="Sam"))
    assert "practice" not in report
    cards = {c.question: c for c in coach.practice.cards()}
    assert "Tell me about a time you handled a difficult customer." in cards
    weak = cards["Tell me about a time you handled a difficult customer."]
    assert weak.last["rating"] in (AGAIN, HARD) and weak.last["session_id"] == sid


@pytest.mark.model
def test_practice_json_lists_cards_and_interview_due_asks_them_first_on_the_real_model(tmp_path, indexed_home):
    """End to end through the real `coach` command and the default model: a weak answer, then (two days
    later) `coach interview --due` asks that question first, and a strong answer moves it further out."""
    from conftest import ONE_QUESTION, home_with_store, run_coach

    home = home_with_store(indexed_home, tmp_path)  # the store only: other tests' sessions are not copied
    answers = tmp_path / "weak.txt"
    answers.write_text(f"{WEAK}\n\n{WEAK_AGAIN}\n\nNo, thank you.\n")
    out = run_coach(*ONE_QUESTION, "--answers", str(answers), "--json", home=home)
    assert out.returncode == 0, out.stderr
    asked = json.loads(out.stdout)["answers"][0]["question"]
    listed = json.loads(run_coach("practice", "--all", "--json", home=home).stdout)
    (card,) = listed["cards"]
    assert card["question"] == asked and card["answers"] == 1 and card["last_flags"] and listed["due_now"] == 0
    with sqlite3.connect(home / "sessions.db") as db:  # two days pass
        db.execute("update card_answers set answered_at = answered_at - ?", (2 * DAY,))
    first = json.loads(run_coach("practice", "--json", home=home).stdout)["cards"][0]
    strong = tmp_path / "strong.txt"
    strong.write_text(f"{STRONG}\n\nNo, thank you.\n")
    out = run_coach("interview", "--due", "--questions", "1", "--answers", str(strong), "--json", home=home)
    assert out.returncode == 0, out.stderr
    again = json.loads(out.stdout)["answers"][0]
    assert again["question"] == asked and again["previous"]["score"] < again["score"]
    after = json.loads(run_coach("practice", "--all", "--json", home=home).stdout)["cards"][0]
    assert after["answers"] == 2 and after["due"] > first["due"]

    def interval(card):
        return dt.datetime.fromisoformat(card["due"]) - dt.datetime.fromisoformat(card["last_answered"])

    assert interval(after) > interval(first), "a strong answer pushes the card out further than a weak one did"
    text = run_coach("practice", "--all", home=home).stdout
    assert asked in text and "2 answer(s)" in text


def page_interview(page, owner, answers, due=False):
    from conftest import last

    from coach.interfaces.page import new_state

    view = last(page.interview_start(new_state(), owner, "", "mid", "behavioral", "neutral", 1, "", due))
    asked = view.state["interview"]["state"]["plan"][0]["text"]
    answers = list(answers)
    analyses = []
    while view.state["interview"]["state"]["stage"] != "done":
        view = last(page.interview_answer(view.state, answers.pop(0) if answers else "No, thank you.", view.chat))
        analyses.append(view.analysis)
    return asked, view, analyses


def test_the_page_offers_due_questions_and_shows_before_and_after(page):
    page.coach.practice.clock = Clock(T0)
    assert page.due_label("me")["interactive"] is False
    asked, _, _ = page_interview(page, "me", [WEAK, WEAK_AGAIN])
    assert page.due_label("me")["interactive"] is False, "nothing is due the same day"
    page.coach.practice.clock.t = T0 + 2 * DAY
    offer = page.due_label("me")
    assert offer["interactive"] and "1 question(s) due" in offer["label"]
    assert page.due_label("someone-else")["interactive"] is False and page.practice_rows("someone-else") == []
    again, view, analyses = page_interview(page, "me", [STRONG], due=True)
    assert again == asked, "the due question is asked first"
    assert any("Since your last answer to this question" in a for a in analyses)
    assert "Since your last answer to this question" in view.scorecard
    (row,) = page.practice_rows("me")
    assert row[0] == asked and row[2] == 2 and not row[1].startswith("due now")
    side = page.practice_card("me", asked)
    assert "answer 1" in side and "answer 2" in side and WEAK[:20] in side and "Since your last answer" in side
    frame, x_range = page.competency_progress("me")
    assert len(frame) == 2 and x_range == [0.5, 2.5] and all(1 <= s <= 5 for s in frame["score"])
    assert page.practice_card("someone-else", asked).startswith("Choose a question")
