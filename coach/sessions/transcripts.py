"""Interview transcripts (.vtt, .srt, .txt as Zoom, Teams and Meet export them) into turns and Q/A pairs.

Formats understood:
- WebVTT cues, speakers as ``<v Name>text</v>`` (Teams) or ``Name: text`` (Zoom);
- SRT cues with ``Name: text``;
- plain text with ``Name: text`` lines, or a ``Name  0:03`` header line followed by text (Teams, Meet).
Consecutive lines by the same speaker are merged into one turn. The candidate is
the speaker who asks the fewest questions (ties: who talks most), unless named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.errors import InputError

TIMESTAMP = re.compile(r"^\s*(\d{1,2}:)?\d{1,2}:\d{2}([.,]\d{1,3})?\s*-->\s*(\d{1,2}:)?\d{1,2}:\d{2}([.,]\d{1,3})?.*$")
VOICE = re.compile(r"^<v(?:\.[^ >]+)?\s+([^>]+)>(.*?)(?:</v>)?$")
NAME_COLON = re.compile(r"^([A-Z][\w.'\- ]{0,40}?|Interviewer|Candidate|Me|Speaker \d+)\s*:\s+(.+)$")
HEADER = re.compile(
    r"^([A-Z][\w.'\- ]{0,40}?)\s{2,}\(?\d{1,2}:\d{2}(:\d{2})?\)?\s*$"
    r"|^([A-Z][\w.'\- ]{0,40}?)\s+\d{1,2}:\d{2}(:\d{2})?\s*$"
)


PROMPT = re.compile(
    r"\b(tell (me|us) about|describe|walk (me|us) through|give (me|us) an example"
    r"|talk (me|us) through|explain|share an example)\b",
    re.I,
)


def question_part(text: str) -> str:
    """The asking part of an interviewer's turn ('' when the turn asks nothing)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    asked = [s for s in sentences if s.endswith("?") or PROMPT.search(s)]
    if not asked:
        return ""
    start = sentences.index(asked[0])
    return " ".join(sentences[start:])[-400:]


@dataclass
class Utterance:
    speaker: str
    text: str


@dataclass
class QAPair:
    question: str
    answer: str


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def parse_utterances(text: str) -> list[Utterance]:
    lines = text.replace("\ufeff", "").splitlines()
    out: list[Utterance] = []
    speaker = ""

    def add(who: str, said: str) -> None:
        said = _strip_tags(said)
        if not said:
            return
        if out and out[-1].speaker == who:
            out[-1].text += " " + said
        else:
            out.append(Utterance(who, said))

    cue_ids = {i for i in range(len(lines) - 1) if TIMESTAMP.match(lines[i + 1].strip()) and lines[i].strip()}
    for i, raw in enumerate(lines):
        if i in cue_ids:
            continue  # a cue identifier (the line just before a timestamp)
        line = raw.strip()
        if (
            not line
            or line.upper().startswith("WEBVTT")
            or line.startswith("NOTE")
            or line.isdigit()
            or TIMESTAMP.match(line)
        ):
            continue
        voice = VOICE.match(line)
        if voice:
            speaker = voice.group(1).strip()
            add(speaker, voice.group(2))
            continue
        header = HEADER.match(line)
        if header:
            speaker = (header.group(1) or header.group(3)).strip()
            continue
        named = NAME_COLON.match(line)
        if named:
            speaker = named.group(1).strip()
            add(speaker, named.group(2))
            continue
        add(speaker or "Unknown", line)
    return out


def find_candidate(utterances: list[Utterance], candidate: str | None = None) -> str:
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    if candidate:
        match = next((s for s in speakers if s.lower() == candidate.lower()), None)
        if match is None:
            raise InputError(
                f"No speaker called {candidate!r} in the transcript.", f"Speakers found: {', '.join(speakers)}."
            )
        return match
    for s in speakers:
        if s.lower() in {"candidate", "me", "interviewee"}:
            return s
    stats = {}
    for s in speakers:
        said = [u.text for u in utterances if u.speaker == s]
        questions = sum(bool(question_part(t)) for t in said)
        words = sum(len(t.split()) for t in said)
        stats[s] = (questions / max(1, len(said)), -words)
    return min(speakers, key=lambda s: stats[s])


def qa_pairs(utterances: list[Utterance], candidate: str) -> list[QAPair]:
    pairs: list[QAPair] = []
    question = ""
    answer: list[str] = []
    for u in utterances:
        if u.speaker == candidate:
            if question:
                answer.append(u.text)
            continue
        asked = question_part(u.text)
        if asked:
            if question and answer:
                pairs.append(QAPair(question, " ".join(answer)))
            question = asked
            answer = []
    if question and answer:
        pairs.append(QAPair(question, " ".join(answer)))
    return pairs


# A transcript of several hours of talk is about 200 KB. Bigger files are refused, on the page and in
# the command line alike: a 5 MB .vtt once kept a core busy for three minutes.
MAX_TRANSCRIPT_BYTES = 500_000


def parse_transcript(text: str, candidate: str | None = None) -> tuple[str, list[Utterance], list[QAPair]]:
    utterances = parse_utterances(text)
    if len({u.speaker for u in utterances}) < 2:
        raise InputError(
            "The transcript needs at least two speakers.",
            "Speakers must be marked as 'Name: text' lines, <v Name> tags (.vtt) or 'Name  0:03' headers.",
        )
    who = find_candidate(utterances, candidate)
    pairs = qa_pairs(utterances, who)
    if not pairs:
        raise InputError(
            "No questions and answers were found in the transcript.",
            "Check that the interviewer's turns contain the questions (ending with '?' or 'Tell me about...').",
        )
    return who, utterances, pairs
