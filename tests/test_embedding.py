"""The embedding backends: ONNX Runtime (the default) gives the same vectors as sentence-transformers."""

import json
import shutil
import subprocess
import sys

import numpy as np

from coach.config import REPO_ROOT
from coach.library.chunking import chunk_document
from coach.library.documents import load_documents
from coach.model.embedding import SentenceTransformerEmbedder, default_embedding_path
from coach.model.onnx_embedding import OnnxEmbedder

QUERIES = [
    "I froze when they asked about my weaknesses",
    "should I email them to ask why",
    "",
    "面试的时候我很紧张",
    "x" * 5000,
]


def shipped_texts() -> list[str]:
    report = load_documents([REPO_ROOT / "knowledge"], [REPO_ROOT])
    return [c.embedding_text() for d in report.documents for c in chunk_document(d)]


def test_onnx_vectors_match_sentence_transformers_on_every_shipped_passage(embedder):
    texts = shipped_texts() + QUERIES
    assert len(texts) > 100
    onnx = np.array(embedder.embed(texts))
    reference = np.array(SentenceTransformerEmbedder(threads=2).embed(texts))
    assert onnx.shape == reference.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-4)
    assert (onnx * reference).sum(axis=1).min() > 0.9999


def test_the_app_embeds_without_importing_torch(tmp_path):
    code = (
        "import sys, json\n"
        "from coach.app import build\nfrom coach.config import Settings\n"
        f"c = build(Settings.load({{'home': {str(tmp_path)!r}}}, env={{}}))\n"
        "v = c.embedder.embed(['how do I calm my nerves'])[0]\n"
        "print(json.dumps({'backend': c.embedder.backend, 'dim': len(v), 'torch': 'torch' in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"backend": "onnxruntime", "dim": 384, "torch": False}


def test_a_damaged_export_is_made_again(tmp_path):
    onnx = OnnxEmbedder(None, tmp_path / "cache", threads=2)
    target = onnx.onnx_file()
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an onnx file at all")
    vector = onnx.embed(["practise out loud"])[0]
    assert onnx.backend == "onnxruntime" and target.stat().st_size > 1_000_000
    assert len(vector) == 384


def test_a_model_that_is_not_mean_pooled_falls_back_to_sentence_transformers(tmp_path):
    folder = tmp_path / "cls-model"
    shutil.copytree(default_embedding_path(), folder)
    config = folder / "1_Pooling" / "config.json"
    pooling = json.loads(config.read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    config.write_text(json.dumps(pooling))

    onnx = OnnxEmbedder(folder, tmp_path / "cache", threads=2)
    got = np.array(onnx.embed(["practise out loud", "research the company"]))
    assert onnx.backend == "sentence-transformers" and "mean pooling" in onnx.backend_note
    assert not (tmp_path / "cache").exists(), "nothing is exported for a model the export cannot represent"
    expected = np.array(
        SentenceTransformerEmbedder(folder, threads=2).embed(["practise out loud", "research the company"])
    )
    assert np.allclose(got, expected, atol=1e-5)
