"""Fixed-set figures for the real default model through the coach's own paths (recorded in the README)."""

from pathlib import Path

import pytest

from coach.interfaces.evaluation import citation_rate, degenerate_rate, load_jsonl

pytestmark = pytest.mark.model
DATA = Path(__file__).parent / "data"


def test_degenerate_reply_rate_is_under_5_percent(make_coach):
    coach = make_coach()
    prompts = load_jsonl(DATA / "degenerate_prompts.jsonl")
    assert len(prompts) >= 30
    tally = degenerate_rate(coach, prompts)
    print(f"degenerate replies: {tally.bad}/{tally.samples} = {tally.rate:.1%}; {tally.examples}")
    assert tally.samples >= 30
    assert tally.rate < 0.05, tally.examples


def test_supported_citation_rate(make_coach):
    coach = make_coach()
    questions = load_jsonl(DATA / "ask_questions.jsonl")
    figures = citation_rate(coach, questions)
    print("citations:", {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
    assert figures["shown_supported_rate"] >= 0.95
    # The small default model is still asked for one sentence per passage, and each must pass the judge's
    # voice checks, the polarity check, the close-restatement check and the citation check. Measured
    # 2026-11-25: 0 of 103 pass (0.18 before the restatement check, 0.34 before the voice and polarity
    # checks); 1 of 91 once passages far below the best stopped being shown, so nearly every sentence
    # shown is a passage's own. A model that restates closely earns its way in.
    # (that the model is asked once per passage shown is checked with the scripted model in test_ask.py)
    in_scope = sum(1 for q in questions if q.get("in_scope", True))
    assert figures["passages"] >= 2 * in_scope, "most answers draw on two passages or more"
    assert figures["in_scope_answered"] == 1.0
    assert figures["out_of_scope_declined"] >= 0.8
