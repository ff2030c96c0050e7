"""Keep the store in step with the files: embed only new passages, drop removed ones."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable

from coach.library.chunking import Chunk, alias_chunks, chunk_document
from coach.library.documents import find_files, load_documents
from coach.library.store import KnowledgeStore, SyncStats
from coach.model.embedding import Embedder, Progress

# One file may bring at most this many passages (about 400 pages of prose): a 19 MB text file once
# became 35,606 passages and ran for minutes at 3.4 GB. A larger file is refused by name.
MAX_PASSAGES_PER_FILE = 2_000


def load_asked_as(path: Path | None) -> list[dict]:
    """The asked-as file: for a passage (source + a unique substring), how people ask for it."""
    if path is None or not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def with_aliases(chunks: list[Chunk], asked_as: list[dict]) -> list[Chunk]:
    out: list[Chunk] = []
    for entry in asked_as:
        for chunk in chunks:
            if chunk.source == entry.get("source") and entry.get("contains", "\x00") in chunk.text:
                out.extend(alias_chunks(chunk, list(entry.get("asked_as", []))))
                break
    return out


def index_paths(
    store: KnowledgeStore,
    embedder: Embedder,
    paths: Iterable[Path],
    roots: Iterable[Path] = (),
    progress: Progress | None = None,
    asked_as: Path | None = None,
) -> SyncStats:
    """Index these files and folders.

    A passage whose id (a hash of its source, title, heading and text) is already
    stored is not embedded again. Passages of the indexed files that no longer
    exist are removed, and so are passages of files that have been deleted from
    disk. Sources indexed earlier that still exist are left alone.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    report = load_documents(paths, roots)
    stats = SyncStats(warnings=list(report.warnings), skipped=dict(report.skipped))
    files, _ = find_files(paths)
    indexed_paths = {str(f.resolve()) for f in files}

    chunks: dict[str, Chunk] = {}
    documents = []
    for doc in report.documents:
        pieces = chunk_document(doc)
        if len(pieces) > MAX_PASSAGES_PER_FILE:
            why = (
                f"has {len(pieces):,} passages; the limit for one file is {MAX_PASSAGES_PER_FILE:,} "
                "(split it into smaller files)"
            )
            stats.warnings.append(f"skipped {doc.path}: {why}")
            stats.skipped[doc.path] = why
            continue
        documents.append(doc)
        for chunk in pieces:
            chunks.setdefault(chunk.id, chunk)
    stats.documents = len(documents)
    stats.chunks = len(chunks)
    for alias in with_aliases(list(chunks.values()), load_asked_as(asked_as)):
        chunks.setdefault(alias.id, alias)

    existing = store.all_metadata()
    stale = [
        cid
        for cid, meta in existing.items()
        if cid not in chunks
        and (meta.get("path") in indexed_paths or (meta.get("path") and not Path(str(meta["path"])).exists()))
    ]
    store.remove_ids(stale)

    new = [c for cid, c in chunks.items() if cid not in existing]
    moved = [c for cid, c in chunks.items() if cid in existing and existing[cid] != c.metadata()]
    new_passages = sum(1 for c in new if not c.alias_of)
    stats.unchanged = stats.chunks - new_passages
    if new:
        vectors = embedder.embed([c.embedding_text() for c in new], progress=progress)
        store.add(new, vectors)
    elif progress:
        progress(0, 0)
    store.update_metadata(moved)
    stats.added = new_passages
    stats.removed = sum(1 for cid in stale if not existing[cid].get("alias_of"))
    if new or stale or moved:
        store.bump_revision()
    stats.seconds = time.perf_counter() - started
    return stats
