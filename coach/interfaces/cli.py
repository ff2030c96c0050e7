"""The `coach` command: a thin adapter over :mod:`coach.app`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from coach.errors import CoachError
from coach.sessions.question_bank import DEFAULT_QUESTIONS, KINDS, LEVELS, STYLES

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
    p.add_argument("-k", type=int, default=None, help="how many passages (default: COACH_TOP_K, else 3)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("analyze", parents=[common], help="analyse an interview answer (no model needed)")
    p.add_argument("--question", "-q", help="the interview question")
    p.add_argument("--answer", "-a", help="the answer; '-' reads it from standard input")
    p.add_argument("--input", type=Path, help='a JSONL file of {"question", "answer"} lines')
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", parents=[common], help="ask the coach a question; the answer cites its sources")
    p.add_argument("question", nargs="+")
    p.add_argument("--session", help="continue from a saved interview or debrief (its id from `coach history`)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "interview", parents=[common], help="a mock interview in the terminal (or unattended with --answers)"
    )
    p.add_argument("--role", default="", help="the job title, e.g. 'data analyst'")
    p.add_argument("--level", default="mid", choices=list(LEVELS))
    p.add_argument("--kind", default="mixed", choices=list(KINDS))
    p.add_argument("--style", default="neutral", choices=list(STYLES))
    p.add_argument(
        "--questions",
        type=int,
        default=DEFAULT_QUESTIONS,
        help=f"how many questions (1-12, default {DEFAULT_QUESTIONS})",
    )
    p.add_argument(
        "--job-description", type=Path, help="a text file with the job ad: adds questions on the skills it names"
    )
    p.add_argument(
        "--answers",
        type=Path,
        help="answer from this file: blocks separated by blank lines, one per interviewer prompt",
    )
    p.add_argument("--from-session", help="replay the questions that went badly in this saved debrief")
    p.add_argument("--seed", type=int, help="fix the question plan (same seed, same questions)")
    p.add_argument("--json", action="store_true", help="print the scorecard as JSON")

    p = sub.add_parser("debrief", parents=[common], help="a guided debrief after an interview that went badly")
    p.add_argument("--notes", required=True, help="a file with your notes, or '-' to read them from standard input")
    p.add_argument("--transcript", type=Path, help="a transcript (.txt, .vtt, .srt) exported from Zoom, Teams or Meet")
    p.add_argument("--candidate", help="your name as it appears in the transcript (found automatically otherwise)")
    p.add_argument("--role", default="", help="the job you interviewed for (used in the drafts)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("history", parents=[common], help="saved sessions: list, show, export, delete")
    p.add_argument("action", nargs="?", default="list", choices=["list", "show", "export", "delete"])
    p.add_argument("id", nargs="?", help="the session id (from `coach history`)")
    p.add_argument("--all", action="store_true", help="with delete: every session")
    p.add_argument("--yes", action="store_true", help="with delete: do not ask for confirmation")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", parents=[common], help="start the page (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1; anything else needs --auth)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--auth", help="USER:PASSWORD required to open the page (env COACH_AUTH)")

    p = sub.add_parser("bench", parents=[common], help="measure speed and memory on this machine")
    p.add_argument("--quick", action="store_true", help="a reduced run (no 100,000-passage store, one repetition)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", parents=[common], help="check what is installed and configured")
    p.add_argument("--json", action="store_true")
    return parser


def settings_from(args: argparse.Namespace):
    from coach.config import Settings

    flags = {k: getattr(args, k, None) for k in ("home", "chroma_url", "model_path", "llm_url", "host", "port", "auth")}
    return Settings.load(flags)


def make_coach(args: argparse.Namespace):
    from coach.app import build
    from coach.offline import go_offline

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
    if not review.tips:
        print("No flags: a solid answer.")
    for tip in review.tips:
        print(f"- {tip.flag}: {tip.tip}")
        if tip.passage:
            print(f"    source: {tip.passage.label()}")


@command("analyze")
def cmd_analyze(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.interfaces.limits import check_text

    coach = make_coach(args)
    limit = coach.settings.max_answer_chars
    if args.input:
        if args.question or args.answer:
            raise InputError("Give either --input FILE or --question/--answer, not both.")
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
                result = coach.reviewer.review(question, answer).public()
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
    if not args.question or args.answer is None:
        raise InputError(
            "Give --question and --answer (or --input FILE.jsonl).",
            "Example: coach analyze -q 'Tell me about a conflict' -a 'At my last job...'",
        )
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
    from coach.interfaces.limits import check_text
    from coach.sessions.ask import render_with_marks
    from coach.sessions.coaching import Conversation

    coach = make_coach(args)
    question = check_text(" ".join(args.question), 2000, "question")
    if coach.store.count() == 0:
        raise CoachError("The knowledge store is empty.", "Run `coach index` first.")
    result = None
    conversation = Conversation()
    # Only checked text is printed: the answer appears once every sentence has passed its checks.
    for event in coach.coaching.ask(question, conversation, owner="", context_session=args.session or ""):
        if event.kind == "queued" and not args.json:
            print(f"({event.text})", file=sys.stderr)
        elif event.kind == "not_saved":
            print(f"warning: the answer was not saved: {event.text}", file=sys.stderr)
        elif event.kind == "done":
            result = event.result
    assert result is not None
    if args.json:
        emit_json({**result.public(), "session_id": conversation.session_id})
        return 0
    print(render_with_marks(result))
    if any(not c.supported and not c.added for c in result.citations):
        print("\n(Citations marked [n?] are not supported by the passage they cite.)")
    if result.sources:
        print("\nSources:")
        for i, p in enumerate(result.sources, 1):
            print(f"  [{i}] {p.label()}")
            print("      " + p.text[:240] + ("..." if len(p.text) > 240 else ""))
    if conversation.session_id:
        print(f"\nSaved as session {conversation.session_id} (`coach history show ID`).")
    return 0


def read_answer_blocks(path: Path) -> list[str]:
    import re

    from coach.library.textfiles import read_text_file

    text = read_text_file(path, "the answers file")
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def read_terminal_answer() -> str | None:
    """A multi-line answer typed at the terminal, ended by an empty line; None at end of input."""
    print("\n> (your answer; finish with an empty line)", flush=True)
    lines: list[str] = []
    while True:
        try:
            line = input()
        except EOFError:
            return "\n".join(lines).strip() or None
        if not line.strip() and lines:
            return "\n".join(lines).strip()
        if line.strip():
            lines.append(line)


@command("interview")
def cmd_interview(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.feedback.flags import label
    from coach.interfaces.limits import check_text
    from coach.library.textfiles import read_text_file
    from coach.sessions.interview import (
        AnswerReviewed,
        CoachComment,
        InterviewerLine,
        InterviewFinished,
        InterviewSettings,
    )

    coach = make_coach(args)
    jd = read_text_file(args.job_description, "the job description") if args.job_description else ""
    ids: list[str] = []
    custom: list[str] = []
    if args.from_session:
        weak = coach.history.get(args.from_session).summary.get("weak_questions", [])
        ids = [w["question_id"] for w in weak if w.get("question_id")]
        custom = [w["question"] for w in weak if not w.get("question_id")]
        if not weak:
            raise InputError(
                "That session names no questions to practise.",
                "Use a debrief with a transcript, or notes that mention the questions you were asked.",
            )
    count = len(ids) + len(custom) if args.from_session else args.questions
    settings = InterviewSettings(args.role, args.level, args.kind, args.style, count, jd, ids, args.seed, custom)
    answers = read_answer_blocks(args.answers) if args.answers else None
    sid, interview = coach.interviews.start(settings)
    quiet = args.json

    def show(events):
        card = None
        for e in events:
            if isinstance(e, InterviewerLine) and not quiet:
                print(f"\nInterviewer: {e.text}", flush=True)
            elif isinstance(e, AnswerReviewed) and not quiet:
                flags = ", ".join(label(f) for f in e.review["flags"]) or "none"
                print(f"  [analysis: {e.review['word_count']} words; flags: {flags}]", flush=True)
            elif isinstance(e, CoachComment) and not quiet:
                print(f"  [coach: {e.text}]", flush=True)
            elif isinstance(e, InterviewFinished):
                card = e.card
        return card

    card = show(interview.start())
    while not interview.finished:
        if answers is not None:
            if not answers:
                card = interview.stop()
                if not quiet:
                    print("\n(The answers file ran out; the interview ends here.)")
                break
            text = answers.pop(0)
            if not quiet:
                print(f"\nYou: {text}")
        else:
            text = read_terminal_answer()
            if text is None:
                card = interview.stop()
                break
        try:
            text = check_text(text, coach.settings.max_answer_chars, "answer")
        except InputError as err:
            print(f"error: {err.explain()}", file=sys.stderr)
            if answers is not None:
                return 2
            continue
        card = show(interview.answer(text)) or card
    card = card or interview.scorecard()
    card["session_id"] = sid
    if args.json:
        emit_json(card)
    else:
        print_scorecard(card)
    return 0


def print_scorecard(card: dict) -> None:
    print("\n=== Scorecard ===")
    for i, a in enumerate(card["answers"], 1):
        print(f"\n{i}. {a['question']}")
        print(f"   flags: {', '.join(a['flags']) or 'none'}")
        print("   STAR: " + ", ".join(f"{k} {v:.2f}" for k, v in a["star"].items()))
        print(f"   coach: {a['comment']}")
    if card.get("star_average"):
        print("\nSTAR averages: " + ", ".join(f"{k} {v:.2f}" for k, v in card["star_average"].items()))
    if card["improvements"]:
        print("\nTop improvements:")
        for imp in card["improvements"]:
            src = imp.get("source") or {}
            print(f"- {imp['tip']} (source: {src.get('title', '?')}, {src.get('source', '?')})")
    print(f"\nSaved as session {card.get('session_id', '?')} (`coach history show ID`).")


@command("debrief")
def cmd_debrief(args: argparse.Namespace) -> int:
    from coach.interfaces.limits import check_text
    from coach.library.textfiles import read_text_file
    from coach.sessions.debrief import DebriefInput, to_markdown

    coach = make_coach(args)
    raw = sys.stdin.read() if args.notes == "-" else read_text_file(Path(args.notes), "the notes file")
    notes = check_text(raw, coach.settings.max_notes_chars, "notes")
    transcript = read_text_file(args.transcript, "the transcript") if args.transcript else ""
    data = DebriefInput(notes=notes, transcript=transcript, candidate=args.candidate, role=args.role)
    sid, report = coach.debriefs.run(data)
    if args.json:
        out = {k: report[k] for k in ("steps", "action_plan", "drafts", "weak_questions", "sources")}
        out["session_id"] = sid
        emit_json(out)
    else:
        print(to_markdown(report))
        print(f"Saved as session {sid}. Practise the weak questions with `coach interview --from-session {sid}`.")
    return 0


def confirm(question: str) -> bool:
    """Ask on a terminal; without one, say that --yes is needed and answer no."""
    if not sys.stdin.isatty():
        print("Nothing deleted. Add --yes to delete without asking.")
        return False
    if input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}:
        return True
    print("Nothing deleted.")
    return False


@command("history")
def cmd_history(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.sessions.export import session_markdown

    coach = make_coach(args)
    history = coach.history
    if args.action == "list":
        sessions = history.list()
        if args.json:
            emit_json([s.public() for s in sessions])
        elif not sessions:
            print("No saved sessions yet.")
        else:
            for s in sessions:
                p = s.public()
                print(
                    f"{p['id']}  {p['created_at']}  {p['kind']:<9} {p['status']:<8} {p['turns']:>3} turns  {p['title']}"
                )
        return 0
    if args.action == "delete" and args.all:
        if not args.yes and not confirm(f"Delete all {len(history.list())} saved sessions? This cannot be undone."):
            return 1
        print(f"Deleted {history.delete_all()} sessions.")
        return 0
    if not args.id:
        raise InputError(f"`coach history {args.action}` needs a session id.", "`coach history` lists them.")
    record = history.get(args.id)
    if args.action == "show":
        if args.json:
            emit_json(record.public())
        else:
            print(session_markdown(record))
    elif args.action == "export":
        print(session_markdown(record))
    else:
        if not args.yes and not confirm(f"Delete session {args.id} ({record.info.title})?"):
            return 1
        history.delete(args.id)
        print(f"Deleted session {args.id}.")
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.interfaces.browser_secret import browser_secret
    from coach.interfaces.doctor import is_loopback
    from coach.interfaces.page import PageHandlers
    from coach.interfaces.ui import build_ui, launch
    from coach.interfaces.warmup import Warmup

    coach = make_coach(args)
    s = coach.settings
    auth = None
    if s.auth:
        if ":" not in s.auth:
            raise InputError("--auth must look like USER:PASSWORD.")
        user, password = s.auth.split(":", 1)
        auth = (user, password)
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
    warmup = Warmup(coach)
    demo = build_ui(PageHandlers(coach, warmup), browser_secret(s.home))
    print(f"Interview coach: http://{s.host}:{s.port} (models load in the background; Ctrl+C stops)", flush=True)
    launch(demo, s.host, s.port, auth, s.max_upload_bytes, after_start=warmup.start)
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
    print(json.dumps(result) if args.json else bench.format_table(result))
    return 0


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
    from coach.interfaces.doctor import diagnose, format_report

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
