"""KnowledgeStore: one Chroma collection of passages, with our own embeddings.

The client is persistent (under COACH_HOME), a Chroma server (``--chroma-url``)
or ephemeral (tests). Chroma's default embedding function never runs: every
add and query passes vectors computed by :mod:`coach.model.embedding`.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator, Sequence

from coach.errors import StoreError
from coach.library.chroma_client import REBUILD_HINT, make_client, short_error, wipe_persistent_store
from coach.library.chunking import Chunk
from coach.library.passages import Passage, SourceInfo, SyncStats

__all__ = ["KnowledgeStore", "Passage", "SourceInfo", "SyncStats", "make_client", "wipe_persistent_store"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Catalogue:
    revision: object
    passages: dict[str, Passage]  # passage id -> passage (score 0)
    alias_of: dict[str, str]  # asked-as alias id -> the passage id it counts for
    asked_as: dict[str, list[str]]  # passage id -> the asked-as questions stored with its aliases


class KnowledgeStore:
    """Passages in one Chroma collection, kept in step with the files they came from."""

    def __init__(
        self, client_factory: Callable[[], Any], collection_name: str, embedding_name: str, location: str
    ) -> None:
        self._client_factory = client_factory
        self._client = None
        self._collection = None
        self.collection_name = collection_name
        self.embedding_name = embedding_name
        self.location = location
        self._catalogue: Catalogue | None = None
        self._rev_cache: tuple[float, object] | None = None
        self._catalogue_lock = threading.Lock()
        self._client_lock = threading.Lock()

    # -------------------------------------------------------- plumbing

    @property
    def client(self):
        # One client, made once: two threads opening the same persistent store at the same moment (the
        # page's first request and the background warm-up) left Chroma half set up ("no attribute 'bindings'").
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._client_factory()
        return self._client

    def _guard(self, action: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except StoreError:
            raise
        except Exception as err:
            self._collection = None
            raise StoreError(
                f"The knowledge store at {self.location} failed while {action} ({short_error(err)}).", REBUILD_HINT
            ) from None

    def collection(self, create: bool = False, dimension: int | None = None):
        """The collection, checked against our embedding model. None when absent and not created."""
        if self._collection is not None:
            return self._collection

        def open_it():
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if self.collection_name not in names:
                if not create:
                    return None
                return self.client.create_collection(
                    name=self.collection_name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={
                        "embedding_model": self.embedding_name,
                        "dimension": int(dimension or 0),
                        "schema_version": SCHEMA_VERSION,
                    },
                )
            return self.client.get_collection(name=self.collection_name, embedding_function=None)

        col = self._guard("opening the collection", open_it)
        if col is None:
            return None
        meta = col.metadata or {}
        if meta.get("embedding_model") != self.embedding_name:
            raise StoreError(
                f"The knowledge store was built with the embedding model {meta.get('embedding_model')!r}, "
                f"but the coach now uses {self.embedding_name!r}.",
                "Run `coach index --rebuild` to re-embed the knowledge with the current model.",
            )
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise StoreError(
                "The knowledge store was written by another version "
                f"of the coach (schema {meta.get('schema_version')}).",
                REBUILD_HINT,
            )
        self._collection = col
        return col

    def dimension(self) -> int:
        col = self.collection()
        return int((col.metadata or {}).get("dimension", 0)) if col is not None else 0

    def count(self) -> int:
        """Stored vectors (passages and their asked-as aliases); 0 when there is no collection."""
        col = self.collection()
        return 0 if col is None else self._guard("counting passages", col.count)

    def drop(self) -> None:
        """Delete the collection (the rebuild path). Sessions live elsewhere and are untouched."""
        self._collection = None
        self._catalogue = None
        self._rev_cache = None

        def delete():
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if self.collection_name in names:
                self.client.delete_collection(self.collection_name)

        self._guard("deleting the collection", delete)

    # -------------------------------------------------------- reading

    def _rows(self, with_documents: bool) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, document or "", metadata) of every stored vector, read a page at a time."""
        col = self.collection()
        if col is None:
            return
        include = ["metadatas", "documents"] if with_documents else ["metadatas"]
        page, offset = 5000, 0
        while True:
            batch = self._guard("listing passages", lambda: col.get(include=include, limit=page, offset=offset))
            documents = batch.get("documents") or [""] * len(batch["ids"])
            for cid, doc, meta in zip(batch["ids"], documents, batch["metadatas"] or []):
                yield cid, doc or "", dict(meta or {})
            if len(batch["ids"]) < page:
                return
            offset += page

    def all_metadata(self) -> dict[str, dict[str, Any]]:
        return {cid: meta for cid, _, meta in self._rows(with_documents=False)}

    def sources(self) -> list[SourceInfo]:
        counts: dict[str, SourceInfo] = {}
        for meta in self.all_metadata().values():
            if meta.get("alias_of"):
                continue
            src = str(meta.get("source", "?"))
            prev = counts.get(src)
            counts[src] = SourceInfo(
                src, str(meta.get("title", "")), str(meta.get("path", "")), (prev.passages if prev else 0) + 1
            )
        return sorted(counts.values(), key=lambda s: s.source)

    # -------------------------------------------------------- revision (for caches)

    def revision(self, max_age: float = 2.0) -> object:
        """A stamp that changes whenever an index run changed the passages (re-read every few seconds)."""
        now = time.monotonic()
        cached = self._rev_cache
        if cached and now - cached[0] < max_age:
            return cached[1]
        if self.collection() is None:
            rev = None
        else:
            fresh = self._guard(
                "reading the revision",
                lambda: self.client.get_collection(name=self.collection_name, embedding_function=None),
            )
            rev = (fresh.metadata or {}).get("revision", 0)
        self._rev_cache = (now, rev)
        return rev

    def bump_revision(self) -> None:
        col = self.collection()
        if col is None:
            return
        meta = dict(col.metadata or {})
        meta["revision"] = uuid.uuid4().hex
        self._guard("recording the revision", lambda: col.modify(metadata=meta))
        self._rev_cache = None
        self._catalogue = None

    def catalogue(self) -> "Catalogue":
        """Every passage's text and metadata, and which passage each alias stands for, read once per revision.

        Searches then ask Chroma for ids and distances only: reading documents and
        metadata back for 60 rows took about two thirds of a query's time.
        """
        with self._catalogue_lock:
            revision = self.revision()
            cached = self._catalogue
            if cached is not None and cached.revision == revision:
                return cached
            passages: dict[str, Passage] = {}
            alias_of: dict[str, str] = {}
            asked_as: dict[str, list[str]] = {}
            for cid, doc, meta in self._rows(with_documents=True):
                if meta.get("alias_of"):
                    alias_of[cid] = str(meta["alias_of"])
                    if meta.get("asked_as"):
                        asked_as.setdefault(alias_of[cid], []).append(str(meta["asked_as"]))
                else:
                    passages[cid] = _passage(cid, doc, meta, None)
            self._catalogue = Catalogue(revision, passages, alias_of, asked_as)
            return self._catalogue

    def keyword_corpus(self) -> tuple[list[str], list[str]]:
        """Ids and searchable text of every passage: title, heading, text and its asked-as questions.

        The questions are how people ask for the passage (doc2query); searching their words
        too raised recall@3 on the development sets (see coach/library/retrieval.py).
        """
        catalogue = self.catalogue()
        return list(catalogue.passages), [
            " ".join([p.title, p.heading, p.text, *sorted(catalogue.asked_as.get(pid, []))])
            for pid, p in catalogue.passages.items()
        ]

    def get_with_vectors(self, ids: Sequence[str]) -> list[tuple[Passage, list[float]]]:
        col = self.collection()
        if col is None or not ids:
            return []
        passages = self.catalogue().passages
        batch = self._guard("reading passages", lambda: col.get(ids=list(ids), include=["embeddings"]))
        return [
            (passages[cid], [float(x) for x in vec])
            for cid, vec in zip(batch["ids"], batch["embeddings"])
            if cid in passages
        ]

    def query(self, vector: Sequence[float], k: int, where: dict | None = None) -> list[Passage]:
        """The k best distinct passages; alias vectors (asked-as questions) count for their passage."""
        col = self.collection()
        if col is None:
            return []
        dim = self.dimension()
        if dim and len(vector) != dim:
            raise StoreError(
                f"The knowledge store holds {dim}-dimensional vectors but the embedding model gives {len(vector)}.",
                "Run `coach index --rebuild`.",
            )
        catalogue = self.catalogue()
        n_results = max(k * 4, 60)
        result = self._guard(
            "searching",
            lambda: col.query(query_embeddings=[list(vector)], n_results=n_results, where=where, include=["distances"]),
        )
        ids, distances = result["ids"][0], result["distances"][0]
        if not all(cid in catalogue.passages or catalogue.alias_of.get(cid) in catalogue.passages for cid in ids):
            # Another app instance indexed since the catalogue was read: ask for the rows themselves.
            return self._query_rows(col, vector, n_results, where, k)
        best: dict[str, Passage] = {}
        for cid, dist in zip(ids, distances):
            pid = catalogue.alias_of.get(cid, cid)
            score = max(0.0, min(1.0, 1.0 - float(dist)))
            if pid not in best or score > best[pid].score:
                best[pid] = replace(catalogue.passages[pid], score=score)
        return sorted(best.values(), key=lambda p: -p.score)[:k]

    def _query_rows(self, col, vector: Sequence[float], n_results: int, where: dict | None, k: int) -> list[Passage]:
        result = self._guard(
            "searching",
            lambda: col.query(
                query_embeddings=[list(vector)],
                n_results=n_results,
                where=where,
                include=["documents", "metadatas", "distances"],
            ),
        )
        best: dict[str, Passage] = {}
        for cid, doc, meta, dist in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
        ):
            pid = (meta or {}).get("alias_of") or cid
            passage = _passage(pid, doc, meta, dist)
            if pid not in best or passage.score > best[pid].score:
                best[pid] = passage
        return sorted(best.values(), key=lambda p: -p.score)[:k]

    # -------------------------------------------------------- writing

    def remove_ids(self, ids: Iterable[str]) -> int:
        ids = list(ids)
        col = self.collection()
        if col is None or not ids:
            return 0
        for start in range(0, len(ids), 5000):
            part = ids[start : start + 5000]
            self._guard("removing passages", lambda: col.delete(ids=part))
        return len(ids)

    def remove_source(self, source: str) -> int:
        """Remove a source's passages; caches that follow the revision (tips, keywords) then refresh."""
        ids = [cid for cid, meta in self.all_metadata().items() if meta.get("source") == source]
        removed = self.remove_ids(ids)
        if removed:
            self.bump_revision()
        return removed

    def add(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        col = self.collection(create=True, dimension=len(vectors[0]) if vectors else None)
        limit = self._guard("reading the batch size", self.client.get_max_batch_size)
        for start in range(0, len(chunks), limit):
            part = chunks[start : start + limit]
            vecs = [list(v) for v in vectors[start : start + limit]]
            self._guard(
                "adding passages",
                lambda: col.add(
                    ids=[c.id for c in part],
                    embeddings=vecs,
                    documents=[c.text for c in part],
                    metadatas=[c.metadata() for c in part],
                ),
            )

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        col = self.collection()
        if col is None or not chunks:
            return
        self._guard(
            "updating passages",
            lambda: col.update(ids=[c.id for c in chunks], metadatas=[c.metadata() for c in chunks]),
        )


def _passage(cid: str, doc: str | None, meta: dict | None, distance: float | None) -> Passage:
    meta = meta or {}
    score = 0.0 if distance is None else max(0.0, min(1.0, 1.0 - float(distance)))
    return Passage(
        text=doc or "",
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        score=score,
        chunk_id=cid,
        heading=str(meta.get("heading", "")),
        kind=str(meta.get("kind", "advice")),
        author=str(meta.get("author", "")),
    )
