"""Offline: the full flow inside a network namespace with no network (`unshare -n`), and proof that
no coach process even tries to reach another machine (tests/netguard logs any attempt)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.model


def test_index_ask_interview_debrief_and_serve_with_no_network(tmp_path):
    if shutil.which("unshare") is None:
        pytest.fail("`unshare` (util-linux) is needed to cut the network off for this test")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"cannot create a network namespace here (needs root or user namespaces): {probe.stderr.strip()}")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (make test installs it)")

    out = subprocess.run(
        ["unshare", "-n", sys.executable, str(HERE / "offline_flow.py"), str(tmp_path), CHROMIUM],
        capture_output=True, text=True, timeout=1800,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["network_reachable"] is False, "the namespace must have no route out"

    steps = result["steps"]
    for name, step in steps.items():
        assert step["rc"] == 0, (name, step["stderr"])
    assert json.loads(steps["index"]["stdout"])["chunks"] > 50
    ask = json.loads(steps["ask"]["stdout"])
    assert ask["sources"] and "[1]" in ask["answer"]
    card = json.loads(steps["interview"]["stdout"])
    assert len(card["answers"]) == 1 and card["answers"][0]["comment"]
    report = json.loads(steps["debrief"]["stdout"])
    assert len(report["steps"]) == 5

    page = result["page"]
    assert "error" not in page, (page, result["serve_log"])
    assert page["status"].count("ready") >= 3 and "knowledge/" in page["ask"]

    net_log = tmp_path / "net.log"
    guarded = (tmp_path / "net.log.guarded").read_text()
    for command in ("index", "ask", "interview", "debrief", "serve"):
        assert f"coach {command}" in guarded, f"coach {command} did not run under the network guard"
    attempts = net_log.read_text() if net_log.exists() else ""
    assert attempts == "", f"something tried to reach another machine:\n{attempts}"


def test_the_network_guard_records_attempts_to_reach_other_machines(tmp_path):
    """The guard the offline test relies on: it logs a lookup or a connection to another machine, not loopback."""
    log = tmp_path / "net.log"
    script = (
        "import socket\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "socket.create_connection(s.getsockname()).close()\n"
        "for target in (('example.org', 443), ('192.0.2.1', 443)):\n"
        "    try: socket.create_connection(target, timeout=0.2)\n"
        "    except OSError: pass\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(HERE / "netguard"), "COACH_NETLOG": str(log)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    lines = log.read_text().splitlines()
    assert any("getaddrinfo 'example.org'" in line for line in lines)
    assert any("192.0.2.1" in line for line in lines)
    assert not any("127.0.0.1" in line for line in lines)
