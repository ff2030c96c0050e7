"""Knowledge files a user uploads: checked, copied into COACH_HOME/uploads, indexed, and removed again
if they could not be read, so a bad file never lingers and breaks later runs."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from coach.errors import InputError
from coach.library.documents import SUPPORTED_SUFFIXES
from coach.library.store import SyncStats
from coach.text import human_size


class IndexingStopped(Exception):
    """Raised from the progress callback when the user pressed Stop: nothing of the upload is kept."""


@dataclass
class UploadResult:
    indexed: list[str] = field(default_factory=list)  # file names that are now in the store
    added: int = 0  # new passages
    problems: list[str] = field(default_factory=list)  # one message per file that was refused or not read
    stopped: bool = False  # the user stopped the indexing; the copies were removed again
    attempted: int = 0  # files accepted for indexing (the others were refused before it)

    def message(self) -> str:
        text = f"Indexed {len(self.indexed)} file(s): {self.added} new passages."
        return text + (" Warning: " + " ".join(self.problems) if self.problems else "")


def uploaded_path(file: Any, allowed: Iterable[str], what: str, max_bytes: int) -> Path:
    """The file Gradio received for an upload, after checking its type and size (never a typed path)."""
    name = getattr(file, "name", None) or (file if isinstance(file, str) else None)
    if not name:
        raise InputError(f"The {what} upload is missing.")
    path = Path(name)
    allowed = set(allowed)
    if path.suffix.lower() not in allowed:
        raise InputError(f"{path.name}: a {what} must be one of {', '.join(sorted(allowed))}.")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path.name} is empty.")
    if size > max_bytes:
        raise InputError(f"{path.name} is {human_size(size)}; the limit is {human_size(max_bytes)}.")
    return path


def safe_name(name: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or f"upload{suffix}"


def add_uploads(
    files: Iterable[Any],
    uploads_dir: Path,
    max_bytes: int,
    index: Callable[[list[Path]], SyncStats],
) -> UploadResult:
    """Copy the accepted files into ``uploads_dir``, index them with ``index``, and delete the copy
    of any file the indexer could not read."""
    result = UploadResult()
    uploads_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    existed: set[Path] = set()  # copies that were here before this upload (the same file uploaded again)
    for f in files:
        try:
            src = uploaded_path(f, SUPPORTED_SUFFIXES, "knowledge file", max_bytes)
        except InputError as err:
            result.problems.append(str(err))
            continue
        dest = uploads_dir / safe_name(src.name, src.suffix)
        if dest.exists() and dest.read_bytes() != src.read_bytes():
            # The knowledge base is shared: never replace a file someone uploaded earlier.
            result.problems.append(
                f"{src.name}: a different file with this name is already in the knowledge base. "
                f"Rename your file, or remove uploads/{dest.name} first."
            )
            continue
        if dest.exists():
            existed.add(dest)
        shutil.copyfile(src, dest)
        saved.append(dest)
    if not saved:
        return result
    result.attempted = len(saved)
    try:
        stats = index(saved)
    except IndexingStopped:
        for path in saved:
            if path not in existed:
                path.unlink(missing_ok=True)
        result.stopped = True
        result.problems.append(f"Indexing stopped: nothing from {', '.join(p.name for p in saved)} was added.")
        return result
    for path in saved:
        why = stats.skipped.get(str(path)) or stats.skipped.get(str(path.resolve()))
        if why is None:
            result.indexed.append(path.name)
        else:
            path.unlink(missing_ok=True)
            result.problems.append(f"{path.name} was not indexed: {why}.")
    result.added = stats.added
    return result


def remove_upload(uploads_dir: Path, source: str) -> None:
    """An uploaded source's copy goes too, so the next index run does not bring it back."""
    if source.startswith("uploads/"):
        (uploads_dir / Path(source).name).unlink(missing_ok=True)
