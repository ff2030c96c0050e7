"""What a person's own notes say went badly, and the question they ask the coach.

The debrief names every moment the notes describe as going badly, in the person's own words
(not only the ones that match a stock bank question), and answers a direct question in the
notes with a cited passage. Both are read from the notes deterministically.
"""

from __future__ import annotations

import re

from coach.text import quote, split_sentences

# Sentences that tell of something going wrong (not only a feeling about it).
WENT_BADLY = re.compile(
    r"\b(messed up|mess of|went badly|went wrong|disaster|froze|blank|panick?\w*|rambl\w*|went on and on|talked for"
    r"|jumble|tangled|lost (track|my (train|thread))|out of my depth|couldn'?t (explain|answer|think|remember)"
    r"|didn'?t (know|answer|ring|ask|mention|prepare)|hadn'?t|forgot|late\b|cancell?ed|delayed|dropped|died"
    r"|ignored|criticis\w*|let rip|bad-?mouth\w*|stretching it|exaggerat\w*|bluff\w*|generic answer|no idea"
    r"|too (short|long|low)|really short|long silence|went quiet|underdressed|underprepared|awful|stupid mistake"
    r"|said 'i don'?t|backtrack\w*|shaking|wobbled|nodded|only thing i asked"
    r"|asked (me )?(whether|if) i (was|plan|had)\w*"
    r"|asked about my (husband|wife|partner|age|religion|health|children|kids)"
    r"|asked what my (husband|wife|partner))\b",
    re.I,
)
QUESTION_TO_COACH = re.compile(
    r"^(should|can|could|do|does|is|was|were|how|what|will|would|am|have|did)\b.{0,200}\?$",
    re.I,
)


# Words that say only that something went badly, not what: "Today was a disaster."
GENERAL = re.compile(
    r"\b(disaster|messed up|went badly|went wrong|awful|today|one bit|replaying|stupid mistake)\b", re.I
)


def bad_moments(notes: str, limit: int = 4) -> list[str]:
    """The sentences of ``notes`` that describe something going badly, quoted, in order.

    A sentence that only says it went badly ("Today was a disaster.") is not a moment; a fragment
    ("Completely blank.") belongs to the moment before it."""
    out: list[str] = []
    for sentence in split_sentences(notes):
        if sentence.rstrip().endswith("?"):
            continue
        if len(sentence.split()) < 4:
            if out and WENT_BADLY.search(sentence):
                out[-1] = f"{out[-1]} {sentence}"
            continue
        cues = [m.group(0) for m in WENT_BADLY.finditer(sentence)]
        if cues and not all(GENERAL.fullmatch(c) for c in cues):
            out.append(sentence)
    return [quote(m, 160) for m in out[:limit]]


def question_for_coach(notes: str) -> str | None:
    """The last direct question the person asks in their notes ("Should I email them?"), if any."""
    asked = [s.strip() for s in split_sentences(notes) if QUESTION_TO_COACH.match(s.strip())]
    return asked[-1] if asked else None
