"""The page in headless Chromium (Debian's, driven by Playwright) against `coach serve` with the real default model."""

import re
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, coach_served, free_port, home_with_store

pytestmark = [pytest.mark.browser, pytest.mark.model]
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-output" / "screenshots"
WAIT = 180_000  # ms: a turn on the default model takes seconds, the first load longer

GOOD = (
    "At my last job as a support lead at a software company, our backlog had grown to 400 tickets. "
    "I was responsible for getting it under 100 within a month. I sorted the tickets by product area, set up a "
    "daily triage meeting and wrote ten template replies. After four weeks the backlog was down to 80 tickets."
)


@pytest.fixture(scope="module")
def served(indexed_home, tmp_path_factory):
    """(url, COACH_HOME) of one `coach serve` shared by the module's tests."""
    home = home_with_store(indexed_home, tmp_path_factory.mktemp("browser"))
    with coach_served(home, home.parent / "serve.log") as (url, _):
        yield url, home


@pytest.fixture(scope="module")
def server(served):
    return served[0]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield b
        b.close()


def open_page(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.goto(url)
    page.get_by_text("Chat model:").wait_for(timeout=WAIT)
    page.wait_for_function(
        "() => (document.querySelector('#status')?.innerText.match(/ready/g) || []).length >= 3", timeout=WAIT
    )
    return context, page


def tab(page, name):
    page.get_by_role("tab", name=name).click()


def wait_idle(page, box_id):
    page.wait_for_function(f"() => !document.querySelector('#{box_id} textarea')?.disabled", timeout=WAIT)


def answer(page, text):
    box = page.locator("#interview-answer textarea")
    box.fill(text)
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_idle(page, "interview-answer")


def test_the_three_modes_history_and_isolation(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    a_ctx, a = open_page(browser, server)
    b_ctx, b = open_page(browser, server)

    # Two people at once: each starts an interview; neither sees the other's conversation.
    tab(a, "Mock interview")
    a.locator("#start-interview").click()
    tab(b, "Mock interview")
    b.locator("#start-interview").click()
    a.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=WAIT)
    b.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=WAIT)
    answer(b, "PERSON-B-ANSWER: I led a small migration project and we finished it on time.")
    assert "PERSON-B-ANSWER" not in a.locator("#interview-chat").inner_text()

    # Mock interview to the end: analysis beside the chat, then the scorecard.
    for _ in range(8):
        if a.locator("#scorecard").get_by_text("Scorecard").count():
            break
        answer(a, GOOD)
        assert (
            "Flags:" in a.locator("#interview-analysis").inner_text()
            or a.locator("#scorecard").get_by_text("Scorecard").count()
        )
    a.locator("#scorecard").get_by_text("Scorecard").wait_for(timeout=WAIT)
    card = a.locator("#scorecard").inner_text()
    assert "Top improvements" in card or "none" in card
    assert "Overall score:" in card, "the interview's rubric score is on the scorecard"
    analysis = a.locator("#interview-analysis").inner_text()
    assert "Score:" in analysis and "What a strong answer shows" in analysis, "the score and the bank's guide"
    assert (
        "STAR" in a.locator("#interview-analysis").inner_text()
        or "Flags" in a.locator("#interview-analysis").inner_text()
    )
    a.screenshot(path=str(SHOTS / "mock-interview.png"), full_page=True)

    # Debrief from notes: five steps one after another, then the report and drafts.
    tab(a, "Debrief")
    a.locator("#debrief-notes textarea").fill(
        "My interview for a junior analyst job went badly. I froze when they asked about my greatest weakness "
        "and I hadn't researched the company. I feel so embarrassed."
    )
    a.locator("#debrief-role textarea").fill("junior analyst")
    a.locator("#start-debrief").click()
    a.locator("#debrief-chat").get_by_text("Step 1 of 5").wait_for(timeout=WAIT)
    for n in range(2, 6):
        a.locator("#debrief-next").click()
        a.locator("#debrief-chat").get_by_text(f"Step {n} of 5").wait_for(timeout=WAIT)
        if n == 4:  # the practise step: a new answer typed there is read and answered
            a.locator("#debrief-reply textarea").fill(
                "My weakness is that I say yes to too much, so I now write every request into a list and agree "
                "deadlines before I take the work on. Is that better?"
            )
            a.locator("#debrief-next").click()
            a.locator("#debrief-chat").get_by_text("Read as your answer to").wait_for(timeout=WAIT)
            a.locator("#debrief-chat").get_by_text("Step 5 of 5").wait_for(timeout=WAIT)
            break
    a.locator("#debrief-next").click()
    a.locator("#debrief-report").get_by_text("Action plan").wait_for(timeout=WAIT)
    assert "Sources" in a.locator("#debrief-report").inner_text()
    assert "Dear" in a.locator("#draft-follow-up textarea").input_value()
    a.screenshot(path=str(SHOTS / "debrief.png"), full_page=True)
    # Practising the weak question: the form shows what is practised, not the previous interview's settings.
    a.locator("#debrief-practise").click()
    a.locator("#interview-notice").get_by_text("Practising").wait_for(timeout=WAIT)
    assert a.locator("#interview-role textarea").input_value() == "junior analyst"

    # Ask: the sessions to continue from are there at once, without opening History first.
    tab(a, "Ask the coach")
    a.locator("#ask-context input").click()
    a.locator("#ask-context [data-testid=dropdown-option]").filter(has_text="debrief").first.wait_for(timeout=WAIT)
    a.keyboard.press("Escape")
    # Ask: streamed answer with cited passages shown under it.
    box = a.locator("#ask-box textarea")
    box.fill("How do I stop rambling when I answer?")
    box.press("Enter")
    a.wait_for_timeout(500)
    wait_idle(a, "ask-box")
    chat = a.locator("#ask-chat")
    a.wait_for_function("() => /\\[1\\]/.test(document.querySelector('#ask-chat')?.innerText || '')", timeout=WAIT)
    text = chat.inner_text()
    assert re.search(r"\[1\]", text)
    assert "knowledge/" in text, "the sources (title and file) are listed under the answer"
    a.screenshot(path=str(SHOTS / "ask.png"), full_page=True)

    # History after a reload: the sessions are there; the other person's are not.
    a.reload()
    a.get_by_text("Chat model:").wait_for(timeout=WAIT)
    tab(a, "History")
    a.locator("#history-refresh").click()
    a.wait_for_function("() => /debrief/.test(document.querySelector('#history-table')?.innerText || '')", timeout=WAIT)
    table = a.locator("#history-table").inner_text()
    assert "interview" in table and "debrief" in table and "ask" in table
    # One finished interview is enough to draw: its STAR scores are points and its flags visible bars.
    for plot in ("#star-plot", "#flag-plot", "#score-plot"):
        a.locator(f"{plot} canvas, {plot} svg").first.wait_for(timeout=WAIT)
    a.screenshot(path=str(SHOTS / "history.png"), full_page=True)

    tab(b, "History")
    b.locator("#history-refresh").click()
    b.wait_for_function(
        "() => /interview/.test(document.querySelector('#history-table')?.innerText || '')", timeout=WAIT
    )
    b_table = b.locator("#history-table").inner_text()
    assert "debrief" not in b_table and "ask" not in b_table.split("\n")[1:].__str__()

    tab(a, "Knowledge")
    a.wait_for_function(
        "() => /knowledge\\/notes/.test(document.querySelector('#knowledge-table')?.innerText || '')", timeout=WAIT
    )
    a.screenshot(path=str(SHOTS / "knowledge.png"), full_page=True)
    a_ctx.close()
    b_ctx.close()


def test_a_due_question_comes_back_first_with_the_answer_before_beside_it(served, browser):
    """Issue 14: a weak answer, two days later the question is due; the page offers it, asks it first and
    shows the previous answer's score and flags beside the new one, and the History tab lists the card."""
    import sqlite3

    url, home = served
    ctx, page = open_page(browser, url)
    tab(page, "Mock interview")
    page.locator("#interview-count input[type=number]").fill("1")
    page.locator("#interview-count input[type=number]").press("Enter")
    page.locator("#start-interview").click()
    page.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=WAIT)
    for text in ("I fixed a bug once and it was fine.", "It went well in the end.", "No, thank you."):
        if page.locator("#scorecard").get_by_text("Scorecard").count():
            break
        answer(page, text)
    page.locator("#scorecard").get_by_text("Scorecard").wait_for(timeout=WAIT)
    with sqlite3.connect(home / "sessions.db") as db:  # two days pass for this browser's card
        (question,) = db.execute(
            "select a.question from card_answers a join sessions s on s.id = a.session_id "
            "where s.owner != '' order by a.id desc limit 1"
        ).fetchone()
        db.execute("update card_answers set answered_at = answered_at - 172800")
    tab(page, "History")
    tab(page, "Mock interview")  # selecting the tab asks what is due
    due = page.locator("#interview-due")
    due.get_by_text("question(s) due for practice").wait_for(timeout=WAIT)
    due.locator("input[type=checkbox]").check()
    page.locator("#start-interview").click()
    page.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=WAIT)
    assert question in page.locator("#interview-chat").inner_text(), "the due question is asked first"
    answer(page, GOOD)
    page.locator("#interview-analysis").get_by_text("Since your last answer to this question").wait_for(timeout=WAIT)
    page.screenshot(path=str(SHOTS / "practice-before-after.png"), full_page=True)
    tab(page, "History")
    page.locator("#history-refresh").click()
    page.wait_for_function(
        "q => (document.querySelector('#practice-table')?.innerText || '').includes(q.slice(0, 30))",
        arg=question,
        timeout=WAIT,
    )
    ctx.close()


def test_an_answer_spoken_into_the_microphone_is_transcribed_checked_and_sent(served, browser, tmp_path):
    """Issue 13: Chromium's fake microphone plays an espeak-ng recording; the page transcribes it into
    the answer box, and the sent answer's analysis shows its delivery."""
    import subprocess

    url, _ = served
    wav = tmp_path / "mic.wav"
    text = (
        "Um, last spring our support queue grew to three hundred tickets. I was asked to bring it down. "
        "I set up a daily triage and wrote ten template replies, and after a month the queue was under fifty."
    )
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True, timeout=60)
    microphone = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    # A second Chromium from the same Playwright, whose microphone plays the recording.
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + microphone)
    try:
        ctx, page = open_page(b, url)
        tab(page, "Mock interview")
        page.locator("#start-interview").click()
        page.locator("#interview-notice").get_by_text("Interview started").wait_for(timeout=WAIT)
        page.locator("#interview-audio .record-button").click()
        page.wait_for_timeout(13_000)  # the recording is about 12 s long
        page.locator("#interview-audio .stop-button").click()
        page.wait_for_function(
            "() => /triage/i.test(document.querySelector('#interview-answer textarea')?.value || '')",
            timeout=WAIT,
        )
        assert "words a minute" in page.locator("#interview-notice").inner_text()
        page.locator("#interview-answer textarea").press("Enter")
        page.locator("#interview-analysis").get_by_text("Delivery:", exact=True).wait_for(timeout=WAIT)
        page.screenshot(path=str(SHOTS / "spoken-answer.png"), full_page=True)
        ctx.close()
    finally:
        b.close()


def test_a_browser_sees_its_sessions_after_the_server_restarts(indexed_home, browser, tmp_path):
    """The owner id in the browser's storage is encrypted with a secret kept in COACH_HOME, not one per process."""
    home = home_with_store(indexed_home, tmp_path)
    port = free_port()  # the same address after the restart: browser storage belongs to an origin
    context = browser.new_context()
    try:
        with coach_served(home, tmp_path / "serve.log", port) as (url, _):
            page = context.new_page()
            page.goto(url)
            page.wait_for_function(
                "() => (document.querySelector('#status')?.innerText.match(/ready/g) || []).length >= 3", timeout=WAIT
            )
            tab(page, "Ask the coach")
            box = page.locator("#ask-box textarea")
            box.fill("How do I prepare my three key points before the panel?")
            box.press("Enter")
            page.wait_for_timeout(500)
            wait_idle(page, "ask-box")
            page.wait_for_function(
                "() => (document.querySelector('#ask-chat')?.innerText || '').includes('knowledge/')", timeout=WAIT
            )
            # Closed before the server stops: an open Gradio page reconnects and reloads itself when the
            # server comes back, and that navigation would abort the test's own (CI saw ERR_ABORTED).
            page.close()
        secret = home / "browser-secret"
        assert secret.exists() and secret.stat().st_mode & 0o077 == 0, "the secret is private to this user"
        with coach_served(home, tmp_path / "serve.log", port) as (url, _):
            page = context.new_page()  # same context, so the same browser storage
            page.goto(url)
            page.wait_for_function(
                "() => (document.querySelector('#status')?.innerText.match(/ready/g) || []).length >= 3", timeout=WAIT
            )
            tab(page, "History")
            page.locator("#history-refresh").click()
            page.wait_for_function(
                "() => /three key points before the panel/"
                ".test(document.querySelector('#history-table')?.innerText || '')",
                timeout=WAIT,
            )
    finally:
        context.close()
