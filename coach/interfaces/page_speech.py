"""Handlers behind answering by voice on the page: record or upload, transcribe, correct, send.

Decisions:
- The speech model loads in the background when someone first presses record (or uploads), so
  start-up and memory do not pay for it until someone speaks.
- The transcript goes into the answer box: the user can correct it before pressing Send. The
  delivery (pace, pauses, fillers) is kept in the page state and sent with the answer, unless the
  text sent no longer resembles the transcript (then it is a typed answer).
- The recording is deleted once transcribed unless "Keep my recordings" is ticked
  (coach/speech/recordings.py); an upload larger than the page's upload limit is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.errors import CoachError, InputError
from coach.interfaces.views import problem

if TYPE_CHECKING:
    from coach.app import Coach

SAME_ANSWER = 0.5  # share of the transcript's words still in the sent text for it to count as spoken


def delivery_line(d: dict[str, Any]) -> str:
    pauses = d.get("pauses") or []
    longest = f" (longest {max(p['seconds'] for p in pauses):.1f} s)" if pauses else ""
    return (
        f"{d.get('duration_s', 0):.0f} s; {d.get('words_per_minute', 0):.0f} words a minute; "
        f"{len(pauses)} pause(s) over 2 s{longest}; {d.get('fillers_per_minute', 0):.1f} fillers a minute"
    )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", (text or "").lower()))


class SpeechHandlers:
    coach: Coach
    finished_summaries: Any  # from HistoryHandlers (coach/interfaces/page_history.py)

    def speech_warm(self) -> str:
        """Start loading the speech model (once); returns a notice for the page."""
        transcriber = self.coach.transcriber
        if transcriber.loaded:
            return ""
        transcriber.start_loading()
        return "Loading the speech model for the first time (a few seconds)…"

    def transcribe_answer(self, state, audio: str | None, keep: bool) -> tuple[str | None, str, dict]:
        """(text for the answer box or None to leave it, notice, state) for a recording or an upload."""
        from coach.speech.recordings import keep_recording
        from coach.speech.spoken import hear

        state = state or {}
        current = state.get("interview")
        if not audio:
            return None, "", state
        path = Path(audio)
        try:
            if not current:
                raise InputError("Start an interview first, then record your answer.")
            if path.exists() and path.stat().st_size > self.settings.max_upload_bytes:
                limit = self.settings.max_upload_bytes // (1024 * 1024)
                raise InputError(
                    f"The recording is larger than the {limit} MB upload limit.",
                    "Record a shorter answer (one to two minutes is right), or compress it (MP3, M4A, OGG).",
                )
            spoken = hear(self.coach.transcriber, path)
            kept = keep_recording(self.settings.home, current["sid"], path) if keep else None
        except CoachError as err:
            return None, problem(err), state
        finally:
            if not keep:
                path.unlink(missing_ok=True)  # nothing of the recording stays unless asked
        current["spoken"] = {"text": spoken.text, "delivery": spoken.delivery, "kept": str(kept) if kept else None}
        note = f" {spoken.note}" if spoken.note else ""
        notice = (
            f"Transcribed in {spoken.seconds_taken:.1f} s: {delivery_line(spoken.delivery)}.{note} "
            "Check the words in the answer box, correct them if needed, then press Send."
        )
        return spoken.text, notice, state

    @staticmethod
    def spoken_delivery(current: dict[str, Any], sent: str) -> dict[str, Any] | None:
        """The delivery of the transcript waiting to be sent, if ``sent`` is still that transcript."""
        spoken = current.pop("spoken", None)
        if not spoken:
            return None
        heard = _words(spoken["text"])
        if not heard or len(heard & _words(sent)) / len(heard) < SAME_ANSWER:
            return None
        return spoken["delivery"]

    def delivery_progress(self, owner):
        """Words and fillers per minute per finished interview with spoken answers, numbered as the
        other History plots number interviews (1 = first)."""
        import pandas as pd

        from coach.interfaces.limits import check_owner

        rows = []
        interviews = self.finished_summaries(check_owner(owner))
        for n, summary in enumerate(interviews, 1):
            d = summary.get("delivery_average")
            if d:
                rows.append({"interview": n, "measure": "words a minute", "value": d["words_per_minute"]})
                rows.append({"interview": n, "measure": "fillers a minute", "value": d["fillers_per_minute"]})
        return pd.DataFrame(rows, columns=["interview", "measure", "value"]), [0.5, max(1, len(interviews)) + 0.5]
