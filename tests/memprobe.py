"""Memory probe for issue 17: what does a served coach hold after many concurrent asks?

Serves a home (a copy of an indexed store) with `coach serve` in a subprocess, fires rounds of
concurrent asks through the page's API (gradio_client, api name "/ask") and reads the server's
VmRSS between rounds. Not a test (pytest does not collect it); run it by hand:

    PYTHONPATH=. .venv/bin/python tests/memprobe.py [--store DIR/chroma] [--asks 30] [--rounds 2]
        [--env KEY=VALUE ...] [--diag] [--label TEXT]

Without --store, a home is indexed first with `coach index` (a minute). --env passes variables to
the server only (e.g. MALLOC_ARENA_MAX=2). --diag injects a small sitecustomize into the server
that, when the probe asks, writes what it holds: llama.cpp's state cache (states, their counted
llama_state bytes and their uncounted `scores` arrays), threads, Gradio's per-session state, glibc's
mallinfo2; and what RSS falls to after gc.collect(), malloc_trim(0), and emptying the state cache.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from conftest import BIN, free_port, stop, wait_for_http  # noqa: E402

QUESTIONS = [
    "How do I calm my nerves before an interview?",
    "How should I follow up after an interview?",
    "What do I say when asked about my greatest weakness?",
    "How do I answer 'tell me about yourself'?",
    "How do I talk about a gap in my CV?",
    "How do I negotiate salary after an offer?",
    "What questions should I ask the interviewer at the end?",
    "How do I structure a behavioral answer with STAR?",
    "How do I explain why I left my last job?",
    "How should I prepare for a technical interview?",
    "What if I do not know the answer to a question?",
    "How do I research a company before the interview?",
    "How do I handle a panel interview?",
    "How can I show leadership without a manager title?",
    "How long should my answers be?",
    "How do I recover after a bad answer during the interview?",
    "How do I answer questions about conflict with a colleague?",
    "What should I wear to a video interview?",
    "How do I talk about a failure?",
    "How do I prepare for a case interview?",
    "How do I ask for feedback after a rejection?",
    "How do I describe my strengths without bragging?",
    "How do I answer 'where do you see yourself in five years'?",
    "How do I handle an aggressive interviewer?",
    "How do I show enthusiasm for the role?",
    "How do I explain a career change?",
    "How do I prepare stories for behavioral questions?",
    "What do I do if I freeze in the middle of an answer?",
    "How do I answer 'why should we hire you'?",
    "How do I write a thank-you note after the interview?",
]

SITECUSTOMIZE = r"""
import os, threading, time, json

def _coach_memdiag():
    trigger = os.environ["COACH_MEMDIAG"]

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

    def mallinfo():
        import ctypes
        class M(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in
                        ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                         "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = M
        m = libc.mallinfo2()
        mb = lambda v: round(v / 2**20, 1)
        return {"arena_mb": mb(m.arena), "mmap_mb": mb(m.hblkhd), "in_use_mb": mb(m.uordblks),
                "free_in_arenas_mb": mb(m.fordblks), "mmap_chunks": m.hblks}

    def report(actions):
        import gc, ctypes, collections
        out = {"rss_mb": round(rss_mb(), 1)}
        names = collections.Counter(t.name.rstrip("0123456789-_ ()") for t in threading.enumerate())
        out["threads"] = dict(names)
        try:
            from coach.model.llm import LlamaCppChatModel
            models = [m._llm for m in LlamaCppChatModel._instances.values() if m._llm is not None]
        except Exception:
            models = []
        caches = []
        for llm in models:
            c = llm.cache
            states = list(getattr(c, "cache_state", {}).values()) if c is not None else []
            caches.append({
                "kind": type(c).__name__, "capacity_mb": round(getattr(c, "capacity_bytes", 0) / 2**20, 1),
                "states": len(states),
                "llama_state_mb": round(sum(s.llama_state_size for s in states) / 2**20, 1),
                "scores_mb": round(sum(s.scores.nbytes for s in states) / 2**20, 1),
                "counted_mb": round(c.cache_size / 2**20, 1) if c is not None else 0,
                "tokens": [int(s.n_tokens) for s in states],
                "live_scores_mb": round(llm.scores.nbytes / 2**20, 1),
            })
            del states  # "dropcache" below must free them
        out["llama_caches"] = caches
        try:
            from gradio.state_holder import StateHolder
            holders = [o for o in gc.get_objects() if isinstance(o, StateHolder)]
            out["gradio_sessions"] = sum(len(getattr(h, "session_data", {})) for h in holders)
        except Exception as err:
            out["gradio_sessions"] = repr(err)
        out["mallinfo"] = mallinfo()
        for step, action in enumerate(actions, 1):
            if action == "gc":
                gc.collect()
            elif action == "trim":
                ctypes.CDLL("libc.so.6").malloc_trim(0)
            elif action == "dropcache":
                for llm in models:
                    if llm.cache is not None and hasattr(llm.cache, "cache_state"):
                        llm.cache.cache_state.clear()
                gc.collect()
            out[f"rss_after_{step}_{action}_mb"] = round(rss_mb(), 1)
        return out

    def loop():
        while True:
            time.sleep(0.2)
            try:
                with open(trigger) as f:
                    actions = f.read().split()
            except FileNotFoundError:
                continue
            os.unlink(trigger)
            try:
                result = report(actions)
            except Exception as err:
                result = {"error": repr(err)}
            with open(trigger + ".out.tmp", "w") as f:
                json.dump(result, f)
            os.replace(trigger + ".out.tmp", trigger + ".out")

    threading.Thread(target=loop, name="memdiag", daemon=True).start()

if os.environ.get("COACH_MEMDIAG"):
    _coach_memdiag()
"""


def vm(pid: int) -> dict:
    out = {}
    for line in open(f"/proc/{pid}/status"):
        key = line.split(":")[0]
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
            value = line.split()[1]
            out[key] = int(value) // 1024 if key != "Threads" else int(value)
    return out


def diag(trigger: Path, actions: str = "") -> dict:
    out = Path(str(trigger) + ".out")
    out.unlink(missing_ok=True)
    trigger.write_text(actions)
    deadline = time.monotonic() + 60
    while not out.exists():
        if time.monotonic() > deadline:
            return {"error": "no answer from the server's diagnostics"}
        time.sleep(0.1)
    return json.loads(out.read_text())


def index_home(home: Path, env: dict) -> None:
    run = subprocess.run([str(BIN / "coach"), "index"], env=dict(env, COACH_HOME=str(home)), capture_output=True)
    if run.returncode:
        sys.exit(f"coach index failed: {run.stderr.decode()[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="an indexed store (a home's chroma/ folder) to copy")
    ap.add_argument("--asks", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server only")
    ap.add_argument("--diag", action="store_true", help="inject the diagnostics hook and report what it sees")
    ap.add_argument("--label", default="")
    ap.add_argument("--keep", type=Path, help="keep the served home here (default: a temporary folder)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="memprobe-"))
    home = args.keep or work / "home"
    env = dict(os.environ)
    env.pop("COACH_HOME", None)
    if args.store:
        shutil.copytree(args.store, home / "chroma")
    else:
        index_home(home, env)
    server_env = dict(kv.split("=", 1) for kv in args.env)
    trigger = work / "diag"
    if args.diag:
        (work / "site").mkdir()
        (work / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
        server_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work / "site"), env.get("PYTHONPATH")]))
        server_env["COACH_MEMDIAG"] = str(trigger)

    port = free_port()
    log = open(work / "serve.log", "w")
    proc = subprocess.Popen(
        [str(BIN / "coach"), "serve", "--port", str(port)],
        env=dict(env, COACH_HOME=str(home), **server_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    report: dict = {"label": args.label, "env": args.env, "asks": args.asks, "rounds": []}
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, 120, proc)
        from gradio_client import Client

        def ask(i: int) -> float:
            start = time.perf_counter()
            q = QUESTIONS[i % len(QUESTIONS)]
            Client(url, verbose=False).predict(f"probe-{i}", q, [], None, api_name="/ask")
            return time.perf_counter() - start

        ask(0)  # warm-up: the models are loaded and one ask has run
        report["after_warmup"] = vm(proc.pid)
        print(f"after warm-up ask: {report['after_warmup']}", flush=True)
        for r in range(args.rounds):
            start = time.perf_counter()
            with ThreadPoolExecutor(args.asks) as pool:
                times = list(pool.map(ask, range(r * args.asks, (r + 1) * args.asks)))
            row = {"round": r + 1, "seconds": round(time.perf_counter() - start, 1), "slowest_s": round(max(times), 1)}
            time.sleep(2)
            row.update(vm(proc.pid))
            report["rounds"].append(row)
            print(f"after round {r + 1} ({args.asks} concurrent asks): {row}", flush=True)
        if args.diag:
            report["diag"] = diag(trigger, "gc trim dropcache trim")
            print("diagnostics:", json.dumps(report["diag"]), flush=True)
    finally:
        stop(proc)
        log.close()
    print(json.dumps(report))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
