"""The one place where objects are built and wired together.

``build(settings)`` returns a :class:`Coach` whose parts are created on first
use, so a command that only lists history never loads a model. The page and the
command line call the use cases (``interviews``, ``debriefs``, ``coaching``,
``index``, ``add_uploads``); they never build a part themselves.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from coach.config import Settings
from coach.errors import StoreError
from coach.feedback.review import AnswerReviewer
from coach.library.indexing import index_paths
from coach.library.retrieval import Retriever
from coach.library.store import KnowledgeStore, SyncStats, make_client, wipe_persistent_store
from coach.library.uploads import IndexingStopped, UploadResult, add_uploads, remove_upload
from coach.model.embedding import Embedder
from coach.model.gate import HEAVY_GATE
from coach.model.llm import ChatModel
from coach.model.prompts import PromptLibrary
from coach.practice.queue import PracticeQueue
from coach.sessions.ask import AskService
from coach.sessions.coaching import CoachingService
from coach.sessions.debrief import Debrief
from coach.sessions.debriefs import DebriefService
from coach.sessions.history import History
from coach.sessions.interviews import InterviewService
from coach.sessions.question_bank import QuestionBank

if TYPE_CHECKING:
    from coach.speech.transcribe import Transcriber

# Parts that hold the store (directly or through the retriever): rebuilt after the store is.
STORE_DEPENDENTS = ("store", "retriever", "reviewer", "asker", "debriefer", "interviews", "debriefs", "coaching")
# Parts that hold the chat model: rebuilt after the model is switched.
MODEL_DEPENDENTS = ("chat_model", "asker", "debriefer", "interviews", "debriefs", "coaching")


class Coach:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        chroma_client_factory: Callable[[], Any] | None = None,
        chat_model: ChatModel | None = None,
        retriever: Retriever | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client_factory = chroma_client_factory
        self._chat_model = chat_model
        self._retriever = retriever  # tests' fast tier: a retriever with no Chroma behind it

    # ------------------------------------------------------------ parts

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        from coach.model.onnx_embedding import OnnxEmbedder

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
        if self._retriever is not None:
            return self._retriever
        from coach.library.keyword_index import KeywordIndex

        return Retriever(self.store, self.embedder, default_k=self.settings.top_k, keywords=KeywordIndex())

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.prompts_dir)

    @cached_property
    def chat_model(self) -> ChatModel:
        """The configured chat model; the embedded one is shared process-wide and loads on first use."""
        if self._chat_model is not None:
            return self._chat_model
        s = self.settings
        if s.llm_url:
            from coach.model.llm import OpenAIChatModel

            return OpenAIChatModel(
                s.llm_url, model=s.llm_model, api_key=s.llm_api_key, context_size=s.n_ctx, max_tokens=s.max_tokens
            )
        from coach.model.llm import LlamaCppChatModel
        from coach.model.model_files import default_model_path

        return LlamaCppChatModel.shared(s.model_path or default_model_path(), s.n_ctx, s.n_threads, s.max_tokens)

    @cached_property
    def reviewer(self) -> AnswerReviewer:
        from coach.feedback.relevance import RelevanceScorer
        from coach.feedback.tips import TipBook

        return AnswerReviewer(RelevanceScorer(self.embedder), TipBook(self.retriever))

    @cached_property
    def asker(self) -> AskService:
        s = self.settings
        return AskService(
            self.retriever, self.chat_model, self.prompts, self.embedder, k=s.top_k, max_tokens=s.max_tokens
        )

    @cached_property
    def question_bank(self) -> QuestionBank:
        return QuestionBank.load(self.settings.knowledge_dir / "question_bank")

    @cached_property
    def history(self) -> History:
        return History(self.settings.sessions_db)

    @cached_property
    def transcriber(self) -> Transcriber:
        """The speech model's transcriber: built on first use, and the model itself loads on its first
        transcription (or ``start_loading()``), so a coach that never hears a recording never pays for it."""
        from coach.speech.transcribe import Transcriber

        return Transcriber(self.settings)

    @cached_property
    def debriefer(self) -> Debrief:
        return Debrief(self.retriever, self.reviewer, self.chat_model, self.prompts, self.question_bank)

    # ------------------------------------------------------------ use cases

    @cached_property
    def interviews(self) -> InterviewService:
        return InterviewService(
            self.history, self.question_bank, self.chat_model, self.prompts, self.reviewer, self.practice
        )

    @cached_property
    def practice(self) -> PracticeQueue:
        return PracticeQueue(self.history)

    @cached_property
    def debriefs(self) -> DebriefService:
        return DebriefService(self.debriefer, self.history)

    @cached_property
    def coaching(self) -> CoachingService:
        return CoachingService(self.asker, self.history)

    def knowledge_paths(self, extra: Iterable[Path] = ()) -> list[Path]:
        """knowledge/, the user's uploads and any extra paths given."""
        paths = [self.settings.knowledge_dir]
        if self.settings.uploads_dir.exists():
            paths.append(self.settings.uploads_dir)
        return paths + [Path(p) for p in extra]

    def index(self, extra: Iterable[Path] = (), rebuild: bool = False, progress=None) -> SyncStats:
        if rebuild:
            self.rebuild_store()
        return index_paths(
            self.store,
            self.embedder,
            self.knowledge_paths(extra),
            roots=[self.settings.knowledge_dir, self.settings.uploads_dir],
            progress=progress,
            asked_as=self.settings.knowledge_dir / "asked_as.jsonl",
        )

    def add_uploads(self, files: Iterable[Any], progress=None, stop: threading.Event | None = None) -> UploadResult:
        """Uploaded knowledge files: copied into COACH_HOME/uploads and indexed, one such job at a time
        (:data:`HEAVY_GATE`). A file that cannot be read is removed again; so is everything when ``stop``
        is set before the passages are stored."""
        s = self.settings

        def report(done: int, total: int) -> None:
            if stop is not None and stop.is_set():
                raise IndexingStopped()
            if progress is not None:
                progress(done, total)

        with HEAVY_GATE.hold():
            return add_uploads(
                files, s.uploads_dir, s.max_upload_bytes, lambda saved: self.index(saved, progress=report)
            )

    def remove_source(self, source: str) -> int:
        """Remove a source's passages (and an uploaded file's copy); returns how many passages went."""
        removed = self.store.remove_source(source)
        remove_upload(self.settings.uploads_dir, source)
        return removed

    def switch_model(self, path: Path | None) -> None:
        """Use another GGUF file (None: the embedded one) from the next request on; it loads on first use.

        Requests already running finish on the model they started with. Other loaded files are
        released, so switching back and forth does not keep every model in memory."""
        from coach.model.llm import LlamaCppChatModel

        self.settings = self.settings.with_(model_path=path, model_source="settings" if path else "default")
        self._chat_model = None
        for name in MODEL_DEPENDENTS:
            self.__dict__.pop(name, None)
        LlamaCppChatModel.forget_all_but(self.chat_model)

    def rebuild_store(self) -> None:
        """Drop the collection; if the local store cannot even be opened, remove its folder.

        Only ``COACH_HOME/chroma`` is ever removed: saved sessions and uploads stay. Every
        part that held the old store is built again on next use.
        """
        try:
            self.store.drop()
        except StoreError:
            if self.settings.chroma_url or self._client_factory is not None:
                raise
            wipe_persistent_store(self.settings.chroma_path)
        for name in STORE_DEPENDENTS:
            self.__dict__.pop(name, None)


def build(settings: Settings, **overrides: Any) -> Coach:
    return Coach(settings, **overrides)
