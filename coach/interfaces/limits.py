"""Checks on text people type or upload, the same for CLI, page and HTTP API."""

from __future__ import annotations

import re

from coach.errors import InputError


def clean_text(text: str | None) -> str:
    """Normalise line ends and drop control characters other than tab and newline."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def check_text(text: str | None, limit: int, what: str = "answer") -> str:
    """The cleaned text, or an InputError saying what is wrong; the caller keeps the original."""
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise InputError(f"The {what} is empty.", f"Type your {what} and try again.")
    if len(cleaned) > limit:
        raise InputError(
            f"The {what} is {len(cleaned):,} characters long; the limit is {limit:,}.",
            "Shorten it and try again.",
        )
    return cleaned


MAX_ROLE_CHARS = 120
OWNER = re.compile(r"[A-Za-z0-9_-]{0,64}")


def check_role(value: str | None) -> str:
    """A job title: one line, at most MAX_ROLE_CHARS characters."""
    role = clean_text(value).strip()
    if "\n" in role or len(role) > MAX_ROLE_CHARS:
        raise InputError(
            f"The role is {len(role):,} characters long; the limit is {MAX_ROLE_CHARS} on one line.",
            "Type just the job title, for example: data analyst.",
        )
    return role


def check_owner(value) -> str:
    """The browser's own id from its storage: a short token, or '' (the command line's sessions)."""
    if value is None:
        return ""
    if not isinstance(value, str) or not OWNER.fullmatch(value):
        raise InputError("This browser's id is not valid.", "Reload the page; your saved sessions are not affected.")
    return value
