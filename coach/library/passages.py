"""What the store hands out: passages with their source, and what an index run or a source listing reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Passage:
    text: str
    source: str
    title: str
    score: float  # 0..1, higher is more relevant (cosine similarity, clipped)
    chunk_id: str
    heading: str = ""
    kind: str = "advice"
    author: str = ""

    def public(self) -> dict[str, Any]:
        """The JSON shape promised by `coach retrieve --json` and `coach ask --json`."""
        return {
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "score": round(self.score, 4),
            "chunk_id": self.chunk_id,
        }

    def shown(self) -> dict[str, Any]:
        """What the page shows under a line that cites this passage: its JSON and its label."""
        return self.public() | {"label": self.label()}

    def label(self) -> str:
        where = f"{self.title} ({self.source})"
        if self.kind == "comment":
            return f"Reader comment by {self.author} on {where}"
        return f"{self.title}: {self.heading} ({self.source})" if self.heading else where


@dataclass
class SyncStats:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file that could not be read -> why

    def public(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "added": self.added,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class SourceInfo:
    source: str
    title: str
    path: str
    passages: int
