"""The page's handlers called directly, with the scripted fake model (no browser)."""

import pytest

from coach.page import PageHandlers, new_state
from coach.warmup import Warmup

GOOD = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a daily "
    "triage meeting and wrote ten template replies. After four weeks the backlog was down to 80 tickets."
)


@pytest.fixture
def page(make_coach, fake_model):
    coach = make_coach(fake_model)
    warmup = Warmup(coach).start()
    warmup.wait()
    return PageHandlers(coach, warmup)


def last(gen):
    out = None
    for out in gen:
        pass
    return out


def test_interview_start_answer_and_scorecard(page):
    chat, analysis, card, notice, state = last(page.interview_start(new_state(), "me", "analyst", "mid", "behavioral", "neutral", 1, ""))
    assert len(chat) == 1 and "Interview started" in notice
    chat, analysis, card, notice, state, box = last(page.interview_answer(state, GOOD, chat))
    assert "Flags:" in analysis and box == ""
    chat, analysis, card, notice, state, box = last(page.interview_answer(state, "No questions, thanks.", chat))
    assert "Scorecard" in card and "Flags:" in analysis, "the last analysis stays on screen"


def test_too_long_answer_is_refused_and_kept(page):
    *_, state = last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, ""))
    huge = "word " * 5000
    chat, analysis, card, notice, state, box = last(page.interview_answer(state, huge, []))
    assert "limit" in notice and box == huge and chat == []


def test_ask_streams_and_lists_sources_and_saves(page, fake_model):
    fake_model.default = "Practise your answers to the questions you expect, out loud, before the interview."
    outputs = list(page.ask(new_state(), "me", "How should I practise for interviews?", [], None))
    assert outputs[0][3] == "", "the question box is cleared once accepted"
    chat, notice, state, box = outputs[-1]
    assert chat[0] == {"role": "user", "content": "How should I practise for interviews?"}
    assert "[1]" in chat[1]["content"]
    sources = [m for m in chat if m.get("metadata")]
    assert sources and sources[0]["metadata"]["title"].startswith("[1]")
    assert any(r[2] == "ask" for r in page.history_rows("me"))


def test_debrief_walks_five_steps_then_report_and_drafts(page):
    notes = "The interview went badly. I froze when they asked about my greatest weakness. I feel embarrassed."
    chat, report, follow, feedback, notice, state, kept = last(page.debrief_start(new_state(), "me", notes, None, "analyst"))
    assert "Step 1 of 5" in chat[-1]["content"] and kept == notes
    for n in range(2, 6):
        chat, report, follow, feedback, notice, state, reply = page.debrief_next(state, "", chat)
        assert f"Step {n} of 5" in chat[-1]["content"]
    chat, report, follow, feedback, notice, state, reply = page.debrief_next(state, "Thanks, that helps.", chat)
    assert "Action plan" in report and "Dear" in follow and "feedback" in feedback.lower()
    assert chat[-1] == {"role": "user", "content": "Thanks, that helps."}
    chat, analysis, card, notice, state = last(page.practise_weak(state, "me", "mid", "neutral"))
    assert "weakness" in chat[0]["content"].lower() and "Practising 1 question" in notice


def test_sessions_are_per_browser(page):
    last(page.interview_start(new_state(), "alice", "", "mid", "behavioral", "neutral", 1, ""))
    last(page.interview_start(new_state(), "bob", "", "mid", "behavioral", "neutral", 1, ""))
    alice = page.history_rows("alice")
    assert len(alice) == 1
    bob_sid = page.history_rows("bob")[0][0]
    assert "no such session" in page.history_open("alice", bob_sid)
    assert page.history_export("alice", bob_sid) is None
    assert "Choose one of your sessions" in page.history_delete("alice", bob_sid, False, False)
    assert len(page.history_rows("bob")) == 1


def test_history_open_export_delete(page):
    *_, state = last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, ""))
    sid = page.history_rows("me")[0][0]
    assert "Mock interview" in page.history_open("me", sid)
    path = page.history_export("me", sid)
    assert path and open(path).read().startswith("# Mock interview")
    assert "Tick" in page.history_delete("me", "", False, True)
    assert "Deleted 1" in page.history_delete("me", "", True, True)
    assert page.history_rows("me") == []


def test_knowledge_upload_checks_type_size_and_indexes(page, tmp_path):
    good = tmp_path / "my-notes.md"
    good.write_text("## Salary\n\nGive a researched range when they ask about salary expectations, and say it calmly.")
    empty = tmp_path / "empty.md"
    empty.write_text("")
    wrong = tmp_path / "virus.exe"
    wrong.write_bytes(b"MZ")
    rows, msg = page.knowledge_upload([str(good), str(empty), str(wrong)])
    assert "Indexed 1 file" in msg and "empty" in msg and "virus.exe" in msg
    assert any(r[0] == "uploads/my-notes.md" for r in rows)
    rows, msg = page.knowledge_remove("uploads/my-notes.md")
    assert "Removed" in msg and not any(r[0] == "uploads/my-notes.md" for r in rows)
