"""The whole coach flow with no network at all. test_offline.py runs this inside `unshare -n -m`.

Usage: python offline_flow.py WORKDIR CHROMIUM
Installs the network trap (tests/nettrap.py: loopback up, a logging resolver on
127.0.0.1 and a TUN device that every other address routes into), then runs index,
ask, interview and debrief through the `coach` command and `coach serve` with a
real browser asking one question, and leaves the server idle for a while so that
anything that phones home on a timer shows up. The trap sees every process's DNS
queries and packets; every coach process also runs with tests/netguard on
PYTHONPATH, which names the Python process behind an attempt (WORKDIR/net.log).
Prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import (  # this folder is on sys.path: the script runs from it
    CHROMIUM_ARGS,
    ONE_QUESTION,
    free_port,
    stop,
    wait_for_http,
)
from nettrap import NetTrap

IDLE_SERVER_SECONDS = 30  # onnxruntime's telemetry, when it was on, looked up its host every few seconds

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

ANSWERS = (
    "Last spring our quarterly sales report was two weeks late because the data pipeline kept failing overnight. "
    "My task as the analyst was to get it out on time. I rewrote the slow query and added automated checks, "
    "and the report shipped three days early, with run time down 40 percent.\n\n"
    "I led the fix myself and trained two colleagues on the new checks.\n\n"
    "What does success look like in the first ninety days?\n"
)
SPOKEN = (
    "Um, last spring our sales report was two weeks late because the pipeline kept failing overnight. "
    "I was asked to fix it. I rewrote the slow query and added checks, and the report shipped three days early.",
    "I trained two colleagues on the new checks myself.",
    "No, thank you.",
)
NOTES = (
    "My interview for a data analyst role went badly. "
    "I froze on the question about a conflict with a coworker and rambled. I feel awful."
)


def network_reachable() -> bool:
    """Whether a real answer comes back from outside (the trap swallows the attempt: it must not)."""
    try:
        socket.create_connection(("192.0.2.1", 443), timeout=3).close()
        return True
    except OSError:
        return False


def main(work: Path, chromium: str) -> dict:
    trap = NetTrap(work / "trap").install()
    result: dict = {"network_reachable": network_reachable(), "steps": {}}
    (work / "trap" / "packets.log").write_text("")  # the probe above is ours, not the coach's
    # A fresh COACH_CACHE: the embedding model's one-time ONNX export (a child process) runs here too.
    env = dict(
        os.environ,
        COACH_HOME=str(work / "home"),
        COACH_CACHE=str(work / "cache"),
        PYTHONPATH=str(HERE / "netguard"),
        COACH_NETLOG=str(work / "net.log"),
    )
    (work / "answers.txt").write_text(ANSWERS, encoding="utf-8")
    microphone = work / "microphone.wav"  # what Chromium's fake microphone plays on the page
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(microphone), SPOKEN[0]], check=True)
    (work / "notes.txt").write_text(NOTES, encoding="utf-8")

    def coach(name: str, *args: str) -> None:
        out = subprocess.run([str(BIN / "coach"), *args], capture_output=True, text=True, env=env, timeout=900)
        result["steps"][name] = {"rc": out.returncode, "stdout": out.stdout, "stderr": out.stderr[-2000:]}

    coach("index", "index", "--json")
    coach("ask", "ask", "How should I follow up after an interview?", "--json")
    coach("interview", *ONE_QUESTION, "--answers", str(work / "answers.txt"), "--json")
    coach("debrief", "debrief", "--notes", str(work / "notes.txt"), "--json")
    # Spoken answers: the speech model is joined into the fresh COACH_CACHE and runs inside the trap.
    spoken = work / "spoken"
    spoken.mkdir()
    for n, text in enumerate(SPOKEN, 1):
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(spoken / f"{n}.wav"), text], check=True)
    coach(
        "analyze_audio",
        "analyze",
        "-q",
        "Tell me about a time you fixed a problem.",
        "--audio",
        str(spoken / "1.wav"),
        "--json",
    )
    coach("interview_audio", *ONE_QUESTION, "--audio-dir", str(spoken), "--json")

    port = free_port()
    log = open(work / "serve.log", "w")
    server = subprocess.Popen(
        [str(BIN / "coach"), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        result["page"] = browse(f"http://127.0.0.1:{port}/", chromium, server, microphone)
        time.sleep(IDLE_SERVER_SECONDS)
    except Exception as err:  # reported, not raised: the test prints what happened
        result["page"] = {"error": f"{type(err).__name__}: {err}"}
    finally:
        stop(server)
        log.close()
    result["serve_log"] = (work / "serve.log").read_text(errors="replace")[-3000:]
    trap.stop()
    result["attempts"] = trap.attempts()
    return result


def browse(url: str, chromium: str, server: subprocess.Popen, microphone: Path) -> dict:
    wait_for_http(url, 120, server)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        fake_microphone = [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={microphone}",
        ]
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS + fake_microphone,  # resolves no names: the trap hears only the coach
        )
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function(
                "() => (document.querySelector('#status')?.innerText.match(/ready/g) || []).length >= 3",
                timeout=180_000,
            )
            page.get_by_role("tab", name="Ask the coach").click()
            box = page.locator("#ask-box textarea")
            box.fill("How do I prepare three key points for an interview?")
            box.press("Enter")
            page.wait_for_function(
                "() => (document.querySelector('#ask-chat')?.innerText || '').includes('knowledge/')", timeout=300_000
            )
            ask = page.locator("#ask-chat").inner_text()[-3000:]
            # An answer spoken into the (fake) microphone, transcribed on this machine.
            page.get_by_role("tab", name="Mock interview").click()
            page.locator("#start-interview").click()
            page.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=180_000)
            page.locator("#interview-audio .record-button").click()
            page.wait_for_timeout(10_000)
            page.locator("#interview-audio .stop-button").click()
            page.wait_for_function(
                "() => /report/i.test(document.querySelector('#interview-answer textarea')?.value || '')",
                timeout=180_000,
            )
            page.locator("#interview-answer textarea").press("Enter")
            page.locator("#interview-analysis").get_by_text("Delivery:", exact=True).wait_for(timeout=180_000)
            return {
                "status": page.locator("#status").inner_text(),
                "ask": ask,
                "spoken": page.locator("#interview-analysis").inner_text()[-3000:],
            }
        finally:
            browser.close()


if __name__ == "__main__":
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    print(json.dumps(main(work, sys.argv[2])))
