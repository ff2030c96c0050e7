"""How relevant an answer is to its question: embedding similarity, calibrated.

The question's template ("Tell me about a time you ...", "What would you do
if ...") is removed so that only its topic is compared, and the answer is
compared as a whole and sentence by sentence; the best match counts. On
tests/data/analysis_cases.jsonl this separates off-topic answers at 0.12
(see coach.analysis.OFF_TOPIC_BELOW).
"""

from __future__ import annotations

import re

from coach.model.embedding import Embedder
from coach.text import cosine, split_sentences

TEMPLATE = re.compile(
    r"^(tell (me|us) about (a|an|one) (time|situation|occasion|moment) (when |where |that )?(you )?"
    r"|describe (a|an|one) (time|situation|occasion|moment) (when |where |that )?(you )?"
    r"|give (me |us )?(an|one) example of (a time )?(when |where |how )?(you )?"
    r"|walk (me|us) through (a time |how )?(you )?"
    r"|what would you do if (you )?|how would you |how do you |what is |what's |what are "
    r"|why do you want to |why are you |can you |could you )",
    re.I,
)
MAX_SENTENCES = 40


def question_topic(question: str) -> str:
    topic = TEMPLATE.sub("", question.strip())
    return topic or question


class RelevanceScorer:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def score(self, question: str, answer: str) -> float | None:
        return self.measure(question, answer, split_sentences(answer))[0]

    def measure(self, question: str, answer: str, sentences: list[str]) -> tuple[float | None, list]:
        """The relevance score and every sentence's vector, in one embedding call.

        The review tags each sentence with STAR from these same vectors, so an
        answer is embedded once per review.
        """
        if not question.strip() or not answer.strip():
            return None, []
        vectors = self.embedder.embed([question_topic(question), answer[:4000]] + sentences)
        topic = vectors[0]
        return max(cosine(topic, v) for v in vectors[1 : 2 + MAX_SENTENCES]), list(vectors[2:])
