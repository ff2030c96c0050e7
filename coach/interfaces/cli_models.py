"""`coach models`: list, pull, use, remove chat models (coach/model/hub does the work).

``coach models pull`` is the only command that downloads anything, and only when typed. The others
read and write files under ``COACH_HOME`` and never touch the network. cli.py calls :func:`add_parser`
and imports this module so that :func:`cmd_models` registers itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from coach.interfaces.cli_common import command, confirm, emit_json, settings_from

GIB = 1024**3


def add_parser(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``coach models`` and its four actions; the common options go on each action."""
    p = sub.add_parser(
        "models",
        help="chat models: list the catalogue, pull one (the only command that downloads), use, remove",
        description="Chat models for this COACH_HOME. `pull` downloads (and checks) a GGUF file into "
        "COACH_HOME/models/; `use` makes one the default (--model and COACH_MODEL still win).",
    )
    actions = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    q = actions.add_parser("list", parents=[common], help="the catalogue and what is installed, fits and in use")
    q.add_argument("--json", action="store_true")
    q = actions.add_parser("pull", parents=[common], help="download a catalogue model or a .gguf URL, checked")
    q.add_argument("source", metavar="NAME|URL", help="a name from `coach models list`, owner/repo/file.gguf, or a URL")
    q.add_argument(
        "--sha256", metavar="HEX", help="the file's sha256 from its publisher (needed when the server has none)"
    )
    q.add_argument("--name", dest="local_name", metavar="LOCAL_NAME", help="save as COACH_HOME/models/LOCAL_NAME.gguf")
    q.add_argument("--json", action="store_true")
    q = actions.add_parser("use", parents=[common], help="make an installed model (or any GGUF file) the default")
    q.add_argument("target", metavar="NAME|PATH", help="an installed name, a .gguf path, or `embedded`")
    q = actions.add_parser("remove", parents=[common], help="delete an installed model (not the one in use)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


@command("models")
def cmd_models(args: argparse.Namespace) -> int:
    return {"list": models_list, "pull": models_pull, "use": models_use, "remove": models_remove}[args.models_command](
        args
    )


def models_list(args: argparse.Namespace) -> int:
    from coach.model.hub.overview import overview

    report = overview(settings_from(args))
    if args.json:
        emit_json(report)
        return 0
    print(format_list(report))
    return 0


def size_text(n: int | None) -> str:
    if not n:
        return "?"
    return f"{n / 1e6:.0f} MB" if n < 1e9 else f"{n / 1e9:.1f} GB"


def speed_text(speed: dict[str, Any] | None, any_bench: bool) -> str:
    if speed is None:
        return "?" if any_bench else "no bench yet"
    if speed["measured"]:
        return f"{speed['tokens_per_s']:.0f} tok/s (bench)"
    return f"~{speed['tokens_per_s']:.0f} tok/s (est.)"


def format_list(report: dict[str, Any]) -> str:
    free = report["free_memory_bytes"]
    current = report["in_use"]
    where = {"settings": "saved by `coach models use`", "flag": "--model", "env": "COACH_MODEL", "default": "default"}
    if current["kind"] == "server":
        using = f"the server {current['url']}"
    else:
        using = f"{current['path']} ({where.get(current['source'], current['source'])})"
    lines = [
        f"Chat models for {report['home']}",
        f"in use: {using}",
        "memory free now: " + (f"{free / GIB:.1f} GiB" if free is not None else "unknown on this system"),
        "",
        f"  {'NAME':<16} {'FILE':>7} {'MEMORY':>8}  {'FITS':<4}  {'SPEED':<18} {'LICENCE':<30} STATUS",
    ]
    any_bench = report["bench"] is not None
    for row in report["models"]:
        entry = row["catalogue"] or {}
        fits = {True: "yes", False: "NO", None: "?"}[row["fits"]]
        status = "embedded" if entry.get("bundled") else "installed" if row["installed"] else "-"
        lines.append(
            f"{'*' if row['in_use'] else ' '} {row['name']:<16} {size_text(row['size_bytes']):>7} "
            f"{row['memory_bytes'] / GIB:>4.1f} GiB  {fits:<4}  {speed_text(row['speed'], any_bench):<18} "
            f"{(entry.get('licence') or '-')[:30]:<30} {status}"
        )
        if entry.get("note"):
            lines.append(f"    {entry['note']}")
    lines += [
        "",
        "* in use. Memory: file + cache for 4096 tokens; speed: from `coach bench` (est. = scaled by file size).",
        "Get one: coach models pull NAME, then coach models use NAME (`coach models list --json` for details).",
    ]
    return "\n".join(lines)


def byte_bar(desc: str):
    """A tqdm bar in bytes on stderr (hidden when stderr is not a terminal); returns (update, close)."""
    from tqdm import tqdm

    state: dict[str, Any] = {}

    def update(done: int, total: int | None) -> None:
        if "bar" not in state:
            state["bar"] = tqdm(
                total=total,
                initial=done,
                desc=desc,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                disable=None,
            )
        state["bar"].update(done - state["bar"].n)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return update, close


def memory_warning(path, home) -> str | None:
    """A line saying the model does not fit the memory free now, or None."""
    from coach.model.hub.overview import memory_check

    check = memory_check(path, home)
    if check["fits"] is False:
        return (
            f"warning: {check['name']} needs about {check['needed_bytes'] / GIB:.1f} GiB of memory and "
            f"{check['free_bytes'] / GIB:.1f} GiB is free now; it may load slowly or fail. "
            "A smaller model: `coach models list`."
        )
    return None


def models_pull(args: argparse.Namespace) -> int:
    from coach.model.hub.download import pull

    settings = settings_from(args)
    from tqdm import tqdm

    update, close = byte_bar(args.source)

    def say(message: str) -> None:  # above the bar, not through it
        tqdm.write(f"  {message}", file=sys.stderr)

    print(
        f"Pulling {args.source} (only this command downloads; Ctrl+C stops, the same command resumes)", file=sys.stderr
    )
    try:
        result = pull(
            args.source, settings.home, sha256=args.sha256, local_name=args.local_name, progress=update, report=say
        )
    finally:
        close()
    warning = memory_warning(result.path, settings.home)
    if args.json:
        emit_json(
            {
                "name": result.name,
                "path": str(result.path),
                "url": result.url,
                "size_bytes": result.size_bytes,
                "sha256": result.sha256,
                "verified_against": result.verified_against,
                "resumed_from": result.resumed_from,
                "already_installed": result.already_installed,
            }
        )
    else:
        against = {"hub": "the sha256 the server reports", "--sha256": "--sha256", "catalogue pin": "the catalogue pin"}
        if result.already_installed:
            print(f"{result.name} is already installed and matches ({result.path}).")
        else:
            print(
                f"Installed {result.name}: {result.path} ({size_text(result.size_bytes)}; "
                f"sha256 {result.sha256[:16]}... checked against {against[result.verified_against]})."
            )
        print(f"Make it the default for this home: coach models use {result.name}")
    if warning:
        print(warning, file=sys.stderr)
    return 0


def models_use(args: argparse.Namespace) -> int:
    from coach.model.hub.local import use

    settings = settings_from(args)
    path = use(args.target, settings.home)
    if path is None:
        print(f"This home ({settings.home}) now uses the embedded model (SmolLM2-135M).")
    else:
        print(f"This home ({settings.home}) now uses {path}.")
        if warning := memory_warning(path, settings.home):
            print(warning, file=sys.stderr)
    if getattr(args, "model_path", None) is not None or os.environ.get("COACH_MODEL", "").strip():
        print("note: --model or COACH_MODEL is set and wins over this choice while it is set.", file=sys.stderr)
    if settings.llm_url:
        print("note: a model server is configured (--llm-url or COACH_LLM_URL); it is used instead.", file=sys.stderr)
    return 0


def models_remove(args: argparse.Namespace) -> int:
    from coach.model.hub.local import model_file, remove

    settings = settings_from(args)
    path = model_file(settings.home, args.name)
    if path.is_file() and not args.yes and not confirm(f"Delete {path}?"):
        return 1
    removed = remove(args.name, settings.home, in_use=settings.model_path)
    print(f"Removed {removed}.")
    return 0
