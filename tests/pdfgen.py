"""Write a small real PDF with text paragraphs (no PDF library needed)."""

from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, paragraphs: list[str], pages: int = 1, per_page=None) -> Path:
    """``per_page(i)``, when given, returns page i's paragraphs instead of ``paragraphs``."""
    objects: list[bytes] = []
    page_ids = []
    # 1: catalog, 2: pages, 3: font, then (content, page) pairs
    font_id = 3
    next_id = 4
    bodies = []
    for page in range(pages):
        lines = ["BT /F1 11 Tf 50 780 Td 14 TL"]
        for para in per_page(page) if per_page else paragraphs:
            lines.append(f"({_escape(para)}) Tj T* T*")
        lines.append("ET")
        stream = "\n".join(lines).encode("latin-1", "replace")
        content_id, page_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        bodies.append((content_id, b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
        bodies.append(
            (
                page_id,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id),
            )
        )
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        *bodies,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for num, body in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    count = max(offsets) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for num in range(1, count):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref)
    Path(path).write_bytes(bytes(out))
    return Path(path)


def write_flate_bomb_pdf(path: Path, inflated_bytes: int = 1_000_000_000) -> Path:
    """A one-page PDF whose content stream inflates to ``inflated_bytes`` (1 GB: about 1 MB on disk)."""
    import zlib

    packer = zlib.compressobj(9)
    line = b"BT /F1 11 Tf 50 780 Td (Practise your answers out loud.) Tj ET\n"
    block = line * ((1 << 20) // len(line))
    parts = [packer.compress(block) for _ in range(inflated_bytes // len(block))]
    stream = b"".join(parts) + packer.flush()
    objects = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>"),
        (3, b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"),
        (
            4,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
        ),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for num, body in objects:
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, 6))
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    Path(path).write_bytes(bytes(out))
    return Path(path)
