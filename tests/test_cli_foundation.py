"""`coach index`, `coach retrieve` and `coach doctor` through the real command."""

import json

from conftest import run_coach


def test_index_json_then_incremental(tmp_path):
    home = tmp_path / "home"
    first = run_coach("index", "--json", home=home)
    assert first.returncode == 0, first.stderr
    stats = json.loads(first.stdout)
    assert set(stats) == {"documents", "chunks", "added", "unchanged", "removed", "seconds"}
    assert stats["added"] == stats["chunks"] > 0
    second = json.loads(run_coach("index", "--json", home=home).stdout)
    assert second["added"] == 0 and second["unchanged"] == stats["chunks"]


def test_retrieve_json_shape_and_empty_query(indexed_home):
    out = run_coach(
        "retrieve", "I froze on the weakness question", "should I email them", "-k", "2", "--json", home=indexed_home
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["I froze on the weakness question", "should I email them"]
    for line in lines:
        assert len(line["passages"]) == 2
        for p in line["passages"]:
            assert set(p) == {"text", "source", "title", "score", "chunk_id"}
            assert 0 <= p["score"] <= 1
        assert line["passages"][0]["score"] >= line["passages"][1]["score"]
    empty = run_coach("retrieve", "   ", home=indexed_home)
    assert empty.returncode == 2
    assert "empty" in empty.stderr and "Traceback" not in empty.stderr


def test_retrieve_on_an_empty_store_says_to_index(tmp_path):
    out = run_coach("retrieve", "nerves", home=tmp_path / "fresh")
    assert out.returncode != 0 and "coach index" in out.stderr and "Traceback" not in out.stderr


def test_doctor_reports_model_store_and_network(indexed_home):
    out = run_coach("doctor", "--json", home=indexed_home)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["model"]["backend"] == "llama.cpp"
    assert report["model"]["path"].endswith(".gguf")
    assert report["store"]["passages"] > 0
    assert report["network"]["would_reach_network"] is False
    assert report["problems"] == []


def test_doctor_fails_plainly_when_the_model_is_missing(indexed_home, tmp_path):
    out = run_coach("doctor", "--model", str(tmp_path / "nope.gguf"), home=indexed_home)
    assert out.returncode == 1
    assert "does not exist" in out.stdout and "Traceback" not in out.stdout + out.stderr
