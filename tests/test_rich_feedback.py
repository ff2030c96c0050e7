"""Issue 12: STAR per sentence, blame as people say it, a rubric score, and "your answer, stronger".

Measured on team-written sets with the real embedding model: tests/data/star_sentences.jsonl (461
sentences) and tests/data/graded_answers.jsonl (196 answers graded strong / mediocre / weak). A third
of each, chosen by crc32 of the id, is held out: nothing was trained or tuned on it. A second
development set, tests/data/graded_answers_dev2.jsonl (90 answers), and a third,
tests/data/graded_answers_dev3.jsonl (100 answers, 45 of its 65 story questions without the stock
wording), each written by someone who had seen neither the patterns nor the other answers, are
development only. The question kinds are in tests/data/question_kinds.jsonl (240 questions, a third
held out by crc32 of the id). Figures are printed and recorded in the README; the floors below are
under the measured figures."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from coach.feedback import question_kind, star_tagger
from coach.feedback.analysis import FLAGS, analyze
from coach.feedback.rubric import verdict
from coach.feedback.stronger import fact_lock

DATA = Path(__file__).parent / "data"
GRADED = [
    json.loads(line)
    for name in ("graded_answers.jsonl", "graded_answers_dev2.jsonl", "graded_answers_dev3.jsonl")
    for line in (DATA / name).read_text().splitlines()
    if line.strip()
]
CASES = [json.loads(line) for line in (DATA / "analysis_cases.jsonl").read_text().splitlines() if line.strip()]


def held(item_id: str) -> bool:
    return not item_id.startswith(("dev2-", "dev3-")) and zlib.crc32(item_id.encode()) % 3 == 0


@pytest.fixture(scope="module")
def reviewer(bare_reviewer):
    return bare_reviewer


@pytest.fixture(scope="module")
def reviews(reviewer):
    # The question's kind is passed as the mock interview passes the bank's (a question asking for
    # a story without the stock wording is still one).
    return {x["id"]: reviewer.review(x["question"], x["answer"], x["level"], x["kind"]) for x in GRADED}


def test_the_sets_are_big_enough():
    assert len(GRADED) >= 150 and len({x["id"] for x in GRADED}) == len(GRADED)
    assert sum(1 for rows in star_tagger.labelled().values() for _ in rows) >= 300
    assert {x["grade"] for x in GRADED} == {"strong", "mediocre", "weak"}


def test_star_tags_per_sentence_on_held_out_answers(embedder):
    import numpy as np

    results = {}
    for part in (False, True):
        ok = n = 0
        for answer_id, rows in star_tagger.labelled().items():
            if star_tagger.held_out(answer_id) != part:
                continue
            sentences = [r["sentence"] for r in rows]
            tags = star_tagger.tag(sentences, embedder.embed(sentences))
            ok += sum(t == r["tag"] for t, r in zip(tags, rows))
            n += len(rows)
        results["held-out" if part else "development"] = (ok / n, n)
    print("STAR sentence tags:", {k: f"{v[0]:.3f} of {v[1]}" for k, v in results.items()})
    assert results["held-out"][0] >= 0.75  # measured 0.795 (rules alone: 0.49 on development)
    # The shipped weights are exactly what training on the development answers gives.
    W, b = star_tagger.train(embedder)
    shipped_W, shipped_b = star_tagger._weights()
    assert np.allclose(W, shipped_W, atol=1e-4) and np.allclose(b, shipped_b, atol=1e-4)


def test_story_questions_are_known_without_the_stock_wording(embedder):
    """The question's kind, read from a question of the user's own (no bank kind), on the held-out part
    of tests/data/question_kinds.jsonl (written blind; never trained or tuned on)."""
    import numpy as np

    rows = [r for r in question_kind.labelled() if r["source"] == "question_kinds"]
    counts = {}
    for part in (False, True):
        items = [r for r in rows if question_kind.held_out(r["id"]) == part]
        story = [question_kind.asks_for_story(r["question"], embedder) for r in items]
        wording = [question_kind.stock_wording(r["question"]) for r in items]
        truth = [r["kind"] == "behavioral" for r in items]
        counts["held-out" if part else "development"] = {
            "story questions": sum(truth),
            "found": sum(s and t for s, t in zip(story, truth)),
            "found by the wording alone": sum(w and t for w, t in zip(wording, truth)),
            "other questions called stories": sum(s and not t for s, t in zip(story, truth)),
        }
    print("story questions:", counts)
    held_out = counts["held-out"]
    # measured 36 of 38 and none (the wording alone: 12 of 38)
    assert held_out["found"] >= 0.8 * held_out["story questions"]
    assert held_out["other questions called stories"] <= 2
    # The shipped weights are exactly what training on the development questions gives.
    w, b = question_kind.train(embedder)
    shipped_w, shipped_b = question_kind._weights()
    assert np.allclose(w, shipped_w, atol=1e-4) and abs(float(b) - shipped_b) < 1e-4


def test_flags_on_the_graded_answers(embedder):
    from coach.feedback.relevance import RelevanceScorer

    relevance = RelevanceScorer(embedder)
    rates = {}
    for part in (False, True):
        items = [x for x in GRADED if held(x["id"]) == part]
        for kind_known in (True, False):  # in a mock interview / `coach analyze` with a question of one's own
            ok = n = 0
            per_flag = {f: 0 for f in FLAGS}
            for x in items:
                # from the wording alone, the review reads the question as it does for a question of one's own
                story = (
                    x["kind"] == "behavioral" if kind_known else question_kind.asks_for_story(x["question"], embedder)
                )
                flags = analyze(x["question"], x["answer"], relevance.score(x["question"], x["answer"]), story).flags
                for f in FLAGS:
                    per_flag[f] += (f in flags) == (f in x["flags"])
                ok += sum((f in flags) == (f in x["flags"]) for f in FLAGS)
                n += len(FLAGS)
            name = ("held-out" if part else "development") + ("" if kind_known else ", wording only")
            rates[name] = ok / n
            if kind_known:
                print(name, "per flag:", {f: round(v / len(items), 3) for f, v in per_flag.items()})
    print("flag checks on graded answers:", {k: round(v, 4) for k, v in rates.items()})
    assert rates["development"] >= 0.98 and rates["development, wording only"] >= 0.98
    # measured 0.972 with the kind known (the goal is 0.97), 0.969 from the wording alone (README)
    assert rates["held-out"] >= 0.97 and rates["held-out, wording only"] >= 0.965


def test_the_score_separates_strong_from_weak_answers(reviews):
    aucs = {}
    for part in (False, True):
        strong = [reviews[x["id"]].score["overall"] for x in GRADED if held(x["id"]) == part and x["grade"] == "strong"]
        weak = [reviews[x["id"]].score["overall"] for x in GRADED if held(x["id"]) == part and x["grade"] == "weak"]
        pairs = [(a > b) + 0.5 * (a == b) for a in strong for b in weak]
        aucs["held-out" if part else "development"] = sum(pairs) / len(pairs)
    print("strong vs weak AUC:", {k: round(v, 3) for k, v in aucs.items()})
    assert aucs["development"] >= 0.95
    assert aucs["held-out"] >= 0.93  # measured 0.936 (the goal 0.93)


def test_every_score_has_five_named_dimensions_with_reasons(reviews):
    for review in reviews.values():
        dims = review.score["dimensions"]
        assert [d["name"] for d in dims] == [
            "answers the question",
            "structure",
            "specificity and evidence",
            "result and impact",
            "delivery",
        ]
        assert all(1 <= d["score"] <= 5 and d["reason"] for d in dims)
        assert 1 <= review.score["overall"] <= 5


def test_seniority_raises_the_bar_for_a_result_without_a_number(reviewer):
    q = "Tell me about a time you improved a process."
    a = (
        "At my last job in a busy dental practice, patients often waited too long at reception. I was asked to "
        "fix the check-in process. I moved the forms online, trained the two receptionists and changed the "
        "rota. In the end the waiting room was much calmer and patients were happier."
    )
    junior, senior = reviewer.review(q, a, "junior"), reviewer.review(q, a, "senior")
    assert junior.score["overall"] > senior.score["overall"]


def test_tags_agree_with_the_flags_on_every_graded_answer(reviews):
    for x in GRADED:
        review = reviews[x["id"]]
        tags = [s["tag"] for s in review.sentences]
        present = [e for e in ("situation", "task", "action", "result") if review.analysis.star_present[e]]
        if not review.analysis.behavioral:
            continue
        for element in ("situation", "task", "action", "result"):
            if element in tags:
                assert element in present, (x["id"], element, "a mark the flags call missing")
            elif element in present:  # only when there are fewer sentences than elements to mark
                assert len(tags) < len(present), (x["id"], element)


def test_the_fact_lock_holds_on_every_labelled_answer(reviewer, reviews):
    everything = [(x["id"], x["answer"], reviews[x["id"]]) for x in GRADED]
    everything += [(c["id"], c["answer"], reviewer.review(c["question"], c["answer"])) for c in CASES]
    for item_id, answer, review in everything:
        assert fact_lock(review.stronger["text"], answer) == [], item_id
    # and the lock does catch what was never said
    assert fact_lock("I cut costs by 40% at Acme.", "I cut costs at my last job.") == ["40%", "Acme"]
    assert fact_lock("Google asked me for 4 reports.", "they asked me for 40 reports") == ["4", "Google"]
    assert fact_lock("We hired forty people.", "We hired five people.") == ["forty"]
    assert fact_lock("Ann did the planning.", "I did the planning.") == ["Ann"]


def test_the_stronger_version_keeps_the_users_words_and_marks_what_is_missing(reviewer):
    q = "Tell me about a time you failed."
    a = (
        "Um, so I guess last year I sort of missed a deadline for the monthly report at the council. "
        "My manager was clueless and never told us anything. I stayed late and finished it the next morning."
    )
    review = reviewer.review(q, a)
    text = review.stronger["text"]
    assert "clueless" not in text and "Um" not in text and "sort of" not in text
    assert "missed a deadline for the monthly report at the council" in text
    from coach.feedback.stronger import SLOTS

    missing = [e for e in ("situation", "task", "action", "result") if not review.analysis.star_present[e]]
    assert missing and review.stronger["slots"] == missing
    assert all(SLOTS[e] in text for e in missing), "each missing element has its marked slot"
    one = reviewer.review(
        q, "Last May at the clinic I had to cut waiting times, so I split the queue and waits fell by 20 minutes."
    )
    assert one.stronger["slots"] == [] or all(not one.analysis.star_present[e] for e in one.stronger["slots"])
    assert "Umar" in reviewer.review(q, "Umar and I moved the umbrella stand, um, by the door.").stronger["text"]
    leaving = reviewer.review(
        "Why are you leaving your current job?",
        "I want to lead projects end to end. My manager was clueless and never backed us up. "
        "I have run two small launches and I am ready for more.",
    )
    assert "clueless" not in leaving.stronger["text"] and "lead projects" in leaving.stronger["text"]


@pytest.mark.parametrize(
    "answer",
    [
        "My manager kept micromanaging everyone and the company never cared about its people. I dreaded going in.",
        "One colleague really had it in for me from day one and made everything harder.",
        "Honestly the whole company is a joke, and my boss took credit for everything I did.",
        # from the second development set's phrasings
        "To be fair it was never going to go well with that lot; the others weren't pulling their weight.",
        "IT took a week to sort out access to the data, which is typical of them.",
        "They just don't value their people, and the directors only care about the numbers.",
        "Most of the site managers I've worked for haven't had a clue what goes on.",
        "Honestly, that's a bit of a pointless question.",
        "My last place was a joke.",
        # from the third development set's phrasings: sarcasm, slang and understatement
        "I pulled it off despite our so-called Head of Brand.",
        "Naturally she presented it to the board as her idea, which tells you everything about that place.",
        "The analysts upstairs were, shall we say, not the most responsive bunch in Whitehall.",
        "My Grade 7 had a fairly relaxed relationship with deadlines.",
        "My skipper was spineless and basically hung me out to dry instead of backing me.",
        "I was cleared eventually, no thanks to anyone in that station.",
        "I did most of the actual work and they took the credit.",
        "The manager there is a complete muppet and the owners are tight as anything.",
        "Half the customers round here are animals anyway.",
        "I shouldn't have to sell myself to people who clearly haven't done their homework.",
        "Our store manager couldn't organise a raffle at a church fete.",
        "It feels like a bit of a gotcha question from the panel.",
        "Honestly, I don't really see how that's relevant to a paralegal role.",
        "Zero support.",
    ],
)
def test_blame_as_people_say_it_is_flagged(answer):
    assert "blames_others" in analyze("Why are you leaving your current job?", answer).flags


@pytest.mark.parametrize(
    "sentence",
    [
        # found by review: reported speech, things not people, and negated credit-taking are not blame
        "They said the old data was terrible, so I cleaned it and rebuilt the report.",
        "The parents were terrible at finding the form, so I moved it to the front page.",
        "The customers never read the long reports, so I wrote a one-page summary.",
        "He didn't really care about the font, so I chose it myself.",
        "I was careful not to take credit for it.",
        "I never take credit for our team's work.",
        "If they had read the logs earlier, we would have caught it.",
        "The company is a mess of spreadsheets, so I built a database.",
        # found by review of the phrasings added from the second development set
        "I put a system in place to log every fault within the hour.",
        "The place was packed and the fuse blew, so I reset it.",
        "The people at the event blew me away.",
        "The night staff never had enough time to hand over properly, so I created a checklist.",
        "The client asked about the API and honestly I didn't have a clue, so I said I'd find out.",
        "The new staff had no idea how to run the till, so I trained them.",
        "I dealt with that lot of returned stock in two days.",
        "He stayed late to help me, which was typical of him.",
        "I knew it's a silly question, but I asked the engineer anyway.",
        "I checked that nobody there needed help.",
        "The team wasn't great at communicating across shifts, so I set up a handover board.",
        "The client only cared about the numbers, so I led with the data.",
        # found by review of the phrasings added from the third development set
        "My manager pointed out that my handover notes were disorganised, which was fair.",
        "It was never his fault; the system had logged him out.",
        "It wasn't really their fault; the form was confusing.",
        "I felt like a complete idiot when I realised I had sent the wrong file, so I called the client straight away.",
        "After the fix we had zero support tickets about it.",
        "She took the credit card details over the phone.",
        "The fact that they all came in on a Sunday tells you everything about the team.",
        "My new team were not the most experienced bunch, so I set up weekly training.",
        "I used to have a relaxed attitude to deadlines, which I have since fixed.",
        "We delivered on time, no thanks to my own poor planning at the start.",
        "I said no thanks to the company car and took the allowance instead.",
        "Looking back, I was gutless about raising it with my manager, and I have changed that.",
        "The branch office had no backbone connection, so I set up a temporary VPN link.",
        "We clearly didn't read the contract carefully enough, and that was on us.",
        "Because of lockdown we couldn't organise a party for the residents, so I set up video calls.",
        "We checked the usual suspects first: DNS, certificates and firewall rules.",
        "One gotcha with the migration was time zones, so I wrote a conversion test.",
        "We reduced the so-called lead time from ten days to four.",
        "If I can't see how it's relevant, I ask the customer to explain so I can help.",
        "The customer's main worry was animals getting out onto the road.",
    ],
)
def test_neutral_sentences_with_blame_words_are_not_blame(sentence):
    assert "blames_others" not in analyze("Tell me about a time you improved something.", sentence).flags


@pytest.mark.parametrize(
    "sentence, element",
    [
        # found by review: sentences that look like a cue but are not that element
        ("That evening the drinks were on me.", "task"),
        ("They never let me handle the big accounts.", "task"),
        ("The call went badly and the fault was mine.", "task"),
        ("Before joining the NHS I owned a social enterprise.", "task"),
        ("It gave me ownership of my own development.", "task"),
        ("I had until recently never had to manage a budget.", "task"),
        ("I had a strong feeling that the figures were wrong.", "situation"),
        ("I had a quiet word that afternoon with the new starter.", "situation"),
        ("On the opening day not a single customer came in.", "result"),
        ("The CT scan showed a bleed on the brain, so I escalated to the registrar.", "result"),
        ("The wrong price was published on the website over the weekend.", "result"),
        ("Our firm had signed a £3m contract with them the year before, so the stakes were high.", "result"),
        ("Two days before launch the client changed the plan completely.", "result"),
    ],
)
def test_a_look_alike_is_not_a_star_element(sentence, element):
    from coach.feedback.analysis import STAR_PRESENT, star_scores

    assert star_scores(sentence)[element] < STAR_PRESENT


@pytest.mark.parametrize(
    "sentence",
    [
        "Some people assume I'm a pushover because I'm quiet, but I held my ground.",
        "Since my knee operation I'm terrible at standing up for long shifts, so I asked for a perching stool.",
    ],
)
def test_a_look_alike_is_not_self_blame(sentence):
    assert "self_blame" not in analyze("Tell me about a time you improved something.", sentence).flags


@pytest.mark.parametrize(
    "sentence",
    [
        "Everything came together in the end: the show opened on time and sold out.",
        "It went through in the end and the family moved in before Christmas.",
    ],
)
def test_a_real_outcome_beside_a_stock_phrase_is_still_a_result(sentence):
    from coach.feedback.analysis import STAR_PRESENT, star_scores

    assert star_scores(sentence)["result"] >= STAR_PRESENT


@pytest.mark.parametrize(
    "sentence",
    ["It all worked out in the end.", "It got there in the end.", "Anyway, it all got sorted out."],
)
def test_a_stock_happy_ending_is_not_a_result(sentence):
    from coach.feedback.analysis import STAR_PRESENT, star_scores

    assert star_scores(sentence)["result"] < STAR_PRESENT


def test_a_neutral_difficult_situation_is_not_blame():
    answer = (
        "Our team was two people short and the client moved the deadline forward by a week, so I re-planned the "
        "work with my manager, took on the testing myself and we delivered on the new date."
    )
    assert "blames_others" not in analyze("Tell me about a time you worked under pressure.", answer).flags


def test_a_non_answer_to_an_example_question_without_the_stock_wording_is_seen():
    flags = analyze(
        "What is the most challenging project you have worked on?",
        "Oh, there are so many, I really couldn't pick just one.",
    ).flags
    assert {"missing_situation", "missing_action", "missing_result", "too_short"} <= set(flags)


def test_every_bank_story_question_is_reviewed_as_one_whatever_its_wording(reviewer):
    """Five bank behavioral questions ("What is the most challenging...") escape the wording patterns;
    the bank's kind, passed by the interview and `coach analyze`, makes them stories all the same."""
    from coach.feedback.analysis import is_behavioral
    from coach.sessions.question_bank import QuestionBank

    bank = QuestionBank.load(Path(__file__).parents[1] / "knowledge" / "question_bank")
    stories = [q for q in bank.questions if q.kind == "behavioral"]
    unworded = [q.id for q in stories if not is_behavioral(q.text)]
    print("bank story questions the wording misses:", unworded)
    assert unworded  # otherwise this test no longer tests the kind
    non_answer = "Oh, there are so many, I really couldn't pick just one."
    for q in stories:
        flags = reviewer.review(q.text, non_answer, "mid", q.kind).analysis.flags
        assert {"missing_situation", "missing_action", "missing_result"} <= set(flags), (q.id, flags)
    # Without the bank's kind, the review reads the question itself (coach/feedback/question_kind.py).
    for qid in unworded:
        wording_only = reviewer.review(bank.by_id(qid).text, non_answer, "mid").analysis.flags
        assert "missing_action" in wording_only, qid


def test_a_transcript_question_is_read_for_its_kind_not_given_the_wordings_guess(reviewer):
    """A debrief's or due card's question is "custom": its kind is not the bank's, so the interview passes
    none and the review reads the question; a bank question keeps the bank's kind."""
    from coach.sessions.question_bank import QuestionBank

    question = QuestionBank.custom_question("What's the toughest call you've had to make on a night shift?")
    assert question.kind == "motivation" and question.known_kind is None  # the stock wording misses it
    non_answer = "Oh, there are so many, I really couldn't pick just one."
    flags = reviewer.review(question.text, non_answer, "mid", question.known_kind).analysis.flags
    assert "missing_action" in flags
    bank = QuestionBank.load(Path(__file__).parents[1] / "knowledge" / "question_bank")
    motivation = next(q for q in bank.questions if q.kind == "motivation")
    assert motivation.known_kind == "motivation"
    assert "missing_action" not in reviewer.review(motivation.text, non_answer, "mid", "motivation").analysis.flags


def test_a_transcript_question_that_asks_for_a_story_gets_a_story_follow_up(embedder, tmp_path):
    """A thin answer to a debrief's story question without the stock wording is asked what the candidate
    did, not "what draws you to it, and why?" (the motivation follow-up the wording's guess gave)."""
    from fakes import FakeRetriever, ScriptedChatModel

    from coach.app import build
    from coach.config import Settings
    from coach.sessions.interview import InterviewerLine, InterviewSettings

    retriever = FakeRetriever(Path(__file__).parents[1] / "knowledge")
    settings = Settings.load({"home": tmp_path / "home"}, env={})
    coach = build(settings, embedder=embedder, chat_model=ScriptedChatModel(), retriever=retriever)
    interview_settings = InterviewSettings(questions=1)
    interview_settings.custom_questions = ["What's the toughest call you've had to make on a night shift?"]
    _, interview = coach.interviews.start(interview_settings)
    list(interview.start())
    events = list(interview.answer("Oh, there are so many, I really couldn't pick just one."))
    lines = " ".join(e.text for e in events if isinstance(e, InterviewerLine))
    assert "what you did" in lines and "draws you" not in lines, lines


def test_a_comment_says_solid_only_when_the_score_earns_it(reviews):
    from coach.sessions.answer_comment import authored_comment

    for x in GRADED:
        review = reviews[x["id"]]
        text, _ = authored_comment(review)
        if "solid" in text.lower() or "nothing to fix" in text.lower():
            assert verdict(review.score["overall"]) == "strong", (x["id"], text)


def test_stock_questions_have_team_written_example_answers_that_score_as_strong(reviewer):
    from coach.sessions.question_bank import QuestionBank

    bank = QuestionBank.load(Path(__file__).parents[1] / "knowledge" / "question_bank")
    with_examples = [q for q in bank.questions if q.example_answer]
    assert len(with_examples) >= 13
    assert bank.by_text("tell me about yourself") is bank.by_id("mot-motivation-01")
    for q in with_examples:
        review = reviewer.review(q.text, q.example_answer, "mid")
        assert review.score["overall"] >= 4.0, (q.id, review.score)
        assert "blames_others" not in review.analysis.flags and q.model_answer()["why_it_works"]


def test_analyze_json_gives_sentences_score_stronger_and_the_example(indexed_home):
    from conftest import run_coach

    answer = "I'm a nurse with six years on a busy ward, and I now want to teach new nurses."
    out = run_coach("analyze", "-q", "Tell me about yourself.", "-a", answer, "--json", home=indexed_home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["sentences"] and {"text", "tag"} <= set(result["sentences"][0])
    assert len(result["score"]["dimensions"]) == 5 and "text" in result["stronger"]
    assert result["model_answer"]["text"] and result["looks_for"]


def test_a_spoken_answer_is_scored_on_its_pace_and_pauses_too(reviews):
    from coach.speech.spoken import merge_delivery

    review = next(r for r in reviews.values() if r.score["dimensions"][4]["score"] == 5).public()
    fast = {"duration_s": 60, "words_per_minute": 195, "pauses": [{"start_s": 20, "seconds": 6.0}], "flags": []}
    fast["flags"] = ["too_fast", "long_pauses"]
    merged = merge_delivery(review, fast)
    spoken = merged["score"]["dimensions"][4]
    assert spoken["score"] == 3 and "195 words a minute" in spoken["reason"] and "too fast" in spoken["reason"]
    assert merged["score"]["overall"] < review["score"]["overall"]
    calm = merge_delivery(review, {"duration_s": 60, "words_per_minute": 140, "pauses": [], "flags": []})
    assert (
        calm["score"]["overall"] == review["score"]["overall"]
        and "140 words a minute" in calm["score"]["dimensions"][4]["reason"]
    )


@pytest.mark.parametrize(
    ("sentence", "task"),
    [
        # the task said the ways the second development set said it
        ("I was on the counter on my own, so sorting it out was down to me.", True),
        ("The brief from the CTO was blunt: no double charges.", True),
        ("The target the department set me was half of them at grade 4.", True),
        ("At handover the nurse asked me to take charge of his meals.", True),
        ("The GM was on holiday, so the night was mine to run.", True),
        ("The CEO's ask was simple: get it under a week.", True),
        # and what only looks like one (found by review)
        ("We beat the target for the quarter by 12%.", False),
        ("Afterwards they asked me to stay on for another year.", False),
        ("Honestly, most of that drop was down to me.", False),
        ("All the pressure was on me that week.", False),
    ],
)
def test_a_task_is_recognised_in_its_many_shapes_and_only_there(sentence, task):
    from coach.feedback.analysis import STAR_PRESENT, star_scores

    assert (star_scores(sentence)["task"] >= STAR_PRESENT) is task
