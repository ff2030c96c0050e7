"""A saved session as Markdown (for `coach history export` and the page's export button)."""

from __future__ import annotations

from typing import Any

from coach.feedback.flags import label
from coach.sessions.history import SessionRecord
from coach.text import quote


def session_markdown(record: SessionRecord) -> str:
    info = record.info.public()
    lines = [
        f"# {info['title']}",
        "",
        f"Session {info['id']}, {info['kind']}, started {info['created_at']}, {info['status']}.",
        "",
    ]
    names = {"interviewer": "Interviewer", "candidate": "You", "coach": "Coach", "user": "You"}
    lines.append("## Conversation")
    lines.append("")
    for turn in record.turns:
        who = names.get(turn.role, turn.role.title())
        lines.append(f"**{who}:** {turn.content}")
        lines.append("")
        for src in turn.meta.get("sources", []) or []:
            lines.append(f"> Source: {src.get('title', '')} ({src.get('source', '')})")
        if turn.meta.get("sources"):
            lines.append("")
    summary = record.summary or {}
    if record.info.kind == "interview" and summary.get("answers"):
        lines += ["## Scorecard", ""]
        for i, a in enumerate(summary["answers"], 1):
            lines += [
                f"### {i}. {a['question']}",
                "",
                f"Flags: {', '.join(label(f) for f in a['flags']) or 'none'}"
                + (f"; score {a['score']}/5" if a.get("score") is not None else ""),
                "",
                f"Coach: {a['comment']}",
                "",
            ]
        if summary.get("improvements"):
            lines += ["### Top improvements", ""]
            for imp in summary["improvements"]:
                src = imp.get("source") or {}
                lines.append(f"- {imp['tip']} (source: {src.get('title', '')}, {src.get('source', '')})")
            lines.append("")
    if record.info.kind == "debrief" and summary.get("steps"):
        lines += [debrief_markdown(summary)]
    return "\n".join(lines).rstrip() + "\n"


def debrief_markdown(report: dict[str, Any], steps: bool = True, drafts: bool = True) -> str:
    """The debrief as Markdown; the page leaves out the steps (already in its chat)
    and the drafts (in their own boxes)."""
    lines = ["# Your interview debrief", ""]
    if steps:
        for i, step in enumerate(report["steps"], 1):
            lines += [f"## {i}. {step['name']}", "", step["text"], ""]
    if report["weak_questions"]:
        lines += ["## Questions to practise", ""]
        for w in report["weak_questions"]:
            flags = f" ({', '.join(label(f) for f in w['flags'])})" if w.get("flags") else ""
            lines.append(f"- {w['question']}{flags}")
        lines.append("")
    lines += ["## Action plan", ""]
    lines += [f"- **{a['when']}**: {a['do']}" for a in report["action_plan"]]
    if drafts:
        lines += ["", "## Draft: follow-up note", "", "```", report["drafts"]["follow_up"], "```", ""]
        lines += ["## Draft: request for feedback", "", "```", report["drafts"]["feedback_request"], "```"]
    lines += ["", "## Sources", ""]
    lines += [
        f"- [{i}] {s['title']} ({s['source']}): {quote(s['text'], 160)}" for i, s in enumerate(report["sources"], 1)
    ]
    return "\n".join(lines) + "\n"
