"""Issue 12: a bigger model may reword "your answer, stronger", and passes the same fact lock or is dropped.

The scripted model (tests/fakes.py) plays the bigger model: it records what it was sent, so the tests
also see that a small model is never asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import ScriptedChatModel

from coach.config import PACKAGE_DIR
from coach.feedback.rewrite import rewritten
from coach.feedback.stronger import SLOTS, fact_lock
from coach.model.prompts import PromptLibrary

PROMPTS = PromptLibrary(PACKAGE_DIR / "prompts")
QUESTION = "Tell me about a time you improved a process."
ANSWER = (
    "At the Leeds depot the returns desk was always behind. I was asked to sort it out. "
    "I mapped every step with Priya and moved the checks to the morning shift."
)
VERSION = {
    "text": "At the Leeds depot the returns desk was always behind. I was asked to sort it out. "
    f"I mapped every step with Priya and moved the checks to the morning shift. {SLOTS['result']}",
    "slots": ["result"],
}
GOOD = (
    "The returns desk at the Leeds depot was always behind, and I was asked to sort it out, so I mapped "
    f"every step with Priya and moved the checks to the morning shift. {SLOTS['result']}"
)

VERBS = "checked sorted timed watched counted fixed opened closed staffed visited reviewed planned tested measured"
OBJECTS = (
    "every shelf,each trolley,the late parcels,our queue,all labels,the scanner,both doors,the back room,"
    "rota gaps,the yard,old tickets,next week,the printers,morning loads"
)


def test_a_rewrite_that_keeps_the_facts_and_the_gaps_is_shown():
    model = ScriptedChatModel(replies=[GOOD], small=False)
    out = rewritten(model, PROMPTS, QUESTION, ANSWER, VERSION)
    assert out["text"] == GOOD and out["worded_by_model"] and out["authored_text"] == VERSION["text"]
    assert "<candidate>" in model.last_prompt and SLOTS["result"] in model.last_prompt


@pytest.mark.parametrize(
    "reply, reason",
    [
        (GOOD.replace(SLOTS["result"], "Returns were cleared 40% faster."), "40"),  # an invented number
        (GOOD.replace("Priya", "Sanjay"), "Sanjay"),  # an invented name
        (GOOD.replace(SLOTS["result"], "The returns desk got better."), "drops the gap"),  # the gap papered over
        (GOOD + " " + " ".join(f"I {v} {o}." for v, o in zip(VERBS.split(), OBJECTS.split(","))), "much longer"),
        ("Rewrite the stronger version in the first person.", "echoes the instructions"),
        (GOOD.replace("I was asked", "my useless manager finally asked me"), "blames"),
        ("", "empty"),
    ],
)
def test_a_rewrite_that_breaks_a_check_is_dropped_for_the_authored_version(reply, reason):
    out = rewritten(ScriptedChatModel(replies=[reply], small=False), PROMPTS, QUESTION, ANSWER, VERSION)
    assert out["text"] == VERSION["text"] and "worded_by_model" not in out
    assert reason in out["model_rejected"], out["model_rejected"]


def test_a_small_model_is_never_asked():
    model = ScriptedChatModel(replies=[GOOD], small=True)
    assert rewritten(model, PROMPTS, QUESTION, ANSWER, VERSION) is VERSION and model.history == []


def test_the_lock_holds_for_a_model_that_invents_on_every_labelled_answer(bare_reviewer):
    """Over the whole labelled set, a model that adds a number and a name to every version is never shown."""
    reviewer = bare_reviewer
    data = Path(__file__).parent / "data" / "graded_answers.jsonl"
    graded = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    model = ScriptedChatModel(small=False)
    shown = 0
    for x in graded:
        version = reviewer.review(x["question"], x["answer"], x["level"], x["kind"]).stronger
        if not version["text"]:
            continue
        model.enqueue("Bartholomew saved 9317 hours. " + version["text"])
        out = rewritten(model, PROMPTS, x["question"], x["answer"], version)
        assert not fact_lock(out["text"], x["answer"]), (x["id"], out["text"])
        assert "worded_by_model" not in out
        shown += 1
    assert shown >= 150


class Rewriter(ScriptedChatModel):
    """A bigger model that rewords the stronger version it is sent (joining its first two sentences),
    optionally adding a result nobody said; every other line gets the default reply."""

    invent: str = ""

    def raw_stream(self, messages, sampling=None, on_queued=None):
        prompt = messages[-1]["content"]
        if "stronger version built from" in prompt:
            version = prompt.split("own sentences:\n", 1)[1].split("\nRewrite", 1)[0]
            self.enqueue(version.replace(". ", ", and ", 1) + self.invent)
        return super().raw_stream(messages, **({"sampling": sampling} if sampling else {}))


@pytest.mark.parametrize("invent", ["", " Sales rose 12% under Marguerite."])
def test_the_interview_shows_a_passing_rewrite_and_saves_it_with_the_answer(make_coach, invent):
    from coach.sessions.interview import InterviewSettings

    model = Rewriter(small=False, default="Thank you for that answer.")
    model.invent = invent
    coach = make_coach(model)
    sid, interview = coach.interviews.start(InterviewSettings(kind="behavioral", questions=1, seed=4))
    list(interview.start())
    answer = (
        "Last winter on my ward a family was upset about visiting times. I was asked to find a fix. "
        "I listened to them, agreed a plan with the sister and explained it to the family."
    )
    reviewed = [e.review for e in interview.answer(answer) if e.kind == "review"]
    if interview.state["stage"] == "follow_up":  # the follow-up's answer is reviewed with the first
        reviewed += [
            e.review for e in interview.answer("I listened to the family and agreed a plan.") if e.kind == "review"
        ]
        answer = interview.state["records"][0]["answer"] + "\n" + interview.state["records"][0]["follow_up_answer"]
    assert reviewed and any("stronger version built from" in m["content"] for c in model.history for m in c)
    shown = reviewed[-1]["stronger"]
    saved = coach.history.get(sid).state["records"][0]["review"]["stronger"]
    assert saved == shown
    if invent:
        assert "worded_by_model" not in shown and "Marguerite" not in shown["text"]
        assert "Marguerite" in shown["model_rejected"] or "12" in shown["model_rejected"]
    else:
        assert shown["worded_by_model"] and ", and " in shown["text"] and not fact_lock(shown["text"], answer)
