"""The guidance added for what job seekers actually ask: each new topic gets a cited, supported answer
from the real default model, and the debrief and the answer review point to the new areas."""

import pytest

NEW_TOPICS = [
    ("How do I negotiate salary after I get an offer?", "negotiating-an-offer.md"),
    ("The interviewer asked if I plan to have children. Is that allowed?", "questions-interviewers-should-not-ask.md"),
    ("I'm changing careers from teaching to UX. How do I explain that?", "career-changers-and-returners.md"),
    ("How should I approach a case interview question?", "interview-formats.md"),
    ("How do I prepare for a panel interview with five people?", "interview-formats.md"),
    (
        "What questions should I ask the hiring manager at the end of the interview?",
        "tell-me-about-yourself-and-closing.md",
    ),
    ("They sent me a rejection email. Should I reply to it?", "after-the-interview.md"),
    ("I've had rejections for six months and I'm losing heart. How do I keep going?", "a-long-job-search.md"),
]


@pytest.mark.model
@pytest.mark.parametrize("question, note", NEW_TOPICS, ids=[n for _, n in NEW_TOPICS])
def test_each_new_topic_gets_a_cited_supported_answer_on_the_default_model(make_coach, question, note):
    coach = make_coach()  # the real default GGUF
    result = coach.asker.ask(question)
    print(f"\n{question}\n  -> {result.answer}\n  sources: {[p.source for p in result.sources]}")
    assert result.sources and any(p.source.endswith(note) for p in result.sources)
    assert result.citations and all(c.supported for c in result.citations)
    for i in {c.source_index for c in result.citations}:
        assert f"[{i}]" in result.answer


NOTES = [
    ("They asked me if I plan to have children and I didn't know what to say.", "illegal_question"),
    ("I fumbled the salary question and named a number far too low.", "salary"),
    ("It was a panel of five people and I didn't know who to look at.", "format"),
    ("I ended up criticising my old boss when they asked why I'm leaving.", "past_employers"),
    ("I was late because of traffic and my mic didn't work at first.", "logistics"),
]


@pytest.mark.parametrize("notes, area", NOTES, ids=[a for _, a in NOTES])
def test_the_debrief_names_the_new_areas(make_coach, fake_model, notes, area):
    from coach.sessions.debrief import DebriefInput

    coach = make_coach(fake_model)
    report = coach.debriefer.run(DebriefInput(f"The interview went badly. {notes} I feel awful."))
    assert area in report["facts"]["areas"][:2]
    improve = report["steps"][2]["text"]
    assert "[" in improve, "the area's advice cites a passage"


@pytest.mark.parametrize(
    "question, about",
    [
        ("What are your salary expectations?", ("salary",)),
        ("Do you plan to have children?", ("inappropriate", "legal")),
        ("Estimate how many coffees are sold in London each day.", ("case interview",)),
        ("How would you design a notification service?", ("system design",)),
    ],
)
def test_the_answer_review_adds_guidance_for_the_questions_topic(make_coach, fake_model, question, about):
    review = make_coach(fake_model).reviewer.review(question, "I would think about it carefully and answer honestly.")
    tip = review.topic_tip
    assert tip is not None and tip.passage is not None
    assert any(word in (tip.passage.heading + " " + tip.passage.text).lower() for word in about), tip.passage.label()
