"""The `coach` command: a thin adapter over :mod:`coach.app`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import CoachError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def common_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("where things are")
    g.add_argument("--home", type=Path, help="folder for the store and saved sessions (env COACH_HOME)")
    g.add_argument("--chroma-url", help="use a Chroma server instead of the local store (env COACH_CHROMA_URL)")
    g.add_argument("--model", dest="model_path", type=Path, help="a GGUF chat model file (env COACH_MODEL)")
    g.add_argument("--llm-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (env COACH_LLM_URL)")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(prog="coach", description="A local, private interview coach.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="build or update the knowledge store")
    p.add_argument("paths", nargs="*", type=Path, help="extra files or folders to index besides knowledge/")
    p.add_argument("--rebuild", action="store_true", help="drop the store and index everything again")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("retrieve", parents=[common], help="show the passages that best match a query")
    p.add_argument("queries", nargs="+", metavar="QUERY")
    p.add_argument("-k", type=int, default=None, help="how many passages (default 4)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("analyze", parents=[common], help="analyse an interview answer (no model needed)")
    p.add_argument("--question", "-q", help="the interview question")
    p.add_argument("--answer", "-a", help="the answer; '-' reads it from standard input")
    p.add_argument("--input", type=Path, help='a JSONL file of {"question", "answer"} lines')
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", parents=[common], help="ask the coach a question; the answer cites its sources")
    p.add_argument("question", nargs="+")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", parents=[common], help="check what is installed and configured")
    p.add_argument("--json", action="store_true")
    return parser


def settings_from(args: argparse.Namespace):
    from .config import Settings

    flags = {k: getattr(args, k, None) for k in ("home", "chroma_url", "model_path", "llm_url")}
    return Settings.load(flags)


def make_coach(args: argparse.Namespace):
    from .app import build
    from .offline import go_offline

    go_offline()
    return build(settings_from(args))


def emit_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def terminal_progress(desc: str):
    """A tqdm bar on stderr (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total == 0:
            return
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, disable=None)
        b = bar["bar"]
        b.update(done - b.n)
        if done >= total:
            b.close()

    return update


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


def read_input_text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def print_review(review) -> None:
    a = review.analysis
    star = ", ".join(f"{k} {'yes' if a.star_present[k] else 'no'} ({a.star[k]:.2f})" for k in a.star)
    print(f"{a.word_count} words; STAR: {star}" + ("" if a.behavioral else " (not a behavioral question: STAR not required)"))
    if a.fillers:
        print("fillers: " + ", ".join(f"{k} x{v}" for k, v in a.fillers.items()))
    if a.hedges:
        print("hedges: " + ", ".join(f"{k} x{v}" for k, v in a.hedges.items()))
    if a.relevance is not None:
        print(f"relevance to the question: {a.relevance:.2f}")
    if not review.tips:
        print("No flags: a solid answer.")
    for tip in review.tips:
        print(f"- {tip.flag}: {tip.tip}")
        if tip.passage:
            print(f"    source: {tip.passage.label()}")


@command("analyze")
def cmd_analyze(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .limits import check_text

    coach = make_coach(args)
    limit = coach.settings.max_answer_chars
    if args.input:
        if args.question or args.answer:
            raise InputError("Give either --input FILE or --question/--answer, not both.")
        from .textfiles import read_text_file

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
                result = coach.reviewer.review(question, answer).public()
            except (ValueError, InputError) as err:
                result = {"line": number, "error": err.explain() if isinstance(err, InputError) else f"not valid JSON ({err})"}
            if args.json:
                emit_json(result)
            else:
                print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    if not args.question or args.answer is None:
        raise InputError("Give --question and --answer (or --input FILE.jsonl).", "Example: coach analyze -q 'Tell me about a conflict' -a 'At my last job...'")
    question = check_text(args.question, 2000, "question")
    answer = check_text(read_input_text(args.answer), limit, "answer")
    review = coach.reviewer.review(question, answer)
    if args.json:
        emit_json(review.public())
    else:
        print_review(review)
    return 0


@command("ask")
def cmd_ask(args: argparse.Namespace) -> int:
    from .ask import render_with_marks
    from .limits import check_text

    coach = make_coach(args)
    question = check_text(" ".join(args.question), 2000, "question")
    if coach.store.count() == 0:
        raise CoachError("The knowledge store is empty.", "Run `coach index` first.")
    result = None
    streamed = False
    for event in coach.asker.stream(question):
        if event.kind == "token" and not args.json:
            print(event.text, end="", flush=True)
            streamed = True
        elif event.kind == "queued" and not args.json:
            print(f"({event.text})", file=sys.stderr)
        elif event.kind == "done":
            result = event.result
    assert result is not None
    if args.json:
        emit_json(result.public())
        return 0
    if streamed:
        print()
    if result.fallback and result.sources:
        print("\n(The model's reply was not usable, so here is what the guidance itself says:)")
        print(render_with_marks(result))
    elif any(not c.supported and not c.added for c in result.citations):
        print("\nChecked: citations marked [n?] are not supported by the passage they cite:")
        print(render_with_marks(result))
    if result.sources:
        print("\nSources:")
        for i, p in enumerate(result.sources, 1):
            print(f"  [{i}] {p.label()}")
            print("      " + p.text[:240] + ("..." if len(p.text) > 240 else ""))
    return 0


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import diagnose, format_report

    report, problems = diagnose(make_coach(args))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CoachError as err:
        print(f"error: {err.explain()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
