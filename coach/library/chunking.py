"""Pure: a Document becomes passages (Chunks), one idea each, with a content-hash id."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from coach.library.documents import Document, Section

MAX_WORDS = 200  # all-MiniLM-L6-v2 reads 256 word pieces; longer sections are split by sentence


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    source: str
    path: str
    title: str
    heading: str
    kind: str  # "advice" or "comment"
    author: str
    position: int
    alias_of: str = ""  # set on an asked-as alias: the id of the passage it stands for
    embed_as: str = ""  # an alias embeds this question instead of the passage

    def embedding_text(self) -> str:
        """What is embedded: the passage with its title and heading for context."""
        if self.embed_as:
            return self.embed_as
        if self.kind == "comment":
            return f"{self.title}. Reader comment: {self.text}"
        head = f"{self.title}. {self.heading}." if self.heading else f"{self.title}."
        return f"{head} {self.text}"

    def metadata(self) -> dict[str, str | int]:
        # An alias keeps its question, so the keyword index can search it too (coach/library/retrieval.py).
        extra = {"alias_of": self.alias_of, "asked_as": self.embed_as} if self.alias_of else {}
        return extra | {
            "source": self.source,
            "path": self.path,
            "title": self.title,
            "heading": self.heading,
            "kind": self.kind,
            "author": self.author,
            "position": self.position,
        }


def alias_chunks(chunk: Chunk, questions: list[str]) -> list[Chunk]:
    """Extra vectors for a passage: the ways people ask for it (knowledge/asked_as.jsonl)."""
    from dataclasses import replace

    return [
        replace(chunk, id=hashlib.sha256(f"{chunk.id}\x1f{q}".encode()).hexdigest()[:32], alias_of=chunk.id, embed_as=q)
        for q in dict.fromkeys(q.strip() for q in questions if q.strip())
    ]


def chunk_id(source: str, title: str, heading: str, text: str) -> str:
    digest = hashlib.sha256("\x1f".join((source, title, heading, text)).encode("utf-8"))
    return digest.hexdigest()[:32]


def split_long(text: str, max_words: int = MAX_WORDS) -> list[str]:
    if len(text.split()) <= max_words:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        n = len(sentence.split())
        if current and count + n > max_words:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        pieces.append(" ".join(current))
    return pieces


def chunk_document(doc: Document) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in doc.sections:
        for piece in split_long(section.text):
            cid = chunk_id(doc.source, doc.title, section.heading, piece)
            if cid in seen:  # the same passage twice in one file is stored once
                continue
            seen.add(cid)
            chunks.append(_chunk(doc, section, piece, cid, len(chunks)))
    return chunks


def _chunk(doc: Document, section: Section, text: str, cid: str, position: int) -> Chunk:
    return Chunk(
        id=cid,
        text=text,
        source=doc.source,
        path=doc.path,
        title=doc.title,
        heading=section.heading,
        kind=section.kind,
        author=section.author,
        position=position,
    )
