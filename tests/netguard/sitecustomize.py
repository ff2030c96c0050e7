"""Loaded by every Python process started with this folder on PYTHONPATH (the offline test does that).

It records, in the file named by COACH_NETLOG, every attempt to resolve or connect
to anything that is not this machine: the test then asserts the file stays empty.
"""

import os
import sys

_LOG = os.environ.get("COACH_NETLOG")


def _is_local(host) -> bool:
    import ipaddress
    import socket

    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or host in ("", "localhost", "0.0.0.0", "::"):
        return True
    host = str(host).split("%", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.endswith(".localhost") or host == socket.gethostname()


def _hook(event, args):
    if event == "socket.connect":
        address = args[1]
        target = address[0] if isinstance(address, tuple) else None  # AF_UNIX paths are local
        if target is not None and not _is_local(target):
            _record(f"connect {address!r}")
    elif event == "socket.getaddrinfo":
        if not _is_local(args[0]):
            _record(f"getaddrinfo {args[0]!r}")


def _record(what: str) -> None:
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {' '.join(sys.argv)[:120]}: {what}\n")


if _LOG:
    sys.addaudithook(_hook)
    with open(_LOG + ".guarded", "a", encoding="utf-8") as _f:  # which processes ran under the guard
        _f.write(f"{os.getpid()} {' '.join(sys.argv)[:120]}\n")
