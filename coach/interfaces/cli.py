"""The `coach` command: a thin adapter over :mod:`coach.app`. The commands live in cli_library.py and
cli_sessions.py; this module builds the parser and runs one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from coach.errors import CoachError
from coach.interfaces import cli_models
from coach.interfaces.cli_common import COMMANDS
from coach.sessions.question_bank import DEFAULT_QUESTIONS, KINDS, LEVELS, STYLES


def common_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("where things are")
    g.add_argument("--home", type=Path, help="folder for the store and saved sessions (env COACH_HOME)")
    g.add_argument("--chroma-url", help="use a Chroma server instead of the local store (env COACH_CHROMA_URL)")
    g.add_argument("--model", dest="model_path", type=Path, help="a GGUF chat model file (env COACH_MODEL)")
    g.add_argument("--llm-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (env COACH_LLM_URL)")
    g.add_argument(
        "--asr-model",
        type=Path,
        metavar="DIR",
        help="a CTranslate2 Whisper folder for spoken answers, not the bundled Whisper base (env COACH_ASR_MODEL)",
    )
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
    p.add_argument(
        "--audio",
        type=Path,
        metavar="FILE",
        help="a recording of the answer (WAV, MP3, M4A, OGG, WebM, FLAC): transcribed here, then analysed, "
        "with pace, pauses and fillers",
    )
    p.add_argument("--input", type=Path, help='a JSONL file of {"question", "answer"} lines')
    p.add_argument(
        "--level", default="mid", choices=("junior", "mid", "senior", "lead"), help="seniority the score expects"
    )
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
    p.add_argument(
        "--audio-dir",
        type=Path,
        metavar="DIR",
        help="answer out loud from recordings: DIR/1.wav, 2.wav, ... (or .mp3 .m4a .ogg .webm .flac), "
        "one per interviewer prompt, in order",
    )
    p.add_argument("--from-session", help="replay the questions that went badly in this saved debrief")
    p.add_argument(
        "--due", action="store_true", help="start with the practice questions that are due (`coach practice`)"
    )
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

    p = sub.add_parser("practice", parents=[common], help="the practice queue: questions due again, with their answers")
    p.add_argument("--all", action="store_true", help="every card, not only those due now")
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
    cli_models.add_parser(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from coach.interfaces import cli_library, cli_sessions  # noqa: F401  (they register the commands)

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
