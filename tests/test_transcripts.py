"""Transcripts as Zoom, Teams and Meet export them: speakers, turns, Q/A pairs."""

from pathlib import Path

import pytest

from coach.errors import InputError
from coach.sessions.transcripts import parse_transcript

T = Path(__file__).parent / "data" / "transcripts"


def test_zoom_vtt_speakers_and_pairs():
    who, utterances, pairs = parse_transcript((T / "zoom.vtt").read_text())
    assert who == "Sam Lee"
    assert {u.speaker for u in utterances} == {"Priya Shah", "Sam Lee"}
    assert [p.question for p in pairs] == [
        "Could you start by telling me about yourself?",
        "Tell me about a time you handled a difficult stakeholder.",
        "Describe a situation when you found an error in your own work. What did you do?",
    ]
    assert pairs[2].answer.startswith("Last spring")


def test_teams_vtt_voice_tags():
    who, _, pairs = parse_transcript((T / "teams.vtt").read_text())
    assert who == "Alex Kim"
    assert pairs[0].question == "Why do you want to work here?"
    assert "useless" in pairs[1].answer


def test_srt_with_role_names_and_teams_txt_headers():
    who, _, pairs = parse_transcript((T / "meet.srt").read_text())
    assert who == "Candidate" and pairs[0].answer.startswith("I would stay calm")
    who, _, pairs = parse_transcript((T / "teams.txt").read_text())
    assert who == "Alex Kim" and [p.answer for p in pairs] == ["I built a dashboard.", "People used it."]


def test_named_candidate_and_bad_transcripts():
    who, _, _ = parse_transcript((T / "zoom.vtt").read_text(), candidate="sam lee")
    assert who == "Sam Lee"
    with pytest.raises(InputError, match="No speaker"):
        parse_transcript((T / "zoom.vtt").read_text(), candidate="Nobody")
    with pytest.raises(InputError, match="two speakers"):
        parse_transcript("just some text without any speakers at all")
