"""Fit system prompt, history and the latest message into the model's context.

Room for the reply is reserved. When the history does not fit, the oldest half
of it is dropped at once (not one turn at a time), so that the remaining prefix
stays the same for several turns and llama.cpp can keep reusing its cache.
"""

from __future__ import annotations

from typing import Sequence

from coach.model.llm import ChatModel, Message

PER_MESSAGE_OVERHEAD = 8  # role markers added by the chat template


def message_tokens(model: ChatModel, messages: Sequence[Message]) -> int:
    return sum(model.count_tokens(m["content"]) + PER_MESSAGE_OVERHEAD for m in messages)


def fit_messages(model: ChatModel, system: str, history: Sequence[Message], latest: str, reserve: int) -> list[Message]:
    budget = max(256, model.context_size - reserve)
    head = [{"role": "system", "content": system}]
    tail = {"role": "user", "content": latest}
    fixed = message_tokens(model, head) + message_tokens(model, [tail])
    if fixed > budget:
        # The latest message alone is too long: keep its start and end.
        room_chars = max(400, (budget - message_tokens(model, head)) * 3)
        content = (
            latest
            if len(latest) <= room_chars
            else latest[: room_chars // 2] + "\n[...]\n" + latest[-room_chars // 2 :]
        )
        return head + [{"role": "user", "content": content}]
    kept = list(history)
    while kept and fixed + message_tokens(model, kept) > budget:
        cut = max(2, len(kept) // 2)
        cut += cut % 2  # drop whole user/assistant pairs
        kept = kept[cut:]
    return head + kept + [tail]
