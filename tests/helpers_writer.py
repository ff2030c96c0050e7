"""A process that saves sessions through coach.history as fast as it can (killed by the kill test)."""

import sys
from pathlib import Path

from coach.sessions.history import History

history = History(Path(sys.argv[1]))
n = 0
while True:
    sid = history.create("interview", f"kill test {n}")
    for turn in range(5):
        seq = history.add_turn(
            sid, "candidate", f"answer {n}-{turn} " + "x" * 500, {"n": n}, state={"n": n, "turn": turn}
        )
        print(f"{sid} {seq}", flush=True)  # printed only after the turn's transaction committed
    n += 1
