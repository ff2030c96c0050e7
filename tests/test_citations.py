"""The citation check, calibrated on labelled (sentence, passage, supported) pairs."""

import json
from pathlib import Path

from coach.feedback.citations import check_citations
from coach.library.chunking import chunk_document
from coach.library.documents import load_documents

REPO = Path(__file__).resolve().parent.parent
ROWS = [
    json.loads(line)
    for line in (REPO / "tests" / "data" / "citation_calibration.jsonl").read_text().splitlines()
    if line.strip()
]


def test_calibration_figures(embedder):
    report = load_documents([REPO / "knowledge"], [REPO / "knowledge"])
    chunks = [c for d in report.documents for c in chunk_document(d)]
    by_kind: dict[str, list[bool]] = {}
    correct = 0
    for row in ROWS:
        passage = next(c.text for c in chunks if c.source == row["source"] and row["contains"] in c.text)
        accepted = check_citations(row["sentence"] + " [1]", [passage], embedder, attach_uncited=False)[0].supported
        correct += accepted == row["supported"]
        by_kind.setdefault(row["kind"], []).append(accepted)
    rate = {k: sum(v) / len(v) for k, v in by_kind.items()}
    accuracy = correct / len(ROWS)
    print(f"citation check: accuracy {accuracy:.3f}; accepted by kind {rate}")
    assert len(ROWS) >= 100
    assert accuracy >= 0.75
    assert rate["other_passage"] <= 0.05 and rate["nonsense"] <= 0.05
    supported = by_kind["paraphrase"] + by_kind["summary"] + by_kind["applied"]
    assert sum(supported) / len(supported) >= 0.85
