"""A model's reply as events, with the "queued" notice delivered the moment a request starts waiting.

The model gate calls ``on_queued`` from inside the blocked call, before any text
exists; a plain generator could only pass that on after the wait was over. Here the
model runs in a worker thread that puts notices and text on a queue, so the caller
sees "queued" at once. Closing the iterator (Stop on the page) tells the worker to
stop after its current piece of text, which closes the model's stream.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Iterator, Sequence

from coach.model.llm import DEFAULT_SAMPLING, ChatModel, Message, Sampling


@dataclass(frozen=True)
class StreamEvent:
    kind: str  # "queued" (text: how many are ahead) | "text"
    text: str


def stream_with_notices(
    model: ChatModel, messages: Sequence[Message], sampling: Sampling = DEFAULT_SAMPLING
) -> Iterator[StreamEvent]:
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    end = object()

    def work() -> None:
        try:
            stream = model.stream(
                messages, sampling, on_queued=lambda ahead: events.put(StreamEvent("queued", str(ahead)))
            )
            try:
                for chunk in stream:
                    events.put(StreamEvent("text", chunk))
                    if stop.is_set():
                        break
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
        except BaseException as err:  # handed to the caller's thread
            events.put(err)
        finally:
            events.put(end)

    threading.Thread(target=work, name="model-stream", daemon=True).start()
    try:
        while (item := events.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
