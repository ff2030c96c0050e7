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
    figures = citation_rate(coach, load_jsonl(DATA / "ask_questions.jsonl"))
    print("citations:", {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
    assert figures["shown_supported_rate"] >= 0.95
    # Measured 0.18 with the default model since the voice and polarity checks (0.34 before): a sentence
    # that cannot be verified is replaced by the passage's own words, which is the point.
    assert figures["model_supported_rate"] >= 0.15
    assert figures["in_scope_answered"] == 1.0
    assert figures["out_of_scope_declined"] >= 0.8
