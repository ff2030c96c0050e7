"""Load guidance files into Documents: text split into sections, page furniture removed.

Supported: Markdown, plain text, HTML and PDF. Reader comments on blog posts are
kept, but as sections of kind ``comment`` with their author, never as the
author's advice. A file that cannot be read is reported, never fatal.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

from coach.errors import DocumentError
from coach.library.pdf_text import pdf_to_text
from coach.library.sanitise import clean_title, without_images, without_unsafe_requests

__all__ = ["Document", "DocumentError", "LoadReport", "load_document", "load_documents", "find_files"]

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf"}

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = rf"(?:{MONTHS})\s+\d{{1,2}},\s+\d{{4}}"
DATE_LINE = re.compile(rf"^\s*{DATE}\s*$")
# "Elizabeth @ Broke Professionals March 27, 2012 at 6:30 pm"
COMMENT_HEADER = re.compile(
    rf"^\s*(?P<author>[^\n]{{1,80}}?)\s+(?P<date>{DATE})\s+at\s+\d{{1,2}}:\d{{2}}\s*[ap]m\s*$", re.I
)
BYLINE = re.compile(rf"^\s*by\s+(?P<author>.+?)\s+on\s+{DATE}\s*$", re.I)
FURNITURE_LINES = [
    re.compile(p, re.I)
    for p in (
        r"^\s*(previous|next)\s+post:.*$",
        r"^\s*comments\s+on\s+this\s+entry\s+are\s+closed\.?\s*$",
        r"^\s*\{\s*\d+\s+(trackback|comment)s?\s*\}\s*$",
        r"^\s*photo\s+(courtesy|credit)\b.*$",
        r"^\s*(share|tweet|pin it|email this)\s*:?\s*$",
        r"^\s*(leave a (reply|comment)|related posts?|tags?:|filed under:?).*$",
    )
]
# Sentences that only ask readers to comment.
COMMENT_INVITATIONS = [
    re.compile(r"(?:What['’]s worked for you[^.?!]*\?\s*)?Leave a comment[^.?!]*[.?!]", re.I),
    re.compile(r"^\s*Readers,[^\n]*\?\s*$", re.I | re.M),
]
BULLET = re.compile(r"^\s*(?:[•*\-–]|\d+[.)])\s+")
CONNECTIVE = re.compile(r"^(?:or|also|and|but|so|plus)\b[,:]?\s", re.I)
MERGE_LIMIT_WORDS = 180


@dataclass(frozen=True)
class Section:
    text: str
    heading: str = ""
    kind: str = "advice"  # "advice" or "comment"
    author: str = ""


@dataclass(frozen=True)
class Document:
    source: str  # what people see: a path relative to the knowledge folder's parent, or absolute
    path: str  # absolute path on disk
    title: str
    author: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)


@dataclass
class LoadReport:
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one line each, for printing
    skipped: dict[str, str] = field(default_factory=dict)  # file or folder as given -> why it was not read


# ---------------------------------------------------------------- reading


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def looks_binary(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return bool(sample) and controls / len(sample) > 0.1


class _HTMLText(HTMLParser):
    BLOCKS = {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "tr",
        "section",
        "article",
        "blockquote",
        "pre",
    }
    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("• ")
            elif tag in {"h1", "h2", "h3", "h4"}:
                self.parts.append("#" * int(tag[1]) + " ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(markup: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return html.unescape(parser.title.strip()), text.strip()


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    match = re.match(r"^\s*---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


# ---------------------------------------------------------------- cleaning


def strip_furniture(lines: list[str], title: str) -> tuple[list[str], str]:
    """Drop navigation, trackbacks and similar; return the lines and any byline author."""
    out: list[str] = []
    author = ""
    seen_title = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if any(p.match(stripped) for p in FURNITURE_LINES):
            continue
        if DATE_LINE.match(stripped):
            # "Post title\nSeptember 22, 2014": a navigation link to another post.
            if out and out[-1].strip() and not COMMENT_HEADER.match(out[-1]):
                out.pop()
            continue
        byline = BYLINE.match(stripped)
        if byline:
            author = byline.group("author").strip()
            continue
        if title and stripped.lstrip("# ").strip().lower() == title.lower():
            seen_title += 1
            continue  # the title repeated as page furniture; it is kept as metadata
        out.append(line)
    return out, author


def to_sections(body: str, title: str) -> tuple[list[Section], str]:
    for pattern in COMMENT_INVITATIONS:
        body = pattern.sub("", body)
    lines, byline_author = strip_furniture(body.splitlines(), title)
    sections: list[Section] = []
    heading = ""
    comment_author = ""
    block: list[str] = []

    def flush() -> None:
        text = " ".join(s.strip() for s in block if s.strip())
        block.clear()
        text = re.sub(r"\s+", " ", text).strip()
        words = len(re.findall(r"\w+", text))
        if not text or words < 4:
            return
        if text.endswith(":") and words < 25 and not comment_author:
            return  # a lead-in such as "Here are a few tips:" says nothing on its own
        if comment_author:
            if sections and sections[-1].kind == "comment" and sections[-1].author == comment_author:
                prev = sections.pop()
                text = f"{prev.text} {text}"
            sections.append(Section(text=text, heading=heading, kind="comment", author=comment_author))
            return
        text = BULLET.sub("", text)
        if (
            sections
            and sections[-1].kind == "advice"
            and CONNECTIVE.match(text)
            and len((sections[-1].text + " " + text).split()) <= MERGE_LIMIT_WORDS
        ):
            prev = sections.pop()
            text = f"{prev.text} {text}"
            sections.append(Section(text=text, heading=prev.heading))
            return
        sections.append(Section(text=text, heading=heading))

    for line in lines:
        stripped = line.strip()
        header = COMMENT_HEADER.match(stripped)
        if header:
            flush()
            comment_author = header.group("author").strip()
            continue
        md_heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if md_heading and not comment_author:
            flush()
            level = len(md_heading.group(1))
            if level == 1:
                title = title or md_heading.group(2).strip()
                heading = ""
            else:
                heading = md_heading.group(2).strip()
            continue
        if not stripped or BULLET.match(line):
            flush()
        if stripped:
            block.append(stripped)
    flush()
    # With Markdown headings, a section is one heading and its whole body.
    return _merge_by_heading(sections), byline_author


def _merge_by_heading(sections: list[Section]) -> list[Section]:
    merged: list[Section] = []
    for section in sections:
        if (
            merged
            and section.heading
            and section.kind == "advice"
            and merged[-1].kind == "advice"
            and merged[-1].heading == section.heading
        ):
            prev = merged.pop()
            merged.append(Section(text=f"{prev.text}\n{section.text}", heading=prev.heading))
        else:
            merged.append(section)
    return merged


# ---------------------------------------------------------------- loading


def display_source(path: Path, roots: Iterable[Path]) -> str:
    for root in roots:
        try:
            return str(path.resolve().relative_to(root.resolve().parent))
        except ValueError:
            continue
    return str(path.resolve())


def load_document(path: Path, roots: Iterable[Path] = ()) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type {suffix or '(none)'}; use Markdown, text, HTML or PDF")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(f"cannot be read ({err.strerror or err})") from None
    if not data.strip():
        raise DocumentError("is empty")
    meta: dict[str, str] = {}
    html_title = ""
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise DocumentError("is not a PDF file (no %PDF header)")
        body = pdf_to_text(path)
    else:
        if looks_binary(data):
            raise DocumentError("looks binary, not text")
        text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
        meta, text = split_front_matter(text)
        if suffix in {".html", ".htm"}:
            html_title, body = html_to_text(text)
        else:
            body = text
    title = clean_title(meta.get("title") or html_title)
    sections, byline_author = to_sections(without_unsafe_requests(without_images(body)), title)
    if not title:
        first = next((s.heading for s in sections if s.heading), "")
        title = clean_title(first) or path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    if not sections:
        raise DocumentError("has no readable text")
    return Document(
        source=display_source(path, roots),
        path=str(path.resolve()),
        title=title,
        author=meta.get("author") or byline_author,
        sections=tuple(sections),
    )


MISSING = "no such file or folder"


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to the supported files inside them (sorted); report what is skipped."""
    found: list[Path] = []
    warnings: list[str] = []
    seen: set[Path] = set()

    def add(file: Path) -> None:  # a file named twice (a folder and the file in it) is read once
        key = file.resolve()
        if key not in seen:
            seen.add(key)
            found.append(file)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    add(child)
        elif path.is_file():
            add(path)
        else:
            warnings.append(f"skipped {path}: {MISSING}")
    return found, warnings


def load_documents(paths: Iterable[Path], roots: Iterable[Path] = ()) -> LoadReport:
    report = LoadReport()
    roots = list(roots)
    files, report.warnings = find_files(paths)
    for file in files:
        try:
            report.documents.append(load_document(file, roots))
        except DocumentError as err:
            report.warnings.append(f"skipped {file}: {err}")
            report.skipped[str(file)] = str(err)
    return report
