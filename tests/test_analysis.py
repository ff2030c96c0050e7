"""Deterministic answer analysis: the labelled set and the rules behind it."""

import json
from pathlib import Path

import pytest

from coach.feedback.analysis import FLAGS, analyze, is_behavioral

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "analysis_cases.jsonl").read_text().splitlines()
    if line.strip()
]


def test_the_labelled_set_is_big_and_covers_every_flag():
    assert len(CASES) >= 40
    for flag in FLAGS:
        assert sum(flag in c["flags"] for c in CASES) >= 3, flag
    assert sum(not c["flags"] for c in CASES) >= 10


@pytest.fixture(scope="module")
def relevance(embedder):
    from coach.feedback.relevance import RelevanceScorer

    return RelevanceScorer(embedder)


def test_flags_on_the_labelled_set_reach_95_percent_of_checks(relevance):
    checks = passed = 0
    misses = []
    for case in CASES:
        result = analyze(case["question"], case["answer"], relevance=relevance.score(case["question"], case["answer"]))
        for flag in FLAGS:
            checks += 1
            if (flag in result.flags) == (flag in case["flags"]):
                passed += 1
            else:
                misses.append(f"{case['id']}: {flag} {'raised wrongly' if flag in result.flags else 'missed'}")
    rate = passed / checks
    print(f"analysis flags: {passed}/{checks} checks = {rate:.1%}; misses: {misses}")
    assert rate >= 0.95, misses


def test_every_flag_is_found_in_most_of_its_cases(relevance):
    for flag in FLAGS:
        cases = [c for c in CASES if flag in c["flags"]]
        found = sum(
            flag in analyze(c["question"], c["answer"], relevance.score(c["question"], c["answer"])).flags
            for c in cases
        )
        assert found / len(cases) >= 0.75, f"{flag}: {found}/{len(cases)}"


def test_a_good_star_answer_has_no_flags():
    answer = (
        "At my last job as a support lead at a software company, our ticket backlog had grown to 400 open tickets. "
        "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a "
        "daily triage meeting, and wrote ten template replies for the most common questions. After four weeks the "
        "backlog was down to 80 tickets and our satisfaction score rose from 72% to 88%."
    )
    result = analyze("Tell me about a time you improved a process.", answer)
    assert result.flags == []
    assert all(result.star_present.values())
    assert result.has_numbers


def test_star_flags_only_apply_to_behavioral_questions():
    answer = (
        "I would first listen to the customer, then apologise for the trouble, and then look for a fix "
        "I could offer them straight away, before checking with my manager about a refund if needed."
    )
    assert not is_behavioral("What would you do if a customer shouted at you?")
    result = analyze("What would you do if a customer shouted at you?", answer)
    assert not any(f.startswith("missing_") for f in result.flags) and "no_numbers" not in result.flags
    assert is_behavioral("Tell me about a time you handled an angry customer.")
    assert "missing_result" in analyze("Tell me about a time you handled an angry customer.", answer).flags


def test_fillers_and_hedges_are_counted_but_like_as_a_verb_is_not():
    text = (
        "Um, so I, like, basically took over the project, you know, "
        "and I'd like to think it went well. It looks like it did."
    )
    result = analyze("Tell me about yourself.", text)
    assert result.fillers == {"um": 1, "like": 1, "you know": 1, "basically": 1}
    hedgy = analyze(
        "Why this job?",
        "I guess I sort of want to grow, maybe into a lead role, and I think this "
        "team could probably help with that over the next few years if things go well.",
    )
    assert "hedging" in hedgy.flags and hedgy.hedge_count >= 3


def test_length_flags_use_word_counts():
    assert "too_short" in analyze("Why us?", "Because I like it.").flags
    long = " ".join(["I planned the work and we shipped it on time."] * 40)
    result = analyze("Tell me about a project.", long)
    assert result.word_count == 400 and "too_long" in result.flags


def test_blame_and_self_blame():
    blame = analyze(
        "How did the interview go?",
        "Badly, and it was the interviewer's fault. The panel was so rude "
        "and they didn't give me a chance to explain my work properly.",
    )
    assert "blames_others" in blame.flags and "self_blame" not in blame.flags
    selfb = analyze(
        "How did the interview go?",
        "I'm such an idiot. I always ruin everything and I'll never get a "
        "job like that, no matter how much I prepare for these interviews.",
    )
    assert "self_blame" in selfb.flags and "blames_others" not in selfb.flags
    owning = analyze(
        "How did the interview go?",
        "I didn't prepare enough for the technical questions, so next "
        "time I will practise them out loud with a friend the week before.",
    )
    assert "self_blame" not in owning.flags and "blames_others" not in owning.flags


def test_off_topic_needs_a_relevance_score_and_uses_the_calibrated_threshold(relevance):
    q = "Tell me about a time you had a conflict with a colleague."
    off = (
        "I really enjoy hiking and baking sourdough bread at the weekend, "
        "and last summer I walked the whole coast path with my dog."
    )
    on = (
        "At my last job a colleague and I disagreed about the release date, so I set up a meeting, "
        "we compared the risks, and agreed to ship a smaller version first."
    )
    assert "off_topic" not in analyze(q, off).flags  # no score, no judgement
    assert "off_topic" in analyze(q, off, relevance.score(q, off)).flags
    assert "off_topic" not in analyze(q, on, relevance.score(q, on)).flags


def test_analysis_is_deterministic_and_handles_odd_text():
    weird = "\u202eright-to-left\u202c text \U0001f600 with\x00control\x07chars and \u00e9\u00e8 accents"
    a, b = analyze("Tell me about yourself.", weird), analyze("Tell me about yourself.", weird)
    assert a == b and "too_short" in a.flags
    assert analyze("Q?", "").word_count == 0
