"""Load the slow parts in the background once the server is up, and report their status.

Requests that need a part wait for it (with a visible message) instead of failing;
a part that failed to load reports the error and what to do.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from coach.errors import CoachError

PARTS = ("embedding", "store", "model")

if TYPE_CHECKING:
    from coach.app import Coach


class Warmup:
    def __init__(self, coach: Coach) -> None:
        self.coach = coach
        self.status: dict[str, str] = {p: "waiting" for p in PARTS}
        self.errors: dict[str, str] = {}
        self._events = {p: threading.Event() for p in PARTS}
        self._thread: threading.Thread | None = None
        self.started_at = time.time()

    def start(self) -> "Warmup":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="coach-warmup", daemon=True)
            self._thread.start()
        return self

    def _load(self, part: str, fn) -> None:
        self.status[part] = "loading"
        try:
            fn()
            self.status[part] = "ready"
        except CoachError as err:
            self.status[part] = "error"
            self.errors[part] = err.explain()
        except Exception as err:  # reported on the page, never a crash
            self.status[part] = "error"
            self.errors[part] = f"{type(err).__name__}: {err}"
        finally:
            self._events[part].set()

    def _run(self) -> None:
        c = self.coach
        self._load("embedding", lambda: c.embedder.embed(["warm up"]))

        def store():
            if c.store.count() == 0:
                c.index()
            c.retriever.search("how do I prepare for an interview", k=1)

        self._load("store", store)
        self._load("model", c.chat_model.load)

    def reload_model(self) -> None:
        """Load the coach's (newly switched) chat model in the background, as at start-up."""
        self.status["model"] = "loading"
        self.errors.pop("model", None)
        self._events["model"].clear()
        threading.Thread(
            target=self._load, args=("model", self.coach.chat_model.load), name="coach-model-switch", daemon=True
        ).start()

    def ready(self, *parts: str) -> bool:
        return all(self.status[p] == "ready" for p in (parts or PARTS))

    def wait(self, *parts: str, timeout: float | None = None) -> None:
        """Block until the parts are loaded; raise the load error if one failed."""
        for p in parts or PARTS:
            if not self._events[p].wait(timeout):
                raise CoachError(f"The {p} is still loading.", "Try again in a few seconds.")
            if self.status[p] == "error":
                raise CoachError(f"The {p} could not be loaded.", self.errors.get(p, ""))

    def describe(self) -> str:
        c = self.coach
        model = c.chat_model
        where = f"server {model.where}" if c.settings.llm_url else "on this machine"  # the file's path: `coach doctor`
        labels = {"waiting": "waiting", "loading": "loading…", "ready": "ready", "error": "error"}
        parts = [
            f"**Chat model:** {model.name} ({where}): {labels[self.status['model']]}",
            f"**Embeddings:** {c.embedder.name}: {labels[self.status['embedding']]}",
            f"**Knowledge:** {labels[self.status['store']]}",
        ]
        text = " · ".join(parts)
        for p, err in self.errors.items():
            text += f"\n\nWarning: **{p} failed:** {err}"
        return text
