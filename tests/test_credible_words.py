"""Issue 11, the fast part: the judge measured on labelled lines, and the interviewer's authored,
answer-aware words (acknowledgements, follow-ups by gap and kind, parked questions, honest closing
replies, comments that agree with the flags), on fakes. The same flows on the real default model
are in test_credible_interviews.py."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from fakes import FakeRetriever, ScriptedChatModel

from coach.app import build
from coach.config import REPO_ROOT, Settings
from coach.feedback.analysis import analyze
from coach.feedback.judge import LineContext, judge, non_answer
from coach.sessions.answer_comment import authored_comment
from coach.sessions.interview import AnswerReviewed, CoachComment, InterviewerLine, InterviewSettings
from coach.sessions.interviewer_words import acknowledgement, answer_detail, follow_up, reply_to_questions

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def held_out(row: dict) -> bool:
    """A third of the labelled lines, chosen by id, are never looked at while the judge is tuned."""
    return zlib.crc32(row["id"].encode()) % 3 == 0


def gap_of(row: dict) -> str:
    if row["slot"] != "follow_up":
        return ""
    if non_answer(row["answer"]):
        return "non_answer"
    flags = analyze(row["question"], row["answer"]).flags
    return next((f for f in ("missing_result", "too_short") if f in flags), "")


def confusion(selected: list[dict]) -> tuple[int, int, int, int]:
    tp = fp = fn = tn = 0
    for r in selected:
        ctx = LineContext(
            r["slot"], r["question"], r["question_kind"], r["answer"], r["instruction"], r["earlier_lines"], gap_of(r)
        )
        rejected, bad = judge(r["line"], ctx) is not None, not r["ok"]
        tp, fp, fn, tn = (
            tp + (rejected and bad),
            fp + (rejected and not bad),
            fn + (bad and not rejected),
            tn + (not bad and not rejected),
        )
    return tp, fp, fn, tn


def test_the_judge_catches_the_bad_lines_it_was_built_from_and_most_it_never_saw():
    lines = rows("interviewer_lines.jsonl")
    for name, selected in (
        ("development", [r for r in lines if not held_out(r)]),
        ("held-out", list(filter(held_out, lines))),
    ):
        tp, fp, fn, tn = confusion(selected)
        print(f"\n{name}: {len(selected)} lines, precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f}")
        if name == "development":
            assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.95
        else:  # a floor only: nothing was tuned on these
            assert tp / (tp + fn) >= 0.8


@pytest.mark.parametrize(
    "line, slot, reason",
    [
        ("The candidate is ready to take the lead.", "greeting", "narration"),
        ("Greet the interviewer and ask them to begin.", "greeting", "echo"),
        ("I'm sorry for the inconvenience.", "acknowledgement", "apology"),
        ("I'm glad to hear that you're proud of your child's progress.", "acknowledgement", "invented"),
        ("The passage advises this person to prepare.", "coach_comment", "narration"),
    ],
)
def test_the_failures_quoted_in_the_issue_are_rejected(line, slot, reason):
    ctx = LineContext(
        slot, "Tell me about a time you improved a process.", "behavioral", "I reorganised the stock room."
    )
    assert judge(line, ctx) == reason


FOLLOW_UPS = [
    # question, kind, answer, flags, expected reason, must contain, must not contain
    (
        "What would you do if a client said your price was too high?",
        "situational",
        "I've always been good with people and I like a challenge.",
        ["off_topic"],
        "off_topic",
        "your price was too high",
        "specific example",
    ),
    (
        "Have you ever had to persuade a manager to change their mind?",
        "behavioral",
        "Yes.",
        ["too_short", "missing_result"],
        "non_answer",
        "example",
        "why",
    ),
    (
        "Tell me about a mistake you made.",
        "behavioral",
        "Nothing comes to mind.",
        ["too_short"],
        "non_answer",
        "example",
        "outcome",
    ),
    (
        "How would you estimate a project?",
        "technical",
        "I don't know.",
        ["too_short"],
        "non_answer",
        "first thing",
        "time you",
    ),
    (
        "Tell me about a time you had to cut scope.",
        "behavioral",
        "We cut some features.",
        ["too_short"],
        "too_short",
        "what you did",
        "why",
    ),
    (
        "How would you support a student who is falling behind?",
        "situational",
        "Give them extra help.",
        ["too_short"],
        "too_short",
        "would do",
        "a time",
    ),
    (
        "Tell me about a late delivery.",
        "behavioral",
        "A supplier was late, so I phoned two other hauliers and booked one.",
        ["missing_result"],
        "missing_result",
        "outcome",
        "feel",
    ),
    (
        "How do you work with product managers?",
        "technical",
        "Sorry, before I answer, can I ask how closely analysts work with product here?",
        ["off_topic"],
        "candidate_question",
        "How do you work with product managers?",
        "example",
    ),
]


@pytest.mark.parametrize("question, kind, answer, flags, reason, has, lacks", FOLLOW_UPS)
def test_follow_ups_fit_the_gap_and_the_question_kind(question, kind, answer, flags, reason, has, lacks):
    for style in ("friendly", "neutral", "tough"):
        fu = follow_up(question, kind, answer, flags, style)
        print(f"{style}: {fu.text}")
        assert fu.reason == reason
        assert has.lower() in fu.text.lower() and lacks.lower() not in fu.text.lower()
        if reason not in ("candidate_question", "off_topic"):  # those restate the bank's question verbatim
            assert judge(fu.text, LineContext("follow_up", question, kind, answer, gap=reason)) is None


def test_a_good_answer_and_an_answer_that_is_questions_when_questions_were_asked_for_move_on():
    assert (
        follow_up("What questions do you have for us?", "motivation", "How is success measured here?", [], "neutral")
        is None
    )
    assert follow_up("Tell me about a sale.", "behavioral", "I closed a deal worth 40,000 pounds.", [], "tough") is None


def test_acknowledgements_give_back_the_candidates_own_words_and_never_repeat():
    answers = [a for item in rows("scripted_interviews.jsonl") for a in item["answers"]]
    for style in ("friendly", "neutral", "tough"):
        said: list[str] = []
        for answer in answers[:12]:
            analysis = analyze("Tell me about a time you improved something.", answer)
            ack = acknowledgement(answer, analysis, style, said)
            detail = answer_detail(answer)
            if detail and detail[1] in ack:  # the detail is the candidate's words in the second person
                assert " I " not in f" {detail[1]} " and " my " not in f" {detail[1]} "
            ctx = LineContext(
                "acknowledgement",
                "Tell me about a time you improved something.",
                answer=answer,
                earlier_lines=list(said),
            )
            if ack:  # "" once every line was used: the interviewer just asks the next question
                assert judge(ack, ctx) in (None, "too_long", "invented"), ack  # quoted words may be long or rare
            said.append(f"{ack}\n\nNext question?")
        acks = [s.split("\n")[0] for s in said if s.split("\n")[0]]
        print("\n".join(acks))
        assert len(acks) >= 8 and len({a.split(":")[0] for a in acks}) == len(acks), (
            "the same acknowledgement came back"
        )


def test_the_result_the_candidate_gave_is_what_the_interviewer_gives_back():
    answer = (
        "We trialled name-alert stickers for three months and wrong-patient documentation errors "
        "went from six in the previous quarter to one. I now check two identifiers every time."
    )
    kind, clause = answer_detail(answer)
    assert kind == "result" and "six" in clause and "one" in clause


def test_closing_replies_are_honest_and_point_to_guidance():
    topic, text = reply_to_questions("What's the salary band, and is it hybrid?", "neutral")
    assert topic == "pay" and "recruiter" in text and "don't know this company" in text
    # Authored words make no claim about the candidate, so only the voice and shape classes apply.
    verdict = judge(text, LineContext("reply_to_candidate_question", answer="What's the salary band?"))
    assert verdict in (None, "too_long", "invented"), verdict
    topic, _ = reply_to_questions("What does success look like in the first three months?", "friendly")
    assert topic == "success"


@pytest.fixture
def unit_coach(tmp_path):
    retriever = FakeRetriever(REPO_ROOT / "knowledge")

    def make(model):
        settings = Settings.load({"home": tmp_path / "home"}, env={})
        return build(settings, embedder=retriever.embedder, chat_model=model, retriever=retriever)

    return make


def run(interview, answers):
    events = list(interview.start())
    for a in answers:
        if interview.finished:
            break
        events += list(interview.answer(a))
    return events


def test_a_model_that_narrates_and_apologises_never_reaches_the_candidate(unit_coach):
    model = ScriptedChatModel(default="I'm sorry. The candidate gave a great answer about the project.", small=False)
    coach = unit_coach(model)
    _, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=2, seed=3, style="friendly"))
    events = run(
        interview, ["Yes.", "Nothing comes to mind.", "We did fine.", "I don't know.", "What are the next steps?"]
    )
    said = [e.text for e in events if isinstance(e, (InterviewerLine, CoachComment))]
    assert len(model.history) >= 4, "the model was asked"
    for text in said:
        assert "candidate" not in text.lower() and "sorry" not in text.lower(), text
    assert not any(e.meta.get("worded_by_model") for e in events if isinstance(e, InterviewerLine))


def test_a_question_in_place_of_an_answer_is_parked_and_the_real_answer_reviewed_alone(unit_coach):
    coach = unit_coach(ScriptedChatModel())
    _, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=3))
    list(interview.start())
    q = interview.current.text
    events = list(interview.answer("Before I answer, what does a typical week look like for the team?"))
    line = next(e for e in events if isinstance(e, InterviewerLine))
    assert "end" in line.text and q.rstrip(".?") in line.text and not any(isinstance(e, AnswerReviewed) for e in events)
    good = (
        "Last year our team's backlog hit 400 tickets. I was responsible for clearing it. I set up a daily triage "
        "and wrote ten template replies. After four weeks the backlog was down to 80 tickets."
    )
    review = next(e for e in list(interview.answer(good)) if isinstance(e, AnswerReviewed)).review
    assert "typical week" not in review["answer"]
    assert interview.state["stage"] == "candidate_questions", "one follow-up per question: the parked one was it"
    events = list(interview.answer("What are the next steps?"))
    closing = next(e for e in events if isinstance(e, InterviewerLine)).text
    note = next(e for e in events if isinstance(e, CoachComment))
    assert "don't know this company" in closing and note.source is not None


@pytest.mark.parametrize(
    "question, answer, forbidden",
    [
        (
            "Tell me about a time you led a team.",
            "I like cooking and I have two cats at home who keep me busy.",
            ("directly", "solid"),
        ),
        ("Tell me about a time you failed.", "Yes.", ("directly", "solid", "covered")),
        (
            "Why do you want this job?",
            "My last boss was useless and the company never cared about anyone there.",
            ("solid",),
        ),
    ],
)
def test_comments_never_contradict_the_flags(unit_coach, question, answer, forbidden):
    coach = unit_coach(ScriptedChatModel())
    review = coach.reviewer.review(question, answer)
    text, _ = authored_comment(review)
    print(review.analysis.flags, "->", text)
    assert review.analysis.flags
    assert not any(word in text.lower() for word in forbidden)


def test_ask_shows_only_checked_sentences_never_the_raw_stream(unit_coach):
    """The tiny model's "The passage advises this person..." never reaches the screen, not even mid-stream,
    and neither does a sentence that says the opposite of its passage."""
    model = ScriptedChatModel(default="The passage advises this person to avoid a thank-you email.")
    coach = unit_coach(model)
    events = list(coach.asker.stream("Should I send a thank-you email after an interview that went badly?"))
    shown = "".join(e.text for e in events if e.kind == "token")
    result = next(e.result for e in events if e.kind == "done")
    print(shown)
    assert model.history, "the model was asked"
    assert shown.strip() and "passage advises" not in shown and "this person" not in shown
    assert "passage advises" not in result.answer and "avoid a thank-you" not in result.answer.lower()


def test_a_sentence_that_contradicts_its_passage_is_refused():
    from fakes import FakeEmbedder

    from coach.library.store import Passage
    from coach.sessions.ask import sentence_problem

    passage = Passage(
        "Send a short thank-you email within 24 hours of the interview. Mention one thing you discussed.",
        "notes/thank-you.md",
        "Thank-you notes",
        0.8,
        "p1",
    )
    question = "Should I send a thank-you email?"
    bad = "Avoid sending a thank-you email after the interview."
    good = "Send a short thank-you email within 24 hours."
    assert sentence_problem(bad, question, passage, FakeEmbedder()) == "contradicts its passage"
    assert sentence_problem(good, question, passage, FakeEmbedder()) is None


def test_a_skill_is_asked_about_only_by_the_name_the_job_description_gives_it():
    from coach.sessions.question_bank import QuestionBank

    bank = QuestionBank.load(REPO_ROOT / "knowledge" / "question_bank")
    jd = "You will run paid campaigns in Meta Ads Manager and measure them in Google Analytics 4."
    names = [s.name for s in bank.skills_in(jd)]
    assert names == ["Meta Ads", "Google Analytics"]
    plan = bank.plan("behavioral", "mid", 4, jd, seed=1)
    asked = " ".join(q.text for q in plan)
    assert "Google Ads" not in asked and "Meta Ads" in asked


def test_the_debrief_names_the_moments_matches_the_areas_and_answers_the_question(unit_coach):
    """Over the debrief development set (tests/data/debrief_notes.jsonl): every note's moments are named in the
    person's own words, step 3's areas are the ones the notes show, and a direct question is answered, cited."""
    from coach.sessions.debrief import DebriefInput

    coach = unit_coach(ScriptedChatModel())
    matched = expected = 0
    for row in rows("debrief_notes.jsonl"):
        report = coach.debriefer.run(DebriefInput(row["notes"], role=row["role"]))
        facts = report["facts"]
        assert len(facts["moments"]) >= min(len(row["moments"]), 2), (row["id"], facts["moments"])
        review = next(s for s in report["steps"] if s["name"].startswith("Review"))
        assert all(m[:40] in review["text"] for m in facts["moments"])
        matched += len(set(row["areas"]) & set(facts["areas"]))
        expected += len(row["areas"])
        if row["question_asked"]:
            assert facts["question"] == row["question_asked"]
            last_step = report["steps"][-1]
            assert f'You asked: "{row["question_asked"][:60]}' in last_step["text"] and last_step["sources"]
    print(f"\nareas matched {matched} of {expected}")
    assert matched >= 30 and expected == 32
    husband = coach.debriefer.facts(DebriefInput(rows("debrief_notes.jsonl")[6]["notes"]))["moments"]
    assert any("husband" in m for m in husband)


def test_the_same_follow_up_is_never_worded_twice_and_non_answers_are_seen_anywhere():
    q, kind, short = "Tell me about a time you won a customer.", "behavioral", "I got them to switch to us."
    first = follow_up(q, kind, short, ["too_short"], "tough")
    second = follow_up(q, kind, "We just talked a lot.", ["too_short"], "tough", [first.text])
    assert first.reason == second.reason == "too_short" and first.text != second.text
    for answer in (
        "Nothing really comes to mind, to be honest. I'm pretty careful.",
        "Um... I don't know. I'm a perfectionist?",
    ):
        assert non_answer(answer), answer
        assert follow_up(q, kind, answer, ["too_short"], "neutral").reason == "non_answer"


def test_the_passages_own_words_are_advice_not_a_script_a_disclaimer_or_half_a_quote():
    from coach.sessions.ask import is_aside

    assert is_aside("Based on my research and my five years in payroll, I was hoping for a base salary of 58,000.")
    assert is_aside("This is general information, not legal advice.")
    assert is_aside("I'd be grateful.\" Do not argue with the decision.")
    assert not is_aside("Send each interviewer their own thank-you note within 24 hours.")
    assert not is_aside('If you are asked, you can say "I haven\'t seen that data, but here is how I would find out."')
    assert is_aside("Could you send an updated offer letter reflecting those changes?"), "a sample line to say"


@pytest.mark.parametrize(
    "sentence, nearest, reason",
    [
        # Model sentences read on the coaching questions (2026-11-25) that passed every earlier check.
        ('"don\'t take it personally" and not push after one polite request.', "Do not push.", "quotation"),
        ("Fix that in my follow-up email by adding a brief summary.", "Repair one answer.", "asker"),
        ("The interview coach to prepare in three ways before returning.", "Prepare in three ways.", "coach"),
        ("Send a thank-you email after their interviews.", "Send a thank-you note within 24 hours.", "third"),
        ("Practice their skills before a job interview.", "Practise out loud.", "third"),
    ],
)
def test_ask_sentences_that_are_not_advice_to_you_are_refused(sentence, nearest, reason):
    from coach.sessions.ask import voice_problem

    problem = voice_problem(sentence, nearest)
    assert problem and reason in problem


def test_advice_to_you_passes_the_voice_check():
    from coach.sessions.ask import voice_problem

    assert voice_problem("Send each interviewer a short thank-you note.", "Send each one their own note.") is None
    assert voice_problem("Ask them for feedback within a day or two.", "Ask them for feedback soon.") is None
    assert voice_problem('Say "thank you for your time" and stop.', "Thank them for their time.") is None
