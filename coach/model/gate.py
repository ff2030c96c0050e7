"""One process-wide gate in front of the embedded model.

A llama.cpp context is not safe for concurrent use, so every call into the
embedded model, from any tab, mode or command, goes through :data:`MODEL_GATE`.
Callers can see how many requests wait ahead of them and tell the user.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator


class ModelGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._busy = False

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def busy(self) -> bool:
        return self._busy

    @contextmanager
    def hold(self, on_queued: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold the model. If it is busy, ``on_queued(position)`` is called first."""
        if not self._lock.acquire(blocking=False):
            with self._count_lock:
                self._waiting += 1
                position = self._waiting
            if on_queued:
                on_queued(position)
            try:
                self._lock.acquire()
            finally:
                with self._count_lock:
                    self._waiting -= 1
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
            self._lock.release()


MODEL_GATE = ModelGate()


# Heavy work that is not the chat model (indexing uploaded files, analysing a long transcript) goes
# through its own gate: one job at a time, so several users' uploads queue instead of all competing
# with the model for the same two cores.
HEAVY_GATE = ModelGate()
