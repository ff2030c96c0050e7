"""Handlers behind the page's model picker: which chat model is in use, the installed ones, switching.

Decisions:
- Switching changes the model for everyone using this server, so the picker works only when the page
  is served on this machine's loopback address (one person's own machine); elsewhere it says why.
- A switch is saved as `coach models use` saves it (COACH_HOME/settings.json), so the next start
  uses it too, unless --model or COACH_MODEL says otherwise. The new model loads in the background,
  as at start-up; requests wait for it with a visible message.
- A model that does not fit the memory free now is refused with the figures, before anything changes.
- With a chat model served over HTTP (--llm-url) there is nothing to pick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.errors import CoachError, InputError
from coach.interfaces.views import problem

if TYPE_CHECKING:
    from coach.app import Coach

EMBEDDED = "embedded (SmolLM2-135M, bundled)"
GET_STRONGER = (
    "Only the small embedded model is installed: it keeps the coach working anywhere, and a 0.5-3B model "
    "words the interviewer's lines and answers far better. With internet, run "
    "`coach models pull qwen2.5-1.5b` once (about 1 GB), then pick it here or run `coach models use qwen2.5-1.5b`. "
    "`coach models list` shows what fits this machine."
)


class ModelHandlers:
    coach: Coach
    warmup: Any
    settings: Any

    def _pickable(self) -> str | None:
        """Why the picker cannot be used here, or None."""
        from coach.interfaces.doctor import is_loopback

        if self.settings.llm_url:
            return f"The chat model is served by {self.settings.llm_url}; choose it there."
        if not is_loopback(self.settings.host):
            return "The model can be switched only on a page served on this machine (127.0.0.1)."
        return None

    def models_view(self) -> dict[str, Any]:
        """{"choices", "value", "note", "interactive"} for the picker."""
        from coach.model.hub import installed

        models = installed(self.settings.home)
        choices = [EMBEDDED] + [m["name"] for m in models]
        current = self.coach.settings.model_path
        value = EMBEDDED
        for m in models:
            if current is not None and Path(m["path"]).resolve() == Path(current).resolve():
                value = m["name"]
        if current is not None and value == EMBEDDED:
            choices.append(str(current))  # a file given with --model or COACH_MODEL
            value = str(current)
        reason = self._pickable()
        note = reason or (GET_STRONGER if not models else f"{len(models)} model(s) installed in this home.")
        return {"choices": choices, "value": value, "note": note, "interactive": reason is None}

    def switch_model(self, choice: str | None) -> str:
        """Switch to ``choice`` (a name from the picker); returns the notice."""
        from coach.model.hub import installed, use
        from coach.model.hub.overview import memory_check
        from coach.model.model_files import default_model_path

        try:
            if reason := self._pickable():
                raise InputError(reason)
            if not choice:
                raise InputError("Choose a model.")
            names = {m["name"]: Path(m["path"]) for m in installed(self.settings.home)}
            if choice == EMBEDDED:
                path = None
            elif choice in names:
                path = names[choice]
            elif self.coach.settings.model_path and choice == str(self.coach.settings.model_path):
                return "That model is already in use."
            else:
                raise InputError(f"No installed model is called {choice!r}.", "`coach models list` shows them.")
            check = memory_check(path or default_model_path(), self.settings.home)
            if not check["fits"]:
                raise InputError(
                    f"{check['name']} needs about {check['needed_bytes'] / 2**30:.1f} GB and "
                    f"{check['free_bytes'] / 2**30:.1f} GB is free now.",
                    "Close other programs and try again, or pick a smaller model.",
                )
            use(str(path) if path else "embedded", self.settings.home)
            self.coach.switch_model(path)
            self.warmup.reload_model()
        except CoachError as err:
            return problem(err)
        return f"Switching to {choice}: it loads in the background (see the status line above)."
