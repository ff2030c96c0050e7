"""Saved sessions: SQLite in WAL mode under COACH_HOME, one transaction per turn.

A crash or a closed tab loses at most the turn in flight. A damaged database is
reported and left exactly where it is: the coach never deletes or replaces it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import HistoryError

SCHEMA = """
create table if not exists sessions (
    id text primary key,
    kind text not null,            -- interview | debrief | ask
    title text not null,
    status text not null,          -- active | finished
    created_at real not null,
    updated_at real not null,
    settings_json text not null default '{}',
    state_json text not null default '{}',
    summary_json text not null default '{}',
    owner text not null default ''
);
create table if not exists turns (
    id integer primary key autoincrement,
    session_id text not null references sessions(id) on delete cascade,
    seq integer not null,
    role text not null,            -- interviewer | candidate | coach | user
    content text not null,
    meta_json text not null default '{}',
    created_at real not null,
    unique(session_id, seq)
);
create index if not exists turns_by_session on turns(session_id, seq);
-- The practice queue (coach/practice): every answer given to a question, by the session it was
-- given in. A card's schedule is replayed from these rows, so deleting a session removes its
-- answers from the cards and nothing else has to be kept in step.
create table if not exists card_answers (
    id integer primary key autoincrement,
    session_id text not null references sessions(id) on delete cascade,
    card_key text not null,        -- the bank id, or "text:" and the question's normalised words
    question text not null,
    question_id text,
    competencies_json text not null default '[]',
    answered_at real not null,
    score real,
    flags_json text not null default '[]',
    rating integer not null,       -- the FSRS rating the analysis gave it (1 Again .. 4 Easy)
    answer text not null default ''
);
create index if not exists card_answers_by_key on card_answers(card_key, answered_at);
"""

RECOVERY = (
    "Your sessions have not been touched. To keep using the coach, move the file aside "
    "(for example `mv {path} {path}.damaged`) and start again: a new, empty database is created. "
    "`sqlite3 {path}.damaged .recover` may rescue what is in it."
)


@dataclass
class SessionInfo:
    id: str
    kind: str
    title: str
    status: str
    created_at: float
    updated_at: float
    turns: int = 0
    owner: str = ""  # the browser that created it ('' for the command line)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "created_at": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created_at)),
            "updated_at": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.updated_at)),
            "turns": self.turns,
        }


@dataclass
class Turn:
    seq: int
    role: str
    content: str
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


@dataclass
class SessionRecord:
    info: SessionInfo
    settings: dict[str, Any]
    state: dict[str, Any]
    summary: dict[str, Any]
    turns: list[Turn]

    def public(self) -> dict[str, Any]:
        out = self.info.public()
        out.update(
            settings=self.settings,
            summary=self.summary,
            turns=[{"seq": t.seq, "role": t.role, "content": t.content, "meta": t.meta} for t in self.turns],
        )
        return out


class History:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._init_lock = threading.Lock()
        self._ready = False

    # ------------------------------------------------------------ connection

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("pragma journal_mode=wal")
            conn.execute("pragma synchronous=normal")
            conn.execute("pragma foreign_keys=on")
            conn.execute("pragma busy_timeout=30000")
            with self._init_lock:
                if not self._ready:
                    conn.executescript(SCHEMA)
                    self._ready = True
        except sqlite3.DatabaseError as err:
            raise self._damaged(err) from None
        self._local.conn = conn
        return conn

    def _damaged(self, err: Exception) -> HistoryError:
        return HistoryError(
            f"The sessions database at {self.path} cannot be used ({err}).",
            RECOVERY.format(path=self.path),
        )

    def _run(self, fn):
        try:
            return fn(self._connect())
        except sqlite3.DatabaseError as err:
            raise self._damaged(err) from None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ------------------------------------------------------------ writing

    def create(self, kind: str, title: str, settings: dict[str, Any] | None = None, owner: str = "") -> str:
        sid = uuid.uuid4().hex[:12]
        now = time.time()

        def go(conn):
            conn.execute(
                "insert into sessions(id, kind, title, status, created_at, "
                "updated_at, settings_json, owner) values (?,?,?,?,?,?,?,?)",
                (sid, kind, title[:200], "active", now, now, json.dumps(settings or {}), owner),
            )

        self._run(go)
        return sid

    def add_turn(
        self,
        session_id: str,
        role: str,
        content: str,
        meta: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> int:
        """Append a turn (and the session's new state) in one transaction.

        ``meta["practice"]``, a list of scored answers (coach/practice/cards.py), is saved into the
        practice queue in the same transaction, not in the turn's meta."""
        now = time.time()
        meta = dict(meta or {})
        practice = meta.pop("practice", None) or []

        def go(conn):
            conn.execute("begin immediate")
            try:
                row = conn.execute(
                    "select coalesce(max(seq), 0) + 1 from turns where session_id = ?", (session_id,)
                ).fetchone()
                seq = int(row[0])
                conn.execute(
                    "insert into turns(session_id, seq, role, content, meta_json, created_at) values (?,?,?,?,?,?)",
                    (session_id, seq, role, content, json.dumps(meta), now),
                )
                for a in practice:
                    conn.execute(
                        "insert into card_answers(session_id, card_key, question, question_id, competencies_json, "
                        "answered_at, score, flags_json, rating, answer) values (?,?,?,?,?,?,?,?,?,?)",
                        (
                            session_id,
                            a["key"],
                            a["question"],
                            a.get("question_id"),
                            json.dumps(a.get("competencies") or []),
                            float(a.get("answered_at") or now),
                            a.get("score"),
                            json.dumps(a.get("flags") or []),
                            int(a["rating"]),
                            a.get("answer", ""),
                        ),
                    )
                if state is not None:
                    conn.execute(
                        "update sessions set state_json = ?, updated_at = ? where id = ?",
                        (json.dumps(state), now, session_id),
                    )
                else:
                    conn.execute("update sessions set updated_at = ? where id = ?", (now, session_id))
                conn.execute("commit")
                return seq
            except BaseException:
                conn.execute("rollback")
                raise

        return self._run(go)

    def finish(self, session_id: str, summary: dict[str, Any], state: dict[str, Any] | None = None) -> None:
        now = time.time()

        def go(conn):
            if state is None:
                conn.execute(
                    "update sessions set summary_json = ?, status = 'finished', updated_at = ? where id = ?",
                    (json.dumps(summary), now, session_id),
                )
            else:
                conn.execute(
                    "update sessions set summary_json = ?, state_json = ?, "
                    "status = 'finished', updated_at = ? where id = ?",
                    (json.dumps(summary), json.dumps(state), now, session_id),
                )

        self._run(go)

    def delete(self, session_id: str) -> bool:
        def go(conn):
            conn.execute("begin immediate")
            conn.execute("delete from turns where session_id = ?", (session_id,))
            conn.execute("delete from card_answers where session_id = ?", (session_id,))
            cur = conn.execute("delete from sessions where id = ?", (session_id,))
            conn.execute("commit")
            return cur.rowcount > 0

        return self._run(go)

    def delete_all(self) -> int:
        def go(conn):
            conn.execute("begin immediate")
            conn.execute("delete from turns")
            conn.execute("delete from card_answers")
            cur = conn.execute("delete from sessions")
            conn.execute("commit")
            return cur.rowcount

        return self._run(go)

    # ------------------------------------------------------------ reading

    def list(self, kind: str | None = None, owner: str | None = None) -> list[SessionInfo]:
        def go(conn):
            sql = "select s.*, (select count(*) from turns t where t.session_id = s.id) as n from sessions s"
            where, args = [], []
            if kind:
                where.append("s.kind = ?")
                args.append(kind)
            if owner is not None:
                where.append("s.owner = ?")
                args.append(owner)
            if where:
                sql += " where " + " and ".join(where)
            sql += " order by s.created_at desc"
            return [
                SessionInfo(
                    r["id"], r["kind"], r["title"], r["status"], r["created_at"], r["updated_at"], r["n"], r["owner"]
                )
                for r in conn.execute(sql, args).fetchall()
            ]

        return self._run(go)

    def visible(self, owner: str, kind: str | None = None) -> list[SessionInfo]:
        """Sessions a browser may see: its own, and those made with the command line (owner "")."""
        return [s for s in self.list(kind=kind) if s.owner in ("", owner or "")]

    def get_visible(self, session_id: str, owner: str) -> SessionRecord:
        """A session, only if ``owner`` may see it; otherwise the same answer as for no such session."""
        record = self.get(session_id)
        if record.info.owner not in ("", owner or ""):
            from coach.errors import InputError

            raise InputError(f"There is no saved session {session_id!r}.", "`coach history` lists the saved sessions.")
        return record

    def get(self, session_id: str) -> SessionRecord:
        def go(conn):
            r = conn.execute("select * from sessions where id = ?", (session_id,)).fetchone()
            if r is None:
                from coach.errors import InputError

                raise InputError(
                    f"There is no saved session {session_id!r}.", "`coach history` lists the saved sessions."
                )
            turns = [
                Turn(t["seq"], t["role"], t["content"], json.loads(t["meta_json"] or "{}"), t["created_at"])
                for t in conn.execute("select * from turns where session_id = ? order by seq", (session_id,)).fetchall()
            ]
            info = SessionInfo(
                r["id"], r["kind"], r["title"], r["status"], r["created_at"], r["updated_at"], len(turns), r["owner"]
            )
            return SessionRecord(
                info, json.loads(r["settings_json"]), json.loads(r["state_json"]), json.loads(r["summary_json"]), turns
            )

        return self._run(go)

    def practice_answers(self, owner: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        """Every answer in the practice queue, oldest first; with ``owner``, only those it may see
        (its own sessions' and the command line's, as for sessions); with ``key``, one card's."""

        def go(conn):
            sql = (
                "select a.*, s.owner as owner, s.title as session_title from card_answers a "
                "join sessions s on s.id = a.session_id"
            )
            where, args = [], []
            if owner is not None:
                where.append("s.owner in ('', ?)")
                args.append(owner or "")
            if key is not None:
                where.append("a.card_key = ?")
                args.append(key)
            if where:
                sql += " where " + " and ".join(where)
            sql += " order by a.answered_at, a.id"
            return [
                {
                    "key": r["card_key"],
                    "question": r["question"],
                    "question_id": r["question_id"],
                    "competencies": json.loads(r["competencies_json"]),
                    "answered_at": r["answered_at"],
                    "score": r["score"],
                    "flags": json.loads(r["flags_json"]),
                    "rating": r["rating"],
                    "answer": r["answer"],
                    "session_id": r["session_id"],
                    "session_title": r["session_title"],
                }
                for r in conn.execute(sql, args).fetchall()
            ]

        return self._run(go)

    def integrity_ok(self) -> bool:
        return self._run(lambda conn: conn.execute("pragma integrity_check").fetchone()[0] == "ok")
