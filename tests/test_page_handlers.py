"""The page's handlers called directly, with the scripted fake model (no browser)."""

from conftest import last

from coach.interfaces.page import new_state

GOOD = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a daily "
    "triage meeting and wrote ten template replies. After four weeks the backlog was down to 80 tickets."
)


def test_interview_start_answer_and_scorecard(page):
    view = last(page.interview_start(new_state(), "me", "analyst", "mid", "behavioral", "neutral", 1, ""))
    assert len(view.chat) == 1 and "Interview started" in view.notice
    view = last(page.interview_answer(view.state, GOOD, view.chat))
    assert "Flags:" in view.analysis and view.answer_box == ""
    if view.state["interview"]["state"]["stage"] == "follow_up":  # the plan is random: GOOD may not fit it
        view = last(page.interview_answer(view.state, GOOD, view.chat))
    view = last(page.interview_answer(view.state, "No questions, thanks.", view.chat))
    assert "Scorecard" in view.scorecard and "Flags:" in view.analysis, "the last analysis stays on screen"
    after = last(page.interview_answer(view.state, "One more thing?", view.chat))
    assert "finished" in after.notice and after.scorecard == view.scorecard, (
        "a message after the end keeps the scorecard"
    )
    star, flags, star_x, flag_y, scores = page.progress_data("me")
    assert len(scores) == 1 and 1 <= scores["score"][0] <= 5, "the interview's overall score is plotted"
    summary = page.coach.history.get(page.history_rows("me")[0][0]).summary
    drawn = [1, 1, 1, 1] if summary["star_average"] else []  # the plan is random: a question may not be a story
    assert list(star["interview"]) == drawn and star_x == [0.5, 1.5], "one interview is drawn, as points"
    assert flag_y[0] == 0 and flag_y[1] >= max(flags["count"], default=1), "the flag axis starts at 0"
    assert all("_" not in f for f in flags["flag"]), "flags are named in words"


def test_too_long_answer_is_refused_and_kept(page):
    state = last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, "")).state
    huge = "word " * 5000
    view = last(page.interview_answer(state, huge, []))
    assert "limit" in view.notice and view.answer_box == huge and view.chat == []


def test_ask_streams_and_lists_sources_and_saves(page, fake_model):
    fake_model.default = "Practise your answers to the questions you expect, out loud, before the interview."
    outputs = list(page.ask(new_state(), "me", "How should I practise for interviews?", [], None))
    assert outputs[0].question_box == "", "the question box is cleared once accepted"
    chat = outputs[-1].chat
    assert chat[0] == {"role": "user", "content": "How should I practise for interviews?"}
    assert "[1]" in chat[1]["content"]
    sources = [m for m in chat if m.get("metadata")]
    assert sources and sources[0]["metadata"]["title"].startswith("[1]")
    assert any(r[2] == "ask" for r in page.history_rows("me"))
    stopped = [{"role": "user", "content": "First question?"}, {"role": "assistant", "content": ""}]
    after = list(page.ask(new_state(), "me", "How should I practise?", stopped, None))[-1].chat
    assert all(str(m["content"]).strip() for m in after), "a reply stopped with nothing shown leaves no empty bubble"


def test_debrief_walks_five_steps_then_report_and_drafts(page):
    notes = "The interview went badly. I froze when they asked about my greatest weakness. I feel embarrassed."
    view = last(page.debrief_start(new_state(), "me", notes, None, "analyst"))
    assert "Step 1 of 5" in view.chat[-1]["content"] and view.box == notes
    for n in range(2, 6):
        view = page.debrief_next(view.state, "", view.chat)
        assert f"Step {n} of 5" in view.chat[-1]["content"]
    view = page.debrief_next(view.state, "Thanks, that helps.", view.chat)
    assert "Action plan" in view.report and "Dear" in view.follow_up and "feedback" in view.feedback_request.lower()
    assert "## 1." not in view.report and "Draft:" not in view.report, "steps and drafts are shown elsewhere"
    assert view.chat[-2] == {"role": "user", "content": "Thanks, that helps."}
    assert "action plan" in view.chat[-1]["content"], "a reply between steps is answered, never ignored"
    practice = last(page.practise_weak(view.state, "me", "mid", "neutral"))
    assert "weakness" in practice.chat[0]["content"].lower() and "Practising 1 question" in practice.notice


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
    last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, ""))
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
    view = page.knowledge_upload([str(good), str(empty), str(wrong)])
    assert "Indexed 1 file" in view.notice and "empty" in view.notice and "virus.exe" in view.notice
    assert any(r[0] == "uploads/my-notes.md" for r in view.rows)
    view = page.knowledge_remove("uploads/my-notes.md")
    assert "Removed" in view.notice and not any(r[0] == "uploads/my-notes.md" for r in view.rows)


def test_debrief_reads_what_is_typed_between_steps(page):
    """Issue 11: "Is that better?" went unanswered. A new answer is analysed against the question that went
    badly, a question is answered from a passage with its source, anything else gets a reply for the step."""
    notes = "It went badly. They asked me to tell them about a time I failed and I froze and rambled."
    view = last(page.debrief_start(new_state(), "me", notes, None, "analyst"))
    view = page.debrief_next(view.state, "I just feel stupid.", view.chat)
    assert view.chat[-3]["content"] == "I just feel stupid." and "normal" in view.chat[-2]["content"]
    assert "Step 2 of 5" in view.chat[-1]["content"]
    view = page.debrief_next(view.state, "Should I email the recruiter to explain?", view.chat)
    reply = next(m for m in view.chat if m["content"].startswith("You asked:"))
    assert "[1]" in reply["content"]
    assert view.chat[view.chat.index(reply) + 1]["metadata"]["title"].startswith("[1] ")
    view = page.debrief_next(view.state, "", view.chat)
    assert "Type a new answer" in view.notice, "the practise step says what a reply there does"
    vague = (
        "Um, I guess I failed at some stuff sometimes, like everyone does, and it was fine in the end really. "
        "Is that better?"
    )
    view = page.debrief_next(view.state, vague, view.chat)
    read = next(m["content"] for m in view.chat if m["content"].startswith("Read as your answer to"))
    assert "fail" in read.lower() and "Flags:" in read, read
    assert "Is that better" not in read
