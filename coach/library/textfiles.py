"""Reading text files people hand the coach (answers, notes, transcripts), any encoding."""

from __future__ import annotations

from pathlib import Path

from coach.errors import InputError
from coach.library.documents import decode_text, looks_binary
from coach.text import human_size

MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024


def read_text_file(
    path: Path, what: str = "the file", limit: int = MAX_TEXT_FILE_BYTES, label: str | None = None
) -> str:
    """``label`` names the file in messages instead of its path
    (an upload's temporary path means nothing to the user)."""
    path = Path(path)
    shown = label or str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{what} ({shown}) is {human_size(size)}; the limit is {human_size(limit)}.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} ({shown}) does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{what} ({shown}) is a folder, not a file.") from None
    except OSError as err:
        raise InputError(f"{what} ({shown}) cannot be read: {err.strerror}.") from None
    if looks_binary(data):
        raise InputError(
            f"{what} ({shown}) looks binary, not text.", "Give a plain text file (.txt, .vtt, .srt, .md, .jsonl)."
        )
    return decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
