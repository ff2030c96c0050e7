"""`coach` commands about the knowledge, the analysis and the machine: index, retrieve, analyze, serve,
bench, doctor."""

from __future__ import annotations

import argparse
import json
import sys

from coach.errors import CoachError
from coach.feedback.flags import label
from coach.interfaces.cli_common import (
    command,
    delivery_line,
    emit_json,
    make_coach,
    read_input_text,
    terminal_progress,
)


@command("index")
def cmd_index(args: argparse.Namespace) -> int:
    coach = make_coach(args)
    stats = coach.index(extra=args.paths, rebuild=args.rebuild, progress=terminal_progress("embedding"))
    for warning in stats.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        emit_json(stats.public())
    else:
        s = stats
        print(
            f"Indexed {s.documents} documents into {s.chunks} passages: {s.added} added, "
            f"{s.unchanged} unchanged, {s.removed} removed ({s.seconds:.1f} s). Store: {coach.store_location}"
        )
    return 0


@command("retrieve")
def cmd_retrieve(args: argparse.Namespace) -> int:
    coach = make_coach(args)
    if coach.store.count() == 0:
        raise CoachError("The knowledge store is empty.", "Run `coach index` first.")
    for query in args.queries:
        passages = coach.retriever.search(query, k=args.k)
        if args.json:
            emit_json({"query": query, "passages": [p.public() for p in passages]})
            continue
        print(f"Query: {query}")
        for i, p in enumerate(passages, 1):
            print(f"  [{i}] {p.score:.2f}  {p.label()}")
            print("      " + p.text[:300] + ("..." if len(p.text) > 300 else ""))
        print()
    return 0


def print_review(review, spoken_tips: list[dict] | None = None) -> None:
    """A review in lines; ``spoken_tips`` (public tip dicts) adds the delivery flags of a recording."""
    a = review.analysis
    star = ", ".join(f"{k} {'yes' if a.star_present[k] else 'no'} ({a.star[k]:.2f})" for k in a.star)
    print(
        f"{a.word_count} words; STAR: {star}"
        + ("" if a.behavioral else " (not a behavioral question: STAR not required)")
    )
    if a.fillers:
        print("fillers: " + ", ".join(f"{k} x{v}" for k, v in a.fillers.items()))
    if a.hedges:
        print("hedges: " + ", ".join(f"{k} x{v}" for k, v in a.hedges.items()))
    if a.relevance is not None:
        print(f"relevance to the question: {a.relevance:.2f}")
    if not review.tips and not spoken_tips:
        print("No flags.")
    for tip in review.tips:
        print(f"- {label(tip.flag)}: {tip.tip}")
        if tip.passage:
            print(f"    source: {tip.passage.label()}")
    for tip in spoken_tips or []:
        print(f"- {label(tip['flag'])}: {tip['tip']}")
        if tip.get("source"):
            print(f"    source: {tip['source'].get('title', '?')} ({tip['source'].get('source', '?')})")
    if review.score:
        print(f"score: {review.score['overall']}/5")
        for d in review.score["dimensions"]:
            print(f"  {d['name']}: {d['score']}/5  {d['reason']}")
    if a.behavioral and review.sentences:
        print("sentences:")
        for s in review.sentences:
            print(f"  [{s['tag']}] {s['text']}")
    if review.stronger.get("text"):
        print(f"your answer, stronger (your own words; fill in the brackets):\n  {review.stronger['text']}")


@command("analyze")
def cmd_analyze(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.interfaces.limits import check_text

    coach = make_coach(args)
    limit = coach.settings.max_answer_chars
    if args.audio is not None and args.answer is not None:
        raise InputError(
            "Give either --answer or --audio, not both.",
            "--audio FILE transcribes a recording and analyses its words; --answer TEXT analyses typed words.",
        )
    if args.input:
        if args.question or args.answer or args.audio:
            raise InputError("Give either --input FILE or --question/--answer (or --audio), not both.")
        from coach.library.textfiles import read_text_file

        lines = read_text_file(args.input, "the input file").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise InputError('each line must be a JSON object like {"question": ..., "answer": ...}')
                question = check_text(str(item.get("question", "")), 2000, "question")
                answer = check_text(str(item.get("answer", "")), limit, "answer")
                result = guided_review(coach, question, answer, args.level)[1]
            except (ValueError, InputError) as err:
                result = {
                    "line": number,
                    "error": err.explain() if isinstance(err, InputError) else f"not valid JSON ({err})",
                }
            if args.json:
                emit_json(result)
            else:
                print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    if not args.question or (args.answer is None and args.audio is None):
        raise InputError(
            "Give --question and --answer (or --audio FILE, or --input FILE.jsonl).",
            "Example: coach analyze -q 'Tell me about a conflict' -a 'At my last job...'",
        )
    question = check_text(args.question, 2000, "question")
    spoken = None
    if args.audio is not None:
        from coach.speech.spoken import hear

        if not args.json:
            print(f"(transcribing {args.audio.name} on this machine...)", file=sys.stderr, flush=True)
        spoken = hear(coach.transcriber, args.audio)
        answer = check_text(spoken.text, limit, "transcript")
    else:
        answer = check_text(read_input_text(args.answer), limit, "answer")
    review, guided = guided_review(coach, question, answer, args.level)
    spoken_tips = None
    if spoken is not None:
        from coach.speech.spoken import merge_delivery

        text_flags = set(guided["flags"])
        guided = merge_delivery(guided, spoken.delivery, transcript=spoken.text, tipbook=coach.reviewer.tipbook)
        guided |= {"language": spoken.language, "transcript_note": spoken.note}
        spoken_tips = [t for t in guided["tips"] if t["flag"] not in text_flags]
    if args.json:
        emit_json(guided)
    else:
        if spoken is not None:
            print(f"transcript: {spoken.text}")
            if spoken.note:
                print(f"note: {spoken.note}")
            print(f"delivery: {delivery_line(spoken.delivery)}")
        print_review(review, spoken_tips)
        if guided["looks_for"]:
            print(f"what a strong answer shows: {guided['looks_for']}")
        if guided["model_answer"]:
            example = guided["model_answer"]
            print(f"an example answer (by the team, for {example['speaker']}; a model, not words to copy):")
            print(f"  {example['text']}\n  why it works: {example['why_it_works']}")
    return 0


def guided_review(coach, question: str, answer: str, level: str):
    """The review and its public dict; a bank question adds its kind, what a strong answer shows and its example."""
    bank_question = coach.question_bank.by_text(question)
    review = coach.reviewer.review(question, answer, level, bank_question.kind if bank_question else None)
    return review, review.public() | {
        "looks_for": bank_question.looks_for if bank_question else None,
        "model_answer": bank_question.model_answer() if bank_question else None,
    }


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.interfaces.browser_secret import browser_secret
    from coach.interfaces.doctor import is_loopback
    from coach.interfaces.exports import private_gradio_cache
    from coach.interfaces.page import PageHandlers
    from coach.interfaces.serving import LoginThrottle, check_address, parse_auth
    from coach.interfaces.ui import build_ui, launch
    from coach.interfaces.warmup import Warmup

    coach = make_coach(args)
    s = coach.settings
    auth = parse_auth(s.auth)
    if not is_loopback(s.host):
        if auth is None:
            raise InputError(
                f"Refusing to serve on {s.host} without a password: anyone on the network could read your sessions.",
                "Add --auth USER:PASSWORD (or set COACH_AUTH), or keep the default --host 127.0.0.1.",
            )
        print(
            f"warning: serving on {s.host}: the page is reachable from other machines (password protected).",
            file=sys.stderr,
        )
    check_address(s.host, s.port)
    private_gradio_cache(s.home)
    warmup = Warmup(coach)
    demo = build_ui(PageHandlers(coach, warmup), browser_secret(s.home))
    login = LoginThrottle().checker(*auth) if auth else None
    print(f"Interview coach: http://{s.host}:{s.port} (models load in the background; Ctrl+C stops)", flush=True)
    launch(demo, s.host, s.port, login, s.max_upload_bytes, after_start=warmup.start)
    return 0


@command("bench")
def cmd_bench(args: argparse.Namespace) -> int:
    from coach.interfaces import bench

    coach = make_coach(args)
    print(
        "Measuring; the full run takes about a minute, plus about 3 minutes the first time (the "
        "synthetic 10,000- and 100,000-passage stores are built once and cached); --quick under a minute.",
        file=sys.stderr,
    )
    result = bench.run(coach, quick=args.quick, report=lambda msg: print(f"  {msg}", file=sys.stderr, flush=True))
    from coach.model.hub import record_bench

    record_bench(coach.settings, result)  # `coach models list` shows the expected speed from it
    print(json.dumps(result) if args.json else bench.format_table(result))
    return 0


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
    from coach.interfaces.doctor import diagnose, format_report

    report, problems = diagnose(make_coach(args))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 1 if problems else 0
