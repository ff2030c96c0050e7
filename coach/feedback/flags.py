"""The one registry of answer flags: everything any layer says or does about a flag is here.

Adding a flag means adding one record below (and, if it is detected from wording, its
patterns in ``patterns.json``); the analysis, tips, interview follow-ups, scorecard and
debrief all read these records.

Two kinds of flag live here. The text analysis raises those in :data:`REPORT_ORDER` (the
analysis's vocabulary, ``coach.feedback.analysis.FLAGS``: the labelled sets measure exactly
these). The delivery flags in :data:`DELIVERY_FLAGS` (``too_fast``, ``too_slow``,
``long_pauses``) come from a recording's word timestamps (``coach.speech.delivery``) and are
added to a spoken answer's review by ``coach.speech.spoken.merge_delivery``; they are kept out
of REPORT_ORDER so the text analysis's vocabulary and its measured accuracy do not change.
Everything else (labels, tips, passages, priority) treats both kinds alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    name: str
    label: str  # the flag in words, as the user reads it
    tip: str  # one line of advice
    query: str  # finds the guidance passage that supports the tip
    area: str | None = None  # the debrief's improvement area it points to
    weight: int = 1  # how much it counts when the debrief ranks weak answers
    gap: str | None = None  # for a thin answer: what the follow-up should address
    # The probe a custom or job-description question carries as its bank follow-up. The interview's own
    # follow-ups are chosen by gap and question kind in coach/sessions/interviewer_words.py.
    follow_up: str | None = None


# In order of priority: the first flag present is the first thing to improve.
REGISTRY: tuple[Flag, ...] = (
    Flag(
        "off_topic",
        "did not answer the question",
        "Answer the question that was asked; restate it to yourself before you start.",
        "answer the question you were actually asked skirt the question",
        area="answering",
        weight=3,
        gap="does not really answer the question",
    ),
    Flag(
        "missing_result",
        "no result",
        "Finish with the outcome: what changed, for whom, and what you learned.",
        "STAR result outcome what changed",
        area="answering",
        weight=2,
        gap="does not say what the outcome or result was",
        follow_up="What was the outcome, and how did you know it had worked?",
    ),
    Flag(
        "missing_action",
        "no action of your own",
        "Describe what you personally did, with 'I' rather than 'we', step by step.",
        "say I instead of we what you did actions",
        area="preparation",
        weight=2,
    ),
    Flag(
        "too_short",
        "too short",
        "Give more detail: a complete answer usually takes one to two minutes.",
        "keep each answer one to two minutes enough detail",
        area="preparation",
        weight=2,
        gap="is very short and gives few details",
    ),
    Flag(
        "no_numbers",
        "no numbers",
        "Quantify the result where you honestly can: time saved, money, people, percentages.",
        "quantify the result numbers measurable",
    ),
    Flag(
        "missing_task",
        "no task or goal",
        "Say what you were responsible for or trying to achieve before you describe what you did.",
        "STAR answer task what you were responsible for goal",
    ),
    Flag(
        "missing_situation",
        "no situation",
        "Open with one sentence of context: where you were, when, and what was going on.",
        "STAR answer situation set the scene context",
    ),
    Flag(
        "blames_others",
        "blames others",
        "Describe what others did neutrally and focus on your own part and what you would do differently.",
        "talk about past employers colleagues without blaming them",
        weight=2,
    ),
    Flag(
        "self_blame",
        "puts yourself down",
        "Own the specific mistake without putting yourself down; one bad moment is not who you are.",
        "do not blame yourself you are not a failure own mistakes",
    ),
    Flag(
        "hedging",
        "hedging",
        "Drop hedges like 'I guess' and 'sort of': state what you did and what you think with confidence.",
        "hedging language I guess sort of kind of confident",
        area="nerves",
    ),
    Flag(
        "filler_heavy",
        "many filler words",
        "Cut fillers such as 'um', 'like' and 'you know': pause silently instead.",
        "reduce filler words um uh like you know",
        area="nerves",
    ),
    # Delivery flags: raised from a recording's word timestamps, never from the text (see DELIVERY_FLAGS).
    Flag(
        "too_fast",
        "speaking too fast",
        "Slow down: pause briefly between sentences so the interviewer can take in each point.",
        "speaking too fast rushing slow your pace",
        area="nerves",
    ),
    Flag(
        "long_pauses",
        "long pauses",
        "Keep pauses to two or three seconds; if you need longer, say 'let me think for a moment'.",
        "fill thinking time with a short phrase rather than a long silence",
        area="nerves",
    ),
    Flag(
        "too_slow",
        "speaking slowly",
        "Pick up the pace: rehearse the key points aloud so the words come without searching for each one.",
        "record yourself answering and watch it back for delivery speed",
        area="preparation",
    ),
    Flag(
        "too_long",
        "too long",
        "Tighten it: lead with the direct answer and keep it under two minutes.",
        "rambling long answer structure concise",
        area="answering",
    ),
)

BY_NAME: dict[str, Flag] = {f.name: f for f in REGISTRY}
# The order flags are reported in (analysis output, JSON): the STAR elements first, as before.
REPORT_ORDER = (
    "missing_situation",
    "missing_task",
    "missing_action",
    "missing_result",
    "filler_heavy",
    "too_short",
    "too_long",
    "no_numbers",
    "off_topic",
    "blames_others",
    "self_blame",
    "hedging",
)
# Raised from a recording, not from the text; reported after the text flags (see the module docstring).
DELIVERY_FLAGS = ("too_fast", "too_slow", "long_pauses")
PRIORITY = tuple(f.name for f in REGISTRY)


def flag(name: str) -> Flag:
    return BY_NAME[name]


def label(name: str) -> str:
    """A flag in words ('no result'), for everything the user reads."""
    return BY_NAME[name].label if name in BY_NAME else name.replace("_", " ")
