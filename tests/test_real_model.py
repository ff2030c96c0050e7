"""The real engines: the embedded GGUF (default and another path), llama-cpp-python's server, and clear errors."""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from conftest import free_port, run_coach

from coach.errors import ModelError
from coach.model.llm import LlamaCppChatModel, OpenAIChatModel, complete

pytestmark = pytest.mark.model
QUESTION = "I froze when they asked about my weaknesses. What should I do next time?"


def check_ask_json(out):
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"answer", "sources", "citations", "session_id"}
    assert result["session_id"], "coach ask saves its question and answer, as the page does"
    assert result["answer"].strip() and result["sources"]
    for s in result["sources"]:
        assert set(s) == {"text", "source", "title", "score", "chunk_id"}
    n = len(result["sources"])
    assert result["citations"] and all(1 <= c["source_index"] <= n for c in result["citations"])
    # Per-passage answers (the small default model) are all supported; a synthesised answer may keep
    # an unsupported citation, marked, so at least one must be supported.
    assert any(c["supported"] for c in result["citations"])
    for i in {c["source_index"] for c in result["citations"]}:
        assert f"[{i}]" in result["answer"]
    return result


def test_ask_with_the_embedded_default_model(indexed_home):
    check_ask_json(run_coach("ask", "--json", QUESTION, home=indexed_home))


def test_ask_with_another_gguf_path(indexed_home, default_gguf, tmp_path):
    other = tmp_path / "models" / "my-coach-model.gguf"
    other.parent.mkdir()
    shutil.copy(default_gguf, other)
    check_ask_json(run_coach("ask", "--json", "--model", str(other), QUESTION, home=indexed_home))
    doctor = json.loads(run_coach("doctor", "--json", "--model", str(other), home=indexed_home).stdout)
    assert doctor["model"]["path"] == str(other) and doctor["model"]["default"] is False


def test_ask_through_an_openai_compatible_server(indexed_home, llama_server):
    check_ask_json(run_coach("ask", "--json", "--llm-url", llama_server, QUESTION, home=indexed_home))


def test_interview_conversation_through_the_server(indexed_home, llama_server, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "At my last job at a bakery chain our online orders kept failing. I was asked to fix the checkout. "
        "I traced the bug to a payment timeout, raised it, and "
        "added a retry. Failed orders fell from 40 a week to 2.\n\n"
        "No questions, thank you.\n"
    )
    out = run_coach(
        "interview",
        "--llm-url",
        llama_server,
        "--kind",
        "behavioral",
        "--questions",
        "1",
        "--seed",
        "3",
        "--answers",
        str(answers),
        "--json",
        home=indexed_home,
    )
    assert out.returncode == 0, out.stderr
    card = json.loads(out.stdout)
    assert len(card["answers"]) == 1 and card["transcript"][0]["role"] == "interviewer"


def test_the_same_conversation_in_process_on_both_engines(default_gguf, llama_server):
    messages = [
        {"role": "system", "content": "You are an interview coach."},
        {"role": "user", "content": "Give one tip for a video interview."},
    ]
    local = LlamaCppChatModel.shared(default_gguf, 4096, 2)
    assert complete(local, messages).strip()
    assert complete(OpenAIChatModel(llama_server), messages).strip()
    assert local.n_threads == 2


def test_concurrent_calls_are_serialised_through_the_gate(default_gguf):
    model = LlamaCppChatModel.shared(default_gguf, 4096, 2)
    messages = [{"role": "user", "content": "Name one thing to bring to an interview."}]
    results, errors = [], []

    def call():
        try:
            results.append(complete(model, messages))
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=call) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(results) == 3 and all(r.strip() for r in results)


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "does not exist"),
        (b"this is a text file, not a model" * 100, "not a GGUF"),
        (b"GGUF" + b"\x00" * 5000, "could not load"),
    ],
)
def test_bad_model_files_give_clear_errors(content, expected, tmp_path, indexed_home):
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError) as err:
        LlamaCppChatModel(path).load()
    assert expected in str(err.value) and err.value.hint
    out = run_coach("ask", "--model", str(path), QUESTION, home=indexed_home)
    assert out.returncode == 2 and expected in out.stderr and "Traceback" not in out.stderr


def test_model_too_large_for_free_memory(default_gguf, monkeypatch):
    import coach.model.sysinfo

    monkeypatch.setattr(coach.model.sysinfo, "available_memory_bytes", lambda: 10_000_000)
    with pytest.raises(ModelError, match="memory"):
        LlamaCppChatModel(default_gguf).load()


def test_unreachable_and_failing_servers_give_clear_errors(indexed_home):
    out = run_coach("ask", "--llm-url", f"http://127.0.0.1:{free_port()}/v1", QUESTION, home=indexed_home)
    assert out.returncode == 2 and "Cannot reach the model server" in out.stderr

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": "model exploded"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(ModelError, match="answered 500"):
            complete(OpenAIChatModel(f"http://127.0.0.1:{server.server_port}"), [{"role": "user", "content": "hi"}])
    finally:
        server.shutdown()


def test_ask_works_with_no_network_at_all(indexed_home):
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for the offline test")
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, COACH_HOME=str(indexed_home))
    proc = subprocess.run(
        ["unshare", "-n", "--", str(Path(sys.executable).parent / "coach"), "ask", "--json", QUESTION],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    check_ask_json(proc)
