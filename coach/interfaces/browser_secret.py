"""The key that encrypts each browser's owner id, kept in COACH_HOME so it survives a restart.

Gradio encrypts a ``BrowserState`` with a secret; without one it picks a random secret
per process, so after a restart no browser could read its owner id back and the History
tab came up empty. The secret is created once, readable by this user only, and reused.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_NAME = "browser-secret"
MIN_LENGTH = 32


def browser_secret(home: Path) -> str:
    """This home's secret, created on first use (mode 0600); a damaged one is replaced."""
    path = home / FILE_NAME
    home.mkdir(parents=True, exist_ok=True)
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= MIN_LENGTH:
            return value
        path.unlink()  # empty or cut short: browsers lose their owner id once, sessions stay in the database
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError):
        path.unlink(missing_ok=True)
    value = secrets.token_urlsafe(32)
    # Written whole to a private temporary file, then linked into place: another process
    # never reads a half-written secret, and of two racing processes the first one wins.
    tmp = home / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value
