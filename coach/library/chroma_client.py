"""Chroma clients: a server over HTTP, a persistent folder under COACH_HOME, or an ephemeral one (tests)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

from coach.errors import StoreError

REBUILD_HINT = "Run `coach index --rebuild` to rebuild it from the knowledge files (saved sessions are kept)."


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def make_client(chroma_url: str | None, path: Path | None, ephemeral: bool = False):
    """A Chroma client: HTTP when a URL is given, ephemeral for tests, else persistent at path."""
    from coach.offline import go_offline

    go_offline()
    import chromadb

    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings(),
            )
        except Exception as err:
            raise StoreError(
                f"Cannot reach the Chroma server at {chroma_url}: {err}",
                "Start it with `chroma run --path DIR --host 127.0.0.1 "
                "--port 8000`, or drop --chroma-url to use the local store.",
            ) from None
    if ephemeral:
        return chromadb.EphemeralClient(settings=chroma_settings())
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    except Exception as err:
        raise StoreError(
            f"The knowledge store at {path} cannot be opened ({short_error(err)}).", REBUILD_HINT
        ) from None


def short_error(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def wipe_persistent_store(path: Path) -> None:
    """Remove a local store folder that cannot be opened. Only the store folder, never COACH_HOME."""
    if path.name != "chroma":
        raise StoreError(f"Refusing to delete {path}: it is not a coach store folder.")
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:
        pass
    shutil.rmtree(path, ignore_errors=True)
    time.sleep(0.05)
