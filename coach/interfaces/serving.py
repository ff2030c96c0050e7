"""What `coach serve` checks before it listens: the password, the address, and a throttle on logins.

- ``--auth USER:PASSWORD`` needs both parts; an empty user or password is refused.
- The address is resolved and the port tried first, so a port in use or a host that does not
  resolve is one plain message, not a traceback from deep inside the web server.
- Logins go through :class:`LoginThrottle`: after ``MAX_FAILURES`` wrong passwords in
  ``WINDOW_S`` seconds, every login (even a right one) is refused until the window has passed,
  so a password cannot be guessed at the speed of the network.
"""

from __future__ import annotations

import hmac
import socket
import threading
import time
from typing import Callable

from coach.errors import InputError

MAX_FAILURES = 5
WINDOW_S = 300.0


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise InputError(
            "--auth must look like USER:PASSWORD, with neither part empty.",
            "For example --auth coach:correct-horse-battery (or set COACH_AUTH).",
        )
    return user, password


def check_address(host: str, port: int) -> None:
    """Raise a plain InputError when ``host`` does not resolve or ``port`` is taken there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise InputError(
            f"Cannot serve on {host}: the address does not resolve ({err}).",
            "Use --host 127.0.0.1 (the default) or an address of this machine.",
        ) from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise InputError(
                f"Cannot serve on {host}:{port}: {err.strerror or err}.",
                "Another program (perhaps another coach) is using that port: stop it, or pick one with --port.",
            ) from None


class LoginThrottle:
    def __init__(
        self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ):
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: list[float] = []
        self._lock = threading.Lock()

    def locked(self) -> bool:
        with self._lock:
            now = self.clock()
            self._failures = [t for t in self._failures if now - t < self.window_s]
            return len(self._failures) >= self.max_failures

    def failed(self) -> None:
        with self._lock:
            self._failures.append(self.clock())

    def checker(self, user: str, password: str) -> Callable[[str, str], bool]:
        """Gradio's ``auth`` callable: constant-time comparison, refused while locked."""

        def check(given_user: str, given_password: str) -> bool:
            if self.locked():
                return False
            ok = hmac.compare_digest(given_user.encode(), user.encode()) & hmac.compare_digest(
                given_password.encode(), password.encode()
            )
            if not ok:
                self.failed()
            return bool(ok)

        return check
