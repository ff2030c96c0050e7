"""Print every line a user would read for the development sets, on the configured chat model.

Usage: python tests/show_dev_sets.py [COACH_HOME] [interviews|debriefs|asks ...]
(the home must hold an indexed store; with no set named, all three are printed)
Runs tests/data/scripted_interviews.jsonl (every interviewer line, analysis flags and coach
comment), debrief_notes.jsonl (the five steps) and coaching_questions.jsonl (the checked answer)
through the coach's own use cases, with fresh sessions in a temporary folder. For reading, not
asserting: the tests that check these lines are issue 11's.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from test_credible_interviews import PROBE_ANSWER, probed

from coach.app import build
from coach.config import Settings
from coach.interfaces.views import flags_markdown
from coach.offline import go_offline
from coach.sessions.ask import render_with_marks
from coach.sessions.debrief import DebriefInput
from coach.sessions.interview import AnswerReviewed, CoachComment, InterviewerLine, InterviewSettings

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def show_events(events) -> None:
    for e in events:
        if isinstance(e, InterviewerLine):
            worded = " (model)" if e.meta.get("worded_by_model") else ""
            print(f"  INTERVIEWER{worded}: {e.text}")
        elif isinstance(e, AnswerReviewed):  # the analysis panel, as the page shows it
            panel = flags_markdown(e.review).replace("\n\n", "\n")
            print("  PANEL: " + panel.replace("\n", "\n         "))
        elif isinstance(e, CoachComment):
            print(f"  COACH{' (model)' if e.worded_by_model else ''}: {e.text}")


def main(home: Path, sets: list[str]) -> None:
    sets = sets or ["interviews", "debriefs", "asks"]
    go_offline()
    store = build(Settings.load({"home": home}, env={}))
    with tempfile.TemporaryDirectory() as scratch:
        coach = build(Settings.load({"home": Path(scratch)}, env={}), chroma_client_factory=lambda: store.store.client)
        for item in rows("scripted_interviews.jsonl") if "interviews" in sets else []:
            print(f"\n=== interview {item['id']}: {item['role']}, {item['kind']}, {item['level']}, {item['style']}")
            settings = InterviewSettings(item["role"], item["level"], item["kind"], item["style"], item["questions"])
            settings.seed = item["seed"]
            _, interview = coach.interviews.start(settings)
            show_events(interview.start())
            for answer in item["answers"]:
                if interview.finished:
                    break
                if probed(interview):
                    print(f"  YOU (to the probe): {PROBE_ANSWER}")
                    show_events(interview.answer(PROBE_ANSWER))
                print(f"  YOU: {answer[:160]}")
                show_events(interview.answer(answer))
        for item in rows("debrief_notes.jsonl") if "debriefs" in sets else []:
            print(f"\n=== debrief {item['id']}")
            _, report = coach.debriefs.run(DebriefInput(item["notes"], role=item.get("role", "")))
            for step in report["steps"]:
                print(f"  [{step['name']}] {step['text']}")
        for item in rows("coaching_questions.jsonl") if "asks" in sets else []:
            result = coach.asker.ask(item["question"])
            print(f"\n=== ask {item['id']}: {item['question']}\n  {render_with_marks(result)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Settings.load().home, sys.argv[2:])
