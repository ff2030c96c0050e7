"""`coach bench --quick --json` runs and reports every key (figures are never asserted)."""

import json

import pytest
from conftest import run_coach

pytestmark = pytest.mark.model


def test_bench_quick_reports_every_key(indexed_home):
    out = run_coach("bench", "--quick", "--json", home=indexed_home, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    r = json.loads(out.stdout)
    assert set(r["generation"]) == {"pipeline_tokens_per_s", "direct_tokens_per_s"}
    assert {"ttft_first_s", "ttft_last_s"} <= set(r["turns"])
    assert set(r["retrieval"]) == {"p50_ms", "p95_ms", "p50_ms_10k", "p50_ms_100k"}
    for key in ("indexing_chunks_per_s", "serve_ready_s", "peak_rss_mb", "seconds"):
        assert key in r
    # The default model is small: it words no interviewer line, so no turn waits on it.
    assert r["turns"]["ttft_first_s"] is None and r["turns"]["turns"] == 0
    assert set(r["send_to_reply"]) == {"p50_s", "p95_s", "turns"} and r["send_to_reply"]["turns"] == 10
    numbers = [
        r["generation"]["pipeline_tokens_per_s"],
        r["generation"]["direct_tokens_per_s"],
        r["send_to_reply"]["p50_s"],
        r["send_to_reply"]["p95_s"],
        r["retrieval"]["p50_ms"],
        r["retrieval"]["p50_ms_10k"],
        r["indexing_chunks_per_s"],
        r["serve_ready_s"],
        r["peak_rss_mb"],
    ]
    assert all(isinstance(n, (int, float)) and n > 0 for n in numbers), r
    assert r["retrieval"]["p50_ms_100k"] is None and r["quick"] is True
    speech = r["speech"]  # espeak-ng is installed by make test
    assert set(speech) == {
        "load_s",
        "audio_s",
        "transcribe_and_analyse_s",
        "per_60s_s",
        "real_time_factor",
        "peak_rss_mb",
    }
    assert all(isinstance(v, (int, float)) and v > 0 for v in speech.values()), speech
    assert 40 <= speech["audio_s"] <= 120, "about a minute of speech"
