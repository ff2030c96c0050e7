"""`coach` commands for the three things people come for, and their history: ask, interview, debrief, history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coach.errors import CoachError
from coach.interfaces.cli_common import command, confirm, delivery_line, emit_json, make_coach
from coach.interfaces.exports import delete_exports
from coach.sessions.transcripts import MAX_TRANSCRIPT_BYTES


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


AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac")


def audio_answers(folder: Path) -> list[Path]:
    """The recordings 1.wav, 2.mp3, ... in folder, in order of their number, up to the first number missing.

    Any of :data:`AUDIO_SUFFIXES` (any case) is accepted; two recordings with one number are refused
    rather than guessed between. A number after a gap is never reached: a warning names it."""
    from coach.errors import InputError

    if not folder.is_dir():
        raise InputError(
            f"{folder} is not a folder." if folder.exists() else f"The folder {folder} does not exist.",
            "Give --audio-dir a folder holding your recorded answers named 1.wav, 2.wav, ...",
        )
    numbered: dict[int, list[Path]] = {}
    for path in folder.iterdir():
        if path.suffix.lower() in AUDIO_SUFFIXES and path.stem.isdigit() and int(path.stem) > 0:
            numbered.setdefault(int(path.stem), []).append(path)
    clashes = {n: paths for n, paths in numbered.items() if len(paths) > 1}
    if clashes:
        n = min(clashes)
        raise InputError(
            f"{folder} holds more than one recording numbered {n}: {', '.join(sorted(p.name for p in clashes[n]))}.",
            "Keep one recording per number.",
        )
    found: list[Path] = []
    while len(found) + 1 in numbered:
        found.append(numbered[len(found) + 1][0])
    if not found:
        raise InputError(
            f"{folder} holds no first recording (1.wav, or 1 with another of {' '.join(AUDIO_SUFFIXES)}).",
            "Name your recorded answers 1.wav, 2.wav, ... in the order you give them.",
        )
    unused = sorted(n for n in numbered if n > len(found))
    if unused:
        print(
            f"warning: there is no recording numbered {len(found) + 1}, so "
            f"{', '.join(numbered[n][0].name for n in unused)} will not be used.",
            file=sys.stderr,
        )
    return found


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
    from coach.speech.spoken import hear

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
    if args.due and not args.from_session:
        settings = coach.interviews.with_due(settings)
        if not args.json:
            due = len(settings.due_ids) + len(settings.due_questions)
            print(f"{due} practice question(s) due: asked first." if due else "No practice questions are due.")
    if args.answers and args.audio_dir:
        raise InputError("Give either --answers FILE or --audio-dir DIR, not both.")
    answers: list[str] | None = read_answer_blocks(args.answers) if args.answers else None
    recordings = audio_answers(args.audio_dir) if args.audio_dir else None
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

    def saved_so_far() -> None:
        print(f"The interview so far is saved as session {sid} (`coach history show {sid}`).", file=sys.stderr)

    card = show(interview.start())
    while not interview.finished:
        delivery = None
        if recordings is not None:
            if not recordings:
                card = interview.stop()
                if not quiet:
                    print("\n(The recordings ran out; the interview ends here.)")
                break
            path = recordings.pop(0)
            try:
                spoken = hear(coach.transcriber, path)
            except CoachError as err:
                print(f"error: {err.explain()}", file=sys.stderr)
                saved_so_far()
                return 2
            text, delivery = spoken.text, spoken.delivery
            if not quiet:
                print(f"\nYou (spoken): {text}")
                if spoken.note:
                    print(f"  [note: {spoken.note}]")
                print(f"  [delivery: {delivery_line(delivery)}]", flush=True)
        elif answers is not None:
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
            if answers is not None or recordings is not None:
                if recordings is not None:
                    saved_so_far()
                return 2
            continue
        card = show(interview.answer(text, delivery)) or card
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
        if a.get("delivery"):
            print(f"   delivery: {delivery_line(a['delivery'])}")
        if a.get("previous"):
            print(f"   {a['previous']['summary']}")
    if card.get("star_average"):
        print("\nSTAR averages: " + ", ".join(f"{k} {v:.2f}" for k, v in card["star_average"].items()))
    if card.get("delivery_average"):
        d = card["delivery_average"]
        print(
            f"\nDelivery, average of {d['recordings']} recording(s): {d['words_per_minute']:.0f} words a minute, "
            f"{d['fillers_per_minute']:.1f} fillers a minute, {d['pauses']:.1f} pauses over 2 s"
        )
    if card["improvements"]:
        print("\nTop improvements:")
        for imp in card["improvements"]:
            src = imp.get("source") or {}
            print(f"- {imp['tip']} (source: {src.get('title', '?')}, {src.get('source', '?')})")
    print(f"\nSaved as session {card.get('session_id', '?')} (`coach history show ID`).")


@command("practice")
def cmd_practice(args: argparse.Namespace) -> int:
    """The practice queue: cards due now (or --all), soonest first, with their last score and flags."""
    from coach.feedback.flags import label

    coach = make_coach(args)
    queue = coach.practice
    now = queue.now()
    cards = queue.cards() if args.all else queue.due()
    if args.json:
        emit_json({"cards": [c.public() for c in cards], "due_now": len(queue.due())})
        return 0
    if not cards:
        total = len(queue.cards())
        print(
            "Nothing is due for practice."
            + (f" {total} card(s) are scheduled: `coach practice --all`." if total else "")
        )
        return 0
    for c in cards:
        p = c.public()
        when = "due now" if c.is_due(now) else f"due {c.due:%Y-%m-%d}"
        score = f"score {p['last_score']:.1f}" if p["last_score"] is not None else "not scored"
        flags = ", ".join(label(f) for f in p["last_flags"]) or "no flags"
        print(f"- {p['question']}\n    {when}; {p['answers']} answer(s); last: {score}, {flags}")
    if not args.all:
        print("\n`coach interview --due` starts with these.")
    return 0


@command("debrief")
def cmd_debrief(args: argparse.Namespace) -> int:
    from coach.interfaces.limits import check_text
    from coach.library.textfiles import read_text_file
    from coach.sessions.debrief import DebriefInput
    from coach.sessions.export import debrief_markdown

    coach = make_coach(args)
    raw = sys.stdin.read() if args.notes == "-" else read_text_file(Path(args.notes), "the notes file")
    notes = check_text(raw, coach.settings.max_notes_chars, "notes")
    transcript = (
        read_text_file(args.transcript, "the transcript", limit=MAX_TRANSCRIPT_BYTES) if args.transcript else ""
    )
    data = DebriefInput(notes=notes, transcript=transcript, candidate=args.candidate, role=args.role)
    sid, report = coach.debriefs.run(data)
    if args.json:
        out = {k: report[k] for k in ("steps", "action_plan", "drafts", "weak_questions", "sources")}
        out["session_id"] = sid
        emit_json(out)
    else:
        print(debrief_markdown(report))
        print(f"Saved as session {sid}. Practise the weak questions with `coach interview --from-session {sid}`.")
    return 0


@command("history")
def cmd_history(args: argparse.Namespace) -> int:
    from coach.errors import InputError
    from coach.sessions.export import session_markdown
    from coach.speech.recordings import delete_recordings

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
        ids = [info.id for info in history.list()]
        print(f"Deleted {history.delete_all()} sessions.")
        for sid in ids:
            delete_exports(coach.settings.home, sid)
            delete_recordings(coach.settings.home, sid)
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
        delete_exports(coach.settings.home, args.id)
        delete_recordings(coach.settings.home, args.id)
        print(f"Deleted session {args.id}.")
    return 0
