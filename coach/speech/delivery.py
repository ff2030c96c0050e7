"""Delivery metrics of a spoken answer, computed from word timestamps alone (pure functions, no model).

Definitions and thresholds (the tests check each):

- **Duration** is the spoken span: from the first word's start to the last word's end. Silence
  before the first word (waiting after pressing record) and after the last one does not count.
- **Words per minute** is words / duration, pauses included: the pace a listener hears. Every
  word Whisper wrote counts, fillers too.
- **Pauses** are gaps of more than :data:`PAUSE_S` (2 s) between one word's end and the next
  word's start, listed with where they start (seconds from the recording's start) and how long
  they last. Whisper tends to stretch a word into the silence next to it, so a pause measures a
  little shorter than the silence itself (about 0.2-0.5 s in the tests).
- **Fillers** are "um", "uh", "er", "erm", "ah", "hmm" (and their drawn-out spellings such as
  "umm"), and "you know" when set off by a comma or closing a sentence ("you know, we ..." but
  not "do you know the ..."). "Like" is left out: as a word it is mostly not a filler, and the
  transcript's text analysis already looks for "like," as one.
- **Share of the recommended length**: duration / 120 s (the recommended answer takes one to two
  minutes, so 0.5-1.0 is in range; above 1.0 is longer than recommended).

Flags (names, like the analysis's flags):

- ``too_fast``: more than :data:`TOO_FAST_WPM` (170) words per minute;
  ``too_slow``: fewer than :data:`TOO_SLOW_WPM` (100). Conversational English runs at about
  120-160. Neither is raised for an answer shorter than :data:`MIN_PACE_S` (15 s) or with fewer
  than :data:`MIN_PACE_WORDS` (20) words: a few words give no stable pace, and a short answer
  is flagged as too short by the analysis anyway.
- ``long_pauses``: one pause of :data:`LONG_PAUSE_S` (5 s) or more, or at least
  :data:`MANY_PAUSES` (3) pauses over 2 s that also come more often than
  :data:`PAUSES_PER_MINUTE` (2) a minute. A single 2-4 s pause to think is fine (the coach's own
  tip says to pause silently instead of saying "um"), so one such pause is listed but not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

PAUSE_S = 2.0
LONG_PAUSE_S = 5.0
MANY_PAUSES = 3
PAUSES_PER_MINUTE = 2.0
TOO_FAST_WPM = 170.0
TOO_SLOW_WPM = 100.0
MIN_PACE_S = 15.0
MIN_PACE_WORDS = 20
RECOMMENDED_S = 120.0  # the top of the recommended one to two minutes
FILLER_WORD = re.compile(r"^(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+)$")
_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")

Word = tuple[str, float, float]


@dataclass(frozen=True)
class Pause:
    start_s: float
    seconds: float


@dataclass(frozen=True)
class Delivery:
    duration_s: float
    word_count: int
    words_per_minute: float
    pauses: list[Pause] = field(default_factory=list)
    filler_count: int = 0
    fillers_per_minute: float = 0.0
    share_of_recommended: float = 0.0
    flags: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        """The JSON form: duration_s, words_per_minute, pauses [{start_s, seconds}], fillers_per_minute, ..."""
        return {
            "duration_s": self.duration_s,
            "words_per_minute": self.words_per_minute,
            "pauses": [{"start_s": p.start_s, "seconds": p.seconds} for p in self.pauses],
            "fillers_per_minute": self.fillers_per_minute,
            "share_of_recommended": self.share_of_recommended,
            "flags": list(self.flags),
        }


def normalise(word: str) -> str:
    """Lower case without the punctuation Whisper attaches ("Um," -> "um"; "don't" stays)."""
    return _PUNCTUATION.sub("", word.strip().lower())


def duration_s(words: Sequence[Word]) -> float:
    if not words:
        return 0.0
    return max(0.0, words[-1][2] - words[0][1])


def words_per_minute(words: Sequence[Word]) -> float:
    seconds = duration_s(words)
    return len(words) * 60.0 / seconds if seconds > 0 else 0.0


def pauses(words: Sequence[Word], min_seconds: float = PAUSE_S) -> list[Pause]:
    """Gaps longer than min_seconds between consecutive words, in order."""
    found = []
    for (_, _, end), (_, start, _) in zip(words, words[1:]):
        if start - end > min_seconds:
            found.append(Pause(start_s=round(end, 2), seconds=round(start - end, 2)))
    return found


def filler_count(words: Sequence[Word]) -> int:
    """Filler words, plus "you know" set off by punctuation (see the module docstring)."""
    count = 0
    raw = [w for w, _, _ in words]
    plain = [normalise(w) for w in raw]
    for i, word in enumerate(plain):
        if FILLER_WORD.match(word):
            count += 1
        elif word == "you" and i + 1 < len(plain) and plain[i + 1] == "know":
            set_off_after = raw[i + 1].rstrip()[-1:] in {",", ".", "!", "?", ";"}
            set_off_before = i > 0 and raw[i - 1].rstrip().endswith(",")
            at_end = i + 2 == len(plain)
            if set_off_after or set_off_before or at_end:
                count += 1
    return count


def pace_flags(wpm: float, seconds: float, word_count: int) -> list[str]:
    if seconds < MIN_PACE_S or word_count < MIN_PACE_WORDS:
        return []
    if wpm > TOO_FAST_WPM:
        return ["too_fast"]
    if wpm < TOO_SLOW_WPM:
        return ["too_slow"]
    return []


def has_long_pauses(found: Sequence[Pause], seconds: float) -> bool:
    if any(p.seconds >= LONG_PAUSE_S for p in found):
        return True
    minutes = seconds / 60.0
    return len(found) >= MANY_PAUSES and minutes > 0 and len(found) / minutes > PAUSES_PER_MINUTE


def delivery(words: Iterable[Word]) -> Delivery:
    """All the metrics and flags for one answer's words (as ``Transcript.words`` gives them)."""
    words = [(w, float(s), float(e)) for w, s, e in words]
    seconds = duration_s(words)
    minutes = seconds / 60.0
    wpm = words_per_minute(words)
    found = pauses(words)
    fillers = filler_count(words)
    flags = pace_flags(wpm, seconds, len(words))
    if has_long_pauses(found, seconds):
        flags.append("long_pauses")
    return Delivery(
        duration_s=round(seconds, 1),
        word_count=len(words),
        words_per_minute=round(wpm, 1),
        pauses=found,
        filler_count=fillers,
        fillers_per_minute=round(fillers / minutes, 1) if minutes > 0 else 0.0,
        share_of_recommended=round(seconds / RECOMMENDED_S, 2),
        flags=flags,
    )
