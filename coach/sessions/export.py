"""A saved session as Markdown (for `coach history export` and the page's export button)."""

from __future__ import annotations

from coach.sessions.history import SessionRecord


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
                f"Flags: {', '.join(a['flags']) or 'none'}",
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
        from coach.sessions.debrief import to_markdown

        lines += [to_markdown(summary)]
    return "\n".join(lines).rstrip() + "\n"
