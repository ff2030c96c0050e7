"""What every `coach` command shares: the command registry, settings from flags, output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def settings_from(args: argparse.Namespace):
    from coach.config import Settings

    names = ("home", "chroma_url", "model_path", "llm_url", "asr_model", "host", "port", "auth")
    flags = {k: getattr(args, k, None) for k in names}
    return Settings.load(flags)


def make_coach(args: argparse.Namespace):
    from coach.app import build
    from coach.offline import go_offline

    go_offline()
    return build(settings_from(args))


def emit_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def terminal_progress(desc: str):
    """A tqdm bar on stderr (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total == 0:
            return
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, disable=None)
        b = bar["bar"]
        b.update(done - b.n)
        if done >= total:
            b.close()

    return update


def read_input_text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def confirm(question: str) -> bool:
    """Ask on a terminal; without one, say that --yes is needed and answer no."""
    if not sys.stdin.isatty():
        print("Nothing deleted. Add --yes to delete without asking.")
        return False
    if input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}:
        return True
    print("Nothing deleted.")
    return False


def delivery_line(delivery: dict[str, Any]) -> str:
    """A spoken answer's delivery in one line: length, pace, fillers, pauses and its flags in words."""
    from coach.feedback.flags import label

    pauses = delivery.get("pauses") or []
    where = ", ".join(f"{p['seconds']:.1f} s at {p['start_s']:.1f} s" for p in pauses) or "none over 2 s"
    line = (
        f"{delivery.get('duration_s', 0):.0f} s spoken, {delivery.get('words_per_minute', 0):.0f} words a minute, "
        f"{delivery.get('fillers_per_minute', 0):.1f} fillers a minute, pauses: {where}"
    )
    flags = delivery.get("flags") or []
    return line + (f"; {', '.join(label(f) for f in flags)}" if flags else "")
