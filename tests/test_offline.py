"""Offline: the full flow inside a network namespace with no network (`unshare -n -m`), and proof that
no process even tries to reach another machine: tests/nettrap.py records every DNS query and every
packet towards another address from any process (C libraries included), and tests/netguard names the
Python process behind an attempt."""

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
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"cannot create a network namespace here (needs root or user namespaces): {probe.stderr.strip()}")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (make test installs it)")

    out = subprocess.run(
        ["unshare", "-n", "-m", sys.executable, str(HERE / "offline_flow.py"), str(tmp_path), CHROMIUM],
        capture_output=True,
        text=True,
        timeout=1800,
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
    spoken = json.loads(steps["analyze_audio"]["stdout"])
    assert "report" in spoken["transcript"].lower() and spoken["delivery"]["words_per_minute"] > 0
    card = json.loads(steps["interview_audio"]["stdout"])
    assert card["answers"][0]["delivery"] and card["delivery_average"]["recordings"] >= 1

    page = result["page"]
    assert "error" not in page, (page, result["serve_log"])
    assert page["status"].count("ready") >= 3 and "knowledge/" in page["ask"]
    assert "Delivery:" in page["spoken"] and "words a minute" in page["spoken"]

    net_log = tmp_path / "net.log"
    guarded = (tmp_path / "net.log.guarded").read_text()
    for command in ("index", "ask", "interview", "debrief", "analyze", "serve"):
        assert f"coach {command}" in guarded, f"coach {command} did not run under the network guard"
    attempts = net_log.read_text() if net_log.exists() else ""
    assert attempts == "", f"a Python process tried to reach another machine:\n{attempts}"
    trapped = result["attempts"]
    assert trapped == {"dns": [], "packets": []}, f"some process tried to reach another machine: {trapped}"
    assert list((tmp_path / "cache" / "onnx").glob("*.onnx")), "the ONNX export ran inside the trap"
    assert list((tmp_path / "cache" / "whisper").glob("*/model.bin")), "the speech model was joined inside the trap"


PROBE = """
import json, socket, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from nettrap import NetTrap
trap = NetTrap(Path(sys.argv[2])).install()
# a C program resolving a name, and bash connecting to an address: neither goes through Python's sockets
subprocess.run(["getent", "hosts", "telemetry.example.org"], timeout=20)
subprocess.run(["timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/192.0.2.1/443"], timeout=20)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"x", ("2001:db8::1", 9)); s.close()
time.sleep(1)
trap.stop()
print(json.dumps(trap.attempts()))
"""


def test_the_network_trap_records_any_process_reaching_for_another_machine(tmp_path):
    """The trap the offline test relies on sees a C resolver, a bash connection and an IPv6 datagram."""
    out = subprocess.run(
        ["unshare", "-n", "-m", sys.executable, "-c", PROBE, str(HERE), str(tmp_path / "trap")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    attempts = json.loads(out.stdout.strip().splitlines()[-1])
    assert any("telemetry.example.org" in line for line in attempts["dns"]), attempts
    assert any(line.startswith("tcp 192.0.2.1:443") for line in attempts["packets"]), attempts
    assert any(line.startswith("udp [2001:db8::1]:9") for line in attempts["packets"]), attempts


def test_the_network_guard_records_attempts_to_reach_other_machines(tmp_path):
    """The guard names the Python process behind a lookup or a connection to another machine, not loopback.

    It runs in a namespace of its own, where nothing can leave the machine."""
    log = tmp_path / "net.log"
    script = (
        "import socket, subprocess\n"
        "subprocess.run(['/usr/sbin/ip', 'link', 'set', 'lo', 'up'], check=True)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "socket.create_connection(s.getsockname()).close()\n"
        "for target in (('example.org', 443), ('192.0.2.1', 443)):\n"
        "    try: socket.create_connection(target, timeout=0.2)\n"
        "    except OSError: pass\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(HERE / "netguard"), "COACH_NETLOG": str(log)}
    subprocess.run(["unshare", "-n", sys.executable, "-c", script], env=env, check=True, timeout=60)
    lines = log.read_text().splitlines()
    assert any("getaddrinfo 'example.org'" in line for line in lines)
    assert any("192.0.2.1" in line for line in lines)
    assert not any("127.0.0.1" in line for line in lines)
