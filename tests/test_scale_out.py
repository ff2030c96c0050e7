"""Scale-out: two `coach serve` instances sharing one Chroma server and one OpenAI-compatible model server."""

import os
import re
import subprocess

import pytest
from conftest import BIN, free_port, stop, wait_for_http

from coach.app import build
from coach.config import Settings

pytestmark = [pytest.mark.server, pytest.mark.model]


def test_two_instances_share_one_store_and_one_model_server(chroma_server, llama_server, tmp_path, embedder):
    shared = Settings.load({"home": tmp_path / "indexer", "chroma_url": chroma_server}, env={})
    build(shared, embedder=embedder).index()

    procs, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"serve-{name}.log", "w")
            procs.append(
                (
                    subprocess.Popen(
                        [
                            str(BIN / "coach"),
                            "serve",
                            "--port",
                            str(port),
                            "--chroma-url",
                            chroma_server,
                            "--llm-url",
                            llama_server,
                        ],
                        env=dict(os.environ, COACH_HOME=str(tmp_path / f"home-{name}")),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
            urls.append(f"http://127.0.0.1:{port}/")
        for (proc, _), url in zip(procs, urls):
            wait_for_http(url, 120, proc)

        from gradio_client import Client

        for url, owner in zip(urls, ("owner-a", "owner-b")):
            client = Client(url, verbose=False)
            chat, notice, box = client.predict(
                owner, "How do I calm my nerves before an interview?", [], None, api_name="/ask"
            )
            answer = next(m for m in chat if m["role"] == "assistant")
            assert re.search(r"\[\d\]", str(answer["content"])), chat
            assert any("knowledge/" in str(m.get("metadata") or "") for m in chat), "sources listed under the answer"
        for name in ("a", "b"):
            assert (tmp_path / f"home-{name}" / "sessions.db").exists(), "each instance keeps its own sessions"
            assert not (tmp_path / f"home-{name}" / "chroma").exists(), (
                "the store is the shared server, not a local copy"
            )
    finally:
        for proc, log in procs:
            stop(proc)
            log.close()
