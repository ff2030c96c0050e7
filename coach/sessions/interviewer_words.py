"""The interviewer's own authored, answer-aware words.

Used whenever the model's line does not pass :func:`coach.feedback.judge.judge`, and always on a
small model, which is not asked (measured: 1 of 39 of its lines passed the judge, wrongly).
Everything here is chosen deterministically from what the candidate said and from the analysis,
so it can never invent or narrate:

- acknowledgements that give back the candidate's own result or action, in the second person,
  varied by style and never the same line twice in one interview;
- follow-ups chosen by the gap and the question kind;
- a mid-interview question from the candidate is parked until the end;
- at the end, the candidate's questions get an honest reply: the interviewer does not know the
  company, so it says whether it is a strong question to ask, and the coach's note cites guidance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.feedback.analysis import Analysis, is_action, patterns, without_fillers
from coach.feedback.judge import non_answer
from coach.text import split_sentences

# Second person for the candidate's words: "I cut errors" -> "you cut errors".
PERSON = (
    (r"\bI am\b", "you are"),
    (r"\bI was\b", "you were"),
    (r"\bI'm\b", "you're"),
    (r"\bI've\b", "you've"),
    (r"\bI'd\b", "you'd"),
    (r"\bI'll\b", "you'll"),
    (r"\bI\b", "you"),
    (r"\bmyself\b", "yourself"),
    (r"\bmy\b", "your"),
    (r"\bme\b", "you"),
    (r"\bwe were\b", "you were"),
    (r"\bwe\b", "you"),
    (r"\bour\b", "your"),
    (r"\bus\b", "you"),
    (r"\bmine\b", "yours"),
)
CLAUSE_SPLIT = re.compile(r",\s+|;\s+|:\s+|\s+-\s+|\s+(?:and then|and|but|so|which|because)\s+", re.I)
# Clauses that are not facts about what happened: conditions, reasons, plans, hedges, quotes.
HYPOTHETICAL = re.compile(
    r"^(if|because|since|as|when|while|which|who|that|say|unless|although|though|whether)\b|\b(would|'d|could|might|"
    r"should|will|'ll)\b|['\"]",
    re.I,
)
# An answer with one of these gets a plain acknowledgement: giving its words back would read as approval.
MAJOR = ("off_topic", "too_short", "blames_others", "self_blame")

ACKNOWLEDGE = {
    "result": {
        "friendly": ["Thank you, that's a clear result: {c}.", "Thanks, that's the kind of detail I was after: {c}."],
        "neutral": ["Thank you. Noted: {c}.", "Thanks, that's clear: {c}."],
        "tough": ["Noted: {c}.", "Okay: {c}."],
    },
    "action": {
        "friendly": ["Thank you, I can follow what you did: {c}.", "Thanks, that helps: {c}."],
        "neutral": ["Thank you. So {c}.", "Okay, thanks: {c}."],
        "tough": ["Okay. So {c}.", "Right: {c}."],
    },
    "plain": {
        "friendly": [
            "Thank you for that.",
            "Thanks, let's keep going.",
            "Okay, thank you.",
            "Thanks for sharing that.",
            "Thank you, that's useful to hear.",
            "Thanks. Let's look at another one.",
            "Okay, thanks for that.",
            "Thank you. On to the next one.",
        ],
        "neutral": [
            "Thank you.",
            "Okay, thanks.",
            "Thanks, let's move on.",
            "Understood, thank you.",
            "Thank you. Next one.",
            "All right, thanks.",
            "Okay. Let's continue.",
            "Thanks. On to the next question.",
        ],
        "tough": [
            "Okay.",
            "Right, let's move on.",
            "Noted.",
            "Understood.",
            "Next one.",
            "Fine. Moving on.",
            "All right.",
            "Let's continue.",
        ],
    },
}

ASKS_FOR_QUESTIONS = re.compile(r"\bquestions? (do you have|for (me|us))\b|\bwhat would you like to ask\b", re.I)


def second_person(text: str) -> str:
    for pattern, repl in PERSON:
        text = re.sub(pattern, repl, text)
    return text


def _clauses(sentence: str) -> list[str]:
    parts = [p.strip(" .!?") for p in CLAUSE_SPLIT.split(sentence) if p and p.strip(" .!?")]
    return [re.sub(r"^(and|but|so|then|also|just|finally|eventually)\s+", "", p, flags=re.I) for p in parts]


def _spoken_back(clause: str) -> str:
    text = second_person(clause)
    return text[0].lower() + text[1:] if not re.match(r"[A-Z]{2}|I\b", text) else text


FROM_TO = re.compile(r"\bfrom\b.{1,40}\bto\b", re.I)  # "went from six ... to one": a change, with numbers


def _result_weight(clause: str) -> float:
    weight = sum(weight for cue, weight in patterns().result if re.search(cue, clause, re.I))
    return weight + (0.6 if FROM_TO.search(clause) else 0.0)


def answer_detail(answer: str) -> tuple[str, str] | None:
    """('result', clause) for a result with a number; ('action', clause) for something the candidate did.

    The clause is the candidate's own words (3 to 16 of them) in the second person, chosen by
    how strongly it reads as a result, so nothing is paraphrased and nothing can be invented.
    """
    p = patterns()
    clauses = [
        c
        for s in split_sentences(without_fillers(answer))
        if not s.rstrip().endswith("?")  # the candidate's own questions are not details of the answer
        for c in _clauses(s)
        if 3 <= len(c.split()) <= 16 and not HYPOTHETICAL.search(c)
    ]
    weighed = [(_result_weight(c), i, c) for i, c in enumerate(clauses) if p.number.search(c)]
    results = [w for w in weighed if w[0] > 0]
    if results:
        _, _, best = max(results)
        return "result", _spoken_back(best)
    for clause in clauses:
        m = p.action.match(clause)
        if m and clause.startswith("I ") and is_action(m):
            return "action", _spoken_back(clause)
    return None


def acknowledgement(answer: str, analysis: Analysis, style: str, said: list[str]) -> str:
    """A short acknowledgement giving back what the candidate said; never a line twice ("" once all are used)."""
    detail = None if any(f in analysis.flags for f in MAJOR) else answer_detail(answer)
    kind, clause = detail if detail else ("plain", "")
    options = [t.format(c=clause) for t in ACKNOWLEDGE[kind][style]]
    if kind != "plain":
        options += ACKNOWLEDGE["plain"][style]
    openings = {_opening(s.split("\n\n")[0]) for s in said}
    # Once every line has been used, the interviewer simply asks the next question.
    return next((o for o in options if _opening(o) not in openings), "")


def _opening(line: str) -> str:
    """A template's fixed start ("thank you that's a clear result"), so no template is used twice."""
    return " ".join(re.findall(r"[a-z']+", line.split(":")[0].lower())[:6])


@dataclass(frozen=True)
class FollowUp:
    reason: str  # the gap: candidate_question, non_answer, off_topic, too_short, missing_result, or probe
    text: str


REAL_QUESTION = re.compile(
    r"^(what|how|when|where|who|which|why|is|are|do|does|did|can|could|would|will|should|may)\b", re.I
)


def asks_instead(question: str, answer: str) -> bool:
    """The candidate asked the interviewer something instead of answering (and the question did not ask for that).

    "I'm a perfectionist?" ends with a question mark but asks nothing: the question must read as one."""
    if ASKS_FOR_QUESTIONS.search(question) or non_answer(answer):
        return False
    sentences = split_sentences(answer)
    asked = [s for s in sentences if s.rstrip().endswith("?")]
    if not asked or len(answer.split()) > 40:
        return False
    # "Sorry, before I answer, what does a typical week look like?": any clause may carry the question.
    clauses = [c.strip() for c in re.split(r"[,;:]\s+", asked[-1])]
    return any(REAL_QUESTION.match(c) for c in clauses) or "can i ask" in answer.lower()


def restate(question: str) -> str:
    """The bank's question as it was asked (a "Tell me about..." stays a statement)."""
    return question.strip()


# Each gap has several wordings, so the same follow-up is never said twice in one interview.
FOLLOW_UPS = {
    ("non_answer", "behavioral"): [
        "Any example counts, from work, study or outside. Can you think of one, or shall we move on?",
        "It can be a small example. Is there one time that comes close, or would you rather move on?",
    ],
    ("non_answer", "motivation"): [
        "What matters most to you in your next role, and why?",
        "What would make this role a good next step for you?",
    ],
    ("non_answer", "other"): [
        "There's no single right answer. What is the first thing you would do?",
        "Think out loud if it helps. Where would you start?",
    ],
    ("too_short", "behavioral"): [
        "Could you walk me through what you did, step by step?",
        "What exactly did you do, and in what order?",
        "Can you tell me more about your own part in it?",
    ],
    ("too_short", "situational"): [
        "Could you walk me through what you would do, step by step?",
        "What would you do first, and what next?",
    ],
    ("too_short", "technical"): [
        "Could you walk me through how you would approach it, step by step?",
        "Where would you start, and what would you check next?",
    ],
    ("too_short", "motivation"): [
        "Could you say a bit more: what draws you to it, and why?",
        "What is it about this that matters to you?",
    ],
    ("missing_result", "behavioral"): [
        "What was the outcome, and can you put a number on it?",
        "How did it turn out in the end, and how did you know?",
        "What changed as a result, in numbers if you have them?",
    ],
}


def _wording(gap: str, kind: str, said: list[str], lead: str = "") -> str:
    options = FOLLOW_UPS.get((gap, kind)) or FOLLOW_UPS.get((gap, "other")) or FOLLOW_UPS[(gap, "behavioral")]
    earlier = " ".join(said)
    return next((lead + o for o in options if o not in earlier), lead + options[-1])


def follow_up(
    question: str,
    kind: str,
    answer: str,
    flags: list[str],
    style: str,
    said: list[str] | None = None,
    probe: str = "",
) -> FollowUp | None:
    """The one follow-up an answer earns, by its gap and the question's kind, or None to move on.

    ``said`` is what the interviewer already said, so no wording is used twice. ``probe`` is the
    bank's own probing follow-up for this question, asked after an answer with no flags when the
    interview still has a probe to spend (see ``MockInterview``)."""
    said = said or []
    friendly = style == "friendly"
    if asks_instead(question, answer):
        lead = "Good question; I'll leave time for yours at the end." if style != "tough" else "Hold that for the end."
        return FollowUp("candidate_question", f"{lead} For now, back to mine. {restate(question)}")
    if non_answer(answer):
        ease = "Take your time. " if friendly else ""
        return FollowUp("non_answer", _wording("non_answer", kind, said, ease))
    if "off_topic" in flags:
        return FollowUp("off_topic", f"Let me bring us back to the question. {restate(question)}")
    if "too_short" in flags:
        return FollowUp("too_short", _wording("too_short", kind, said, "Thanks. " if friendly else ""))
    if "missing_result" in flags:
        return FollowUp("missing_result", _wording("missing_result", "behavioral", said))
    if probe and not flags:
        lead = {"friendly": "That's really helpful. ", "tough": ""}.get(style, "Thank you. ")
        return FollowUp("probe", f"{lead}{probe}")
    return None


TOPICS = (
    (
        "success",
        r"\bsuccess|\bexpect|first (month|90|ninety|three|six|year)|looks? like in\b|\bmeasured\b|\bgood look like\b"
        r"|\bbiggest (problem|challenge)",
        "That's one of the strongest questions you can ask: it shows you care about doing the job well.",
    ),
    (
        "team",
        r"\bteam\b|typical (day|week)|(day|week) look|\bculture\b|\bcolleagues?\b|enjoy (most|about)",
        "That's a strong question: it shows you're picturing yourself in the job.",
    ),
    (
        "growth",
        r"\btraining\b|\binduction\b|\bdevelop|\bprogress|\bmentor|\blearn",
        "That's a good question: it shows you want to grow in the role.",
    ),
    (
        "next_steps",
        r"next steps?|hear back|\btimeline\b|when will|\bdecision\b|\bprocess\b|final round",
        "That's a sensible question to end on: it tells you when to follow up.",
    ),
    (
        "pay",
        r"\bsalary|\bpay\b|commission|\bbonus|\bbenefits?\b|\bholiday|\bpension|\bband\b",
        "It's a fair question; it usually lands better with the recruiter, or once there is an offer.",
    ),
    (
        "logistics",
        r"\bhours\b|\bshifts?\b|on-?call|\bhybrid\b|\bremote\b|\boffice\b|\buniform\b|\bparking\b|start date|\brota\b",
        "That's a fair practical question; pair it with one about the work itself.",
    ),
)


def question_topic(text: str) -> tuple[str, str]:
    for name, pattern, verdict in TOPICS:
        if re.search(pattern, text, re.I):
            return name, verdict
    return "other", "That's a reasonable question to ask."


def reply_to_questions(text: str, style: str) -> tuple[str, str]:
    """(topic, the interviewer's closing reply) to the candidate's questions at the end."""
    topic, verdict = question_topic(text)
    thanks = (
        "Thank you for your time today, and good luck." if style == "friendly" else "Thank you for your time today."
    )
    return topic, (
        f"{verdict} As a practice interviewer I don't know this company's answer, so ask it in the real "
        f"interview. {thanks} Goodbye."
    )
