"""The one place where objects are built and wired together.

``build(settings)`` returns a :class:`Coach` whose parts are created on first
use, so a command that only lists history never loads a model.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from .config import Settings
from .embedding import Embedder
from .indexing import index_paths
from .retrieval import Retriever
from .store import KnowledgeStore, SyncStats, make_client, wipe_persistent_store
from .errors import StoreError


class Coach:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        chroma_client_factory: Callable[[], Any] | None = None,
        chat_model: Any = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client_factory = chroma_client_factory
        self._chat_model = chat_model

    # ------------------------------------------------------------ parts

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        from .onnx_embedding import OnnxEmbedder

        return OnnxEmbedder(self.settings.embedding_model, self.settings.onnx_dir, threads=self.settings.n_threads)

    @property
    def store_location(self) -> str:
        return self.settings.chroma_url or str(self.settings.chroma_path)

    @cached_property
    def store(self) -> KnowledgeStore:
        s = self.settings
        factory = self._client_factory or (lambda: make_client(s.chroma_url, s.chroma_path))
        return KnowledgeStore(factory, s.collection, self.embedder.name, self.store_location)

    @cached_property
    def retriever(self) -> Retriever:
        from .keyword_index import KeywordIndex

        return Retriever(self.store, self.embedder, default_k=self.settings.top_k, keywords=KeywordIndex())

    @cached_property
    def prompts(self):
        from .prompts import PromptLibrary

        return PromptLibrary(self.settings.prompts_dir)

    @cached_property
    def chat_model(self):
        """The configured chat model; the embedded one is shared process-wide and loads on first use."""
        if self._chat_model is not None:
            return self._chat_model
        s = self.settings
        if s.llm_url:
            from .llm import OpenAIChatModel

            return OpenAIChatModel(s.llm_url, model=s.llm_model, api_key=s.llm_api_key, context_size=s.n_ctx)
        from .llm import LlamaCppChatModel
        from .model_files import default_model_path

        return LlamaCppChatModel.shared(s.model_path or default_model_path(), s.n_ctx, s.n_threads)

    @cached_property
    def reviewer(self):
        from .relevance import RelevanceScorer
        from .review import AnswerReviewer
        from .tips import TipBook

        return AnswerReviewer(RelevanceScorer(self.embedder), TipBook(self.retriever))

    @cached_property
    def asker(self):
        from .ask import AskService

        return AskService(self.retriever, self.chat_model, self.prompts, self.embedder, max_tokens=self.settings.max_tokens)

    @cached_property
    def question_bank(self):
        from .question_bank import QuestionBank

        return QuestionBank.load(self.settings.knowledge_dir / "question_bank")

    @cached_property
    def history(self):
        from .history import History

        return History(self.settings.sessions_db)

    # ------------------------------------------------------------ sessions

    def new_interview(self, interview_settings, owner: str = ""):
        """A saved mock interview: returns (session id, MockInterview)."""
        from dataclasses import asdict

        from .interview import MockInterview

        state = MockInterview.new_state(interview_settings, self.question_bank)
        s = interview_settings
        title = f"Mock interview: {s.role or 'general'} ({s.kind}, {s.level}, {s.style})"
        settings = {k: v for k, v in asdict(s).items() if k != "job_description"}
        settings["job_description_given"] = bool(s.job_description.strip())
        sid = self.history.create("interview", title, settings, owner=owner)
        return sid, self.interview(sid, state)

    def interview(self, session_id: str, state: dict):
        from .interview import MockInterview

        history = self.history
        return MockInterview(
            state,
            self.chat_model,
            self.prompts,
            self.reviewer,
            on_turn=lambda role, text, meta, st: history.add_turn(session_id, role, text, meta, st),
            on_finish=lambda card, st: history.finish(session_id, card, st),
        )

    @cached_property
    def debriefer(self):
        from .debrief import Debrief

        return Debrief(self.retriever, self.reviewer, self.chat_model, self.prompts, self.question_bank)

    def run_debrief(self, data, owner: str = "") -> tuple[str, dict]:
        """A whole debrief, saved: the notes as the user's turn, each step as a coach turn."""
        report = self.debriefer.run(data)
        sid = self.history.create("debrief", "Debrief: " + (data.notes.strip().splitlines() or ["(transcript)"])[0][:80], {"role": data.role, "transcript": bool(data.transcript.strip())}, owner=owner)
        self.history.add_turn(sid, "user", data.notes, {"transcript": data.transcript[:200000]} if data.transcript.strip() else {})
        for step in report["steps"]:
            self.history.add_turn(sid, "coach", f"{step['name']}\n\n{step['text']}", {"sources": step["sources"]})
        self.history.finish(sid, report)
        return sid, report

    def session_context(self, session_id: str) -> str:
        """What a follow-up question should know about a saved interview or debrief."""
        record = self.history.get(session_id)
        summary = record.summary or {}
        if record.info.kind == "debrief":
            notes = next((t.content for t in record.turns if t.role == "user"), "")
            weak = "; ".join(w["question"] for w in summary.get("weak_questions", []))
            areas = ", ".join((summary.get("facts") or {}).get("areas", []))
            return f"After a bad interview they wrote: {notes[:600]}\nQuestions that went badly: {weak or 'none named'}. Areas to improve: {areas or 'not known'}."
        if record.info.kind == "interview":
            answers = summary.get("answers", [])
            weak = [f"{a['question']} ({', '.join(a['flags'])})" for a in answers if a.get("flags")]
            improvements = ", ".join(i["flag"] for i in summary.get("improvements", []))
            return f"In a mock interview the weak answers were: {'; '.join(weak)[:600] or 'none'}. Top improvements: {improvements or 'none'}."
        return ""

    # ------------------------------------------------------------ use cases

    def knowledge_paths(self, extra: list[Path] | None = None) -> list[Path]:
        """knowledge/, the user's uploads and any extra paths given."""
        paths = [self.settings.knowledge_dir]
        if self.settings.uploads_dir.exists():
            paths.append(self.settings.uploads_dir)
        return paths + [Path(p) for p in (extra or [])]

    def index(self, extra: list[Path] | None = None, rebuild: bool = False, progress=None) -> SyncStats:
        if rebuild:
            self.rebuild_store()
        roots = [self.settings.knowledge_dir, self.settings.uploads_dir]
        return index_paths(
            self.store,
            self.embedder,
            self.knowledge_paths(extra),
            roots=roots,
            progress=progress,
            asked_as=self.settings.knowledge_dir / "asked_as.jsonl",
        )

    def rebuild_store(self) -> None:
        """Drop the collection; if the local store cannot even be opened, remove its folder.

        Only ``COACH_HOME/chroma`` is ever removed: saved sessions and uploads stay.
        """
        try:
            self.store.drop()
        except StoreError:
            if self.settings.chroma_url or self._client_factory is not None:
                raise
            wipe_persistent_store(self.settings.chroma_path)
        self.__dict__.pop("store", None)
        self.__dict__.pop("retriever", None)


def build(settings: Settings, **overrides: Any) -> Coach:
    return Coach(settings, **overrides)
