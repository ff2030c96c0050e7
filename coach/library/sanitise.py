"""What a knowledge file may not carry into the store: remote images, requests for credentials or money,
and titles that try to instruct the model. Applied when a file is loaded, so nothing downstream sees them."""

from __future__ import annotations

import re

IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)|!\[([^\]]*)\]\[[^\]]*\]")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)


def without_images(text: str) -> str:
    """Passages are shown as text: an image (Markdown or <img>) keeps only its description, so a reader's
    browser never fetches a URL that whoever wrote or uploaded the file chose."""
    text = IMAGE.sub(lambda m: f"(image: {m.group(1) or m.group(2)})" if (m.group(1) or m.group(2)) else "", text)
    return IMG_TAG.sub("", text)


# A sentence that asks the reader to hand over credentials, money or personal data, or to go to a link,
# is not interview advice, whoever put it in a file: it is replaced before it can be indexed or quoted.
UNSAFE_REQUEST = re.compile(
    r"\b(send|e-?mail|give|share|provide|enter|type|submit|confirm|verify|wire|transfer|pay|deposit|text)\b"
    r"[^.!?\n]{0,60}\b(password|passcode|credentials?|log-?in details|bank (details|account)|account number|"
    r"card (number|details)|credit card|debit card|cvv|pin\b|social security|ssn|national insurance|passport|"
    r"date of birth|money|fee|deposit|payment|gift cards?|bitcoin|crypto)\b"
    r"|\b(visit|go to|click|open|follow|download from)\b[^.!?\n]{0,30}(https?://|www\.|\bthis link\b|\bthe link\b)",
    re.I,
)
UNSAFE_REMOVED = "[a request for personal data, money or a visit to a link was removed]"


def without_unsafe_requests(text: str) -> str:
    """Each line's sentences, with any unsafe request replaced; lines (and so headings) stay as they were."""
    if not UNSAFE_REQUEST.search(text):
        return text
    lines = []
    for line in text.split("\n"):
        if UNSAFE_REQUEST.search(line):
            parts = re.split(r"(?<=[.!?])(\s+)", line)
            line = "".join(UNSAFE_REMOVED if UNSAFE_REQUEST.search(p) else p for p in parts)
        lines.append(line)
    return "\n".join(lines)


def clean_title(title: str) -> str:
    """A title is data like the text: instruction-like sentences and tags are removed."""
    from coach.model.prompts import neutralise

    title = re.sub(r"<[^>]*>", " ", neutralise(title or ""))
    return re.sub(r"\s+", " ", title).strip()[:200]
