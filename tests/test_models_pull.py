"""`coach models`: pull from a loopback stand-in for the Hugging Face hub, then use, ask, list and remove.

The server (standard library, in a thread, on 127.0.0.1) serves the embedded model's real GGUF under
``/{repo}/resolve/{revision}/{filename}``. Like the hub, it answers there with a redirect to a
"CDN" path and carries the file's sha256 in ``X-Linked-Etag`` and its size in ``X-Linked-Size``;
the CDN path honours Range requests and carries an ETag that is not the sha256, so the client must
read the hub's headers before the redirect. The embedded file stands in for every catalogue file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import run_coach

from coach.config import Settings
from coach.model.model_files import default_model_path

QWEN = ("Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf")
CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


class FakeHub:
    """What the tests can make the server do, and what it was asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.sha = sha256_of(path)
        self.files: dict[str, Path] = {}
        self.requests: list[tuple[str, str, str | None]] = []
        self.reset()

    def reset(self) -> None:
        self.requests.clear()
        self.drop_first_get_after: int | None = None  # the first CDN GET sends this many bytes, then closes
        self.empty_drops = 0  # then this many CDN GETs close before sending any byte
        self.reported_sha: str | None = None  # a sha256 to report instead of the real one
        self.no_sha = False  # report no sha256 at all, like a plain file server
        self.serve(*QWEN)

    def serve(self, repo: str, filename: str, revision: str = "main") -> str:
        path = f"/{repo}/resolve/{revision}/{filename}"
        self.files[path] = self.path
        return path

    def gets(self) -> list[str | None]:
        """The Range header of every GET of the file's bytes (None: the whole file)."""
        return [rng for method, path, rng in self.requests if method == "GET" and path.startswith("/cdn/")]


def make_handler(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self.answer(head=True)

        def do_GET(self) -> None:
            self.answer(head=False)

        def answer(self, head: bool) -> None:
            hub.requests.append((self.command, self.path, self.headers.get("Range")))
            if self.path in hub.files:  # the hub: a redirect carrying the LFS file's sha256 and size
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/cdn{self.path}")
                etag = '"a-git-blob-id"' if hub.no_sha else f'"{hub.reported_sha or hub.sha}"'
                if not hub.no_sha:
                    self.send_header("X-Linked-Etag", etag)
                self.send_header("X-Linked-Size", str(hub.size))
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            source = hub.files.get(self.path.removeprefix("/cdn"))
            if not self.path.startswith("/cdn/") or source is None:
                body = b"Entry not found"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return
            start = 0
            rng = self.headers.get("Range")
            if rng:
                start = int(rng.removeprefix("bytes=").split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{hub.size - 1}/{hub.size}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(hub.size - start))
            self.send_header("ETag", '"cdn-etag-not-a-sha"')
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if head:
                return
            limit = None
            if hub.drop_first_get_after is not None:
                limit, hub.drop_first_get_after = hub.drop_first_get_after, None
            elif hub.empty_drops:
                hub.empty_drops -= 1
                limit = 0
            sent = 0
            with source.open("rb") as fh:
                fh.seek(start)
                while block := fh.read(CHUNK):
                    if limit is not None and sent + len(block) > limit:
                        self.wfile.write(block[: limit - sent])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(block)
                    sent += len(block)

    return Handler


@pytest.fixture(scope="module")
def hub_server():
    hub = FakeHub(default_model_path())
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(hub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub.endpoint = f"http://127.0.0.1:{server.server_port}"
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hub(hub_server):
    hub_server.reset()
    return hub_server


def coach_models(hub: FakeHub, home: Path, *args: str, env: dict | None = None):
    return run_coach("models", *args, home=home, env={"COACH_HF_ENDPOINT": hub.endpoint, **(env or {})}, timeout=300)


def leftovers(home: Path) -> list[str]:
    folder = home / "models"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_pull_by_catalogue_name_then_use_and_ask_through_the_pulled_file(hub, indexed_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--json")
    assert out.returncode == 0, out.stderr
    pulled = json.loads(out.stdout)
    target = home / "models" / "qwen2.5-0.5b.gguf"
    assert pulled["path"] == str(target) and pulled["verified_against"] == "hub"
    assert pulled["sha256"] == hub.sha == sha256_of(target)
    assert leftovers(home) == ["qwen2.5-0.5b.gguf", "qwen2.5-0.5b.json"]
    assert ("HEAD", f"/{QWEN[0]}/resolve/main/{QWEN[1]}", None) in hub.requests
    assert hub.gets() == [None]

    out = coach_models(hub, home, "use", "qwen2.5-0.5b")
    assert out.returncode == 0, out.stderr
    assert json.loads((home / "settings.json").read_text()) == {"model": str(target)}

    doctor = run_coach("doctor", "--json", home=home)
    report = json.loads(doctor.stdout)
    assert report["model"]["path"] == str(target), doctor.stderr
    assert [m["name"] for m in report["models"]] == ["qwen2.5-0.5b"] and report["model"]["memory_needed_gb"] > 0

    listed = json.loads(coach_models(hub, home, "list", "--json").stdout)
    assert listed["in_use"] == {"kind": "file", "path": str(target), "source": "settings"}
    row = next(r for r in listed["models"] if r["name"] == "qwen2.5-0.5b")
    assert row["installed"] and row["in_use"] and row["path"] == str(target)

    ask = run_coach("ask", "How do I stop rambling in my answers?", "--json", home=home)
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["answer"].strip()

    # The ask really loads the pulled file: spoil it (same size, no GGUF header) and the ask names it.
    with target.open("r+b") as fh:
        fh.write(b"JUNK")
    spoiled = run_coach("ask", "How do I stop rambling in my answers?", "--json", home=home)
    assert spoiled.returncode == 2 and f"{target} is not a GGUF model file" in spoiled.stderr


def test_a_wrong_sha256_given_by_the_user_is_refused_before_downloading(hub, tmp_path):
    home = tmp_path / "home"
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--sha256", "0" * 64)
    assert out.returncode == 2
    assert "reports sha256" in out.stderr and "nothing was downloaded" in out.stderr
    assert leftovers(home) == [] and hub.gets() == []


def test_without_any_known_sha256_the_pull_needs_one_from_the_user(hub, tmp_path):
    home = tmp_path / "home"
    hub.no_sha = True
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b")
    assert out.returncode == 2 and "No sha256 is known" in out.stderr and "--sha256" in out.stderr
    assert leftovers(home) == [] and hub.gets() == []
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--sha256", hub.sha.upper(), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["verified_against"] == "--sha256"


def test_a_file_that_does_not_match_its_checksum_is_deleted(hub, tmp_path):
    home = tmp_path / "home"
    hub.reported_sha = hashlib.sha256(b"another file").hexdigest()  # the transfer "corrupts" the file
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b")
    assert out.returncode == 2
    assert f"sha256 is {hub.sha}" in out.stderr and "it was deleted" in out.stderr
    assert hub.gets() == [None]  # it was downloaded, checked, and nothing is left
    assert leftovers(home) == []


def test_a_dropped_connection_resumes_from_the_bytes_already_there(hub, tmp_path):
    home = tmp_path / "home"
    half = hub.size // 2
    hub.drop_first_get_after = half
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--name", "tiny", "--json")
    assert out.returncode == 0, out.stderr
    assert "connection dropped" in out.stderr
    assert hub.gets() == [None, f"bytes={half}-"]
    assert sha256_of(home / "models" / "tiny.gguf") == hub.sha
    assert leftovers(home) == ["tiny.gguf", "tiny.json"]


def test_an_interrupted_pull_keeps_only_a_partial_that_the_same_command_resumes(hub, tmp_path):
    home = tmp_path / "home"
    third = hub.size // 3
    hub.drop_first_get_after = third
    hub.empty_drops = 10  # every retry fails without a byte
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--name", "tiny")
    assert out.returncode == 2
    assert "interrupted" in out.stderr and "Run the same command again to resume" in out.stderr
    assert leftovers(home) == ["tiny.partial", "tiny.partial.json"]  # never *.gguf: cannot be used as a model
    assert (home / "models" / "tiny.partial").stat().st_size == third
    listed = json.loads(coach_models(hub, home, "list", "--json").stdout)
    assert not any(r["name"].startswith("tiny") for r in listed["models"])

    hub.reset()
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--name", "tiny", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["resumed_from"] == third
    assert hub.gets() == [f"bytes={third}-"]
    assert sha256_of(home / "models" / "tiny.gguf") == hub.sha
    assert leftovers(home) == ["tiny.gguf", "tiny.json"]


def test_a_missing_file_is_a_plain_404(hub, tmp_path):
    home = tmp_path / "home"
    out = coach_models(hub, home, "pull", f"{hub.endpoint}/someone/nothing-GGUF/resolve/main/missing.gguf")
    assert out.returncode == 2
    assert "Not found (404)" in out.stderr and "Traceback" not in out.stderr
    out = coach_models(hub, home, "pull", "llama-3.2-1b")  # in the catalogue, not on this server
    assert out.returncode == 2 and "Not found (404)" in out.stderr
    assert leftovers(home) == [] and hub.gets() == []


def test_a_file_too_big_for_the_free_disk_is_refused_first(hub, tmp_path):
    home = tmp_path / "home"
    out = coach_models(hub, home, "pull", "qwen2.5-0.5b", env={"COACH_DISK_LIMIT_BYTES": str(hub.size // 10)})
    assert out.returncode == 2
    assert "Not enough disk space" in out.stderr
    assert leftovers(home) == [] and hub.gets() == []


def test_list_json_shape(hub, tmp_path):
    home = tmp_path / "home"
    out = coach_models(hub, home, "list", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {"home", "models_dir", "free_memory_bytes", "in_use", "bench", "models"}
    assert report["in_use"]["kind"] == "embedded" and report["bench"] is None
    rows = {r["name"]: r for r in report["models"]}
    assert {"qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-3b", "llama-3.2-1b", "llama-3.2-3b"} <= set(rows)
    assert {"smollm2-135m", "smollm2-360m", "smollm2-1.7b"} <= set(rows)
    assert rows["smollm2-135m"]["in_use"] and rows["smollm2-135m"]["catalogue"]["bundled"]
    for row in rows.values():
        assert set(row) == {
            "name",
            "installed",
            "path",
            "size_bytes",
            "memory_bytes",
            "fits",
            "in_use",
            "speed",
            "catalogue",
        }
        assert isinstance(row["fits"], bool)  # /proc/meminfo on this machine
        entry = row["catalogue"]
        assert entry["memory_gib"] * 2**30 > entry["size_bytes"] and entry["context_length"] >= 2048
        assert entry["licence"] and entry["note"]
        if not entry["bundled"]:
            assert entry["repo"] and entry["file"].endswith(".gguf") and not row["installed"]
            assert entry["pinned"] == (entry["sha256"] is not None)
    text = coach_models(hub, home, "list").stdout
    assert "no bench yet" in text and "qwen2.5-1.5b" in text


def test_remove_refuses_the_model_in_use_and_asks_first(hub, tmp_path):
    home = tmp_path / "home"
    assert coach_models(hub, home, "pull", "qwen2.5-0.5b", "--name", "tiny").returncode == 0
    again = coach_models(hub, home, "pull", "qwen2.5-0.5b", "--name", "tiny")
    assert again.returncode == 0 and "already installed" in again.stdout and hub.gets() == [None]
    listed = json.loads(coach_models(hub, home, "list", "--json").stdout)
    row = next(
        r for r in listed["models"] if r["installed"] and r["catalogue"] and r["catalogue"]["name"] == "qwen2.5-0.5b"
    )
    assert row["name"] == "tiny"  # the name `use` and `remove` take
    assert coach_models(hub, home, "use", "tiny").returncode == 0
    out = coach_models(hub, home, "remove", "tiny", "--yes")
    assert out.returncode == 2 and "is the model in use" in out.stderr
    assert coach_models(hub, home, "use", "embedded").returncode == 0
    assert json.loads((home / "settings.json").read_text()) == {}
    out = coach_models(hub, home, "remove", "tiny")  # no terminal: nothing deleted without --yes
    assert out.returncode == 1 and "Nothing deleted" in out.stdout
    out = coach_models(hub, home, "remove", "tiny", "--yes")
    assert out.returncode == 0, out.stderr
    assert leftovers(home) == []
    assert coach_models(hub, home, "remove", "tiny", "--yes").returncode == 2


def test_plain_http_elsewhere_needs_a_known_sha256(tmp_path):
    from coach.errors import InputError
    from coach.model.hub import pull

    with pytest.raises(InputError, match="plain http"):
        pull("http://mirror.example/x/y/resolve/main/model.gguf", tmp_path)


def test_settings_file_gives_the_model_below_flags_and_environment(tmp_path, capsys):
    home = tmp_path / "home"
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + bytes(2000))
    (home).mkdir()
    (home / "settings.json").write_text(json.dumps({"model": str(model)}))
    s = Settings.load({"home": home}, env={})
    assert s.model_path == model and s.model_source == "settings"
    assert Settings.load({"home": home}, env={"COACH_MODEL": "/x.gguf"}).model_source == "env"
    assert Settings.load({"home": home, "model_path": Path("/y.gguf")}, env={}).model_path == Path("/y.gguf")

    (home / "settings.json").write_text("{not json")
    s = Settings.load({"home": home}, env={})
    assert s.model_path is None and s.model_source == "default"
    assert "not a valid settings file" in capsys.readouterr().err

    (home / "settings.json").write_text(json.dumps({"model": str(tmp_path / "gone.gguf")}))
    assert Settings.load({"home": home}, env={}).model_path is None
    assert "no longer exists" in capsys.readouterr().err


def test_list_shows_the_bench_speed_measured_and_scaled_by_size(tmp_path):
    from coach.model.hub import record_bench
    from coach.model.hub.overview import overview

    settings = Settings.load({"home": tmp_path / "home"}, env={})
    assert record_bench(settings, {"quick": True, "generation": {"direct_tokens_per_s": 70.0}}) is not None
    rows = {r["name"]: r for r in overview(settings)["models"]}
    assert rows["smollm2-135m"]["speed"]["measured"] and rows["smollm2-135m"]["speed"]["tokens_per_s"] == 70.0
    scaled = rows["qwen2.5-1.5b"]["speed"]
    embedded = default_model_path().stat().st_size
    assert not scaled["measured"] and scaled["tokens_per_s"] == pytest.approx(70 * embedded / 1117320736, abs=0.1)


def test_doctor_warns_when_the_model_in_use_does_not_fit_free_memory(tmp_path, monkeypatch):
    from coach.config import Settings
    from coach.interfaces.doctor import format_report, installed_models
    from coach.model.model_files import default_model_path

    settings = Settings.load({"home": tmp_path / "home"}, env={})
    model = {"path": str(default_model_path())}
    monkeypatch.setattr("coach.model.sysinfo.available_memory_bytes", lambda: 50 * 2**20)  # 50 MB free
    models, warnings = installed_models(settings, model)
    assert models == [] and len(warnings) == 1 and "coach models use NAME" in warnings[0]
    monkeypatch.setattr("coach.model.sysinfo.available_memory_bytes", lambda: 16 * 2**30)
    assert installed_models(settings, dict(model))[1] == []
    text = format_report(
        {
            "coach": "x",
            "python": "3",
            "threads": 2,
            "versions": {},
            "model": {"backend": "llama.cpp", "path": "m"},
            "embedding": {"name": "e"},
            "speech": {"default": True, "path": "w", "joined": False},
            "models": [],
            "store": {"kind": "persistent", "location": "l", "passages": 1},
            "home": "h",
            "network": {"would_reach_network": False},
            "problems": [],
            "warnings": warnings,
        }
    )
    assert "Warnings:" in text and "All good." in text
