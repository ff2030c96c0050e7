"""Reading text files people hand the coach (answers, notes, transcripts), any encoding."""

from __future__ import annotations

from pathlib import Path

from .documents import decode_text, looks_binary
from .errors import InputError

MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024


def read_text_file(path: Path, what: str = "the file", limit: int = MAX_TEXT_FILE_BYTES) -> str:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{what} ({path}) is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} ({path}) does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{what} ({path}) is a folder, not a file.") from None
    except OSError as err:
        raise InputError(f"{what} ({path}) cannot be read: {err.strerror}.") from None
    if looks_binary(data):
        raise InputError(f"{what} ({path}) looks binary, not text.", "Give a plain text file (.txt, .vtt, .srt, .md, .jsonl).")
    return decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
