"""The guided debrief as a use case: run it and save it (the notes as the user's turn, each step as a coach turn)."""

from __future__ import annotations

from coach.model.gate import HEAVY_GATE
from coach.sessions.debrief import STEP_COUNT, STEPS, Debrief, DebriefInput
from coach.sessions.debrief_reply import DebriefReply, respond
from coach.sessions.history import History

MAX_SAVED_TRANSCRIPT = 200_000  # characters of a transcript kept with the session


class DebriefService:
    def __init__(self, debrief: Debrief, history: History) -> None:
        self.debrief = debrief
        self.history = history

    def run(self, data: DebriefInput, owner: str = "") -> tuple[str, dict]:
        if data.transcript.strip():  # analysing every answer of a transcript is heavy work: one at a time
            with HEAVY_GATE.hold():
                report = self.debrief.run(data)
        else:
            report = self.debrief.run(data)
        first_line = (data.notes.strip().splitlines() or ["(transcript)"])[0][:80]
        settings = {"role": data.role, "transcript": bool(data.transcript.strip())}
        sid = self.history.create("debrief", "Debrief: " + first_line, settings, owner=owner)
        meta = {"transcript": data.transcript[:MAX_SAVED_TRANSCRIPT]} if data.transcript.strip() else {}
        meta["practice"] = report.pop("practice", [])  # its questions join the practice queue with the notes
        self.history.add_turn(sid, "user", data.notes, meta)
        for step in report["steps"]:
            self.history.add_turn(sid, "coach", f"{step['name']}\n\n{step['text']}", {"sources": step["sources"]})
        self.history.finish(sid, report)
        return sid, report

    def reply(self, session_id: str, text: str, report: dict, step_number: int) -> DebriefReply:
        """Something the person typed after step ``step_number`` (1-5): answered and kept with the debrief."""
        self.history.add_turn(session_id, "user", text)
        key = STEPS[min(max(step_number, 1), STEP_COUNT) - 1][0]
        answer = respond(self.debrief, report, key, text)
        self.history.add_turn(session_id, "coach", answer.text, {"sources": answer.sources, "reply_to_step": key})
        return answer
