"""The whole coach flow with no network at all. test_offline.py runs this inside `unshare -n`.

Usage: python offline_flow.py WORKDIR CHROMIUM
Brings up the namespace's loopback interface (a new network namespace has only
`lo`, and down), then runs index, ask, interview and debrief through the `coach`
command and `coach serve` with a real browser asking one question. Every coach
process runs with tests/netguard on PYTHONPATH, which logs any attempt to reach
another machine to WORKDIR/net.log. Prints one JSON object as its last line.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path

from conftest import free_port, stop, wait_for_http  # this folder is on sys.path: the script runs from it

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

ANSWERS = """Last spring our quarterly sales report was two weeks late because the data pipeline kept failing overnight. My task as the analyst was to get it out on time. I rewrote the slow query and added automated checks, and the report shipped three days early, with run time down 40 percent.

I led the fix myself and trained two colleagues on the new checks.

What does success look like in the first ninety days?
"""
NOTES = "My interview for a data analyst role went badly. I froze on the question about a conflict with a coworker and rambled. I feel awful."


def loopback_up() -> None:
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, siocgifflags, request))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b""))


def network_reachable() -> bool:
    try:
        socket.create_connection(("1.1.1.1", 443), timeout=3).close()
        return True
    except OSError:
        return False


def main(work: Path, chromium: str) -> dict:
    loopback_up()
    result: dict = {"network_reachable": network_reachable(), "steps": {}}
    env = dict(os.environ, COACH_HOME=str(work / "home"), PYTHONPATH=str(HERE / "netguard"), COACH_NETLOG=str(work / "net.log"))
    (work / "answers.txt").write_text(ANSWERS, encoding="utf-8")
    (work / "notes.txt").write_text(NOTES, encoding="utf-8")

    def coach(name: str, *args: str) -> None:
        out = subprocess.run([str(BIN / "coach"), *args], capture_output=True, text=True, env=env, timeout=900)
        result["steps"][name] = {"rc": out.returncode, "stdout": out.stdout, "stderr": out.stderr[-2000:]}

    coach("index", "index", "--json")
    coach("ask", "ask", "How should I follow up after an interview?", "--json")
    coach("interview", "interview", "--kind", "behavioral", "--questions", "1", "--seed", "3", "--answers", str(work / "answers.txt"), "--json")
    coach("debrief", "debrief", "--notes", str(work / "notes.txt"), "--json")

    port = free_port()
    log = open(work / "serve.log", "w")
    server = subprocess.Popen([str(BIN / "coach"), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        result["page"] = browse(f"http://127.0.0.1:{port}/", chromium, server)
    except Exception as err:  # reported, not raised: the test prints what happened
        result["page"] = {"error": f"{type(err).__name__}: {err}"}
    finally:
        stop(server)
        log.close()
    result["serve_log"] = (work / "serve.log").read_text(errors="replace")[-3000:]
    return result


def browse(url: str, chromium: str, server: subprocess.Popen) -> dict:
    wait_for_http(url, 120, server)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => (document.querySelector('#status')?.innerText.match(/ready/g) || []).length >= 3", timeout=180_000)
            page.get_by_role("tab", name="Ask the coach").click()
            box = page.locator("#ask-box textarea")
            box.fill("How do I prepare three key points for an interview?")
            box.press("Enter")
            page.wait_for_function("() => (document.querySelector('#ask-chat')?.innerText || '').includes('knowledge/')", timeout=300_000)
            return {"status": page.locator("#status").inner_text(), "ask": page.locator("#ask-chat").inner_text()[-3000:]}
        finally:
            browser.close()


if __name__ == "__main__":
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    print(json.dumps(main(work, sys.argv[2])))
