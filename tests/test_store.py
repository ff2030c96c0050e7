"""The knowledge store on real Chroma with the real embedding model."""

import sqlite3
from pathlib import Path

import pytest

from coach.app import build
from coach.errors import StoreError

REPO = Path(__file__).resolve().parent.parent


def write_notes(folder: Path, name: str, tips: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(f"## {head}\n\n{text}" for head, text in tips.items())
    f = folder / name
    f.write_text(f"---\ntitle: {name}\n---\n\n{body}\n", encoding="utf-8")
    return f


class CountingEmbedder:
    """Wraps the real embedder and counts how many texts it embedded."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.embedded = 0

    @property
    def dimension(self):
        return self.inner.dimension

    def embed(self, texts, progress=None):
        self.embedded += len(texts)
        return self.inner.embed(texts, progress)


def test_indexing_is_incremental(ephemeral_coach, tmp_path, embedder):
    counting = CountingEmbedder(embedder)
    coach = build(
        ephemeral_coach.settings.with_(knowledge_dir=tmp_path / "kb"),
        embedder=counting,
        chroma_client_factory=lambda: ephemeral_coach.store.client,
    )
    a = write_notes(
        tmp_path / "kb",
        "a.md",
        {
            "Breathe": "Breathe out slowly before you answer a hard question.",
            "Pause": "A short pause before answering looks thoughtful, not lost.",
        },
    )
    write_notes(
        tmp_path / "kb", "b.md", {"Thank you": "Send a thank-you email within twenty-four hours of the interview."}
    )

    first = coach.index()
    assert (first.documents, first.chunks, first.added, first.unchanged, first.removed) == (2, 3, 3, 0, 0)
    assert counting.embedded == 3

    again = coach.index()
    assert (again.added, again.unchanged, again.removed) == (0, 3, 0)
    assert counting.embedded == 3, "unchanged passages must not be embedded again"

    write_notes(
        tmp_path / "kb",
        "a.md",
        {
            "Breathe": "Breathe out slowly before you answer a hard question.",
            "Pause": "Pausing for two seconds before you answer is fine.",
        },
    )
    changed = coach.index()
    assert (changed.added, changed.unchanged, changed.removed) == (1, 2, 1)
    assert counting.embedded == 4

    a.unlink()
    removed = coach.index()
    assert removed.removed == 2 and removed.chunks == 1
    assert [s.source for s in coach.store.sources()] == ["kb/b.md"]


def test_extra_paths_stay_until_their_file_is_deleted(ephemeral_coach, tmp_path):
    coach = ephemeral_coach
    extra = write_notes(
        tmp_path / "mine", "own.md", {"Salary": "Give a researched range when asked about salary expectations."}
    )
    coach.index(extra=[extra])
    assert any(s.path == str(extra.resolve()) for s in coach.store.sources())
    coach.index()  # a later run without the extra path keeps it
    assert any(s.path == str(extra.resolve()) for s in coach.store.sources())
    extra.unlink()
    coach.index()
    assert not any(s.path == str(extra.resolve()) for s in coach.store.sources())


def test_shipped_knowledge_is_indexed_with_sources(ephemeral_coach):
    stats = ephemeral_coach.index()
    assert stats.documents >= 2 and stats.chunks >= 20 and stats.warnings == []
    sources = {s.source: s for s in ephemeral_coach.store.sources()}
    assert sources["knowledge/recovering-from-a-bad-job-interview.md"].passages >= 10
    passages = ephemeral_coach.retriever.search("I froze and blamed myself after the interview", k=3)
    assert len(passages) == 3
    assert all(0 <= p.score <= 1 for p in passages)
    assert passages[0].score >= passages[1].score >= passages[2].score


def test_embedding_model_mismatch_says_to_rebuild(ephemeral_coach, tmp_path, embedder):
    ephemeral_coach.index()

    class OtherModel(CountingEmbedder):
        pass

    other = OtherModel(embedder)
    other.name = "some-other-model"
    coach = build(ephemeral_coach.settings, embedder=other, chroma_client_factory=lambda: ephemeral_coach.store.client)
    with pytest.raises(StoreError) as err:
        coach.retriever.search("nerves")
    assert "some-other-model" in str(err.value) and "coach index --rebuild" in err.value.explain()
    coach.index(rebuild=True)
    assert coach.retriever.search("nerves", k=1)


def test_corrupt_persistent_store_is_reported_and_rebuilt_without_touching_sessions(tmp_path, embedder):
    from coach.config import Settings

    home = tmp_path / "home"
    settings = Settings.load({"home": home}, env={})
    coach = build(settings, embedder=embedder)
    coach.index()
    sessions = settings.sessions_db
    with sqlite3.connect(sessions) as db:
        db.execute("create table kept(x)")
        db.execute("insert into kept values ('my saved work')")

    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    sqlite_file = settings.chroma_path / "chroma.sqlite3"
    sqlite_file.write_bytes(b"this is garbage, not a database" * 100)

    broken = build(settings, embedder=embedder)
    with pytest.raises(StoreError) as err:
        broken.store.count()
    assert "coach index --rebuild" in err.value.explain()

    fixed = build(settings, embedder=embedder)
    stats = fixed.index(rebuild=True)
    assert stats.added == stats.chunks > 0
    assert fixed.retriever.search("thank-you note", k=1)
    with sqlite3.connect(sessions) as db:
        assert db.execute("select x from kept").fetchall() == [("my saved work",)]


def test_store_on_a_chroma_server(chroma_server, settings, embedder):
    # The server is shared by the whole test session (scale-out and retrieval
    # tests index into it too), so this test keeps to a collection of its own.
    on_server = settings.with_(chroma_url=chroma_server, collection="store-test")
    coach = build(on_server, embedder=embedder)
    stats = coach.index()
    assert stats.added > 0
    again = build(on_server, embedder=embedder).index()
    assert again.added == 0 and again.unchanged == stats.chunks
    top = coach.retriever.search("should I ask the interviewer for feedback", k=3)
    assert top and all(0 <= p.score <= 1 for p in top)


def test_unreachable_chroma_server_is_a_clear_error(settings, embedder):
    from conftest import free_port

    coach = build(settings.with_(chroma_url=f"http://127.0.0.1:{free_port()}"), embedder=embedder)
    with pytest.raises(StoreError, match="Chroma"):
        coach.store.count()


def test_a_search_sees_passages_another_instance_just_indexed(ephemeral_coach, tmp_path, embedder, monkeypatch):
    """Searches read text and metadata from a per-revision catalogue; rows the catalogue has not seen yet
    (another app instance indexed a moment ago) are read from Chroma itself, never dropped."""
    reader = ephemeral_coach
    writer = build(
        reader.settings.with_(knowledge_dir=tmp_path / "kb"),
        embedder=embedder,
        chroma_client_factory=lambda: reader.store.client,
    )
    write_notes(tmp_path / "kb", "a.md", {"Breathe": "Breathe out slowly before you answer a hard question."})
    writer.index()
    first = reader.retriever.search("breathe out slowly before answering a hard question", k=1)[0]
    assert first.source == "kb/a.md" and first.heading == "Breathe" and first.score > 0.4

    write_notes(
        tmp_path / "kb", "b.md", {"Salary": "Give a researched salary range when they ask about pay expectations."}
    )
    stale = reader.store.revision()
    writer.index()
    # The reader re-reads the revision only every few seconds: until then its catalogue lacks b.md.
    monkeypatch.setattr(reader.store, "revision", lambda max_age=2.0: stale)
    assert not any(p.source == "kb/b.md" for p in reader.store.catalogue().passages.values())
    vector = embedder.embed(["what salary should I ask for"])[0]
    hit = reader.store.query(vector, 1)[0]
    assert (hit.source, hit.heading, hit.title) == ("kb/b.md", "Salary", "b.md")
    assert "researched salary range" in hit.text
    rows = reader.store._query_rows(reader.store.collection(), vector, 60, None, 1)[0]
    assert hit == rows, "the catalogue path and the full-row path give the same passage and score"


def test_the_keyword_index_searches_each_passages_asked_as_questions(ephemeral_coach):
    ephemeral_coach.index()
    store = ephemeral_coach.store
    catalogue = store.catalogue()
    assert len(catalogue.alias_of) >= 100, "the shipped asked-as lines are indexed as aliases"
    asked = {pid: questions for pid, questions in catalogue.asked_as.items() if questions}
    assert set(asked) == set(catalogue.alias_of.values()), "every alias keeps its question"
    ids, texts = store.keyword_corpus()
    corpus = dict(zip(ids, texts))
    for pid, questions in asked.items():
        passage = catalogue.passages[pid]
        assert corpus[pid].startswith(f"{passage.title} {passage.heading} {passage.text}")
        assert all(q in corpus[pid] for q in questions)
