"""Prompt templates from files in prompts/, rendered strictly (a missing variable raises).

Text from users and from the knowledge base is data: :func:`as_data` wraps it in
tags the system prompt names as data, after removing instruction-like lines and
anything that could close the tag early.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

INSTRUCTION_LIKE = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+)?(previous|prior|above|earlier|system|these|those)?\s*"
    r"(instructions?|prompts?|rules?|directions?|guidelines?)"
    r"|\b(previous|prior|earlier) instructions\b"
    r"|(?<!not )(?<!never )(?<!n't )\b(reply|respond|answer|output|print)\s+(only\s+)?"
    r"(with|the code|the phrase|exactly)\b"
    r"|\b(say|write|output|print)\s+(the (code|phrase|word|text)|exactly)\b"
    r"|\byour (new )?(task|job|instructions?|role|goal) (is|are|now)\b"
    r"|\bnote to (the |any )?(ai|assistant|model|llm|chatbot|bot)\b"
    r"|\b(ai|assistant|chatbot|llm|gpt)\s*[,:]\s*(ignore|disregard|forget|please|always|never|you must|from now)\b"
    r"|\b(append|prepend) (the |this )?(phrase|code|text|word|string)\b"
    r"|\b(start|end|beginning) of every (reply|response|answer|message)\b"
    r"|\byou\s+are\s+now\b"
    r"|\bnew\s+instructions?\b"
    r"|\b(system|developer)\s+(prompt|message)\b"
    r"|\bact\s+as\s+(an?\s+)?(different|new|unrestricted)"
    r"|\bfrom\s+now\s+on,?\s+(you|always|only)\b"
    r"|\b(respond|reply|answer)\s+only\s+with\b",
    re.I,
)
REMOVED = "[instruction-like text removed]"


def neutralise(text: str) -> str:
    """Drop sentences that try to instruct the model; break our data tags."""
    text = text.replace("\x00", "")
    # Whatever sits inside role tags is an attempt to speak as the system: drop it whole.
    text = re.sub(
        r"<\s*(system|assistant|user|instructions?|im_start)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", " ", text, flags=re.I | re.S
    )
    text = re.sub(
        r"</?\s*(data|passage|candidate|notes|question|answer|context|system|assistant|user)\b[^>]*>",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(r"<\|[a-z_]+\|>", "", text, flags=re.I)
    pieces = re.split(r"(?<=[.!?\n])\s+", text)
    kept = [REMOVED if INSTRUCTION_LIKE.search(p) else p for p in pieces]
    out = " ".join(kept)
    return re.sub(rf"(?:{re.escape(REMOVED)}\s*)+", REMOVED + " ", out).strip()


def attribute(value: Any, limit: int = 200) -> str:
    """A value for a tag attribute (a passage's title): data like the text, and unable to close the tag."""
    text = neutralise(str(value))
    text = re.sub(r"[<>\"\n\r]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit]


def as_data(tag: str, text: str, **attrs: Any) -> str:
    """Text wrapped in a data tag; the text and every attribute (a title too) are neutralised first."""
    attr = "".join(f' {k}="{attribute(v)}"' for k, v in attrs.items())
    return f"<{tag}{attr}>\n{neutralise(text)}\n</{tag}>"


def passages_block(passages: Sequence[Any]) -> str:
    """Numbered passages as data, for citation as [1], [2], ..."""
    return "\n".join(as_data("passage", p.text, id=i, title=p.title) for i, p in enumerate(passages, 1))


class PromptLibrary:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @lru_cache(maxsize=None)
    def _env(self):
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        return Environment(
            loader=FileSystemLoader(str(self.folder)),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )

    def names(self) -> list[str]:
        return sorted(str(p.relative_to(self.folder).with_suffix("")) for p in self.folder.rglob("*.txt"))

    def render(self, template: str, /, **variables: Any) -> str:
        """Render prompts/<template>.txt; an undefined variable raises jinja2.UndefinedError."""
        return self._env().get_template(f"{template}.txt").render(**variables).strip()
