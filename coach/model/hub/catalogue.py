"""The model catalogue (``coach/model/catalogue.json``, package data) and the memory each model needs.

Decisions:
- The catalogue is data, not code: an entry names a Hugging Face repository and file at a revision,
  its size, licence, context length and the memory it needs (file + K/V cache for 4096 tokens +
  compute buffers; see the file's ``memory_gib`` note).
- ``pinned`` is true only where the sha256 was confirmed from the publisher; every other entry is
  checked at download time against the sha256 the hub reports (see download.py).
- A file that is not in the catalogue (pulled by URL, or any GGUF given to ``use``) is estimated as
  1.2 x its size + 0.25 GiB, the rule the model loader's own memory warning uses (coach/model/llm.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from coach.errors import InputError

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "catalogue.json"
GIB = 1024**3
EMBEDDED_ALIASES = ("embedded", "default")


@dataclass(frozen=True)
class Entry:
    name: str
    title: str
    repo: str | None
    file: str
    revision: str | None
    size_bytes: int
    size_exact: bool
    sha256: str | None
    pinned: bool
    bundled: bool
    licence: str
    context_length: int
    memory_gib: float
    note: str
    checked: str

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gib * GIB)

    def public(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[Entry, ...]:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(Entry(**item) for item in data["models"])


def find(name: str) -> Entry | None:
    """The catalogue entry called ``name`` (case-insensitive), or None."""
    wanted = name.strip().lower()
    return next((e for e in load_catalogue() if e.name == wanted), None)


def bundled_entry() -> Entry:
    return next(e for e in load_catalogue() if e.bundled)


def require(name: str) -> Entry:
    entry = find(name)
    if entry is None:
        names = ", ".join(e.name for e in load_catalogue() if not e.bundled)
        raise InputError(
            f"{name!r} is not in the model catalogue.",
            f"Pull one of: {names}; or give a https:// URL of a .gguf file (see `coach models list`).",
        )
    return entry


def memory_needed(size_bytes: int, entry: Entry | None = None) -> int:
    """Bytes of memory a model needs: the catalogue's figure, else an estimate from its file size."""
    if entry is not None:
        return entry.memory_bytes
    return int(size_bytes * 1.2 + 0.25 * GIB)


def fits(needed_bytes: int, available_bytes: int | None) -> bool | None:
    """Whether a model fits the memory free now (None when this machine does not say)."""
    if available_bytes is None:
        return None
    return needed_bytes <= available_bytes
