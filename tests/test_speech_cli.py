"""Spoken answers through the `coach` command and the mock interview.

The recordings are real speech made on this machine by espeak-ng, built as tests/test_speech.py
builds them (known pauses, known rate); the tests that transcribe them run the real Whisper base
and are marked ``model``. Bad recordings are refused before the model is loaded, so those tests
and the unit tests of the merge and of the interview (scripted chat model) are not.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import ONE_QUESTION, run_coach
from test_speech import CLIPS, ESPEAK, Made, make_clip, speak, word_error_rate, write_wav

from coach.errors import InputError
from coach.feedback.flags import DELIVERY_FLAGS, REPORT_ORDER, label
from coach.interfaces.cli_sessions import audio_answers
from coach.sessions.interview import InterviewSettings
from coach.speech.spoken import merge_delivery

DELIVERY_KEYS = {"duration_s", "words_per_minute", "pauses", "fillers_per_minute"}
QUESTION = "Tell me about a time you disagreed with a colleague."
CLOSING_QUESTION = "What does success look like in the first ninety days?"
TIMES: dict[str, float] = {}
FIGURES: dict[str, object] = {}


@pytest.fixture(scope="module", autouse=True)
def report_times():
    """How long each command took, and what it measured (see it with -s)."""
    yield
    for name, seconds in TIMES.items():
        print(f"\n{name}: {seconds:.1f} s")
    for name, figure in FIGURES.items():
        print(f"\n{name}: {figure}")


def timed_coach(name: str, *args: str, **kwargs):
    started = time.perf_counter()
    out = run_coach(*args, **kwargs)
    TIMES[name] = time.perf_counter() - started
    return out


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Made]:
    """The scripted answers of tests/test_speech.py spoken by espeak-ng: {name: Made}."""
    if ESPEAK is None:
        pytest.fail("espeak-ng is not installed (`make test` installs Debian's espeak-ng)")
    folder = tmp_path_factory.mktemp("spoken")
    return {clip.name: make_clip(clip, folder) for clip in CLIPS if clip.name != "long_answer"}


@pytest.fixture
def home(indexed_home, tmp_path) -> Path:
    """A copy of the indexed home: the commands below save sessions into it."""
    copy = tmp_path / "home"
    shutil.copytree(indexed_home, copy)
    return copy


def pauses_ok(pauses) -> bool:
    return all(set(p) == {"start_s", "seconds"} and p["seconds"] > 2.0 for p in pauses)


# ------------------------------------------------------------------ coach analyze --audio


@pytest.mark.model
def test_analyze_audio_json_has_transcript_delivery_and_the_text_analysis(clips, indexed_home):
    made = clips["conflict_fast"]
    out = timed_coach(
        "analyze --audio --json", "analyze", "-q", QUESTION, "--audio", str(made.path), "--json", home=indexed_home
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout)

    wer = word_error_rate(made.clip.script, result["transcript"])
    FIGURES["analyze conflict_fast"] = {
        "wer": round(wer, 3),
        "wpm": result["delivery"]["words_per_minute"],
        "true_wpm": round(made.true_wpm, 1),
        "pauses": result["delivery"]["pauses"],
        "inserted": [(p.start_s, p.seconds) for p in made.pauses],
        "flags": result["flags"],
    }
    assert wer <= 0.2, result["transcript"]
    assert result["language"] == "en" and result["transcript_note"] == ""
    delivery = result["delivery"]
    assert set(delivery) >= DELIVERY_KEYS
    assert abs(delivery["words_per_minute"] - made.true_wpm) <= 0.25 * made.true_wpm, (delivery, made.true_wpm)
    assert delivery["duration_s"] == pytest.approx(made.span_s, abs=1.0)
    assert len(delivery["pauses"]) == 1 and pauses_ok(delivery["pauses"])  # the 2.6 s pause, where inserted
    assert abs(delivery["pauses"][0]["start_s"] - made.pauses[0].start_s) <= 0.7
    assert delivery["flags"] == ["too_fast"]

    # The same analysis as the typed transcript, with the delivery flags after the text's own.
    typed = run_coach("analyze", "-q", QUESTION, "-a", result["transcript"], "--json", home=indexed_home)
    assert typed.returncode == 0, typed.stderr
    text = json.loads(typed.stdout)
    assert result["flags"] == text["flags"] + ["too_fast"]
    assert result["star"] == text["star"]
    # The same rubric, except that the delivery dimension also hears the pace: one point off for too fast.
    spoken, typed_dims = result["score"]["dimensions"], text["score"]["dimensions"]
    assert spoken[:4] == typed_dims[:4] and spoken[4]["score"] == typed_dims[4]["score"] - 1
    assert "words a minute" in spoken[4]["reason"] and result["score"]["overall"] < text["score"]["overall"]
    assert [t["flag"] for t in result["tips"]] == result["flags"]
    tip = next(t for t in result["tips"] if t["flag"] == "too_fast")
    assert tip["source"]["source"] == "knowledge/notes/handling-nerves.md"


@pytest.mark.model
def test_analyze_audio_prints_the_transcript_and_the_delivery(clips, indexed_home):
    made = clips["weakness_slow"]
    out = timed_coach(
        "analyze --audio (text)",
        "analyze",
        "-q",
        "What is your greatest weakness?",
        "--audio",
        str(made.path),
        home=indexed_home,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    transcript = next(line for line in lines if line.startswith("transcript: "))
    assert word_error_rate(made.clip.script, transcript.removeprefix("transcript: ")) <= 0.2
    delivery = next(line for line in lines if line.startswith("delivery: "))
    assert "words a minute" in delivery and "fillers a minute" in delivery
    assert "pauses: " in delivery and delivery.count(" s at ") == 2  # both inserted pauses, with where they fall
    assert delivery.endswith(label("too_slow"))
    assert f"- {label('too_slow')}: Pick up the pace" in out.stdout
    assert "practising-for-interviews.md" in out.stdout  # the tip's source


# ------------------------------------------------------------------ coach interview --audio-dir


@pytest.mark.model
def test_interview_answered_out_loud(clips, home, tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(clips["star"].path, answers / "1.wav")
    samples, rate = speak(CLOSING_QUESTION, 150, tmp_path)
    write_wav(answers / "2.wav", samples, rate)
    out = timed_coach(
        "interview --audio-dir --json (2 recordings)",
        *ONE_QUESTION,
        "--audio-dir",
        str(answers),
        "--json",
        home=home,
    )
    assert out.returncode == 0, out.stderr
    card = json.loads(out.stdout)
    assert len(card["answers"]) == 1
    answer = card["answers"][0]
    assert word_error_rate(clips["star"].clip.script, answer["answer"]) <= 0.2, answer["answer"]
    assert set(answer["delivery"]) >= DELIVERY_KEYS and pauses_ok(answer["delivery"]["pauses"])
    assert len(answer["delivery"]["pauses"]) == 1  # the 3 s pause of the script
    average = card["delivery_average"]
    assert average["recordings"] == 1 and average["pauses"] == 1
    assert average["words_per_minute"] == answer["delivery"]["words_per_minute"]

    sessions = json.loads(run_coach("history", "--json", home=home).stdout)
    assert [s["status"] for s in sessions if s["id"] == card["session_id"]] == ["finished"]
    record = json.loads(run_coach("history", "show", card["session_id"], "--json", home=home).stdout)
    spoken = [t for t in record["turns"] if t["role"] == "candidate"]
    assert len(spoken) == 2 and all(t["meta"].get("spoken") is True for t in spoken)
    assert spoken[0]["meta"]["delivery"] == answer["delivery"]


@pytest.mark.model
def test_interview_out_loud_in_the_terminal_ends_when_the_recordings_run_out(clips, home, tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(clips["star"].path, answers / "1.WAV")
    out = timed_coach(
        "interview --audio-dir (text, 1 recording)",
        *ONE_QUESTION,
        "--audio-dir",
        str(answers),
        home=home,
    )
    assert out.returncode == 0, out.stderr
    said = next(line for line in out.stdout.splitlines() if line.startswith("You (spoken): "))
    assert word_error_rate(clips["star"].clip.script, said.removeprefix("You (spoken): ")) <= 0.2
    assert "  [delivery: " in out.stdout and "words a minute" in out.stdout
    assert "(The recordings ran out; the interview ends here.)" in out.stdout
    assert "   delivery: " in out.stdout.split("=== Scorecard ===")[1]  # the answer's delivery in the scorecard
    assert "Delivery, average of 1 recording(s)" in out.stdout
    assert "Saved as session" in out.stdout


# ------------------------------------------------------------------ bad recordings and bad arguments (no model)


@pytest.fixture
def bad_recordings(tmp_path) -> dict[str, Path]:
    empty = tmp_path / "empty" / "1.wav"
    typed = tmp_path / "typed" / "1.wav"
    for path in (empty, typed):
        path.parent.mkdir()
    empty.write_bytes(b"")
    typed.write_text("This is my answer, typed, not spoken.\n" * 20)
    return {"empty": empty, "typed": typed}


MESSAGES = {"empty": "is empty (0 bytes)", "typed": "cannot be read as audio"}


def test_analyze_refuses_bad_recordings_plainly(bad_recordings, indexed_home):
    for name, path in bad_recordings.items():
        out = run_coach("analyze", "-q", QUESTION, "--audio", str(path), "--json", home=indexed_home)
        assert out.returncode == 2, (name, out.stdout, out.stderr)
        assert out.stderr.startswith("error: ") and MESSAGES[name] in out.stderr, out.stderr
        assert "Traceback" not in out.stderr and out.stdout == ""


def test_interview_stops_at_a_bad_recording_and_keeps_the_session(bad_recordings, home):
    for name, path in bad_recordings.items():
        out = run_coach("interview", "--questions", "1", "--audio-dir", str(path.parent), home=home)
        assert out.returncode == 2, (name, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr
        assert out.stderr.startswith("error: ") and MESSAGES[name] in out.stderr, out.stderr
        assert "Interviewer:" in out.stdout  # the first question was asked and saved before the recording failed
        sid = out.stderr.split("saved as session ")[1].split()[0]
        record = json.loads(run_coach("history", "show", sid, "--json", home=home).stdout)
        assert [t["role"] for t in record["turns"]] == ["interviewer"]


def test_audio_and_typed_answers_are_not_mixed(tmp_path, indexed_home, bad_recordings):
    out = run_coach("analyze", "-q", QUESTION, "-a", "I led it.", "--audio", str(bad_recordings["empty"]))
    assert out.returncode == 2 and "Give either --answer or --audio, not both." in out.stderr
    assert "Traceback" not in out.stderr
    answers = tmp_path / "answers.txt"
    answers.write_text("I led it.\n")
    out = run_coach(
        "interview", "--answers", str(answers), "--audio-dir", str(bad_recordings["empty"].parent), home=tmp_path / "h"
    )
    assert out.returncode == 2 and "not both" in out.stderr and "Traceback" not in out.stderr
    out = run_coach("interview", "--audio-dir", str(tmp_path / "never"), home=tmp_path / "h")
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_the_asr_model_flag_reaches_the_settings(tmp_path, indexed_home):
    out = run_coach("doctor", "--json", "--asr-model", str(tmp_path / "no-whisper"), home=indexed_home)
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["speech"]["default"] is False
    assert "no-whisper does not exist" in report["speech"]["error"]
    report = json.loads(run_coach("doctor", "--json", home=indexed_home).stdout)
    assert report["speech"]["default"] is True and "error" not in report["speech"]


def test_recordings_are_taken_by_number(tmp_path, capsys):
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("2.mp3", "1.wav", "3.OGG", "10.flac", "5.webm", "notes.txt", "x.wav", "0.wav"):
        (folder / name).write_bytes(b"x")
    assert [p.name for p in audio_answers(folder)] == ["1.wav", "2.mp3", "3.OGG"]
    assert "5.webm, 10.flac will not be used" in capsys.readouterr().err
    (folder / "2.m4a").write_bytes(b"x")
    with pytest.raises(InputError, match="more than one recording numbered 2: 2.m4a, 2.mp3"):
        audio_answers(folder)
    with pytest.raises(InputError, match="no first recording"):
        audio_answers(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        audio_answers(folder / "1.wav")


# ------------------------------------------------------------------ the merge, and the interview with a delivery

FAST = {
    "duration_s": 40.0,
    "words_per_minute": 190.0,
    "pauses": [{"start_s": 12.0, "seconds": 6.1}],
    "fillers_per_minute": 3.0,
    "share_of_recommended": 0.33,
    "flags": ["too_fast", "long_pauses"],
}
SLOW = FAST | {"words_per_minute": 90.0, "pauses": [], "fillers_per_minute": 1.0, "flags": ["too_slow"]}
CALM = FAST | {"words_per_minute": 140.0, "pauses": [], "fillers_per_minute": 0.0, "flags": []}


class OneTipBook:
    def __init__(self):
        self.asked = []

    def passage_for(self, flag):
        self.asked.append(flag)
        return None


def test_merge_adds_transcript_delivery_flags_and_tips_once():
    review = {
        "answer": "Um, I fixed it.",
        "flags": ["too_short", "filler_heavy"],
        "tips": [{"flag": "too_short", "tip": "Give more detail.", "source": None}],
    }
    tipbook = OneTipBook()
    merged = merge_delivery(review, FAST, tipbook=tipbook)
    assert merged is not review and review["flags"] == ["too_short", "filler_heavy"]  # the review is not changed
    assert merged["transcript"] == "Um, I fixed it." and merged["delivery"] is FAST
    assert merged["flags"] == ["too_short", "filler_heavy", "too_fast", "long_pauses"]
    assert [t["flag"] for t in merged["tips"]] == ["too_short", "too_fast", "long_pauses"]
    assert merged["tips"][1]["tip"].startswith("Slow down") and tipbook.asked == ["too_fast", "long_pauses"]

    again = merge_delivery(merged, FAST | {"flags": ["long_pauses", "too_slow"]}, transcript="More.", tipbook=tipbook)
    assert again["flags"] == ["too_short", "filler_heavy", "too_fast", "long_pauses", "too_slow"]
    assert [t["flag"] for t in again["tips"]].count("long_pauses") == 1
    assert again["transcript"] == "More." and tipbook.asked[-1] == "too_slow"
    calm = merge_delivery(review, CALM | {"flags": ["not_a_flag"]})
    assert calm["flags"] == review["flags"] and calm["tips"] == review["tips"]


def test_delivery_flags_are_registered_apart_from_the_text_vocabulary():
    from coach.feedback.analysis import FLAGS
    from coach.feedback.flags import BY_NAME, PRIORITY

    assert FLAGS == REPORT_ORDER and not set(DELIVERY_FLAGS) & set(FLAGS)
    for name in DELIVERY_FLAGS:
        record = BY_NAME[name]
        assert record.label and record.tip and record.query and record.weight == 1
        assert name in PRIORITY and PRIORITY.index(name) > PRIORITY.index("filler_heavy")


GOOD = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a daily "
    "triage meeting and wrote ten template replies. After four weeks "
    "the backlog was down to 80 and satisfaction rose from 72% to 88%."
)


def test_a_spoken_answer_carries_its_delivery_through_the_interview(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=3))
    list(interview.start())
    events = list(interview.answer(GOOD, delivery=FAST))
    review = next(e for e in events if e.kind == "review").review
    assert review["delivery"] == FAST and review["transcript"] == GOOD
    assert review["flags"] == ["too_fast", "long_pauses"]  # a good answer: no text flags, the delivery's two
    tips = {t["flag"]: t for t in review["tips"]}
    assert tips["too_fast"]["source"]["source"] == "knowledge/notes/handling-nerves.md"
    assert tips["long_pauses"]["source"] is not None
    record = interview.state["records"][0]
    assert record["delivery"] == FAST and record["review"]["flags"] == ["too_fast", "long_pauses"]

    done = list(interview.answer("What does a typical week look like?", delivery=CALM))
    card = next(e for e in done if e.kind == "finished").card
    assert card["answers"][0]["delivery"] == FAST and card["answers"][0]["flags"] == ["too_fast", "long_pauses"]
    assert card["delivery_average"] == {
        "words_per_minute": 190.0,
        "fillers_per_minute": 3.0,
        "pauses": 1.0,
        "recordings": 1,
    }
    assert card["flag_counts"] == {"too_fast": 1, "long_pauses": 1}
    assert {i["flag"] for i in card["improvements"]} == {"too_fast", "long_pauses"}

    turns = coach.history.get(sid).turns
    candidate = [t for t in turns if t.role == "candidate"]
    assert candidate[0].meta == {"stage": "answer", "spoken": True, "delivery": FAST}
    assert candidate[1].meta == {"stage": "candidate_questions", "spoken": True, "delivery": CALM}


def test_a_spoken_follow_up_adds_its_flags_and_typed_answers_stay_as_they_were(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=2, seed=2))
    list(interview.start())
    first = next(e for e in list(interview.answer("I fixed a bug once and it was fine.", FAST)) if e.kind == "review")
    assert interview.state["stage"] == "follow_up"
    assert "too_short" in first.review["flags"] and first.review["flags"][-2:] == ["too_fast", "long_pauses"]
    after = next(e for e in list(interview.answer("It went well in the end.", SLOW)) if e.kind == "review").review
    assert after["delivery"] == SLOW and after["transcript"] == "It went well in the end."
    assert after["flags"][-3:] == ["too_fast", "long_pauses", "too_slow"]
    record = interview.state["records"][0]
    assert record["delivery"] == FAST and record["follow_up_delivery"] == SLOW

    typed = list(interview.answer(GOOD))  # the second question, typed
    assert "delivery" not in next(e for e in typed if e.kind == "review").review
    assert "delivery" not in interview.state["records"][1]
    card = interview.stop()
    assert card["answers"][0]["delivery"] == FAST and card["answers"][1]["delivery"] is None
    assert card["delivery_average"] == {
        "words_per_minute": 140.0,
        "fillers_per_minute": 2.0,
        "pauses": 0.5,
        "recordings": 2,
    }
    assert [t.meta for t in coach.history.get(sid).turns if t.role == "candidate"][-1] == {"stage": "answer"}


def test_typed_interviews_have_no_delivery(make_coach, fake_model):
    coach = make_coach(fake_model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=3))
    list(interview.start())
    list(interview.answer(GOOD))
    card = interview.stop()
    assert card["answers"][0]["delivery"] is None and card["delivery_average"] is None
    assert "delivery" not in interview.state["records"][0]
