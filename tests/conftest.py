"""Shared fixtures: real embedding model, real Chroma (embedded, ephemeral and server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from coach.offline import go_offline

go_offline()

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BIN = Path(sys.executable).parent


# Debian's chromium, never a downloaded browser. It resolves no names at all: everything it loads is
# on 127.0.0.1, and its own updater once looked up update.googleapis.com.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def last(events):
    """The last value a handler's generator yields."""
    out = None
    for out in events:
        pass
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError as err:
            last = err
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s: {last}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def bare_reviewer(embedder):
    """The answer reviewer with the real embedder and no tips (no store needed)."""
    from coach.feedback.relevance import RelevanceScorer
    from coach.feedback.review import AnswerReviewer

    class NoTips:
        def tips(self, flags):
            return []

        def topic_tip(self, question):
            return None

    return AnswerReviewer(RelevanceScorer(embedder), NoTips())


# One question, always the same plan: the start of an unattended `coach interview`.
ONE_QUESTION = ("interview", "--kind", "behavioral", "--questions", "1", "--seed", "3")


@pytest.fixture(scope="session")
def embedder():
    """The app's own default embedder (ONNX Runtime, exported once into the user's model cache)."""
    from coach.app import build
    from coach.config import Settings

    embedder = build(Settings.load({}, env={})).embedder
    embedder.load()
    assert embedder.backend == "onnxruntime", embedder.backend_note
    return embedder


@pytest.fixture
def settings(tmp_path):
    from coach.config import Settings

    return Settings.load({"home": tmp_path / "home"}, env={})


@pytest.fixture
def ephemeral_coach(settings, embedder):
    """A Coach on a fresh in-memory Chroma collection with the real embedder."""
    import uuid

    from coach.app import build
    from coach.library.store import make_client

    client = make_client(None, None, ephemeral=True)
    return build(
        settings.with_(collection=f"t{uuid.uuid4().hex[:12]}"), embedder=embedder, chroma_client_factory=lambda: client
    )


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory, embedder):
    """A persistent store under a home folder, indexed once from knowledge/."""
    from coach.app import build
    from coach.config import Settings

    home = tmp_path_factory.mktemp("indexed") / "home"
    coach = build(Settings.load({"home": home}, env={}), embedder=embedder)
    coach.index()
    return home


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """`chroma run` on 127.0.0.1 with a fresh data folder; yields its URL."""
    exe = shutil.which("chroma", path=str(BIN)) or shutil.which("chroma")
    if exe is None:
        pytest.fail("the `chroma` command (shipped with chromadb) is not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    log = open(data / "server.log", "w")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


@contextmanager
def coach_served(home: Path, log_path: Path, port: int | None = None, env: dict | None = None):
    """`coach serve` for this home on a loopback port (a free one unless given);
    yields (url, process) once the page answers."""
    port = port or free_port()
    log = open(log_path, "a")
    proc = subprocess.Popen(
        [str(BIN / "coach"), "serve", "--port", str(port)],
        env=dict(os.environ, COACH_HOME=str(home), **(env or {})),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, 120, proc)
        yield url, proc
    finally:
        stop(proc)
        log.close()


def home_with_store(indexed_home: Path, folder: Path) -> Path:
    """A fresh COACH_HOME holding a copy of the indexed store only (no sessions carried over)."""
    home = folder / "home"
    shutil.copytree(indexed_home / "chroma", home / "chroma")
    return home


def run_coach(
    *args: str, home: Path | None = None, env: dict | None = None, input: str | None = None, timeout: float = 600
):
    """Run the real `coach` command in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("COACH_HOME", None)
    if home is not None:
        full_env["COACH_HOME"] = str(home)
    full_env.update(env or {})
    return subprocess.run(
        [str(BIN / "coach"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )


@pytest.fixture
def make_coach(indexed_home, embedder, tmp_path):
    """A Coach reading the shared indexed store, with its own home (sessions) and the given chat model."""
    from coach.app import build
    from coach.config import Settings
    from coach.library.store import make_client

    def factory(chat_model=None, **settings_overrides):
        settings = Settings.load({"home": tmp_path / "home"}, env={}).with_(**settings_overrides)
        return build(
            settings,
            embedder=embedder,
            chroma_client_factory=lambda: make_client(None, indexed_home / "chroma"),
            chat_model=chat_model,
        )

    return factory


def coach_over_document(base, folder: Path, name: str, text: str, chat_model):
    """A Coach whose knowledge is one document written into ``folder``, indexed into ``base``'s
    ephemeral store with its real embedder."""
    from coach.app import build

    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    coach = build(
        base.settings.with_(knowledge_dir=folder),
        embedder=base.embedder,
        chroma_client_factory=lambda: base.store.client,
        chat_model=chat_model,
    )
    coach.index()
    return coach


@pytest.fixture
def page(make_coach, fake_model):
    """The page's handlers over the shared indexed store and the scripted model, models warmed up."""
    from coach.interfaces.page import PageHandlers
    from coach.interfaces.warmup import Warmup

    coach = make_coach(fake_model)
    warmup = Warmup(coach).start()
    warmup.wait()
    return PageHandlers(coach, warmup)


@pytest.fixture
def fake_model():
    from fakes import ScriptedChatModel

    return ScriptedChatModel()


@pytest.fixture(scope="session")
def default_gguf():
    from coach.model.model_files import default_model_path

    return default_model_path()


@pytest.fixture(scope="session")
def llama_server(default_gguf, tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the default model; yields its /v1 URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--n_threads",
            "2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", 120, proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
        log.close()
