"""Issue 17: the llama.cpp state cache holds at most its capacity, counting every array a state keeps."""

import numpy as np
from llama_cpp.llama import LlamaState

from coach.model.llm import state_cache

VOCAB = 1000


class FakeLlama:
    def __init__(self, logits_all: bool = False) -> None:
        self._logits_all = logits_all

    def n_vocab(self) -> int:
        return VOCAB


def state(n: int, llama_bytes: int = 1_000_000) -> LlamaState:
    return LlamaState(
        input_ids=np.arange(64, dtype=np.intc),
        scores=np.ones((min(n, 32), VOCAB), dtype=np.single),
        n_tokens=n,
        llama_state=b"\0" * llama_bytes,
        llama_state_size=llama_bytes,
        seed=1,
    )


def test_a_saved_state_keeps_one_zero_row_of_scores_and_the_cache_counts_it():
    cache = state_cache(FakeLlama(), capacity_bytes=10_000_000)
    cache[(1, 2, 3)] = state(40)
    kept = cache[(1, 2, 3, 4)]  # the longest cached prefix
    assert kept.scores.shape == (1, VOCAB) and not kept.scores.any()
    assert cache.cache_size == 1_000_000 + VOCAB * 4 + 64 * 4
    live = np.full((32, VOCAB), 7, dtype=np.single)
    live[: kept.n_tokens, :] = kept.scores.copy()  # what Llama.load_state does: it broadcasts
    assert not live.any()


def test_the_capacity_bounds_every_byte_held():
    cache = state_cache(FakeLlama(logits_all=True), capacity_bytes=3_000_000)  # scores kept: counted
    for i in range(5):
        cache[(i,)] = state(40)
    per_state = 1_000_000 + 32 * VOCAB * 4 + 64 * 4
    assert len(cache.cache_state) == 3_000_000 // per_state
    assert cache.cache_size <= 3_000_000
