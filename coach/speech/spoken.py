"""A spoken answer: one place that turns a recording into the text the analysis reads and its delivery.

:func:`hear` transcribes a recording and measures its delivery; the transcript then goes through
the same analysis as a typed answer, and :func:`merge_delivery` adds what only a recording has to
that review's public dict: ``transcript``, ``delivery`` (``Delivery.public()``: duration_s,
words_per_minute, pauses [{start_s, seconds}], fillers_per_minute, share_of_recommended, flags),
the delivery flags (``too_fast``, ``too_slow``, ``long_pauses``) appended to ``flags`` after the
text flags, and one tip with its supporting passage for each flag added.

Decisions:

- ``filler_heavy`` stays the text analysis's flag: the transcript keeps the spoken "um" and
  "uh" (see ``coach.speech.transcribe.FILLER_PROMPT``), so the analysis counts them in the
  spoken words; ``delivery.fillers_per_minute`` is shown beside it, not turned into a second flag.
- Merging never duplicates a flag or a tip, so merging the deliveries of an answer and of its
  follow-up one after the other gives the union of their flags, with the later ``delivery``.
- Nothing here loads a model: the Transcriber is passed in (``Coach.transcriber`` builds it
  lazily), and this module imports no speech library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.feedback.flags import BY_NAME, flag
from coach.speech.delivery import delivery as measure_delivery

if TYPE_CHECKING:
    from coach.feedback.tips import TipBook
    from coach.speech.transcribe import Transcriber

DELIVERY_KEYS = ("duration_s", "words_per_minute", "pauses", "fillers_per_minute")


@dataclass(frozen=True)
class SpokenAnswer:
    """What a recording said (the answer's text) and how it was said."""

    text: str
    language: str
    note: str  # for the user, e.g. that the speech was not English; "" when all is well
    delivery: dict[str, Any] = field(default_factory=dict)  # Delivery.public()
    seconds_taken: float = field(default=0.0, compare=False)  # transcription time, without the model load

    def public(self) -> dict[str, Any]:
        return {"transcript": self.text, "language": self.language, "note": self.note, "delivery": self.delivery}


def hear(transcriber: Transcriber, path: str | Path) -> SpokenAnswer:
    """Transcribe the recording at path and measure its delivery (InputError for bad audio, ModelError
    when the speech model cannot be loaded)."""
    transcript = transcriber.transcribe(path)
    return SpokenAnswer(
        text=transcript.text,
        language=transcript.language,
        note=transcript.note,
        delivery=measure_delivery(transcript.words).public(),
        seconds_taken=transcript.seconds_taken,
    )


def delivery_flags(delivery: dict[str, Any] | None) -> list[str]:
    """The known flags a delivery dict raises, in its order."""
    return [f for f in (delivery or {}).get("flags", []) if f in BY_NAME]


def merge_delivery(
    review: dict[str, Any],
    delivery: dict[str, Any],
    *,
    transcript: str | None = None,
    tipbook: TipBook | None = None,
) -> dict[str, Any]:
    """A copy of a review's public dict with ``transcript``, ``delivery`` and the delivery's flags and tips.

    ``transcript`` defaults to the review's answer. Flags already in the review are not repeated,
    nor are their tips; a new flag's tip cites the passage its query finds through ``tipbook``
    (no source without one).
    """
    out = dict(review)
    out["transcript"] = transcript if transcript is not None else review.get("answer", "")
    out["delivery"] = delivery
    flags = list(review.get("flags") or [])
    tips = list(review.get("tips") or [])
    tipped = {t.get("flag") for t in tips}
    for name in delivery_flags(delivery):
        if name not in flags:
            flags.append(name)
        if name not in tipped:
            passage = tipbook.passage_for(name) if tipbook is not None else None
            tips.append({"flag": name, "tip": flag(name).tip, "source": passage.public() if passage else None})
            tipped.add(name)
    out["flags"] = flags
    out["tips"] = tips
    if review.get("score"):  # the rubric's delivery dimension hears the pace and the pauses
        from coach.feedback.rubric import with_spoken_delivery

        out["score"] = with_spoken_delivery(review["score"], flags, delivery)
    return out
