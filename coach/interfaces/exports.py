"""Exported sessions on disk: private to this user, and gone when the session is deleted.

An export is written to ``COACH_HOME/exports`` (folder 0700, file 0600). Gradio serves a
file by copying it into its own cache, so the server points that cache at
``COACH_HOME/cache/gradio`` (0700) instead of the world-readable system temp folder, and
deleting a session deletes its export and every cached copy of it; the page can then no
longer serve it.
"""

from __future__ import annotations

import os
from pathlib import Path

from coach.sessions.export import session_markdown
from coach.sessions.history import SessionRecord


def exports_dir(home: Path) -> Path:
    return home / "exports"


def gradio_cache_dir(home: Path) -> Path:
    return home / "cache" / "gradio"


def _private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_gradio_cache(home: Path) -> Path:
    """Point Gradio's file cache at a private folder in COACH_HOME (before Gradio serves anything)."""
    folder = _private_folder(gradio_cache_dir(home))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def export_name(session_id: str) -> str:
    return f"coach-session-{session_id}.md"


def write_export(home: Path, record: SessionRecord) -> Path:
    folder = _private_folder(exports_dir(home))
    path = folder / export_name(record.info.id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(session_markdown(record))
    os.chmod(path, 0o600)
    return path


def delete_exports(home: Path, session_id: str) -> int:
    """Remove a session's export and Gradio's cached copies of it; returns how many files went."""
    name = export_name(session_id)
    removed = 0
    for folder in (exports_dir(home), gradio_cache_dir(home)):
        if folder.exists():
            for path in folder.rglob(name):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
