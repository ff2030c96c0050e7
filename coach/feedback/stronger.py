""" "Your answer, stronger": the user's own sentences in STAR order, trimmed, with slots for what is missing.

Nothing is invented. The sentences are the user's, reordered by their STAR tags; sentences tagged
"other" that only hedge, fill or blame are left out; fillers and hedges are cut from the rest; and
each missing element gets a clearly marked slot ("[the result: what changed, with a number]").
The fact lock (``fact_lock``) is code, not a prompt: every number, name and proper noun in the
stronger version must appear in the user's answer. A bigger model's rewrite must pass the same
lock or is dropped; this module's own version passes by construction, and the tests check it on
every labelled answer.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from coach.feedback.analysis import Analysis, patterns

SLOTS = {
    "situation": "[the situation: where and when, in one sentence]",
    "task": "[your task: what you had to achieve, and why it mattered]",
    "action": '[what you did: two or three steps, each starting with "I"]',
    "result": "[the result: what changed, with a number]",
}
ORDER = ("situation", "task", "action", "result")
HEDGE_WORDS = re.compile(r"\b(I think maybe|I guess|I suppose|basically|honestly|to be honest)\b,?\s*", re.I)
HEDGED_VERB = re.compile(r"\b(I|we|it|just|was) (kind|sort) of\s+", re.I)  # "we sort of fixed", not "the kind of"
FILLER_WORDS = re.compile(r"\b(um+|uh+|erm)\b,?\s*", re.I)
SLOT = re.compile(r"\[[^\]]*\]")
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
    "billion half dozen double twice triple percent".split()
)
NUMBER = re.compile(r"\d[\d,.]*%?")


def tidy(sentence: str) -> str:
    text = re.sub(r",\s*(like|you know|um+|uh+|erm)\s*,\s*", " ", sentence, flags=re.I)  # "I, like, ordered"
    text = FILLER_WORDS.sub("", text)
    text = HEDGE_WORDS.sub("", text)
    text = HEDGED_VERB.sub(lambda m: m.group(1) + " " if m.group(1).lower() != "just" else "", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,")
    # a word said twice around a filler: "we, you know, we sorted" -> "we sorted" ("had had" stays)
    text = re.sub(r"\b(i|we|they|he|she|it|the|a|so|and|then|but) \1\b", r"\1", text, flags=re.I)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def _drop(sentence: str) -> bool:
    """An "other" sentence that adds nothing: blame, a hedge or a filler on its own."""
    p = patterns()
    if any(re.search(b, sentence, re.I) for b in p.blame):
        return True
    return len(tidy(sentence).split()) < 4


def stronger(a: Analysis, sentences: Sequence[str], tags: Sequence[str]) -> dict[str, Any]:
    """{"text", "slots"}: the answer rebuilt from its own sentences, with slots for what is missing."""
    kept: dict[str, list[str]] = {k: [] for k in (*ORDER, "other")}
    in_order: list[str] = []
    for s, t in zip(sentences, tags):
        if t == "other" and _drop(s):
            continue
        if t != "other" and any(re.search(b, s, re.I) for b in patterns().blame):
            continue  # a sentence that blames is left out wherever it sits
        cleaned = tidy(s)
        if cleaned:
            kept[t].append(cleaned)
            in_order.append(cleaned)
    slots: list[str] = []
    parts: list[str] = []
    if a.behavioral:
        for element in ORDER:  # the tags agree with the flags (see ``star_tagger.tag_agreeing``)
            parts += kept[element]
            if not kept[element] and not a.star_present.get(element, True):
                parts.append(SLOTS[element])
                slots.append(element)
        parts += [s for s in kept["other"] if len(s.split()) >= 6][:1]
    else:
        parts = in_order  # no story to reorder: the same sentences, trimmed, without blame
        if not a.has_numbers:
            parts.append("[one specific example or number that shows it]")
            slots.append("evidence")
    return {"text": " ".join(parts), "slots": slots}


def fact_lock(text: str, answer: str) -> list[str]:
    """Numbers, number words and capitalised names in ``text`` (outside slots) that the answer never said.

    Whole words only ("4" is not in "40", "Ann" is not in "planning"); a sentence's first word is
    checked too, case-insensitively, since a rewrite could start with a name."""
    body = SLOT.sub(" ", text)
    said_words = {w.lower() for w in re.findall(r"[^\W_][\w'-]*", answer)}
    said_numbers = set(NUMBER.findall(answer))
    missing = [n for n in NUMBER.findall(body) if n not in said_numbers and n.rstrip(".,") not in said_numbers]
    number_words = NUMBER_WORDS
    for sentence in re.split(r"(?<=[.!?])\s+", body.strip()):
        for i, word in enumerate(re.findall(r"[^\W\d_][\w'-]*", sentence)):
            lower = word.lower()
            named = word[0].isupper() and not (word == "I" or word.startswith("I'"))
            if (named or lower in number_words) and lower not in said_words:
                missing.append(word)
    return missing
