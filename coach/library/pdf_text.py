"""The text of a PDF, with pypdf, refusing files it cannot read safely."""

from __future__ import annotations

import re
from pathlib import Path

from coach.errors import DocumentError

MAX_PDF_TEXT_CHARS = 2_000_000  # about 1,000 pages of prose; more is refused, not indexed


def pdf_to_text(path: Path) -> str:
    """The text of every page. A PDF pypdf cannot read (damaged, encrypted, or a decompression bomb
    that trips pypdf's limits) is refused with a message, never a traceback; so is one with more
    text than :data:`MAX_PDF_TEXT_CHARS`."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    pages: list[str] = []
    size = 0
    try:
        reader = PdfReader(str(path))
        for page in reader.pages:
            text = page.extract_text() or ""
            size += len(text)
            if size > MAX_PDF_TEXT_CHARS:
                raise DocumentError(
                    f"has more text than the coach indexes from one PDF ({MAX_PDF_TEXT_CHARS:,} characters)"
                )
            pages.append(text)
    except LimitReachedError:
        raise DocumentError("is not a readable PDF (a stream inflates past pypdf's safety limit)") from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        IndexError,
        AttributeError,
        RecursionError,
        MemoryError,
    ) as err:
        raise DocumentError(f"is not a readable PDF ({type(err).__name__}: {str(err)[:120]})") from None
    # PDF text has hard line breaks inside paragraphs: join lines unless blank.
    text = "\n\n".join(pages)
    text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    return text
