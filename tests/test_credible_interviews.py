"""Issue 11 on the real default setup: the scripted interviews of tests/data/scripted_interviews.jsonl
run through the coach's own interview use case (real GGUF, real embedder and store), and every line the
candidate would read is checked for the classes of failure the issue quotes. The lines are printed, for
reading. The default model is small, so it words none of the interviewer's lines (measured: 1 of 39 passed
the judge, and it spoke as the candidate); the same checks hold a bigger model's lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.feedback.judge import HYPOTHETICAL_KINDS, PAST_EXAMPLE, LineContext, judge
from coach.sessions.interview import AnswerReviewed, CoachComment, InterviewerLine, InterviewSettings

DATA = Path(__file__).parent / "data"
VOICE = ("narration", "echo", "apology", "wrong_role", "repeat")  # never acceptable, whoever wrote the line
# What the first answer to a question is, by the set's labels, and the follow-up it must get.
EXPECTED_GAP = {
    "non_answer": {"non_answer"},
    "candidate_question": {"candidate_question"},
    "too_short": {"too_short", "non_answer"},
}


# Six of the sixteen, chosen to cover every kind of answer (strong, weak, too short, off topic, non-answers,
# questions in place of answers) and all three styles, so the real-model run stays a few minutes on two
# cores; tests/show_dev_sets.py prints all sixteen for reading.
ON_THE_REAL_MODEL = (
    "si-nurse-beh-mid-friendly",
    "si-analyst-tech-mid-neutral",
    "si-barista-sit-junior-friendly",
    "si-sales-beh-mid-tough",
    "si-csa-mixed-junior-friendly",
    "si-gradswe-tech-junior-friendly",
)


PROBE_ANSWER = "Next time I would agree the plan with everyone in the first week, and share progress every Friday."


def probed(interview) -> bool:
    """Whether the interviewer is waiting on the answer to its probe of a good answer."""
    records = interview.state["records"]
    return interview.state["stage"] == "follow_up" and records[-1].get("follow_up_reason") == "probe"


def interviews() -> list[dict]:
    rows = [json.loads(line) for line in (DATA / "scripted_interviews.jsonl").read_text().splitlines() if line.strip()]
    return [r for r in rows if r["id"] in ON_THE_REAL_MODEL]


@pytest.fixture(scope="module")
def transcripts(indexed_home, embedder, tmp_path_factory):
    """Every scripted interview, run once on the real default GGUF; each event kept with what it answered."""
    from coach.app import build
    from coach.config import Settings
    from coach.library.store import make_client

    settings = Settings.load({"home": tmp_path_factory.mktemp("credible") / "home"}, env={})
    coach = build(settings, embedder=embedder, chroma_client_factory=lambda: make_client(None, indexed_home / "chroma"))
    out = {}
    for item in interviews():
        s = InterviewSettings(item["role"], item["level"], item["kind"], item["style"], item["questions"])
        s.seed = item["seed"]
        _, interview = coach.interviews.start(s)
        log = [("start", None, None, e) for e in interview.start()]
        kinds = item["expect"]["answer_kinds"]
        for answer, label in zip(item["answers"], kinds):
            if interview.finished:
                break
            if probed(interview):  # the scripted answers are for the plan's questions, not for probes
                log += [(("follow_up", "probe"), PROBE_ANSWER, None, e) for e in interview.answer(PROBE_ANSWER)]
            stage, question = (
                interview.state["stage"],
                interview.state["plan"][min(interview.state["index"], len(interview.state["plan"]) - 1)],
            )
            log += [((stage, label), answer, question, e) for e in interview.answer(answer)]
        out[item["id"]] = (item, log)
    print_transcripts(out)
    return out


def print_transcripts(out) -> None:
    for key, (item, log) in out.items():
        print(f"\n=== {key} ({item['style']})")
        for _, answer, _, e in log:
            if isinstance(e, InterviewerLine):
                print(f"  INTERVIEWER{' (model)' if e.meta.get('worded_by_model') else ''}: {e.text}")
            elif isinstance(e, CoachComment):
                print(f"  COACH{' (model)' if e.worded_by_model else ''}: {e.text}")
            elif isinstance(e, AnswerReviewed):
                print(f"  YOU: {answer[:100]}\n  FLAGS: {', '.join(e.review['flags']) or 'none'}")


@pytest.mark.model
def test_no_interviewer_line_narrates_echoes_apologises_or_repeats(transcripts):
    total = model_worded = 0
    for key, (item, log) in transcripts.items():
        said: list[str] = []
        for _, _, _, e in log:
            if not isinstance(e, InterviewerLine):
                continue
            total += 1
            model_worded += bool(e.meta.get("worded_by_model"))
            for part in e.text.split("\n\n"):
                verdict = judge(part, LineContext("reply_to_candidate_question", earlier_lines=said))
                assert verdict not in VOICE, f"{key}: {part!r} ({verdict})"
            assert e.text not in said, f"{key}: said twice: {e.text!r}"
            said.append(e.text)
    print(f"\n{total} interviewer lines, {model_worded} worded by the model and accepted by the judge")
    assert total >= 5 * len(transcripts)


@pytest.mark.model
def test_follow_ups_fit_the_gap_and_the_question_kind_on_the_real_model(transcripts):
    checked = 0
    for key, (item, log) in transcripts.items():
        for where, answer, question, e in log:
            if where == "start" or where[0] != "answer" or not isinstance(e, InterviewerLine):
                continue
            follow = e.meta.get("follow_up")
            expected = EXPECTED_GAP.get(where[1])
            if expected and not (where[1] == "candidate_question" and "questions" in question["text"].lower()):
                assert follow in expected, f"{key}: {answer[:60]!r} got follow-up {follow!r}: {e.text!r}"
                checked += 1
            if follow and question["kind"] in HYPOTHETICAL_KINDS:
                assert not PAST_EXAMPLE.search(e.text), f"{key}: a hypothetical question got {e.text!r}"
    assert checked >= 6


@pytest.mark.model
def test_coach_comments_never_contradict_the_flags_on_the_real_model(transcripts):
    for key, (item, log) in transcripts.items():
        flags: list[str] = []
        for _, _, _, e in log:
            if isinstance(e, AnswerReviewed):
                flags = e.review["flags"]
            elif isinstance(e, CoachComment) and flags:
                assert "solid answer" not in e.text.lower(), f"{key}: {e.text!r} beside {flags}"
                if "off_topic" in flags or "too_short" in flags:
                    assert "directly" not in e.text.lower(), f"{key}: {e.text!r} beside {flags}"
