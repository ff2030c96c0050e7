"""Mock interview flow with the scripted fake model: exact behaviour, saved turn by turn."""

import pytest

from coach.errors import InputError
from coach.sessions.interview import InterviewSettings

GOOD = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a daily "
    "triage meeting and wrote ten template replies. After four weeks "
    "the backlog was down to 80 and satisfaction rose from 72% to 88%."
)
THIN = "I fixed a bug once and it was fine."


def events_text(events):
    return [e.text for e in events if e.kind == "interviewer"]


def run(interview, answers):
    out = list(interview.start())
    for a in answers:
        out.extend(interview.answer(a))
    return out


def test_plan_comes_from_the_bank_and_one_question_is_asked_at_a_time(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(
        InterviewSettings(role="support lead", kind="behavioral", questions=2, seed=1)
    )
    plan = [q["text"] for q in interview.state["plan"]]
    assert len(plan) == 2 and all(q["kind"] == "behavioral" for q in interview.state["plan"])
    first = list(interview.start())
    assert len(first) == 1 and first[0].text.endswith(plan[0])
    assert first[0].text.count("?") <= plan[0].count("?") + 0, "the greeting must not add a question"


def test_thin_answer_gets_one_follow_up_then_moves_on(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=2, seed=2))
    list(interview.start())
    after_thin = list(interview.answer(THIN))
    review = next(e for e in after_thin if e.kind == "review")
    assert "too_short" in review.review["flags"]
    said = events_text(after_thin)
    assert len(said) == 1 and said[0].endswith("?")
    assert interview.state["stage"] == "follow_up"
    # The follow-up answer is still thin, but there is only one follow-up per question.
    after = list(interview.answer("It went well in the end."))
    assert interview.state["stage"] == "answer" and interview.state["index"] == 1
    assert any(e.kind == "comment" for e in after)
    assert events_text(after)[-1].endswith(interview.state["plan"][1]["text"])


def test_good_answer_moves_on_without_follow_up_and_closing_invites_questions(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=3))
    list(interview.start())
    after = list(interview.answer(GOOD))
    assert interview.state["stage"] == "candidate_questions"
    closing = events_text(after)[-1]
    assert closing.endswith("?")
    done = list(interview.answer("What does a typical week look like for the team?"))
    assert interview.finished
    card = next(e for e in done if e.kind == "finished").card
    assert len(card["answers"]) == 1 and card["answers"][0]["answer"] == GOOD
    assert card["answers"][0]["flags"] == []
    assert set(card["star_average"]) == {"situation", "task", "action", "result"}


def test_degenerate_model_text_falls_back_to_bank_wording(make_coach, fake_model):
    fake_model.default = "User: I am the candidate now. User: I am the candidate now."
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(role="analyst", kind="behavioral", questions=1, seed=4))
    greeting = list(interview.start())[0]
    assert "User:" not in greeting.text and "analyst" in greeting.text
    events = list(interview.answer(THIN))
    follow = events_text(events)[0]
    flags = next(e for e in events if e.kind == "review").review["flags"]
    from coach.sessions.interviewer_words import follow_up

    q = interview.state["plan"][0]
    expected = follow_up(q["text"], q["kind"], THIN, flags, "neutral")
    assert follow == expected.text, "the authored follow-up for the gap replaces the model's broken line"


def test_model_wording_is_used_when_it_passes_the_checks(make_coach, fake_model):
    fake_model.small = False  # a small model's lines are authored; a bigger one's are judged and used
    fake_model.enqueue("Welcome, and thanks for coming in today.")
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=5))
    first = list(interview.start())[0]
    assert first.text.startswith("Welcome, and thanks for coming in today.")
    assert "1 questions" not in fake_model.last_prompt and "ask 1 question" in fake_model.last_prompt


def test_answers_reach_the_model_as_data_and_turns_are_saved(make_coach, fake_model):
    fake_model.small = False  # a small model's acknowledgement of a good answer is authored, so it is never sent
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=2, seed=6))
    list(interview.start())
    list(interview.answer(GOOD))
    prompts = "\n".join(m["content"] for call in fake_model.history for m in call)
    assert "<candidate>" in prompts and "backlog had grown" in prompts
    record = coach.history.get(sid)
    assert [t.role for t in record.turns] == ["interviewer", "candidate", "interviewer"]
    assert record.state["index"] == 1
    # The saved state resumes the same interview.
    resumed = coach.interviews.resume(sid, record.state)
    assert resumed.current.text == interview.current.text


def test_scorecard_top_improvements_come_with_sources(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=2, seed=7))
    run(interview, [THIN, "We did it together as a team, no idea of the numbers.", THIN, "It was fine.", "no"])
    assert interview.finished
    card = coach.history.get(sid).summary
    assert 1 <= len(card["improvements"]) <= 3
    for imp in card["improvements"]:
        assert imp["tip"] and imp["source"]["text"] and imp["source"]["source"].startswith("knowledge/")
    assert card["answers"][0]["follow_up"]
    assert coach.history.get(sid).info.status == "finished"


def test_job_description_adds_skill_questions(make_coach, fake_model):
    coach = make_coach(fake_model)
    jd = "We are hiring a data analyst with strong SQL, Tableau and stakeholder management skills."
    sid, interview = coach.interviews.start(InterviewSettings(kind="mixed", questions=6, job_description=jd, seed=8))
    skills = [q["skill"] for q in interview.state["plan"] if q["origin"] == "job_description"]
    assert skills and set(skills) <= {"SQL", "Tableau", "stakeholder management"}


def test_bad_settings_are_clear_errors(make_coach, fake_model):
    coach = make_coach(fake_model)
    with pytest.raises(InputError, match="kind"):
        coach.interviews.start(InterviewSettings(kind="trivia"))
    with pytest.raises(InputError, match="between"):
        coach.interviews.start(InterviewSettings(questions=50))


def test_each_interviewer_prompt_starts_with_the_previous_one_so_the_model_cache_is_reused(make_coach, fake_model):
    """The conversation keeps each message exactly as sent: turn N+1's prompt extends turn N's, and
    the candidate's words appear once, inside the latest message."""
    fake_model.small = False  # so every acknowledgement is offered to the model, as a bigger model's would be
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=3, seed=4))
    run(interview, [GOOD, THIN, "It went well in the end, and the customer renewed.", GOOD, "No questions, thank you."])
    system = interview._system()
    calls = [m for m in fake_model.history if m[0]["content"] == system]
    assert len(calls) >= 4  # greeting, acknowledgements, a follow-up, the closing (the final reply is authored)
    for before, after in zip(calls, calls[1:]):
        assert after[: len(before)] == before, "a later prompt must begin with the earlier prompt, unchanged"
        assert after[len(before)]["role"] == "assistant"
    last = calls[-1]
    assert [m["role"] for m in last[1:]] == ["user", "assistant"] * ((len(last) - 2) // 2) + ["user"]
    assert sum(GOOD in m["content"] for m in last) == 2, "each answer is sent once, not twice"


def test_a_small_model_is_never_asked_for_interviewer_lines(make_coach, fake_model):
    """Measured: 1 of 39 tiny-model lines passed the judge, and it spoke as the candidate."""
    fake_model.default = "I'll ask you 3 questions, and I'm ready to answer them."
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=5))
    run(interview, ["Yes.", GOOD, "What are the next steps?"])
    assert fake_model.history == [], "nothing was sent to the small model"
    assert interview.finished


def test_a_good_answer_is_probed_with_the_banks_follow_up_about_once_in_three_questions(make_coach, fake_model):
    """Issue 11: a good answer gets the bank's probing follow-up; one probe per three questions keeps the
    interview near the length chosen, and the probe's answer is reviewed with the first answer."""
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=3, seed=5))
    list(interview.start())
    first = interview.current
    after = list(interview.answer(GOOD))
    assert first.follow_up, "every behavioral bank question has its own follow-up"
    assert interview.state["stage"] == "follow_up" and events_text(after)[-1].endswith(first.follow_up)
    assert interview.state["records"][-1]["follow_up_reason"] == "probe"
    list(interview.answer("I would set up the triage meeting in the first week next time."))
    assert "I would set up the triage" in interview.state["records"][-1]["follow_up_answer"]
    assert interview.state["stage"] == "answer" and interview.state["index"] == 1
    second = list(interview.answer(GOOD))
    assert interview.state["index"] == 2, "only one probe in a three-question interview"
    assert not any(first.follow_up and first.follow_up in t for t in events_text(second))
