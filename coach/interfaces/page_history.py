"""Handlers behind the page's History and Knowledge tabs, and reading an upload.

A browser sees its own sessions and those made with the command line, never another
browser's (:meth:`History.visible`); the same rule applies to open, export and delete.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from coach.errors import CoachError, InputError
from coach.feedback.flags import label
from coach.interfaces.exports import delete_exports, write_export
from coach.interfaces.limits import check_owner
from coach.interfaces.views import KnowledgeView, problem
from coach.library.uploads import uploaded_path
from coach.sessions.export import session_markdown

if TYPE_CHECKING:
    from coach.app import Coach


def session_id(choice: str | None) -> str:
    """The id at the start of a dropdown choice such as "ab12cd interview: Mock interview ..."."""
    return (choice or "").split(" ", 1)[0].strip()


class HistoryHandlers:
    def __init__(self, coach: Coach, warmup: Any) -> None:
        self.coach = coach
        self.warmup = warmup  # coach.interfaces.warmup.Warmup: uploads wait for the embedding model
        self.settings = coach.settings
        self._index_stops: dict[str, threading.Event] = {}  # browser session -> its Stop flag

    # ------------------------------------------------------------ history

    def history_rows(self, owner) -> list[list[Any]]:
        owner = check_owner(owner)
        rows = []
        for s in self.coach.history.visible(owner or ""):
            p = s.public()
            rows.append([p["id"], p["created_at"], p["kind"], p["status"], p["turns"], p["title"]])
        return rows

    def _visible(self, sid: str, owner: str) -> bool:
        try:
            owner = check_owner(owner)
        except InputError:
            return False
        return any(s.id == sid for s in self.coach.history.visible(owner or ""))

    @staticmethod
    def choice(row: list[Any]) -> str:
        """A history row as a dropdown choice, "id kind: title" (``session_id`` reads the id back)."""
        return f"{row[0]} {row[2]}: {row[5]}"

    def session_choices(self, owner, rows: list[list[Any]] | None = None) -> list[str]:
        """Sessions to continue from in Ask: interviews and debriefs."""
        rows = self.history_rows(owner) if rows is None else rows
        return [self.choice(r) for r in rows if r[2] in ("interview", "debrief")]

    def history_open(self, owner, choice) -> str:
        sid = session_id(choice)
        if not sid:
            return "Choose a session."
        if not self._visible(sid, owner):
            return "There is no such session in your history."
        try:
            return session_markdown(self.coach.history.get(sid))
        except CoachError as err:
            return problem(err)

    def history_export(self, owner, choice) -> str | None:
        sid = session_id(choice)
        if not sid or not self._visible(sid, owner):
            return None
        return str(write_export(self.settings.home, self.coach.history.get(sid)))

    def _delete(self, sid: str) -> bool:
        from coach.speech.recordings import delete_recordings

        deleted = self.coach.history.delete(sid)
        delete_exports(self.settings.home, sid)
        delete_recordings(self.settings.home, sid)
        return deleted

    def history_delete(self, owner, choice, confirm_all: bool, everything: bool) -> str:
        try:
            owner = check_owner(owner)
        except InputError as err:
            return problem(err)
        if everything:
            if not confirm_all:
                return "Tick “Yes, delete all my sessions” first."
            # "All my sessions": this browser's own, not the command line's (which every browser can see).
            n = sum(self._delete(s.id) for s in self.coach.history.list(owner=owner or "") if owner)
            return f"Deleted {n} sessions."
        sid = session_id(choice)
        if not sid or not self._visible(sid, owner):
            return "Choose one of your sessions to delete."
        self._delete(sid)
        return f"Deleted session {sid}."

    def finished_summaries(self, owner) -> list[dict[str, Any]]:
        """The scorecards of the finished interviews ``owner`` may see, oldest first: interview n of
        every History plot is the n-th of these."""
        history = self.coach.history
        return [
            history.get(s.id).summary or {}
            for s in reversed(history.visible(owner or "", "interview"))
            if s.status == "finished"
        ]

    def progress_data(self, owner):
        """(STAR scores per interview, flag counts in words, the STAR plot's x range, the flag plot's y range,
        the overall rubric score per interview).

        STAR scores are drawn as points, so a single interview shows; the flag axis starts at 0
        and reaches at least 1, so a flag seen once is a visible bar."""
        import pandas as pd

        star_rows, flag_rows, score_rows = [], [], []
        interviews = self.finished_summaries(owner)
        for n, summary in enumerate(interviews, 1):
            for k, v in (summary.get("star_average") or {}).items():
                star_rows.append({"interview": n, "element": k, "score": v})
            for f, c in (summary.get("flag_counts") or {}).items():
                flag_rows.append({"flag": label(f), "count": c})
            if summary.get("overall_score") is not None:
                score_rows.append({"interview": n, "score": summary["overall_score"]})
        star = pd.DataFrame(star_rows, columns=["interview", "element", "score"])
        flags = pd.DataFrame(flag_rows, columns=["flag", "count"]).groupby("flag", as_index=False)["count"].sum()
        top = int(flags["count"].max()) if len(flags) else 0
        scores = pd.DataFrame(score_rows, columns=["interview", "score"])
        return star, flags, [0.5, max(1, len(interviews)) + 0.5], [0, max(1, top)], scores

    # ------------------------------------------------------------ knowledge

    def knowledge_rows(self) -> list[list[Any]]:
        try:
            return [[s.source, s.title, s.passages] for s in self.coach.store.sources()]
        except CoachError as err:
            return [[f"Warning: {err}", "", 0]]

    def read_upload(self, file: Any, allowed: set[str], what: str, limit: int | None = None) -> str:
        from coach.library.textfiles import read_text_file

        limit = min(limit or self.settings.max_upload_bytes, self.settings.max_upload_bytes)
        path = uploaded_path(file, allowed, what, limit)
        return read_text_file(path, f"the {what}", limit=limit, label=path.name)

    def knowledge_upload(self, files, progress=None, browser: str = "") -> KnowledgeView:
        """Index uploaded files; :meth:`knowledge_stop` from the same browser stops it before anything is kept."""
        if not files:
            return KnowledgeView(self.knowledge_rows(), "Choose one or more files first.")
        try:
            self.warmup.wait("embedding")
        except CoachError as err:
            return KnowledgeView(self.knowledge_rows(), problem(err))
        stop = self._index_stops.setdefault(browser, threading.Event())
        stop.clear()

        def report(done, total):
            if progress is not None and total:
                progress(done / total, desc=f"Embedding {done}/{total} passages")

        try:
            result = self.coach.add_uploads(files if isinstance(files, list) else [files], progress=report, stop=stop)
        except CoachError as err:
            return KnowledgeView(self.knowledge_rows(), problem(err))
        finally:
            self._index_stops.pop(browser, None)
        notice = (
            result.message() if result.attempted and not result.stopped else "Warning: " + " ".join(result.problems)
        )
        return KnowledgeView(self.knowledge_rows(), notice)

    def knowledge_stop(self, browser: str = "") -> str:
        stop = self._index_stops.get(browser)
        if stop is None:
            return "Nothing is being indexed."
        stop.set()
        return "Stopping: nothing from these files will be kept."

    def knowledge_remove(self, source: str) -> KnowledgeView:
        if not source:
            return KnowledgeView(self.knowledge_rows(), "Choose a source to remove.")
        n = self.coach.remove_source(source)
        notice = f"Removed {n} passages from {source}." if n else f"No passages found for {source}."
        return KnowledgeView(self.knowledge_rows(), notice)
