"""Where recordings live, when the user chooses to keep them.

Decision (issue 13, privacy): a recording is transcribed and then deleted, unless the user ticks
"Keep my recordings". Kept ones are copied to ``COACH_HOME/audio/<session id>/`` (a folder only this
user can read) and deleted with their session: deleting a session, or all of them, deletes its audio.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


def recordings_dir(home: Path, session_id: str) -> Path:
    return Path(home) / "audio" / session_id


def keep_recording(home: Path, session_id: str, source: Path) -> Path:
    """A private copy of ``source`` with the session, named by time; returns its path."""
    folder = recordings_dir(home, session_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder.parent, 0o700)
    target = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6:06d}{Path(source).suffix.lower()}"
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    return target


def delete_recordings(home: Path, session_id: str) -> int:
    """Delete a session's kept recordings; returns how many files went."""
    folder = recordings_dir(home, session_id)
    if not folder.exists():
        return 0
    count = sum(1 for p in folder.iterdir() if p.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    return count
