"""Issue 13 on the page: a recording (or upload) is transcribed into the answer box, sent with its
delivery, kept only when asked, deleted with its session; bad audio is a plain message. The page's
handlers run here with the real Whisper model and real espeak-ng speech; tests/test_browser.py
records through Chromium's fake microphone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import last

from coach.interfaces.page import new_state

pytestmark = pytest.mark.model
ANSWER = (
    "Last spring our support queue grew to three hundred tickets. I was asked to bring it down. "
    "I sorted the tickets by product, set up a daily triage and wrote ten template replies. "
    "After a month the queue was under fifty tickets."
)


def spoken_wav(folder: Path, text: str = ANSWER, name: str = "answer.wav") -> Path:
    path = folder / name
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True, timeout=60)
    return path


def started(page):
    return last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, ""))


def test_a_recording_is_transcribed_checked_and_sent_with_its_delivery(page, tmp_path):
    view = started(page)
    wav = spoken_wav(tmp_path)
    text, notice, state = page.transcribe_answer(view.state, str(wav), keep=False)
    assert "triage" in text.lower() and "words a minute" in notice and "press Send" in notice
    assert not wav.exists(), "a recording not kept is deleted once transcribed"
    view = last(page.interview_answer(state, text, view.chat))
    assert "Delivery:" in view.analysis and "words a minute" in view.analysis
    record = page.coach.history.get(state["interview"]["sid"])
    spoken = [t for t in record.turns if t.role == "candidate"]
    assert spoken[0].meta.get("spoken") and spoken[0].meta["delivery"]["words_per_minute"] > 0
    assert "spoken" not in state["interview"], "the delivery is used once"


def test_kept_recordings_are_private_and_deleted_with_their_session(page, tmp_path):
    view = started(page)
    sid = view.state["interview"]["sid"]
    wav = spoken_wav(tmp_path)
    page.transcribe_answer(view.state, str(wav), keep=True)
    folder = page.settings.home / "audio" / sid
    kept = list(folder.iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".wav" and kept[0].stat().st_mode & 0o077 == 0
    choice = next(page.choice(r) for r in page.history_rows("me") if r[0] == sid)
    assert page.history_delete("me", choice, False, False).startswith("Deleted")
    assert not folder.exists(), "deleting the session deletes its audio"


def test_an_answer_rewritten_by_hand_is_not_sent_as_spoken(page, tmp_path):
    view = started(page)
    text, _, state = page.transcribe_answer(view.state, str(spoken_wav(tmp_path)), keep=False)
    view = last(page.interview_answer(state, "I would rather type my answer: I fixed a bug.", view.chat))
    assert "Delivery:" not in view.analysis


def test_bad_audio_is_a_plain_message_and_loses_nothing(page, tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text, notice, _ = page.transcribe_answer(new_state(), str(spoken_wav(tmp_path, name="early.wav")), keep=False)
    assert text is None and "Start an interview first" in notice
    view = started(page)
    for bad in (empty, tmp_path / "notes.wav"):
        if bad.name == "notes.wav":
            bad.write_text("this is not audio at all")
        text, notice, state = page.transcribe_answer(view.state, str(bad), keep=False)
        assert text is None and notice.startswith("Warning:") and "Traceback" not in notice
        assert state["interview"]["sid"] == view.state["interview"]["sid"] and "spoken" not in state["interview"]
    assert page.speech_warm() in ("", "Loading the speech model for the first time (a few seconds)…")
