"""Small text helpers that several layers share: sentence splitting, quoting, vector similarity."""

from __future__ import annotations

import re
from typing import Sequence


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of ``text`` that contain at least two letters in a row."""
    parts = re.split(r"(?<=[.!?\]])\s+(?=[A-Z0-9\"'(])|\n+", text.strip())
    return [p.strip() for p in parts if re.search(r"[A-Za-z]{2}", p or "")]


def quote(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut at a word boundary with '...' when longer than ``limit``."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two normalised vectors."""
    return float(sum(x * y for x, y in zip(a, b)))


def human_size(n: float) -> str:
    """500000 -> '500 KB', 20971520 -> '21 MB', 1500000 -> '1.5 MB'."""
    if n < 1e6:
        return f"{n / 1e3:.0f} KB"
    return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB")
