"""Reliability: sessions survive kill -9, damaged files give clear messages, bad input never crashes."""

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_inputs import BAD_INPUTS
from conftest import run_coach

from coach.errors import InputError
from coach.feedback.analysis import analyze
from coach.feedback.flags import BY_NAME
from coach.interfaces.limits import check_text
from coach.sessions.history import History

HERE = Path(__file__).parent


def test_completed_turns_survive_kill_9_twenty_times(tmp_path):
    db = tmp_path / "sessions.db"
    completed: list[tuple[str, int]] = []
    rng = random.Random(7)
    for _ in range(20):
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "helpers_writer.py"), str(db)], stdout=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + rng.uniform(0.3, 1.5)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.strip():
                sid, seq = line.split()
                completed.append((sid, int(seq)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Lines printed just before the kill were committed too.
        for line in proc.stdout.read().splitlines():
            if line.strip():
                sid, seq = line.split()
                completed.append((sid, int(seq)))
        history = History(db)
        assert history.integrity_ok()
        history.close()
    history = History(db)
    saved = {(s.id, t.seq) for s in history.list() for t in history.get(s.id).turns}
    assert len(completed) > 100
    missing = [c for c in completed if c not in saved]
    assert missing == []


def test_damaged_sessions_database_is_reported_and_never_deleted(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    db = home / "sessions.db"
    garbage = b"not a database at all " * 500
    db.write_bytes(garbage)
    out = run_coach("history", home=home)
    assert (
        out.returncode == 2 and "cannot be used" in out.stderr and "mv " in out.stderr and "Traceback" not in out.stderr
    )
    assert db.read_bytes() == garbage
    truncated = home / "t.db"
    good = History(truncated)
    sid = good.create("ask", "x")
    good.add_turn(sid, "user", "hello")
    good.close()
    data = truncated.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    out = run_coach("history", home=home)
    assert "Traceback" not in out.stderr
    assert db.exists()


def test_damaged_store_and_model_files_give_clear_messages(tmp_path, indexed_home):
    home = tmp_path / "home"
    (home / "chroma").mkdir(parents=True)
    (home / "chroma" / "chroma.sqlite3").write_bytes(b"\x00garbage" * 1000)
    out = run_coach("doctor", home=home)
    assert out.returncode == 1 and "coach index --rebuild" in out.stdout and "Traceback" not in out.stdout + out.stderr
    bad_model = tmp_path / "model.gguf"
    bad_model.write_bytes(b"GGUF" + b"\xff" * 100)
    out = run_coach("doctor", "--model", str(bad_model), home=indexed_home)
    assert out.returncode == 1 and "truncated" in out.stdout


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gets_a_clear_message_or_a_result(text):
    try:
        cleaned = check_text(text, 8000, "answer")
    except InputError as err:
        assert str(err) and err.hint
        return
    result = analyze("Tell me about a time you handled a conflict.", cleaned)
    assert set(result.flags) <= set(BY_NAME)


def test_bad_input_through_the_command_line(tmp_path, indexed_home):
    lines = [json.dumps({"question": "Tell me about yourself.", "answer": t}) for t in BAD_INPUTS] + [
        "not json",
        "[1, 2]",
    ]
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(lines), encoding="utf-8")
    out = run_coach("analyze", "--input", str(f), "--json", home=indexed_home)
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(results) == len(lines)
    assert all(("flags" in r) or ("error" in r) for r in results)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    out = run_coach("analyze", "--input", str(binary), "--json", home=indexed_home)
    assert out.returncode == 2 and "binary" in out.stderr and "Traceback" not in out.stderr
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(
        json.dumps(
            {"question": "Why us?", "answer": "Caf\u00e9 culture and r\u00e9sum\u00e9 work"}, ensure_ascii=False
        ).encode("cp1252")
    )
    out = run_coach("analyze", "--input", str(latin), "--json", home=indexed_home)
    assert out.returncode == 0 and "flags" in out.stdout
