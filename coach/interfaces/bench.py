"""`coach bench`: speed and memory on this machine, measured (never asserted in tests).

Keys of the JSON object (goals in brackets, for 2 cores and the default model):
generation.pipeline_tokens_per_s / direct_tokens_per_s (ratio >= 0.95),
turns.ttft_first_s / ttft_last_s (ratio <= 1.2), retrieval.p50_ms / p95_ms /
p50_ms_10k / p50_ms_100k (15 and 25 ms at p50), indexing_chunks_per_s (>= 150),
serve_ready_s (<= 8), send_to_reply.p50_s / p95_s (the page's Send to the interviewer's reply over
10 answers, through its HTTP API: p50 <= 0.9 s, at most 2 s), peak_rss_mb (<= 1200),
speech.load_s / audio_s / transcribe_and_analyse_s / per_60s_s (a 60-second answer transcribed and
analysed in <= 9 s) / real_time_factor / peak_rss_mb (the whole process, the speech model loaded last),
seconds.

The spoken answer is made by espeak-ng (Debian's, installed by `make test`); without it the speech
figures are None and the table says how to get them.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

PROMPT = [
    {"role": "system", "content": "You are a calm, practical interview coach. Answer in three short sentences."},
    {
        "role": "user",
        "content": "I froze when they asked about my greatest weakness. How do I prepare for that question next time?",
    },
]
TURN_ANSWERS = [
    "At my last job as a support lead our backlog had grown to 400 tickets. I was responsible for "
    "cutting it. I set up daily triage and wrote templates. After four weeks it was down to 80.",
    "In my first month at a logistics firm I found our report double counted returns. I owned the "
    "report, fixed the join and re-ran three months of data. Operations changed their staffing plan.",
    "When two colleagues disagreed about a release date I met both, compared the risks and proposed "
    "a smaller first release. We shipped on time and the second part followed two weeks later.",
    "I led a migration of 12,000 customer records. My task was to finish in eight weeks. "
    "I planned batches and tested each one. We finished a week early with no data loss.",
    "A customer was angry about a late delivery. I listened, apologised, found the parcel "
    "and arranged a courier. She received it the next morning and left a five-star review.",
    "I noticed new starters took a month to learn the tills. I wrote a checklist "
    "and shadowed them. New starters now work alone after nine days on average.",
    "I volunteered to organise our team's quarterly planning. I gathered priorities, "
    "ran the workshop and wrote the plan. The team hit 9 of its 10 goals that quarter.",
]


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q * (len(values) - 1)))))
    return values[k]


class TimedModel:
    """Wraps a chat model and records, for every call, the time until the model's first token.

    The time is taken on the raw token stream, before the guard that releases text a
    sentence at a time, so it measures the model (prompt reading included), not the
    length of the first sentence.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.ttfts: list[float] = []
        for name in ("name", "where", "context_size", "small", "answer_style", "stop_tokens"):
            setattr(self, name, getattr(inner, name))

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, messages, sampling=None, on_queued=None) -> Iterator[str]:
        from coach.model.llm import guarded

        start = time.perf_counter()
        args = (messages,) if sampling is None else (messages, sampling)

        def timed() -> Iterator[str]:
            first = True
            for chunk in self.inner.raw_stream(*args, on_queued=on_queued):
                if first:
                    self.ttfts.append(time.perf_counter() - start)
                    first = False
                yield chunk

        return guarded(timed())


def generation(coach, report: Callable[[str], None], repeats: int = 3) -> dict[str, float]:
    from coach.model.llm import DEFAULT_SAMPLING

    model = coach.chat_model
    sampling = DEFAULT_SAMPLING

    def rate(chunks: Iterator[str]) -> float:
        start = time.perf_counter()
        first_at = None
        text = ""
        for c in chunks:
            if first_at is None:
                first_at = time.perf_counter()
            text += c
        end = time.perf_counter()
        tokens = model.count_tokens(text)
        return tokens / max(1e-6, end - (first_at or start)) if tokens > 1 else 0.0

    report("generation: warming up")
    "".join(model.stream(PROMPT, sampling))
    direct = []
    pipeline = []
    for _ in range(repeats):
        direct.append(rate(model.raw_stream(PROMPT, sampling)))  # the model's own tokens, unguarded
        pipeline.append(rate(model.stream(PROMPT, sampling)))
    report("generation: done")
    return {
        "pipeline_tokens_per_s": round(statistics.median(pipeline), 1),
        "direct_tokens_per_s": round(statistics.median(direct), 1),
    }


def turns(coach, report: Callable[[str], None], repeats: int = 1) -> dict[str, float]:
    """Time to first token on turns 1 and 8 of a scripted interview (median over ``repeats`` interviews)."""
    from coach.sessions.interview import InterviewSettings, MockInterview

    if coach.chat_model.small:  # a small model words no interviewer line (see README), so no turn waits on it
        return {"ttft_first_s": None, "ttft_last_s": None, "turns": 0}
    firsts, lasts = [], []
    for repeat in range(repeats):
        timed = TimedModel(coach.chat_model)
        # Each interview is for another role, so its system prompt differs from the first words on
        # and nothing from the previous interview's cache can be reused.
        role = ("support lead", "data analyst", "project manager")[repeat % 3]
        state = MockInterview.new_state(
            InterviewSettings(role=role, kind="behavioral", questions=7, seed=42 + repeat), coach.question_bank
        )
        interview = MockInterview(state, timed, coach.prompts, coach.reviewer)
        turn_ttfts: list[float] = []
        before = len(timed.ttfts)
        list(interview.start())
        turn_ttfts.append(timed.ttfts[before])
        for answer in TURN_ANSWERS:
            before = len(timed.ttfts)
            events = list(interview.answer(answer))
            # The interviewer's line is the last model call of the turn.
            if any(e.kind == "interviewer" for e in events) and len(timed.ttfts) > before:
                turn_ttfts.append(timed.ttfts[-1])
            report(f"turns: {len(turn_ttfts)} of 8 (interview {repeat + 1} of {repeats})")
            if len(turn_ttfts) >= 8:
                break
        firsts.append(turn_ttfts[0])
        lasts.append(turn_ttfts[min(7, len(turn_ttfts) - 1)])
    return {
        "ttft_first_s": round(statistics.median(firsts), 3),
        "ttft_last_s": round(statistics.median(lasts), 3),
        "turns": len(turn_ttfts),
    }


def retrieval_latency(coach, queries: list[str], repeat: int = 3) -> tuple[float, float]:
    times = []
    coach.retriever.search(queries[0])
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            coach.retriever.search(q, k=4)
            times.append((time.perf_counter() - start) * 1000)
    return round(_percentile(times, 0.5), 2), round(_percentile(times, 0.95), 2)


def synthetic_store(coach, size: int, report: Callable[[str], None]):
    """A Coach on a cached synthetic collection of `size` passages (random unit vectors, built once)."""
    from coach.app import build
    from coach.library.chunking import Chunk

    settings = coach.settings.with_(collection=f"bench-synthetic-{size}", chroma_url=None, home=coach.settings.home)
    synthetic = build(settings.with_(home=coach.settings.cache_dir / "bench"), embedder=coach.embedder)
    store = synthetic.store
    have = store.count() if store.collection() is not None else 0
    if have < size:
        report(f"retrieval: building a synthetic store of {size:,} passages (cached for next time)")
        store.drop()
        rng = random.Random(size)
        dim = coach.embedder.dimension
        batch = 5000
        words = (
            "interview answer practise nerves panel feedback salary research company role team project result".split()
        )
        for start in range(0, size, batch):
            chunks, vectors = [], []
            for i in range(start, min(size, start + batch)):
                v = [rng.gauss(0, 1) for _ in range(dim)]
                norm = sum(x * x for x in v) ** 0.5
                vectors.append([x / norm for x in v])
                text = " ".join(rng.choice(words) for _ in range(40))
                chunks.append(Chunk(f"syn{i}", text, "synthetic", "/synthetic", "Synthetic", f"h{i}", "advice", "", i))
            store.add(chunks, vectors)
            report(f"retrieval: {min(size, start + batch):,}/{size:,} synthetic passages")
        store.bump_revision()
    return synthetic


def indexing_rate(coach, report: Callable[[str], None]) -> float:
    from coach.app import build
    from coach.library.store import make_client

    client = make_client(None, None, ephemeral=True)
    temp = build(
        coach.settings.with_(collection=f"bench{uuid.uuid4().hex[:8]}"),
        embedder=coach.embedder,
        chroma_client_factory=lambda: client,
    )
    report("indexing: embedding the shipped knowledge from scratch")
    start = time.perf_counter()
    stats = temp.index()
    seconds = time.perf_counter() - start
    vectors = temp.store.count()
    temp.store.drop()
    return round(vectors / seconds, 1) if stats.chunks else 0.0


@contextlib.contextmanager
def served(coach, report: Callable[[str], None]) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """``coach serve`` on a free loopback port for this coach's home: (url, process, start time)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, COACH_HOME=str(coach.settings.home))
    exe = Path(sys.executable).parent / "coach"
    cmd = [
        str(exe) if exe.exists() else sys.executable,
        *([] if exe.exists() else ["-m", "coach.interfaces.cli"]),
        "serve",
        "--port",
        str(port),
    ]
    if coach.settings.llm_url:
        cmd += ["--llm-url", coach.settings.llm_url]
    if coach.settings.model_path:
        cmd += ["--model", str(coach.settings.model_path)]
    report("serve: starting coach serve")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}/", proc, start
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for_page(url: str, proc: subprocess.Popen, start: float, limit: float = 120) -> float:
    import httpx

    while time.perf_counter() - start < limit:
        if proc.poll() is not None:
            return -1.0
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return round(time.perf_counter() - start, 2)
        except httpx.HTTPError:
            time.sleep(0.1)
    return -1.0


def serve_ready(coach, report: Callable[[str], None]) -> float:
    with served(coach, report) as (url, proc, start):
        return _wait_for_page(url, proc, start)


def send_to_reply(coach, report: Callable[[str], None], turns: int = 10) -> dict[str, Any]:
    """Seconds from Send to the interviewer's reply on the page, through its HTTP API (gradio_client),
    over a ``turns``-answer interview: p50 and p95. The first answer waits for nothing to load: the
    page is warmed up with one interview start first."""
    from gradio_client import Client

    with served(coach, report) as (url, proc, start):
        if _wait_for_page(url, proc, start) < 0:
            return {"p50_s": None, "p95_s": None, "turns": 0}
        client = Client(url, verbose=False, httpx_kwargs={"timeout": 600})
        owner = f"bench-{uuid.uuid4().hex[:8]}"
        times: list[float] = []
        while len(times) < turns:
            chat = client.predict(owner, "", "mid", "behavioral", "neutral", 12, "", api_name="/interview_start")[0]
            card = ""
            for answer in TURN_ANSWERS * 2:
                t = time.perf_counter()
                chat, _, card, _, _ = client.predict(answer, chat, api_name="/interview_answer")
                times.append(time.perf_counter() - t)
                report(f"send to reply: {len(times)} of {turns}")
                if card or len(times) >= turns:
                    break
    return {
        "p50_s": round(statistics.median(times), 2),
        "p95_s": round(_percentile(times, 95), 2),
        "turns": len(times),
    }


def speech(coach, report: Callable[[str], None]) -> dict[str, Any]:
    """A spoken answer of about a minute: the speech model's first-use load, then transcription and
    analysis as the page does them, scaled to 60 s of audio."""
    import shutil
    import tempfile

    from coach.model.sysinfo import peak_rss_mb
    from coach.speech.spoken import hear, merge_delivery

    empty = dict.fromkeys(("load_s", "audio_s", "transcribe_and_analyse_s", "per_60s_s", "real_time_factor"))
    if shutil.which("espeak-ng") is None:
        return empty | {"peak_rss_mb": None, "note": "espeak-ng is not installed (apt-get install espeak-ng)"}
    report("speech: a one-minute answer, transcribed and analysed")
    text = " ".join(TURN_ANSWERS[:5])
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "answer.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), text], check=True, timeout=120)
        transcriber = coach.transcriber
        start = time.perf_counter()
        transcriber.load()
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        spoken = hear(transcriber, wav)
        question = "Tell me about a time you solved a problem at work."
        review = coach.reviewer.review(question, spoken.text).public()
        merge_delivery(review, spoken.delivery, tipbook=coach.reviewer.tipbook)
        took = time.perf_counter() - start
    audio = spoken.delivery.get("duration_s") or 1.0
    return {
        "load_s": round(load_s, 2),
        "audio_s": round(audio, 1),
        "transcribe_and_analyse_s": round(took, 2),
        "per_60s_s": round(took * 60 / audio, 2),
        "real_time_factor": round(took / audio, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def run(coach, quick: bool = False, report: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    from coach.model.sysinfo import peak_rss_mb

    started = time.perf_counter()
    if coach.store.count() == 0:
        coach.index()
    out: dict[str, Any] = {"quick": quick, "machine": {"cores": os.cpu_count(), "threads": coach.settings.n_threads}}
    out["generation"] = generation(coach, report, repeats=1 if quick else 3)
    out["turns"] = turns(coach, report, repeats=1 if quick else 3)
    queries = [
        "I froze when they asked about my weaknesses",
        "should I email them to ask why",
        "how do I stop rambling",
        "what do I wear to a video interview",
        "they never called back",
        "how do I answer tell me about yourself",
        "I badmouthed my old boss",
        "how do I calm my nerves",
        "what questions should I ask them",
        "how long should my answers be",
    ]
    p50, p95 = retrieval_latency(coach, queries)
    retrieval: dict[str, Any] = {"p50_ms": p50, "p95_ms": p95}
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    for size, key in ((10_000, "p50_ms_10k"), (100_000, "p50_ms_100k")):
        if quick and size > 10_000:
            retrieval[key] = None
            continue
        synthetic = synthetic_store(coach, size, report)
        retrieval[key] = retrieval_latency(synthetic, queries, repeat=2)[0]
    out["retrieval"] = retrieval
    out["indexing_chunks_per_s"] = indexing_rate(coach, report)
    out["serve_ready_s"] = serve_ready(coach, report)
    out["send_to_reply"] = send_to_reply(coach, report)
    out["speech"] = speech(coach, report)  # last: its model's memory is added to the peak above
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def format_table(r: dict[str, Any]) -> str:
    g, t, q = r["generation"], r["turns"], r["retrieval"]
    ratio = g["pipeline_tokens_per_s"] / g["direct_tokens_per_s"] if g["direct_tokens_per_s"] else 0
    rows = [
        ("generation, coach pipeline", f"{g['pipeline_tokens_per_s']} tokens/s", ""),
        (
            "generation, llama-cpp-python direct",
            f"{g['direct_tokens_per_s']} tokens/s",
            f"ratio {ratio:.2f} (goal >= 0.95)",
        ),
    ]
    if t["ttft_first_s"] is not None:
        rows.append(
            (
                "first token, turn 1 / turn 8",
                f"{t['ttft_first_s']} s / {t['ttft_last_s']} s",
                f"ratio {t['ttft_last_s'] / max(1e-6, t['ttft_first_s']):.2f} (goal <= 1.2)",
            )
        )
    rows += [
        ("retrieval, shipped knowledge", f"p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms", "goal 15 ms at p50"),
        ("retrieval, 10,000 passages", f"p50 {q['p50_ms_10k']} ms", "goal 15 ms"),
        (
            "retrieval, 100,000 passages",
            f"p50 {q['p50_ms_100k']} ms" if q["p50_ms_100k"] is not None else "skipped (--quick)",
            "goal 25 ms",
        ),
        ("indexing", f"{r['indexing_chunks_per_s']} chunks/s", "goal >= 150"),
        ("coach serve until the page answers", f"{r['serve_ready_s']} s", "goal <= 8 s"),
        (
            "page: Send to reply, 10 answers",
            f"p50 {r['send_to_reply']['p50_s']} s, p95 {r['send_to_reply']['p95_s']} s",
            "goal p50 <= 0.9 s, at most 2 s",
        ),
        ("peak memory", f"{r['peak_rss_mb']} MB", "goal <= 1,200 MB"),
    ]
    sp = r.get("speech") or {}
    if sp.get("per_60s_s") is not None:
        rows += [
            ("speech model, first use", f"{sp['load_s']} s", ""),
            (
                "spoken answer: transcribed + analysed",
                f"{sp['per_60s_s']} s per 60 s (RTF {sp['real_time_factor']})",
                "goal <= 9 s per 60 s",
            ),
            ("peak memory, speech model loaded", f"{sp['peak_rss_mb']} MB", ""),
        ]
    else:
        rows.append(("spoken answer", "not measured", sp.get("note", "")))
    width = max(len(a) for a, _, _ in rows)
    lines = [f"{a:<{width}}  {b:<28} {c}" for a, b, c in rows]
    lines.append(f"(measured in {r['seconds']} s)")
    return "\n".join(lines)
