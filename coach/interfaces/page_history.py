"""Handlers behind the page's History and Knowledge tabs, and reading an upload.

A browser sees its own sessions and those made with the command line, never another
browser's (:meth:`History.visible`); the same rule applies to open, export and delete.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from coach.errors import CoachError
from coach.interfaces.views import KnowledgeView
from coach.library.uploads import uploaded_path
from coach.sessions.export import session_markdown


def session_id(choice: str | None) -> str:
    """The id at the start of a dropdown choice such as "ab12cd interview: Mock interview ..."."""
    return (choice or "").split(" ", 1)[0].strip()


class HistoryHandlers:
    def __init__(self, coach: Any, warmup: Any) -> None:
        self.coach = coach
        self.warmup = warmup  # coach.interfaces.warmup.Warmup: uploads wait for the embedding model
        self.settings = coach.settings

    # ------------------------------------------------------------ history

    def history_rows(self, owner) -> list[list[Any]]:
        rows = []
        for s in self.coach.history.visible(owner or ""):
            p = s.public()
            rows.append([p["id"], p["created_at"], p["kind"], p["status"], p["turns"], p["title"]])
        return rows

    def _visible(self, sid: str, owner: str) -> bool:
        return any(s.id == sid for s in self.coach.history.visible(owner or ""))

    def session_choices(self, owner) -> list[str]:
        return [f"{r[0]} {r[2]}: {r[5]}" for r in self.history_rows(owner) if r[2] in ("interview", "debrief")]

    def history_open(self, owner, choice) -> str:
        sid = session_id(choice)
        if not sid:
            return "Choose a session."
        if not self._visible(sid, owner):
            return "There is no such session in your history."
        try:
            return session_markdown(self.coach.history.get(sid))
        except CoachError as err:
            return f"⚠️ {err.explain()}"

    def history_export(self, owner, choice) -> str | None:
        sid = session_id(choice)
        if not sid or not self._visible(sid, owner):
            return None
        folder = Path(tempfile.gettempdir()) / "coach-exports" / uuid.uuid4().hex[:8]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"coach-session-{sid}.md"
        path.write_text(session_markdown(self.coach.history.get(sid)), encoding="utf-8")
        return str(path)

    def history_delete(self, owner, choice, confirm_all: bool, everything: bool) -> str:
        if everything:
            if not confirm_all:
                return "Tick “Yes, delete all my sessions” first."
            n = 0
            for row in self.history_rows(owner):
                n += self.coach.history.delete(row[0])
            return f"Deleted {n} sessions."
        sid = session_id(choice)
        if not sid or not self._visible(sid, owner):
            return "Choose one of your sessions to delete."
        self.coach.history.delete(sid)
        return f"Deleted session {sid}."

    def progress_data(self, owner):
        """(STAR scores per interview, flag counts) as pandas frames for the plots."""
        import pandas as pd

        star_rows, flag_rows = [], []
        interviews = [
            s for s in reversed(self.coach.history.visible(owner or "", "interview")) if s.status == "finished"
        ]
        for n, s in enumerate(interviews, 1):
            summary = self.coach.history.get(s.id).summary or {}
            for k, v in (summary.get("star_average") or {}).items():
                star_rows.append({"interview": n, "element": k, "score": v})
            for f, c in (summary.get("flag_counts") or {}).items():
                flag_rows.append({"flag": f, "count": c})
        star = pd.DataFrame(star_rows or [{"interview": 0, "element": "result", "score": 0.0}])
        flags = (
            pd.DataFrame(flag_rows or [{"flag": "none yet", "count": 0}]).groupby("flag", as_index=False)["count"].sum()
        )
        return star, flags

    # ------------------------------------------------------------ knowledge

    def knowledge_rows(self) -> list[list[Any]]:
        try:
            return [[s.source, s.title, s.passages] for s in self.coach.store.sources()]
        except CoachError as err:
            return [[f"⚠️ {err}", "", 0]]

    def read_upload(self, file: Any, allowed: set[str], what: str) -> str:
        from coach.library.textfiles import read_text_file

        path = uploaded_path(file, allowed, what, self.settings.max_upload_bytes)
        return read_text_file(path, f"the {what}", limit=self.settings.max_upload_bytes, label=path.name)

    def knowledge_upload(self, files, progress=None) -> KnowledgeView:
        if not files:
            return KnowledgeView(self.knowledge_rows(), "Choose one or more files first.")
        self.warmup.wait("embedding")

        def report(done, total):
            if progress is not None and total:
                progress(done / total, desc=f"Embedding {done}/{total} passages")

        try:
            result = self.coach.add_uploads(files if isinstance(files, list) else [files], progress=report)
        except CoachError as err:
            return KnowledgeView(self.knowledge_rows(), f"⚠️ {err.explain()}")
        notice = result.message() if result.indexed else "⚠️ " + " ".join(result.problems)
        return KnowledgeView(self.knowledge_rows(), notice)

    def knowledge_remove(self, source: str) -> KnowledgeView:
        if not source:
            return KnowledgeView(self.knowledge_rows(), "Choose a source to remove.")
        n = self.coach.remove_source(source)
        notice = f"Removed {n} passages from {source}." if n else f"No passages found for {source}."
        return KnowledgeView(self.knowledge_rows(), notice)
