"""Models on this machine: what is installed in ``COACH_HOME/models/``, which one this home uses, removing one,
and the speed the last ``coach bench`` measured.

Decisions:
- An installed model is exactly ``COACH_HOME/models/<name>.gguf``. Downloads in progress are
  ``<name>.partial`` (never ``*.gguf``), so nothing half-written is ever listed or used. Beside each
  pulled file, ``<name>.json`` records where it came from and the sha256 it was checked against.
- ``use NAME|PATH`` saves the file in ``COACH_HOME/settings.json`` (``{"model": path}``, written
  atomically by coach.config); ``--model`` and ``COACH_MODEL`` still win. ``use embedded`` (or the
  bundled entry's name) removes the saved choice, so the embedded SmolLM2-135M is used again.
- ``remove`` deletes only files inside ``COACH_HOME/models/`` (a file chosen by path elsewhere is the
  user's own) and refuses to remove the model this home uses: choose another first. That keeps
  settings.json from pointing at a missing file.
- ``coach bench`` results are kept per model file in ``COACH_HOME/bench.json``. A model that has no
  bench of its own gets an estimate scaled from the last bench by file size (CPU generation is bound
  by memory bandwidth, so tokens/s falls roughly as the file grows); it is labelled as an estimate.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from coach.config import read_saved_settings, saved_model, write_saved_settings
from coach.errors import InputError, ModelError
from coach.model.hub.catalogue import EMBEDDED_ALIASES, bundled_entry, find

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
BENCH_FILE = "bench.json"


def models_dir(home: Path) -> Path:
    return Path(home).expanduser() / "models"


def check_name(name: str) -> str:
    """A local model name: letters, digits, '.', '_' and '-' (a trailing .gguf is dropped)."""
    name = name.strip()
    if name.lower().endswith(".gguf"):
        name = name[: -len(".gguf")]
    if not NAME_RE.match(name) or name.endswith(".partial"):
        raise InputError(
            f"{name!r} cannot be a model name.",
            "Use letters, digits, '.', '_' and '-' only (at most 80), e.g. --name qwen2.5-1.5b.",
        )
    return name


def model_file(home: Path, name: str) -> Path:
    return models_dir(home) / f"{check_name(name)}.gguf"


def read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def installed(home: Path) -> list[dict[str, Any]]:
    """Every ``COACH_HOME/models/*.gguf``: name, path, size and what its pull recorded."""
    folder = models_dir(home)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.gguf")):
        if not path.is_file():
            continue
        meta = read_meta(path)
        out.append(
            {
                "name": path.stem,
                "path": str(path),
                "size_bytes": path.stat().st_size,
                "catalogue": meta.get("catalogue"),
                "url": meta.get("url"),
                "sha256": meta.get("sha256"),
                "verified_against": meta.get("verified_against"),
                "pulled_at": meta.get("pulled_at"),
            }
        )
    return out


def same_file(a: Path | str | None, b: Path | str | None) -> bool:
    if a is None or b is None:
        return False
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


def use(name_or_path: str, home: Path) -> Path | None:
    """Make a model this home's default; returns its path (None: back to the embedded model)."""
    from coach.model.model_files import check_gguf

    text = name_or_path.strip()
    if text.lower() in EMBEDDED_ALIASES or text.lower() == bundled_entry().name:
        write_saved_settings(home, {"model": None})
        return None
    candidate = None
    if NAME_RE.match(text.removesuffix(".gguf")) and "/" not in text:
        local = models_dir(home) / f"{text.removesuffix('.gguf')}.gguf"
        if local.is_file():
            candidate = local
    if candidate is None:
        path = Path(text).expanduser()
        if path.is_file():
            candidate = path.resolve()
        elif find(text) is not None:
            raise ModelError(
                f"{text} is in the catalogue but not installed in {models_dir(home)}.",
                f"Download it first: coach models pull {text}",
            )
        else:
            raise InputError(
                f"No installed model is called {text!r}, and no file {path} exists.",
                "`coach models list` shows the installed models; or give the path of a .gguf file.",
            )
    check_gguf(candidate)
    write_saved_settings(home, {"model": str(candidate)})
    return candidate


def remove(name: str, home: Path, in_use: Path | None = None) -> Path:
    """Delete ``COACH_HOME/models/<name>.gguf`` (and its record and any partial download)."""
    path = model_file(home, name)
    if not path.is_file():
        raise InputError(
            f"No model called {name!r} is installed in {models_dir(home)}.",
            "`coach models list` shows the installed models. Files chosen by path elsewhere are yours to delete.",
        )
    for current, where in ((saved_model(home), "this home's settings.json"), (in_use, "this command's settings")):
        if same_file(current, path):
            raise InputError(
                f"{path.stem} is the model in use ({where}); it was not removed.",
                "Choose another first, e.g. `coach models use embedded`, then remove it.",
            )
    path.unlink()
    for extra in (path.with_suffix(".json"), path.with_suffix(".partial"), path.with_suffix(".partial.json")):
        extra.unlink(missing_ok=True)
    return path


def saved_choice(home: Path) -> str | None:
    """The raw model path in settings.json (even if it no longer exists), for messages."""
    value = read_saved_settings(home).get("model")
    return value if isinstance(value, str) else None


# --- speed from `coach bench` -------------------------------------------------------------------


def record_bench(settings, result: dict[str, Any]) -> Path | None:
    """Keep a bench's generation speed for the model it measured (call after ``bench.run``).

    Nothing is recorded for an OpenAI-compatible server (its speed is not this machine's file's)."""
    if settings.llm_url:
        return None
    from coach.model.model_files import default_model_path

    tokens = (result.get("generation") or {}).get("direct_tokens_per_s")
    if not tokens:
        return None
    model = Path(settings.model_path or default_model_path()).expanduser().resolve()
    path = Path(settings.home).expanduser() / BENCH_FILE
    data = _read_bench(path)
    data.setdefault("runs", {})[str(model)] = {
        "tokens_per_s": tokens,
        "size_bytes": model.stat().st_size if model.exists() else None,
        "threads": settings.n_threads,
        "quick": bool(result.get("quick")),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    data["last"] = str(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{BENCH_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _read_bench(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("runs", {}), dict) else {}
    except (OSError, ValueError):
        return {}


def last_bench(home: Path) -> dict[str, Any] | None:
    """The most recent bench run recorded for this home: its model path and figures, or None."""
    data = _read_bench(Path(home).expanduser() / BENCH_FILE)
    last = data.get("last")
    run = (data.get("runs") or {}).get(last) if isinstance(last, str) else None
    return {"model": last, **run} if isinstance(run, dict) else None


def expected_speed(home: Path, model_path: Path | str | None, size_bytes: int | None) -> dict[str, Any] | None:
    """Tokens/s for a model: measured by a bench of that file, else scaled from the last bench by size."""
    data = _read_bench(Path(home).expanduser() / BENCH_FILE)
    runs = data.get("runs") or {}
    if model_path is not None:
        key = str(Path(model_path).expanduser().resolve())
        run = runs.get(key)
        if isinstance(run, dict) and run.get("tokens_per_s"):
            return {"tokens_per_s": run["tokens_per_s"], "measured": True, "from": key}
    last = last_bench(home)
    if not last or not size_bytes or not last.get("size_bytes") or not last.get("tokens_per_s"):
        return None
    estimate = last["tokens_per_s"] * last["size_bytes"] / size_bytes
    return {"tokens_per_s": round(estimate, 1), "measured": False, "from": last["model"]}
