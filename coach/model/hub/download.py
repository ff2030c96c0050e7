"""`coach models pull`: one GGUF file over HTTPS into ``COACH_HOME/models/``, checked before it is used.

This is the only code in the coach that fetches anything, and it runs only when the user types
``coach models pull``. The transfer is httpx with HTTP Range requests, the way huggingface_hub
resumes (huggingface_hub itself would put the file in its own cache and needs HF_HUB_OFFLINE unset,
which the coach sets for every other command).

Decisions:
- Where: a catalogue name means ``{endpoint}/{repo}/resolve/{revision}/{file}``; ``owner/repo/file.gguf``
  means the same at revision main; any other ``https://`` URL of a ``.gguf`` file is fetched as it is.
  The endpoint is ``COACH_HF_ENDPOINT`` (default https://huggingface.co). Plain ``http://`` is refused
  unless the host is this machine or the expected sha256 is known without asking the server (a
  catalogue pin or ``--sha256``), since otherwise whoever sits on the path could swap file and hash.
- Which sha256: the catalogue's pin, else ``--sha256``, else the one the hub reports for the file
  (``X-Linked-Etag``, else ``ETag``, when it is 64 hex digits, read from the HEAD response before any
  redirect, as huggingface_hub does). When none is known the pull is refused: pass ``--sha256``.
  Two known values that disagree (pin vs ``--sha256``, or either vs the hub) stop the pull before it
  downloads anything.
- The file is written to ``models/<name>.partial`` (never ``*.gguf``, so it cannot be listed or used
  as a model), hashed while it downloads, and renamed atomically to ``models/<name>.gguf`` only after
  its size, sha256 and GGUF header check out. ``<name>.partial.json`` records the URL and expected
  sha256, so a later pull resumes only the same file.
- A dropped connection is retried with ``Range: bytes=<have>-`` (up to 4 times in a row without
  progress; an attempt that made progress resets the count). When the retries run out the
  ``.partial`` is kept and the message says that the same command resumes it. A server that ignores
  Range (200 instead of 206) restarts the file from zero.
- A wrong checksum, a file that is not GGUF, a 404 or other refusal, or a disk that fills up while
  writing delete the ``.partial``. The free-space check happens before anything is downloaded:
  ``shutil.disk_usage`` of the models folder, lowered to ``COACH_DISK_LIMIT_BYTES`` when that is set
  (for tests, to simulate a small disk) or to the ``disk_limit`` argument.
- Pulling into a name that already holds the same file (its recorded sha256) downloads nothing;
  a different file replaces it only after the new one has passed every check.
- No token is ever sent: gated repositories answer 401/403 and the message says to download the
  file yourself and ``coach models use PATH``.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urljoin, urlsplit

from coach.errors import InputError, ModelError
from coach.model.hub.catalogue import Entry, find, require
from coach.model.hub.local import check_name, model_file, models_dir, read_meta

DEFAULT_ENDPOINT = "https://huggingface.co"
ENDPOINT_ENV = "COACH_HF_ENDPOINT"
DISK_LIMIT_ENV = "COACH_DISK_LIMIT_BYTES"  # for tests: pretend the disk has at most this many bytes free
HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20
RETRIES = 4  # attempts in a row that make no progress
MAX_ATTEMPTS = 200
TIMEOUT = 30.0

Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Source:
    url: str
    name: str
    entry: Entry | None


@dataclass(frozen=True)
class Pulled:
    name: str
    path: Path
    url: str
    size_bytes: int
    sha256: str
    verified_against: str  # "catalogue pin", "--sha256" or "hub"
    resumed_from: int = 0
    already_installed: bool = False


def endpoint_url(endpoint: str | None = None) -> str:
    value = (endpoint or os.environ.get(ENDPOINT_ENV, "").strip() or DEFAULT_ENDPOINT).rstrip("/")
    if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
        raise InputError(f"{ENDPOINT_ENV}={value!r} is not an http(s) URL.", "Example: https://huggingface.co")
    return value


def normalise_sha(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    hex_ = value.strip().lower().removeprefix("sha256:")
    if not HEX64.match(hex_):
        raise InputError(f"{what} must be 64 hexadecimal digits (a sha256), got {value!r}.")
    return hex_


def resolve(name_or_url: str, endpoint: str, local_name: str | None = None) -> Source:
    """What to fetch and under which local name."""
    text = name_or_url.strip()
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        filename = unquote(parts.path.rsplit("/", 1)[-1])
        if not filename.lower().endswith(".gguf"):
            raise InputError(f"{text} does not name a .gguf file.", "Give the URL of one GGUF file.")
        default = filename[: -len(".gguf")].lower()
        return Source(text, check_name(local_name or default), None)
    entry = find(text)
    if entry is None and text.count("/") >= 2 and text.lower().endswith(".gguf"):
        owner, repo, filename = text.split("/", 2)
        url = f"{endpoint}/{owner}/{repo}/resolve/main/{filename}"
        return Source(url, check_name(local_name or filename.rsplit("/", 1)[-1][: -len(".gguf")].lower()), None)
    entry = entry or require(text)
    if entry.bundled:
        raise InputError(
            f"{entry.name} is the embedded model: it is already installed with the coach.",
            "Nothing to pull. `coach models use embedded` makes it the default again.",
        )
    url = f"{endpoint}/{entry.repo}/resolve/{entry.revision or 'main'}/{entry.file}"
    return Source(url, check_name(local_name or entry.name), entry)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hub_info(client, url: str) -> tuple[str | None, int | None]:
    """(sha256, size) the server reports for the file, from HEAD before any redirect to a CDN."""
    import httpx

    current = url
    for _ in range(5):
        try:
            r = client.head(current, headers={"Accept-Encoding": "identity"}, follow_redirects=False)
        except httpx.HTTPError as err:
            raise ModelError(f"Cannot reach {urlsplit(url).netloc}: {err}.", network_hint()) from None
        location = r.headers.get("Location", "")
        if (
            r.is_redirect and location.startswith("/") and not location.startswith("//")
        ):  # a renamed repository: follow it, as huggingface_hub does
            current = urljoin(current, location)
            continue
        break
    if r.status_code in (405, 501):  # a plain file server without HEAD: nothing reported
        return None, None
    if r.status_code >= 400:
        raise refusal(r.status_code, url)
    etag = (r.headers.get("X-Linked-Etag") or r.headers.get("ETag") or "").strip()
    etag = etag.removeprefix("W/").strip('"').lower()
    size = r.headers.get("X-Linked-Size") or (r.headers.get("Content-Length") if r.status_code == 200 else None)
    try:
        size_bytes = int(size) if size else None
    except ValueError:
        size_bytes = None
    return (etag if HEX64.match(etag) else None), size_bytes


def refusal(status: int, url: str) -> ModelError:
    if status == 404:
        return ModelError(
            f"Not found (404): {url}",
            "Check the name (`coach models list`) or the URL; nothing was downloaded.",
        )
    if status in (401, 403):
        return ModelError(
            f"The server refused access ({status}): {url}",
            "The repository may not exist, be private or be gated (it needs a login, and the coach sends no token). "
            "Download the file yourself and run `coach models use PATH`.",
        )
    return ModelError(f"The server answered {status} for {url}.", "Try again later; nothing was kept.")


def network_hint() -> str:
    return f"Check the connection (or {ENDPOINT_ENV}), then run the same command again."


def free_disk(folder: Path, disk_limit: int | None = None) -> int:
    free = shutil.disk_usage(folder).free
    env = os.environ.get(DISK_LIMIT_ENV, "").strip()
    for limit in (disk_limit, int(env) if env.isdigit() else None):
        if limit is not None:
            free = min(free, limit)
    return free


def human(n: int | None) -> str:
    if n is None:
        return "unknown size"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def expected_sha(source: Source, given: str | None, hub: str | None) -> tuple[str, str]:
    """The sha256 the file must have, and where it comes from; refuses conflicts and the unknown."""
    pinned = source.entry.sha256 if source.entry is not None and source.entry.pinned else None
    if pinned and given and pinned != given:
        raise InputError(
            f"--sha256 {given} disagrees with the catalogue's pinned sha256 {pinned} for {source.entry.name}.",
            "Drop --sha256 to use the pinned value.",
        )
    known, where = (pinned, "catalogue pin") if pinned else (given, "--sha256") if given else (hub, "hub")
    if known is None:
        raise ModelError(
            f"No sha256 is known for {source.url}: the server reports none, and none was given.",
            "Pass --sha256 HEX (from the publisher's page) so the file can be checked; nothing was downloaded.",
        )
    if hub and hub != known:
        raise ModelError(
            f"The server reports sha256 {hub} for this file, but the {where} says {known}.",
            "The file changed upstream or the value is wrong; nothing was downloaded.",
        )
    return known, where


def pull(
    name_or_url: str,
    home: Path,
    sha256: str | None = None,
    local_name: str | None = None,
    endpoint: str | None = None,
    progress: Progress | None = None,
    disk_limit: int | None = None,
    client=None,
    report: Callable[[str], None] = lambda message: None,
) -> Pulled:
    """Download, check and install one GGUF file; see the module docstring for what is decided."""
    import httpx

    given = normalise_sha(sha256, "--sha256")
    source = resolve(name_or_url, endpoint_url(endpoint), local_name)
    parts = urlsplit(source.url)
    pinned = source.entry is not None and source.entry.pinned
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not (pinned or given):
        raise InputError(
            f"{source.url} is plain http: the file and its checksum could be swapped on the way.",
            "Use https, or pass --sha256 HEX from the publisher so the file can be checked.",
        )
    folder = models_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    target = model_file(home, source.name)
    own_client = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(TIMEOUT, connect=15.0), headers={"User-Agent": "coach"})
    try:
        hub_sha, size = hub_info(client, source.url)
        want, where = expected_sha(source, given, hub_sha)
        if target.is_file() and _existing_matches(target, want):
            return Pulled(source.name, target, source.url, target.stat().st_size, want, where, already_installed=True)
        # The catalogue's size is only an estimate: good for the disk check, never a length to enforce.
        estimate = size or (source.entry.size_bytes if source.entry is not None else None)
        with Transfer(client, source, target, want, size, progress, report) as job:
            have = job.prepare()
            if estimate is not None and estimate - have > (free := free_disk(folder, disk_limit)):
                if not have:
                    job.discard()
                raise ModelError(
                    f"Not enough disk space for {source.name}: it needs {human(estimate - have)} more, "
                    f"{human(free)} is free in {folder}.",
                    "Free some space (or remove a model: `coach models remove NAME`), then run the same command again.",
                )
            job.run()
            return job.install(where)
    finally:
        if own_client:
            client.close()


def _existing_matches(target: Path, want: str) -> bool:
    """Whether the installed file is already the wanted one (from its record, else by hashing it)."""
    meta = read_meta(target)
    if meta.get("sha256"):
        return meta["sha256"] == want and meta.get("size_bytes") == target.stat().st_size
    h = hashlib.sha256()
    with target.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest() == want


class Dropped(Exception):
    """The transfer stopped early in a way worth retrying (a closed connection, a 5xx or 429)."""


class Transfer:
    """One file's download into ``<name>.partial``: resume, retries, hashing, checks and the rename.

    Used as a context manager: the ``.partial`` is opened (and locked) on entry and closed on exit."""

    def __init__(self, client, source: Source, target: Path, want: str, size: int | None, progress, report) -> None:
        self.client, self.source, self.target, self.want, self.size = client, source, target, want, size
        self.progress, self.report = progress or (lambda done, total: None), report
        self.partial = target.with_suffix(".partial")
        self.sidecar = target.with_suffix(".partial.json")
        self.hasher = hashlib.sha256()
        self.have = self.resumed_from = 0
        self.fh = None

    def __enter__(self) -> "Transfer":
        self.fh = self.partial.open("ab")
        _lock(self.fh, self.source.name)
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def prepare(self) -> int:
        """Keep the bytes of an earlier pull of the same file (hashing them), or start empty."""
        try:
            record = json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = None
        same = isinstance(record, dict) and record.get("url") == self.source.url and record.get("sha256") == self.want
        if same and (self.size is None or self.partial.stat().st_size <= self.size):
            with self.partial.open("rb") as fh:
                while block := fh.read(CHUNK):
                    self.hasher.update(block)
                    self.have += len(block)
            self.resumed_from = self.have
        else:
            self.fh.truncate(0)
        self.sidecar.write_text(json.dumps({"url": self.source.url, "sha256": self.want, "size": self.size}))
        return self.have

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)

    def run(self) -> None:
        if self.resumed_from:
            self.report(f"resuming from {human(self.resumed_from)}")
        stalled = attempts = 0
        while True:
            attempts += 1
            before = self.have
            try:
                self._attempt()
                break
            except Dropped as err:
                error = str(err)
            except ModelError:
                self.discard()
                raise
            except OSError as err:
                if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
                    self.discard()
                    raise ModelError(
                        f"The disk filled up while downloading {self.source.name}; the partial file was deleted.",
                        "Free some space, then run the same command again.",
                    ) from None
                raise
            stalled = 0 if self.have > before else stalled + 1
            if stalled > RETRIES or attempts >= MAX_ATTEMPTS:
                raise ModelError(
                    f"The download of {self.source.name} was interrupted ({error}) after {human(self.have)}.",
                    f"Run the same command again to resume; the bytes so far are kept in {self.partial} "
                    "(a .partial file is never used as a model).",
                )
            self.report(f"connection dropped ({error}); resuming from {human(self.have)}")
            time.sleep(min(3.0, 0.5 * max(1, stalled)))
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def _attempt(self) -> None:
        """One GET from ``self.have`` to the end; raises Dropped when it stops early."""
        import httpx

        headers = {"Accept-Encoding": "identity"}
        if self.have:
            headers["Range"] = f"bytes={self.have}-"
        try:
            with self.client.stream("GET", self.source.url, headers=headers, follow_redirects=True) as r:
                if r.status_code == 416 and self.size is not None and self.have == self.size:
                    return
                if r.status_code >= 500 or r.status_code == 429:
                    raise Dropped(f"the server answered {r.status_code}")
                if r.status_code == 206 and not _range_starts_at(r.headers.get("Content-Range"), self.have):
                    self._restart("the server sent another range")
                    raise Dropped("the server sent another range")
                if r.status_code == 200 and self.have:
                    self._restart("the server does not resume (no Range support)")
                elif r.status_code not in (200, 206):
                    raise refusal(r.status_code, self.source.url)
                if self.size is None and r.status_code == 200 and r.headers.get("Content-Length", "").isdigit():
                    self.size = int(r.headers["Content-Length"])
                for chunk in r.iter_raw():  # as it arrives: a chunk size would lose a partial chunk on a drop
                    self.fh.write(chunk)
                    self.hasher.update(chunk)
                    self.have += len(chunk)
                    self.progress(self.have, self.size)
                    if self.size is not None and self.have > self.size:
                        raise ModelError(
                            f"The server sent more than the {self.size} bytes it announced for {self.source.name}.",
                            "Nothing was kept; try again later.",
                        )
        except httpx.TransportError as err:
            raise Dropped(str(err) or type(err).__name__) from None
        finally:
            self.fh.flush()
        if self.size is not None and self.have < self.size:
            raise Dropped("the connection closed early")

    def _restart(self, why: str) -> None:
        self.report(f"{why}; starting again from zero")
        self.fh.truncate(0)
        self.hasher = hashlib.sha256()
        self.have = self.resumed_from = 0

    def install(self, where: str) -> Pulled:
        """Check the finished ``.partial`` and rename it into place, or delete it and say why."""
        from coach.model.model_files import GGUF_MAGIC

        got = self.hasher.hexdigest()
        if got != self.want:
            self.discard()
            raise ModelError(
                f"The downloaded file's sha256 is {got}, but the {where} says {self.want}: it was deleted.",
                "Nothing was installed. Check --sha256, or try again (the transfer may have been corrupted).",
            )
        with self.partial.open("rb") as fh:
            magic = fh.read(4)
        if magic != GGUF_MAGIC:
            self.discard()
            raise ModelError(
                f"{self.source.url} is not a GGUF model file; it was deleted.",
                "Pull a .gguf file (see `coach models list`).",
            )
        meta = {
            "name": self.source.name,
            "catalogue": self.source.entry.name if self.source.entry is not None else None,
            "url": self.source.url,
            "sha256": got,
            "size_bytes": self.have,
            "verified_against": where,
            "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        meta_tmp = self.target.with_suffix(".json.tmp")
        meta_tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        os.replace(self.partial, self.target)
        os.replace(meta_tmp, self.target.with_suffix(".json"))
        self.sidecar.unlink(missing_ok=True)
        return Pulled(self.source.name, self.target, self.source.url, self.have, got, where, self.resumed_from)


def _range_starts_at(content_range: str | None, start: int) -> bool:
    match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", content_range or "")
    return bool(match) and int(match.group(1)) == start


def _lock(fh, name: str) -> None:
    """One pull of a name at a time (two would write the same ``.partial``)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise ModelError(
            f"Another `coach models pull` of {name} is running.", "Wait for it to finish, or stop it first."
        ) from None
