"""An interview's scorecard, built from its saved state.

A spoken answer's record keeps its delivery (``coach.speech.delivery.Delivery.public()``) under
``delivery``, and a spoken follow-up answer's under ``follow_up_delivery``. Each scorecard answer
carries ``delivery`` (the answer's, else the follow-up's; None when both were typed), and
``delivery_average`` is the plain mean over every recording of the interview (answers and
follow-up answers alike): words per minute, fillers per minute, and pauses over two seconds per
recording, with how many recordings it covers; None when nothing was spoken.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from coach.feedback.analysis import FLAGS
from coach.feedback.flags import DELIVERY_FLAGS
from coach.feedback.flags import PRIORITY as IMPROVEMENT_PRIORITY


def build_scorecard(state: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The scorecard of an interview's state: each answer with its flags and comment, STAR averages,
    and the top three improvements with the passage behind each."""
    answers = []
    flag_counts: Counter[str] = Counter()
    star_sums = {"situation": 0.0, "task": 0.0, "action": 0.0, "result": 0.0}
    scored = 0
    tips: dict[str, dict] = {}
    recordings: list[dict[str, Any]] = []
    for record in state["records"]:
        review = record.get("review")
        if not review:
            continue
        answer = record["answer"] + (f"\n{record['follow_up_answer']}" if record.get("follow_up_answer") else "")
        spoken = [d for d in (record.get("delivery"), record.get("follow_up_delivery")) if d]
        recordings += spoken
        answers.append(
            {
                "question": record["question"]["text"],
                "answer": answer,
                "flags": review["flags"],
                "star": review["star"],
                "comment": record.get("comment", ""),
                "comment_source": record.get("comment_source"),
                "follow_up": record.get("follow_up_question"),
                "score": (review.get("score") or {}).get("overall"),
                "previous": record.get("previous"),  # the last answer to this question before (practice queue)
                "delivery": spoken[0] if spoken else None,
            }
        )
        flag_counts.update(review["flags"])
        for t in review.get("tips", []):
            tips.setdefault(t["flag"], t)
        if review.get("behavioral"):
            scored += 1
            for k in star_sums:
                star_sums[k] += review["star"][k]
    scores = [a["score"] for a in answers if a["score"] is not None]
    order = sorted(
        flag_counts,
        key=lambda f: (-flag_counts[f], IMPROVEMENT_PRIORITY.index(f) if f in IMPROVEMENT_PRIORITY else 99),
    )
    improvements = [
        {"flag": f, "count": flag_counts[f], "tip": tips[f]["tip"], "source": tips[f]["source"]}
        for f in order[:3]
        if f in tips
    ]
    return {
        "answers": answers,
        "improvements": improvements,
        "star_average": {k: round(v / scored, 2) for k, v in star_sums.items()} if scored else None,
        "overall_score": round(sum(scores) / len(scores), 1) if scores else None,
        "flag_counts": {f: flag_counts[f] for f in FLAGS + DELIVERY_FLAGS if flag_counts[f]},
        "delivery_average": delivery_average(recordings),
        "transcript": list(state["transcript"]),
        "settings": {k: v for k, v in settings.items() if k != "job_description"},
    }


def delivery_average(deliveries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The mean pace, fillers and pauses over spoken recordings (see the module docstring); None for none."""
    if not deliveries:
        return None
    n = len(deliveries)
    return {
        "words_per_minute": round(sum(d.get("words_per_minute", 0.0) for d in deliveries) / n, 1),
        "fillers_per_minute": round(sum(d.get("fillers_per_minute", 0.0) for d in deliveries) / n, 1),
        "pauses": round(sum(len(d.get("pauses") or []) for d in deliveries) / n, 1),
        "recordings": n,
    }
