"""Handlers behind the page: plain functions over the core, testable without a browser.

Each browser session has its own ``state`` dict (held by Gradio); nothing here
is shared between sessions except the core objects and the model gate. Every
text that comes in is checked on the server (length, emptiness); on a problem
the handler returns a message and hands back what was typed, so nothing is lost.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

from .debrief import DebriefInput, quote, to_markdown
from .documents import SUPPORTED_SUFFIXES
from .errors import CoachError, InputError
from .export import session_markdown
from .gate import MODEL_GATE
from .interview import InterviewSettings
from .limits import check_text
from .warmup import Warmup

Chat = list[dict[str, Any]]


def new_state() -> dict[str, Any]:
    return {"interview": None, "ask_history": [], "ask_context_session": "", "debrief": None}


def queue_note() -> str:
    if MODEL_GATE.busy or MODEL_GATE.waiting:
        ahead = MODEL_GATE.waiting + (1 if MODEL_GATE.busy else 0)
        return f"⏳ The model is busy with another request; yours is queued ({ahead} ahead)…"
    return ""


def flags_markdown(review: dict[str, Any]) -> str:
    flags = review.get("flags", [])
    lines = ["**Flags:** " + (" ".join(f"`{f}`" for f in flags) if flags else "none: a solid answer")]
    lines.append(f"**Words:** {review.get('word_count', 0)}")
    if review.get("behavioral"):
        lines.append("**STAR:** " + " · ".join(f"{'✅' if review['star_present'][k] else '⬜'} {k}" for k in ("situation", "task", "action", "result")))
    for tip in review.get("tips", [])[:2]:
        src = tip.get("source") or {}
        lines.append(f"💡 {tip['tip']}  \n*Source: {src.get('title', '')} ({src.get('source', '')})*")
    return "\n\n".join(lines)


def scorecard_markdown(card: dict[str, Any]) -> str:
    lines = ["### Scorecard"]
    for i, a in enumerate(card["answers"], 1):
        lines.append(f"**{i}. {a['question']}**  \nFlags: {', '.join(f'`{f}`' for f in a['flags']) or 'none'}  \nCoach: {a['comment']}")
    if card.get("star_average"):
        lines.append("**STAR averages:** " + ", ".join(f"{k} {v:.2f}" for k, v in card["star_average"].items()))
    if card.get("improvements"):
        lines.append("**Top improvements**")
        for imp in card["improvements"]:
            src = imp.get("source") or {}
            lines.append(f"- {imp['tip']}  \n  *Source: {src.get('title', '')} ({src.get('source', '')}): “{quote(src.get('text', ''), 160)}”*")
    return "\n\n".join(lines)


class PageHandlers:
    def __init__(self, coach: Any, warmup: Warmup) -> None:
        self.coach = coach
        self.warmup = warmup
        self.settings = coach.settings

    # ------------------------------------------------------------ status

    def status(self) -> str:
        try:
            return self.warmup.describe()
        except CoachError as err:
            return f"⚠️ {err.explain()}"

    def _wait(self, *parts: str) -> str | None:
        """None when ready; otherwise the message to show while waiting (after waiting)."""
        if self.warmup.ready(*parts):
            return None
        return "⏳ Still loading the models (this takes a few seconds after start-up)…"

    # ------------------------------------------------------------ interview

    def interview_start(self, state, owner, role, level, kind, style, count, job_description) -> Iterator[tuple]:
        """Yields (chat, analysis_md, scorecard_md, notice, state)."""
        state = state or new_state()
        try:
            jd = check_text(job_description, self.settings.max_notes_chars, "job description") if (job_description or "").strip() else ""
            settings = InterviewSettings(role or "", level, kind, style, int(count), jd)
            if msg := self._wait("embedding", "store", "model"):
                yield [], "", "", msg, state
                self.warmup.wait("embedding", "store", "model")
            if note := queue_note():
                yield [], "", "", note, state
            sid, interview = self.coach.new_interview(settings, owner=owner or "")
        except CoachError as err:
            yield [], "", "", f"⚠️ {err.explain()}", state
            return
        chat: Chat = []
        for event in interview.start():
            chat.append({"role": "assistant", "content": event.text})
        state["interview"] = {"sid": sid, "state": interview.state}
        yield chat, "", "", f"Interview started (session {sid}). Type your answer and press Enter.", state

    def interview_answer(self, state, text, chat) -> Iterator[tuple]:
        """Yields (chat, analysis_md, scorecard_md, notice, state, textbox_value)."""
        state = state or new_state()
        chat = list(chat or [])
        current = state.get("interview")
        if not current:
            yield chat, "", "", "Start an interview first.", state, text
            return
        try:
            answer = check_text(text, self.settings.max_answer_chars, "answer")
        except InputError as err:
            yield chat, "", "", f"⚠️ {err.explain()}", state, text
            return
        interview = self.coach.interview(current["sid"], current["state"])
        if interview.finished:
            yield chat, "", "", "This interview has finished; start a new one.", state, text
            return
        chat.append({"role": "user", "content": answer})
        analysis = current.get("analysis", "")  # kept when this turn has no new analysis (the closing)
        card_md = ""
        yield chat, analysis, "", queue_note() or "The interviewer is thinking…", state, ""
        try:
            for event in interview.answer(answer):
                if event.kind == "review":
                    analysis = flags_markdown(event.data)
                elif event.kind == "comment":
                    src = event.data.get("source_label")
                    analysis += f"\n\n**Coach:** {event.text}" + (f"  \n*Source: {src}*" if src else "")
                elif event.kind == "interviewer":
                    chat.append({"role": "assistant", "content": event.text})
                elif event.kind == "finished":
                    card_md = scorecard_markdown(event.data)
                yield chat, analysis, card_md, "", state, ""
        except CoachError as err:
            yield chat, analysis, card_md, f"⚠️ {err.explain()}", state, ""
            return
        state["interview"]["state"] = interview.state
        state["interview"]["analysis"] = analysis
        done = "Interview finished: your scorecard is below and saved in History." if interview.finished else ""
        yield chat, analysis, card_md, done, state, ""

    # ------------------------------------------------------------ ask

    def ask(self, state, owner, question, chat, context_session) -> Iterator[tuple]:
        """Yields (chat, notice, state, textbox_value)."""
        state = state or new_state()
        chat = list(chat or [])
        try:
            q = check_text(question, 2000, "question")
        except InputError as err:
            yield chat, f"⚠️ {err.explain()}", state, question
            return
        if msg := self._wait("embedding", "store", "model"):
            yield chat, msg, state, question
            self.warmup.wait("embedding", "store", "model")
        chat.append({"role": "user", "content": q})
        chat.append({"role": "assistant", "content": ""})
        yield chat, queue_note(), state, ""
        context = ""
        try:
            if context_session:
                context = self.coach.session_context(context_session.split(" ", 1)[0])
            history = state["ask_history"][-8:]
            result = None
            text = ""
            for event in self.coach.asker.stream(q, history=history, context=context):
                if event.kind == "queued":
                    yield chat, event.text, state, ""
                elif event.kind == "token":
                    text += event.text
                    chat[-1] = {"role": "assistant", "content": text}
                    yield chat, "", state, ""
                elif event.kind == "done":
                    result = event.result
        except CoachError as err:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {err.explain()}"}
            yield chat, "", state, ""
            return
        from .ask import render_with_marks

        answer = render_with_marks(result)
        note = "\n\n*Citations marked [n?] are not supported by the passage they cite.*" if "?]" in answer else ""
        chat[-1] = {"role": "assistant", "content": answer + note}
        for i, p in enumerate(result.sources, 1):
            chat.append({"role": "assistant", "content": p.text, "metadata": {"title": f"[{i}] {p.label()}", "status": "done"}})
        state["ask_history"] += [{"role": "user", "content": q}, {"role": "assistant", "content": result.answer}]
        sid = state.get("ask_sid")
        try:
            if not sid:
                sid = self.coach.history.create("ask", "Coaching: " + q[:80], {}, owner=owner or "")
                state["ask_sid"] = sid
            self.coach.history.add_turn(sid, "user", q)
            self.coach.history.add_turn(sid, "coach", result.answer, {"sources": [p.public() for p in result.sources], "citations": [c.public() for c in result.citations]})
        except CoachError as err:
            yield chat, f"⚠️ Not saved: {err.explain()}", state, ""
            return
        yield chat, "", state, ""

    # ------------------------------------------------------------ debrief

    def debrief_start(self, state, owner, notes, transcript_file, role) -> Iterator[tuple]:
        """Yields (chat, report_md, follow_up, feedback, notice, state, notes_value)."""
        state = state or new_state()
        try:
            text = check_text(notes, self.settings.max_notes_chars, "notes")
            transcript = self.read_upload(transcript_file, {".txt", ".vtt", ".srt"}, "transcript") if transcript_file else ""
        except InputError as err:
            yield [], "", "", "", f"⚠️ {err.explain()}", state, notes
            return
        if msg := self._wait("embedding", "store", "model"):
            yield [], "", "", "", msg, state, notes
            self.warmup.wait("embedding", "store", "model")
        yield [{"role": "user", "content": text}], "", "", "", queue_note() or "Preparing your debrief…", state, notes
        try:
            sid, report = self.coach.run_debrief(DebriefInput(text, transcript=transcript, role=role or ""), owner=owner or "")
        except CoachError as err:
            yield [{"role": "user", "content": text}], "", "", "", f"⚠️ {err.explain()}", state, notes
            return
        state["debrief"] = {"sid": sid, "report": report, "shown": 1}
        chat = [{"role": "user", "content": text}, self._step_message(report, 0)]
        yield chat, "", "", "", "Step 1 of 5. Reply if you like, then press “Next step”.", state, notes

    @staticmethod
    def _step_message(report: dict, i: int) -> dict[str, str]:
        step = report["steps"][i]
        return {"role": "assistant", "content": f"**Step {i + 1} of 5: {step['name']}**\n\n{step['text']}"}

    def debrief_next(self, state, reply, chat) -> tuple:
        """Returns (chat, report_md, follow_up, feedback, notice, state, reply_value)."""
        state = state or new_state()
        chat = list(chat or [])
        current = state.get("debrief")
        if not current:
            return chat, "", "", "", "Start a debrief first.", state, reply
        if (reply or "").strip():
            try:
                said = check_text(reply, self.settings.max_answer_chars, "reply")
            except InputError as err:
                return chat, "", "", "", f"⚠️ {err.explain()}", state, reply
            chat.append({"role": "user", "content": said})
            self.coach.history.add_turn(current["sid"], "user", said)
        report = current["report"]
        i = current["shown"]
        if i < 5:
            chat.append(self._step_message(report, i))
            current["shown"] = i + 1
            notice = f"Step {i + 1} of 5." + (" Press “Next step” for your action plan and drafts." if i + 1 == 5 else "")
            return chat, "", "", "", notice, state, ""
        md = to_markdown({**report, "drafts": {"follow_up": "(see the box below)", "feedback_request": "(see the box below)"}})
        md = md.split("## Draft: follow-up note")[0] + "## Sources\n\n" + md.split("## Sources", 1)[1]
        return chat, md, report["drafts"]["follow_up"], report["drafts"]["feedback_request"], "Debrief complete and saved. You can practise the weak questions now.", state, ""

    def practise_weak(self, state, owner, level, style) -> Iterator[tuple]:
        """Start a mock interview on the debrief's weak questions. Yields like interview_start."""
        state = state or new_state()
        current = state.get("debrief")
        weak = (current or {}).get("report", {}).get("weak_questions", [])
        if not weak:
            yield [], "", "", "No questions to practise: the debrief named none (add a transcript, or mention the questions in your notes).", state
            return
        ids = [w["question_id"] for w in weak if w.get("question_id")]
        custom = [w["question"] for w in weak if not w.get("question_id")]
        settings = InterviewSettings("", level or "mid", "mixed", style or "neutral", len(weak), "", ids, None, custom)
        try:
            sid, interview = self.coach.new_interview(settings, owner=owner or "")
        except CoachError as err:
            yield [], "", "", f"⚠️ {err.explain()}", state
            return
        chat = [{"role": "assistant", "content": e.text} for e in interview.start()]
        state["interview"] = {"sid": sid, "state": interview.state}
        yield chat, "", "", f"Practising {len(weak)} question(s) from your debrief (session {sid}).", state

    # ------------------------------------------------------------ history

    def _mine(self, owner, kind: str | None = None):
        """Sessions this browser may see: its own and those made with the command line."""
        return [s for s in self.coach.history.list(kind=kind) if s.owner in ("", owner or "")]

    def history_rows(self, owner) -> list[list[Any]]:
        rows = []
        for s in self._mine(owner):
            p = s.public()
            rows.append([p["id"], p["created_at"], p["kind"], p["status"], p["turns"], p["title"]])
        return rows

    def _visible(self, sid: str, owner: str) -> bool:
        return any(s.id == sid for s in self._mine(owner))

    def session_choices(self, owner) -> list[str]:
        return [f"{r[0]} {r[2]}: {r[5]}" for r in self.history_rows(owner) if r[2] in ("interview", "debrief")]

    def history_open(self, owner, sid) -> str:
        sid = (sid or "").split(" ", 1)[0].strip()
        if not sid:
            return "Choose a session."
        if not self._visible(sid, owner):
            return "There is no such session in your history."
        try:
            return session_markdown(self.coach.history.get(sid))
        except CoachError as err:
            return f"⚠️ {err.explain()}"

    def history_export(self, owner, sid) -> str | None:
        sid = (sid or "").split(" ", 1)[0].strip()
        if not sid or not self._visible(sid, owner):
            return None
        folder = Path(tempfile.gettempdir()) / "coach-exports" / uuid.uuid4().hex[:8]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"coach-session-{sid}.md"
        path.write_text(session_markdown(self.coach.history.get(sid)), encoding="utf-8")
        return str(path)

    def history_delete(self, owner, sid, confirm_all: bool, everything: bool) -> str:
        if everything:
            if not confirm_all:
                return "Tick “Yes, delete all my sessions” first."
            n = 0
            for row in self.history_rows(owner):
                n += self.coach.history.delete(row[0])
            return f"Deleted {n} sessions."
        sid = (sid or "").split(" ", 1)[0].strip()
        if not sid or not self._visible(sid, owner):
            return "Choose one of your sessions to delete."
        self.coach.history.delete(sid)
        return f"Deleted session {sid}."

    def progress_data(self, owner):
        """(STAR scores per interview, flag counts) as pandas frames for the plots."""
        import pandas as pd

        star_rows, flag_rows = [], []
        interviews = [s for s in reversed(self._mine(owner, "interview")) if s.status == "finished"]
        for n, s in enumerate(interviews, 1):
            summary = self.coach.history.get(s.id).summary or {}
            for k, v in (summary.get("star_average") or {}).items():
                star_rows.append({"interview": n, "element": k, "score": v})
            for f, c in (summary.get("flag_counts") or {}).items():
                flag_rows.append({"flag": f, "count": c})
        star = pd.DataFrame(star_rows or [{"interview": 0, "element": "result", "score": 0.0}])
        flags = pd.DataFrame(flag_rows or [{"flag": "none yet", "count": 0}]).groupby("flag", as_index=False)["count"].sum()
        return star, flags

    # ------------------------------------------------------------ knowledge

    def knowledge_rows(self) -> list[list[Any]]:
        try:
            return [[s.source, s.title, s.passages] for s in self.coach.store.sources()]
        except CoachError as err:
            return [[f"⚠️ {err}", "", 0]]

    def read_upload(self, file: Any, allowed: set[str], what: str) -> str:
        from .textfiles import read_text_file

        path = self._upload_path(file, allowed, what)
        return read_text_file(path, f"the {what}", limit=self.settings.max_upload_bytes, label=path.name)

    def _upload_path(self, file: Any, allowed: set[str], what: str) -> Path:
        name = getattr(file, "name", None) or (file if isinstance(file, str) else None)
        if not name:
            raise InputError(f"The {what} upload is missing.")
        path = Path(name)
        if path.suffix.lower() not in allowed:
            raise InputError(f"{path.name}: a {what} must be one of {', '.join(sorted(allowed))}.")
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{path.name} is empty.")
        if size > self.settings.max_upload_bytes:
            raise InputError(f"{path.name} is {size / 1e6:.1f} MB; the limit is {self.settings.max_upload_bytes / 1e6:.0f} MB.")
        return path

    def knowledge_upload(self, files, progress=None) -> tuple[list[list[Any]], str]:
        if not files:
            return self.knowledge_rows(), "Choose one or more files first."
        uploads = self.settings.uploads_dir
        uploads.mkdir(parents=True, exist_ok=True)
        saved, problems = [], []
        for f in files if isinstance(files, list) else [files]:
            try:
                src = self._upload_path(f, SUPPORTED_SUFFIXES, "knowledge file")
            except InputError as err:
                problems.append(str(err))
                continue
            safe = re.sub(r"[^A-Za-z0-9._-]+", "-", src.name).strip("-.") or f"upload{src.suffix}"
            dest = uploads / safe
            shutil.copyfile(src, dest)
            saved.append(dest)
        if not saved:
            return self.knowledge_rows(), "⚠️ " + " ".join(problems)
        self.warmup.wait("embedding")

        def report(done, total):
            if progress is not None and total:
                progress(done / total, desc=f"Embedding {done}/{total} passages")

        try:
            stats = self.coach.index(extra=saved, progress=report)
        except CoachError as err:
            return self.knowledge_rows(), f"⚠️ {err.explain()}"
        # A file that could not be read is removed again, so it does not linger in uploads.
        skipped: dict[Path, str] = {}
        for warning in stats.warnings:
            for s in saved:
                prefix = f"skipped {s}: "
                if warning.startswith(prefix):
                    skipped[s] = warning[len(prefix):]
                    s.unlink(missing_ok=True)
        msg = f"Indexed {len(saved) - len(skipped)} file(s): {stats.added} new passages."
        if problems or skipped:
            msg += " ⚠️ " + " ".join(problems + [f"{s.name} was not indexed: {why}." for s, why in skipped.items()])
        return self.knowledge_rows(), msg

    def knowledge_remove(self, source: str) -> tuple[list[list[Any]], str]:
        if not source:
            return self.knowledge_rows(), "Choose a source to remove."
        n = self.coach.store.remove_source(source)
        if n:
            self.coach.store.bump_revision()
        if source.startswith("uploads/"):  # an uploaded copy goes too, so the next index does not bring it back
            (self.settings.uploads_dir / Path(source).name).unlink(missing_ok=True)
        return self.knowledge_rows(), f"Removed {n} passages from {source}." if n else f"No passages found for {source}."
