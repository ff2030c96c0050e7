"""The judge every model-worded line passes before anyone reads it.

A line the model wrote for the interviewer or the coach is shown only when none of
these hold (each reason is a class of failure seen on the tiny default model, see
issue 11 and ``tests/data/interviewer_lines.jsonl``):

- ``narration``: it talks about the candidate, the interviewer, the passage or "this person"
  in the third person instead of speaking to the candidate;
- ``echo``: it repeats the instruction it was sent, or reads like an instruction;
- ``apology``: it apologises (there is never anything to apologise for);
- ``wrong_role``: it speaks as the candidate ("thank you for having me");
- ``invented``: it names things (words, numbers, places) that neither the candidate, the
  question nor the instruction said;
- ``repeat``: it says again a line already said in this session, or the question itself;
- ``too_long`` / ``not_a_question`` / ``asks_when_it_should_not``: the wrong shape for its slot;
- ``wrong_followup``: a follow-up that does not fit the gap or the question kind (asking for a
  past example after a hypothetical question, or probing a non-answer as if it said something).

The judge is deterministic and cheap. Its precision and recall on the labelled lines are
printed by ``tests/test_judge.py`` and recorded in the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from coach.model.guard import degenerate_reason, normalise
from coach.model.phrasing import TAG, copies

SLOT_WORDS = {
    "greeting": 40,
    "acknowledgement": 22,
    "follow_up": 30,
    "closing": 30,
    "reply_to_candidate_question": 45,
    "coach_comment": 45,
}
# None: either; True: must end with a question; False: must not ask anything.
SLOT_ASKS = {
    "greeting": False,
    "acknowledgement": False,
    "follow_up": True,
    "closing": True,
    "reply_to_candidate_question": False,
    "coach_comment": False,
}
HYPOTHETICAL_KINDS = ("situational", "technical", "motivation")

NARRATION = re.compile(
    r"\b(the|this|that|our|a) (candidate|interviewee|applicant|passage|person|user|jobseeker|job seeker)('s)?\b"
    r"|\bthe (answer|response) (is|was|shows|gives|lacks|does)\b"
    r"|^\s*(she|he|they) (is|was|has|had|closed|handled|explained|estimates|learned|did|made|gave)\b",
    re.I,
)
META = re.compile(
    r"^\s*(greet|acknowledge|ask|reply|respond|say|write|thank the|introduce|welcome the|do not|don't)\b"
    r"|\b(one or two (short )?sentences|in one short sentence|without judging|here'?s a sample|as instructed"
    r"|the instruction|the system prompt|the following|sample of what)\b",
    re.I,
)
APOLOGY = re.compile(r"\b(sorry|apologi[sz]e|apologies|inconvenience|for the wait|my mistake)\b", re.I)
WRONG_ROLE = re.compile(
    r"\b(thank you for having me|thanks for having me|i'?m here for|i'?m (really |very )?excited about (the|this)"
    r"|i'?ve prepared|i'?m ready (for your questions|to answer)|my answer (is|would be)|i would like to ask you"
    r"|i'?d (also )?like to know|my (last|previous|current) (job|role|manager|team|employer)"
    r"|i (think i )?(did well|could have|should have))\b",
    re.I,
)
# Claims about the candidate that only hold if they said so: their words must be there.
CLAIM = re.compile(
    r"\b(i'?m glad to hear|it'?s good to see you again|welcome back|last week|again after|you'?re right"
    r"|i agree|i'?ll give you that)\b",
    re.I,
)
PAST_EXAMPLE = re.compile(
    r"\b(a (specific |particular )?time (you|when)|an? (specific |real )?example of (a time |when )"
    r"|specific example|what was the (outcome|result)|what happened in the end|how did .{0,40} turn out"
    r"|how did you measure)\b",
    re.I,
)
PRESUPPOSES = re.compile(
    r"^\s*(why do you think|what made you|how did you feel|what does .{0,40} mean to you|how do you use"
    r"|tell me more about your|can you tell me more about your)\b",
    re.I,
)
GAP_WORDS = {
    "missing_result": r"\b(outcome|result|happen|turn(ed)? out|work(ed)? out|change|number|measure|impact|end"
    r"|show|go|went|decide)\w*",
    "non_answer": r"\b(example|time|think|move on|start|first|any)\w*",
}
NUMBER = re.compile(
    r"[£$€]?\d[\d,.]*%?|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
    r"|fifty|hundred|thousand|million)\b",
    re.I,
)
WORD = re.compile(r"[a-z][a-z'-]+")
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
}
# Slots where the line speaks about the answer, so new content words are claims about it; the limit is
# how many content words the line may bring that nobody said (follow-ups and comments bring their own).
NEW_WORDS_LIMIT = {"acknowledgement": 2, "greeting": 3, "closing": 3, "reply_to_candidate_question": 3}
INTERVIEWER_SLOTS = ("greeting", "acknowledgement", "follow_up", "closing", "reply_to_candidate_question")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words an interviewer or coach may use about any answer without having been told them."""
    from importlib.resources import files

    text = files("coach.feedback").joinpath("judge_words.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _stem(word: str) -> str:
    word = word.lower().strip("'-")
    for suffix in ("'s", "ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in WORD.findall(text.lower())}


@dataclass
class LineContext:
    """What the judge knows about the line: where it goes and what was said before it."""

    slot: str  # greeting, acknowledgement, follow_up, closing, reply_to_candidate_question, coach_comment
    question: str = ""
    question_kind: str = ""
    answer: str = ""
    instruction: str = ""  # what the model was told (without the candidate's words)
    earlier_lines: list[str] = field(default_factory=list)  # what the interviewer/coach already said
    gap: str = ""  # for a follow-up: missing_result, too_short, off_topic, non_answer, candidate_question
    extra: str = ""  # other text the line may draw on (the role, a passage, the bank's follow-up)


def non_answer(text: str) -> bool:
    """'Yes.', 'I don't know.', 'Nothing comes to mind.': an answer that gives nothing to work with."""
    words = WORD.findall(text.lower())
    if len(words) > 14:
        return False
    if re.search(
        r"\b(nothing (really )?(comes|springs) to mind|i can'?t (really )?think of|i cannot think of"
        r"|i (don'?t|do not) (really )?have (one|an example)|no idea)\b",
        text,
        re.I,
    ):
        return True
    return bool(
        re.search(
            r"^\W*(yes|yeah|no|nope|maybe|sure|not really|i (don'?t|do not) know|i'?m not sure"
            r"|pass|hmm+|um+)\W*$|^\W*(um+\W+)*(i (don'?t|do not) know|i'?m not sure)\b",
            text.strip(),
            re.I,
        )
    )


def judge(line: str, ctx: LineContext) -> str | None:
    """Why ``line`` cannot be shown in ``ctx.slot``, or None when it can."""
    text = re.sub(r"\s+", " ", line or "").strip()
    if not text:
        return "empty"
    lower = text.lower()
    if TAG.search(text) or re.search(r"\[[^\]]*\]", text):
        return "echo"
    if NARRATION.search(text):
        return "narration"
    if META.search(text):
        return "echo"
    if ctx.slot in INTERVIEWER_SLOTS and (
        re.search(r"\bthe interviewer\b", text, re.I)
        or (re.match(r"\s*the [a-z]+ [a-z]+ed\b", text, re.I) and not re.search(r"\b(you|your|i|we|thanks?)\b", lower))
    ):
        return "narration"
    if ctx.instruction and any(
        copies(s, ctx.instruction, 0.85) for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6
    ):
        return "echo"
    if APOLOGY.search(text):
        return "apology"
    if WRONG_ROLE.search(text):
        return "wrong_role"
    reason = _repeat(text, ctx)
    if reason:
        return reason
    if len(WORD.findall(lower)) >= 3:
        degenerate = degenerate_reason(text, ctx.answer)
        if degenerate and degenerate != "empty":
            return "repeat" if "repeat" in degenerate or "loop" in degenerate else "echo"
    reason = _invented(text, ctx)
    if reason:
        return reason
    words = len(text.split())
    if words > SLOT_WORDS.get(ctx.slot, 45):
        return "too_long"
    asks = SLOT_ASKS.get(ctx.slot)
    if asks is True and not text.endswith("?"):
        return "not_a_question"
    if asks is False and "?" in text:
        return "asks_when_it_should_not"
    if ctx.slot == "follow_up":
        return _follow_up_fit(text, ctx)
    return None


def _repeat(text: str, ctx: LineContext) -> str | None:
    key = normalise(text)
    for earlier in ctx.earlier_lines:
        for part in [earlier, *re.split(r"\n+", earlier)]:
            other = normalise(part)
            if other and (
                key == other or (len(key.split()) >= 4 and copies(text, part, 0.9) and copies(part, text, 0.9))
            ):
                return "repeat"
    opening = key.split()[:5]
    if ctx.slot == "acknowledgement" and len(opening) == 5:
        if any(normalise(e).split()[:5] == opening for e in ctx.earlier_lines):
            return "repeat"
    if ctx.question and len(key.split()) >= 4 and copies(text, ctx.question, 0.9) and copies(ctx.question, text, 0.8):
        return "repeat"
    if ctx.slot == "acknowledgement" and ctx.question and len(key.split()) >= 4 and copies(text, ctx.question, 0.75):
        return "repeat"  # the question read back is not an acknowledgement
    return None


def _invented(text: str, ctx: LineContext) -> str | None:
    said = " ".join([ctx.question, ctx.answer, ctx.instruction, ctx.extra, *ctx.earlier_lines])
    said_numbers = {_number(n.group(0)) for n in NUMBER.finditer(said)}
    for n in NUMBER.finditer(text):
        if _number(n.group(0)) not in said_numbers:
            return "invented"
    if CLAIM.search(text):
        return "invented"
    known = _stems(said) | common_words()
    new = [w for w in WORD.findall(text.lower()) if len(w) >= 4 and _stem(w) not in known and w not in known]
    # Names and places the candidate never mentioned ("Tesco", "Leeds", "Sarah Thompson").
    names = [
        w
        for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+", text)
        if w.lower() not in said.lower() and w.lower() not in common_words()
    ]
    if names or len(new) >= NEW_WORDS_LIMIT.get(ctx.slot, 99):
        return "invented"
    return None


def _number(token: str) -> str:
    token = token.lower().strip(".,")
    return NUMBER_WORDS.get(token, token)


def _follow_up_fit(text: str, ctx: LineContext) -> str | None:
    if ctx.question_kind in HYPOTHETICAL_KINDS and PAST_EXAMPLE.search(text):
        return "wrong_followup"
    thin = non_answer(ctx.answer) or len(WORD.findall(ctx.answer.lower())) < 8
    if thin and PRESUPPOSES.search(text):
        return "wrong_followup"
    pattern = GAP_WORDS.get(ctx.gap)
    if pattern and not re.search(pattern, text, re.I):
        return "wrong_followup"
    if ctx.gap == "off_topic" and not copies(ctx.question, text, 0.4):
        return "wrong_followup"
    return None
