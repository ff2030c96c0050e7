"""Loading guidance files: furniture stripped, comments marked, bad files skipped."""

from pathlib import Path

import pytest
from pdfgen import write_pdf

from coach.library.chunking import chunk_document, chunk_id, split_long
from coach.library.documents import DocumentError, load_document, load_documents

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
BLOG = KNOWLEDGE / "recovering-from-a-bad-job-interview.md"
BLOG2 = KNOWLEDGE / "come-back-from-a-terrible-job-interview.md"


def all_text(doc):
    return "\n".join(s.text for s in doc.sections)


def test_front_matter_gives_title_and_author():
    doc = load_document(BLOG, [KNOWLEDGE])
    assert doc.title == "Recovering From a Bad Job Interview"
    assert doc.author.startswith("Jana")
    assert doc.source == "knowledge/recovering-from-a-bad-job-interview.md"


@pytest.mark.parametrize(
    "furniture",
    [
        "Previous post:",
        "Next post:",
        "Comments on this entry are closed",
        "trackback",
        "Photo courtesy",
        "September 22, 2014",
        "Even More Career Advice Over at Give Me Astoria",
        "The 5 Things To Do In Order To Leverage Your Internship",
        "Leave a comment",
        "Readers, what lessons",
    ],
)
def test_page_furniture_is_stripped(furniture):
    text = all_text(load_document(BLOG, [KNOWLEDGE])) + all_text(load_document(BLOG2, [KNOWLEDGE]))
    assert furniture not in text


def test_reader_comments_are_kept_but_marked_with_their_author():
    doc = load_document(BLOG, [KNOWLEDGE])
    comments = [s for s in doc.sections if s.kind == "comment"]
    authors = [c.author for c in comments]
    assert "Elizabeth @ Broke Professionals" in authors
    assert "Money Infographics" in authors
    assert len(comments) == 5
    assert any("practice with another person" in c.text for c in comments)
    advice = [s for s in doc.sections if s.kind == "advice"]
    assert not any("practice with another person" in a.text for a in advice)


def test_one_tip_per_passage_in_the_blog_post():
    chunks = chunk_document(load_document(BLOG, [KNOWLEDGE]))
    tips = [
        "Allow yourself to feel",
        "Objectively review the interview",
        "Focus on what you can do",
        "Practice. This seems",
        "Try again.",
    ]
    for tip in tips:
        holding = [c for c in chunks if tip in c.text]
        assert len(holding) == 1, tip
        others = [t for t in tips if t != tip and t in holding[0].text]
        assert not others, f"{tip} shares a passage with {others}"


def test_connective_paragraph_joins_its_tip():
    chunks = chunk_document(load_document(BLOG2, [KNOWLEDGE]))
    practice = [c for c in chunks if "Go On An Informational Interview" in c.text]
    assert len(practice) == 1 and "ask a friend, mentor" in practice[0].text


def test_chunk_ids_are_content_hashes():
    a = chunk_document(load_document(BLOG, [KNOWLEDGE]))
    b = chunk_document(load_document(BLOG, [KNOWLEDGE]))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert chunk_id("s", "t", "h", "text") != chunk_id("s", "t", "h", "text!")


def test_long_sections_are_split_by_sentence():
    text = " ".join(f"Sentence number {i} says something useful here." for i in range(80))
    pieces = split_long(text, 100)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 100 for p in pieces)
    assert " ".join(pieces) == text


def test_markdown_headings_make_one_passage_each(tmp_path):
    f = tmp_path / "notes.md"
    f.write_text(
        "---\ntitle: Notes\n---\n# Notes\n\nIntro line for the notes file.\n\n"
        "## First tip\n\nPara one of the first tip.\n\nPara two of the first tip.\n\n"
        "## Second tip\n\nOnly paragraph of the second tip.\n"
    )
    chunks = chunk_document(load_document(f))
    assert [c.heading for c in chunks] == ["", "First tip", "Second tip"]
    assert "Para one" in chunks[1].text and "Para two" in chunks[1].text


def test_html_is_loaded_without_navigation(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(
        "<html><head><title>Handling nerves</title><script>var x=1;</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/blog'>Blog</a></nav>"
        "<h1>Handling nerves</h1><p>Breathe slowly before you walk in; a slow exhale calms the body.</p>"
        "<ul><li>Arrive ten minutes early so you are not rushing.</li>"
        "<li>Bring a printed copy of your resume.</li></ul>"
        "<footer>Copyright 2024</footer></body></html>",
        encoding="utf-8",
    )
    doc = load_document(f)
    text = all_text(doc)
    assert doc.title == "Handling nerves"
    assert "Breathe slowly" in text and "Arrive ten minutes early" in text
    assert "Home" not in text and "Copyright" not in text and "var x" not in text
    assert len(doc.sections) == 3


def test_pdf_is_loaded(tmp_path):
    f = write_pdf(
        tmp_path / "guide.pdf",
        ["Research the company before the interview.", "Read their last annual report and recent news."],
    )
    doc = load_document(f)
    assert "Research the company" in all_text(doc)


def test_odd_encodings_are_read(tmp_path):
    cp = tmp_path / "cp1252.txt"
    cp.write_bytes("Don\u2019t panic \u2013 pause, breathe and answer the question you were asked.".encode("cp1252"))
    u16 = tmp_path / "utf16.txt"
    u16.write_text("Caf\u00e9 interviews are informal but still prepare three key points.", encoding="utf-16")
    assert "Don\u2019t panic" in all_text(load_document(cp))
    assert "Caf\u00e9 interviews" in all_text(load_document(u16))


def test_bad_files_are_skipped_with_a_warning_naming_them(tmp_path):
    good = tmp_path / "good.md"
    good.write_text("## Tip\n\nSend a thank-you note within a day of the interview.")
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "fake.pdf").write_bytes(b"this is not a pdf at all")
    (tmp_path / "ignored.json").write_text("{}")
    report = load_documents([tmp_path, tmp_path / "missing.md"])
    assert [Path(d.path).name for d in report.documents] == ["good.md"]
    joined = "\n".join(report.warnings)
    for name in ("empty.md", "binary.txt", "fake.pdf", "missing.md"):
        assert name in joined
    assert "ignored.json" not in joined


def test_unsupported_type_is_a_clear_error(tmp_path):
    f = tmp_path / "x.docx"
    f.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="unsupported file type"):
        load_document(f)
