"""Kill: `kill -9` the real `coach serve` while two users are answering interview questions through
its HTTP API, at a random moment, 20 times. After each kill the sessions database passes an
integrity check and every turn whose reply came back is saved; after a restart the users see them."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import threading
import time

import pytest
from conftest import BIN, free_port, wait_for_http

from coach.sessions.history import History

pytestmark = [pytest.mark.server, pytest.mark.model]

ROUNDS = 20
USERS_PER_ROUND = 2


def client_for(url):
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 120})


def keep_answering(url: str, owner: str, completed: list, not_started: list) -> None:
    """Start a long interview and answer until the server goes away.

    An answer counts as completed only when the reply shows it in the conversation: a page that
    answered "Start an interview first." (a start that did not start) took no turn to save. Such a
    start is kept in ``not_started`` with what the page said, for the test to print."""
    try:
        client = client_for(url)
        started = client.predict(
            owner, "support engineer", "mid", "behavioral", "neutral", 12, "", api_name="/interview_start"
        )
        chat, notice = started[0], started[3]
        if "Interview started" not in str(notice):
            not_started.append((owner, str(notice)[:200]))
            return
        n = 0
        while True:
            text = (
                f"Answer {n} from {owner}: I was responsible for the support queue, "
                "I set up a triage rota, and waiting times fell by 30 percent."
            )
            chat = client.predict(text, chat, api_name="/interview_answer")[0]
            if text in str(chat):
                completed.append((owner, text))
            n += 1
    except Exception:  # the server was killed under us: expected
        return


def saved_user_turns(db) -> dict[str, set[str]]:
    history = History(db)
    try:
        assert history.integrity_ok(), "the sessions database fails its integrity check"
        saved: dict[str, set[str]] = {}
        for s in history.list():
            saved.setdefault(s.owner, set()).update(t.content for t in history.get(s.id).turns if t.role == "candidate")
        return saved
    finally:
        history.close()


def serve(home, log):
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "coach"), "serve", "--port", str(port)],
        env=dict(os.environ, COACH_HOME=str(home)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_for_http(url, 120, proc)
    return proc, url


def test_completed_turns_survive_kill_9_of_the_server_twenty_times(tmp_path, indexed_home):
    home = tmp_path / "home"
    shutil.copytree(indexed_home / "chroma", home / "chroma")  # the store only: no sessions carried over
    db = home / "sessions.db"
    rng = random.Random(11)
    completed: list[tuple[str, str]] = []
    not_started: list[tuple[str, str]] = []
    log = open(tmp_path / "serve.log", "w")
    try:
        for round_ in range(ROUNDS):
            proc, url = serve(home, log)
            owners = [f"kill-{round_:02d}-{u}" for u in range(USERS_PER_ROUND)]
            threads = [
                threading.Thread(target=keep_answering, args=(url, o, completed, not_started), daemon=True)
                for o in owners
            ]
            for t in threads:
                t.start()
            # Once answers are flowing (one has come back), kill at a random moment while more are being saved.
            deadline = time.monotonic() + 300
            while not any(o in owners for o, _ in completed) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert any(o in owners for o, _ in completed), f"round {round_}: no answer came back"
            time.sleep(rng.uniform(0.0, 3.0))
            proc.kill()
            proc.wait()
            for t in threads:
                t.join(timeout=60)

            saved = saved_user_turns(db)
            missing = [(o, text[:30]) for o, text in completed if text not in saved.get(o, set())]
            assert missing == [], f"round {round_}: completed turns lost after kill -9"

        # One CI run (2026-11-25) saw a user's answers come back as "Start an interview first." on a cold
        # server: its start had not started. Such starts are printed; they lose no turn, but not many may.
        print("starts that did not start:", not_started)
        assert len(not_started) <= 2, not_started
        # After a restart each user still sees their session, with every completed turn.
        proc, url = serve(home, log)
        try:
            client = client_for(url)
            for owner in sorted({o for o, _ in completed}):
                rows = client.predict(owner, api_name="/history_list")[0]["data"]
                assert rows and all(r[2] == "interview" for r in rows)
                needed = sum(1 for o, _ in completed if o == owner)
                assert sum(r[4] for r in rows) >= 2 * needed, "each completed answer and its reply are in the session"
        finally:
            proc.kill()
            proc.wait()
    finally:
        log.close()
