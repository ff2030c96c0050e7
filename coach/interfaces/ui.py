"""The Gradio page: components and wiring only; the handlers live in coach.interfaces.page.

``build_ui`` returns the Blocks and never launches it (``coach serve`` does).
"""

import uuid
from typing import Any

from coach.errors import CoachError
from coach.interfaces.page import PageHandlers, new_state
from coach.interfaces.views import problem
from coach.sessions.debrief import STEP_COUNT
from coach.sessions.question_bank import DEFAULT_QUESTIONS, KINDS, LEVELS, MAX_QUESTIONS, STYLES


def build_ui(handlers: PageHandlers, browser_secret: str):
    """``browser_secret`` encrypts each browser's owner id; it must outlive the process (see coach.browser_secret)."""
    import gradio as gr

    h = handlers
    with gr.Blocks(title="Interview coach", analytics_enabled=False) as demo:
        state = gr.State(new_state())
        owner = gr.BrowserState("", storage_key="coach-owner", secret=browser_secret)
        gr.Markdown(
            "# Interview coach\nPractise interviews, debrief a bad one, and ask for advice: "
            "every tip shows the guidance it comes from. Everything stays on this machine."
        )
        status = gr.Markdown(h.status(), elem_id="status")
        timer = gr.Timer(1.0)
        timer.tick(h.status, outputs=status, show_progress="hidden", queue=False)
        with gr.Accordion("Chat model", open=False, elem_id="model-panel") as model_panel:
            picked = h.models_view()
            with gr.Row():
                model_pick = gr.Dropdown(
                    label="Chat model in use",
                    choices=picked["choices"],
                    value=picked["value"],
                    interactive=picked["interactive"],
                    elem_id="model-picker",
                )
                model_switch = gr.Button("Use this model", interactive=picked["interactive"], elem_id="model-switch")
            model_note = gr.Markdown(picked["note"], elem_id="model-note")

        with gr.Tabs() as tabs:
            # ---------------------------------------------------------------- interview
            with gr.Tab("Mock interview", id="interview") as interview_tab:
                with gr.Row():
                    role = gr.Textbox(label="Role", placeholder="e.g. data analyst", scale=2, elem_id="interview-role")
                    level = gr.Dropdown(list(LEVELS), value="mid", label="Seniority")
                    kind = gr.Dropdown(list(KINDS), value="mixed", label="Kind")
                    style = gr.Dropdown(list(STYLES), value="neutral", label="Interviewer style")
                    count = gr.Slider(
                        1, MAX_QUESTIONS, value=DEFAULT_QUESTIONS, step=1, label="Questions", elem_id="interview-count"
                    )
                jd = gr.Textbox(
                    label="Job description (optional): adds questions on the skills it names", lines=3, max_lines=10
                )
                with gr.Row():
                    iv_due = gr.Checkbox(
                        label="No practice questions are due", value=False, interactive=False, elem_id="interview-due"
                    )
                    start = gr.Button("Start interview", variant="primary", elem_id="start-interview")
                with gr.Row():
                    with gr.Column(scale=3):
                        iv_chat = gr.Chatbot(label="Interview", height=420, elem_id="interview-chat")
                        iv_answer = gr.Textbox(
                            label="Your answer (Enter sends, Shift+Enter for a new line)",
                            lines=1,
                            max_lines=12,
                            elem_id="interview-answer",
                        )
                        with gr.Row():
                            iv_send = gr.Button("Send", variant="primary")
                            iv_stop = gr.Button("Stop", variant="stop")
                        iv_audio = gr.Audio(
                            sources=["microphone", "upload"],
                            type="filepath",
                            label="Answer by voice: record, or upload a recording (transcribed on this machine)",
                            elem_id="interview-audio",
                        )
                        with gr.Row():
                            iv_keep = gr.Checkbox(
                                label="Keep my recordings with the session", value=False, elem_id="keep-recordings"
                            )
                            iv_speak = gr.Checkbox(label="Read questions aloud", value=False, elem_id="read-aloud")
                        gr.Markdown(
                            "*The words appear in the answer box to check before you send. If the browser blocks "
                            "the microphone, allow it from the address bar, or upload a recording.*"
                        )
                    with gr.Column(scale=2):
                        iv_analysis = gr.Markdown(
                            "*The analysis of each answer appears here.*",
                            elem_classes="analysis",
                            elem_id="interview-analysis",
                        )
                iv_notice = gr.Markdown(elem_id="interview-notice")
                iv_card = gr.Markdown(elem_id="scorecard")

            # ---------------------------------------------------------------- debrief
            with gr.Tab("Debrief", id="debrief"):
                gr.Markdown(
                    "Tell the coach what happened in an interview that went badly, or upload its transcript "
                    f"(.txt, .vtt, .srt from Zoom, Teams or Meet). You will go through {STEP_COUNT} steps together."
                )
                db_notes = gr.Textbox(
                    label="What happened, and how do you feel?", lines=6, max_lines=20, elem_id="debrief-notes"
                )
                with gr.Row():
                    db_file = gr.File(
                        label="Transcript (optional)", file_types=[".txt", ".vtt", ".srt"], type="filepath"
                    )
                    db_role = gr.Textbox(label="Role you interviewed for (optional)", elem_id="debrief-role")
                db_start = gr.Button("Start debrief", variant="primary", elem_id="start-debrief")
                db_chat = gr.Chatbot(label="Debrief", height=420, elem_id="debrief-chat")
                db_reply = gr.Textbox(
                    label="Your reply (optional; Enter sends and moves on)",
                    lines=1,
                    max_lines=8,
                    elem_id="debrief-reply",
                )
                with gr.Row():
                    db_next = gr.Button("Next step", variant="primary", elem_id="debrief-next")
                    db_practise = gr.Button("Practise the questions that went badly", elem_id="debrief-practise")
                db_notice = gr.Markdown(elem_id="debrief-notice")
                db_report = gr.Markdown(elem_id="debrief-report")
                with gr.Row():
                    db_follow = gr.Textbox(
                        label="Draft: follow-up note", lines=10, buttons=["copy"], elem_id="draft-follow-up"
                    )
                    db_feedback = gr.Textbox(
                        label="Draft: request for feedback", lines=10, buttons=["copy"], elem_id="draft-feedback"
                    )

            # ---------------------------------------------------------------- ask
            with gr.Tab("Ask the coach", id="ask") as ask_tab:
                ask_context = gr.Dropdown(
                    label="Continue from a session (optional)",
                    choices=[],
                    value=None,
                    allow_custom_value=False,
                    elem_id="ask-context",
                )
                ask_chat = gr.Chatbot(label="Coach", height=460, elem_id="ask-chat")
                ask_box = gr.Textbox(label="Your question (Enter sends)", lines=1, elem_id="ask-box")
                with gr.Row():
                    ask_send = gr.Button("Ask", variant="primary")
                    ask_stop = gr.Button("Stop", variant="stop")
                ask_notice = gr.Markdown(elem_id="ask-notice")

            # ---------------------------------------------------------------- history
            with gr.Tab("History", id="history") as history_tab:
                hist_refresh = gr.Button("Refresh", elem_id="history-refresh")
                hist_table = gr.Dataframe(
                    headers=["id", "started", "kind", "status", "turns", "title"],
                    interactive=False,
                    elem_id="history-table",
                )
                with gr.Row():
                    hist_id = gr.Dropdown(
                        label="Session", choices=[], allow_custom_value=False, elem_id="history-session"
                    )
                    hist_open = gr.Button("Open (read-only)")
                    hist_export = gr.Button("Export Markdown")
                    hist_delete = gr.Button("Delete", variant="stop")
                with gr.Row():
                    hist_confirm = gr.Checkbox(label="Yes, delete all my sessions")
                    hist_delete_all = gr.Button("Delete all", variant="stop")
                hist_file = gr.File(label="Export", interactive=False)
                hist_notice = gr.Markdown()
                hist_view = gr.Markdown(elem_id="history-view")
                with gr.Row():
                    star_plot = gr.ScatterPlot(
                        x="interview",
                        y="score",
                        color="element",
                        title="STAR scores per interview (1 = first)",
                        y_lim=[0, 1],
                        elem_id="star-plot",
                    )
                    flag_plot = gr.BarPlot(
                        x="flag", y="count", title="Flags across interviews", y_lim=[0, 1], elem_id="flag-plot"
                    )
                    score_plot = gr.ScatterPlot(
                        x="interview",
                        y="score",
                        title="Overall score per interview (1-5)",
                        y_lim=[1, 5],
                        elem_id="score-plot",
                    )

                gr.Markdown(
                    "### Practice queue\nEvery answered question comes back: weak answers sooner, strong ones later."
                )
                pq_table = gr.Dataframe(
                    headers=["question", "due", "answers", "last score", "last flags"],
                    interactive=False,
                    elem_id="practice-table",
                )
                pq_card = gr.Dropdown(
                    label="See a question's answers side by side", choices=[], elem_id="practice-card"
                )
                pq_view = gr.Markdown(elem_id="practice-view")
                delivery_plot = gr.ScatterPlot(
                    x="interview",
                    y="value",
                    color="measure",
                    title="Spoken answers per interview: words and fillers a minute",
                    elem_id="delivery-plot",
                )
                competency_plot = gr.ScatterPlot(
                    x="answer",
                    y="score",
                    color="competency",
                    title="Score per answer by competency (1-5, oldest first)",
                    y_lim=[1, 5],
                    elem_id="competency-plot",
                )

            # ---------------------------------------------------------------- knowledge
            with gr.Tab("Knowledge", id="knowledge"):
                kb_table = gr.Dataframe(
                    headers=["source", "title", "passages"], interactive=False, elem_id="knowledge-table"
                )
                kb_files = gr.File(
                    label="Add guidance (Markdown, text, HTML or PDF)",
                    file_count="multiple",
                    file_types=[".md", ".markdown", ".txt", ".html", ".htm", ".pdf"],
                    type="filepath",
                )
                with gr.Row():
                    kb_index = gr.Button("Index these files", variant="primary")
                    kb_stop = gr.Button("Stop indexing", variant="stop")
                with gr.Row():
                    kb_source = gr.Dropdown(label="Source to remove", choices=[], allow_custom_value=False)
                    kb_remove = gr.Button("Remove source", variant="stop")
                kb_notice = gr.Markdown()

        # ---------------------------------------------------------------- wiring
        def refresh_models():
            view = h.models_view()
            return gr.update(choices=view["choices"], value=view["value"]), view["note"]

        model_switch.click(h.switch_model, model_pick, model_note, queue=False).then(
            lambda: refresh_models()[0], None, model_pick, queue=False
        )
        model_panel.expand(refresh_models, None, [model_pick, model_note], queue=False)  # models pulled meanwhile

        def ensure_owner(current):
            return current or uuid.uuid4().hex

        def due_choice(owner_value):
            try:
                return gr.update(**h.due_label(owner_value))
            except CoachError:
                return gr.update()

        demo.load(ensure_owner, inputs=owner, outputs=owner, queue=False).then(due_choice, owner, iv_due, queue=False)
        interview_tab.select(due_choice, owner, iv_due, queue=False)

        # Handlers return view objects; these adapters turn each into its components' values.
        def interview_start(
            state_value, owner_value, role_value, level_value, kind_value, style_value, count_value, jd_value, due=False
        ):
            for view in h.interview_start(
                state_value, owner_value, role_value, level_value, kind_value, style_value, count_value, jd_value, due
            ):
                yield view.start_outputs()

        def interview_answer(state_value, text, chat):
            for view in h.interview_answer(state_value, text, chat):
                yield view.answer_outputs()

        def ask(state_value, owner_value, question, chat, context):
            for view in h.ask(state_value, owner_value, question, chat, context):
                yield view.outputs()

        def debrief_start(state_value, owner_value, notes, transcript, role_value):
            for view in h.debrief_start(state_value, owner_value, notes, transcript, role_value):
                yield view.outputs()

        def debrief_next(state_value, reply, chat):
            return h.debrief_next(state_value, reply, chat).outputs()

        iv_outputs = [iv_chat, iv_analysis, iv_card, iv_notice, state]
        start.click(
            interview_start,
            [state, owner, role, level, kind, style, count, jd, iv_due],
            iv_outputs,
            api_name="interview_start",
        ).then(due_choice, owner, iv_due, queue=False)
        answer_inputs = [state, iv_answer, iv_chat]
        answer_outputs = [iv_chat, iv_analysis, iv_card, iv_notice, state, iv_answer]
        lock = lambda: (gr.update(interactive=False), gr.update(interactive=False))  # noqa: E731
        unlock = lambda: (gr.update(interactive=True), gr.update(interactive=True))  # noqa: E731
        sent = []
        for trigger in (iv_answer.submit, iv_send.click):
            ev = trigger(lock, None, [iv_answer, iv_send], queue=False).then(
                interview_answer, answer_inputs, answer_outputs, api_name=False if sent else "interview_answer"
            )
            ev.then(unlock, None, [iv_answer, iv_send], queue=False)
            sent.append(ev)
        iv_stop.click(unlock, None, [iv_answer, iv_send], cancels=sent, queue=False)

        def transcribe(state_value, audio, keep):
            text, notice, new = h.transcribe_answer(state_value, audio, keep)
            return (gr.update() if text is None else text), notice, new, None  # the recording is cleared

        iv_audio.start_recording(h.speech_warm, None, iv_notice, queue=False)
        for heard in (iv_audio.stop_recording, iv_audio.upload):
            heard(transcribe, [state, iv_audio, iv_keep], [iv_answer, iv_notice, state, iv_audio])
        # Questions read aloud by the browser's own speech synthesis: nothing leaves the machine.
        iv_chat.change(
            None,
            [iv_chat, iv_speak],
            None,
            js="""(chat, on) => {
                if (!on || !window.speechSynthesis || !chat || !chat.length) return;
                const last = chat[chat.length - 1];
                if (last.role !== 'assistant') return;
                const c = last.content;
                const text = typeof c === 'string' ? c
                    : Array.isArray(c) ? c.map(p => (p && (p.text || p.content)) || '').join(' ') : '';
                speechSynthesis.cancel();
                speechSynthesis.speak(new SpeechSynthesisUtterance(text));
            }""",
        )

        db_outputs = [db_chat, db_report, db_follow, db_feedback, db_notice, state, db_notes]
        db_start.click(debrief_start, [state, owner, db_notes, db_file, db_role], db_outputs, api_name="debrief_start")
        next_outputs = [db_chat, db_report, db_follow, db_feedback, db_notice, state, db_reply]
        db_next.click(debrief_next, [state, db_reply, db_chat], next_outputs, api_name="debrief_next")
        db_reply.submit(debrief_next, [state, db_reply, db_chat], next_outputs)

        def practise(state_value, owner_value, level_value, style_value):
            debrief = (state_value or {}).get("debrief") or {}
            weak = (debrief.get("report") or {}).get("weak_questions") or []
            for view in h.practise_weak(state_value, owner_value, level_value, style_value):
                # The Mock interview form shows what is being practised, not the previous interview's settings.
                started = bool(weak) and not view.notice.startswith("Warning")
                form = (
                    (debrief.get("role", ""), "mixed", len(weak), "")
                    if started
                    else (gr.update(), gr.update(), gr.update(), gr.update())
                )
                yield (*view.start_outputs(), gr.Tabs(selected="interview"), *form)

        db_practise.click(
            practise, [state, owner, level, style], [*iv_outputs, tabs, role, kind, count, jd], api_name="practise_weak"
        )

        ask_inputs = [state, owner, ask_box, ask_chat, ask_context]
        ask_outputs = [ask_chat, ask_notice, state, ask_box]
        asks = []
        for trigger in (ask_box.submit, ask_send.click):
            ev = trigger(
                lambda: (gr.update(interactive=False), gr.update(interactive=False)),
                None,
                [ask_box, ask_send],
                queue=False,
            ).then(ask, ask_inputs, ask_outputs, api_name=False if asks else "ask")
            ev.then(
                lambda: (gr.update(interactive=True), gr.update(interactive=True)),
                None,
                [ask_box, ask_send],
                queue=False,
            )
            asks.append(ev)
        ask_stop.click(
            lambda: (gr.update(interactive=True), gr.update(interactive=True)),
            None,
            [ask_box, ask_send],
            cancels=asks,
            queue=False,
        )

        def refresh_history(owner_value):
            try:
                rows = h.history_rows(owner_value)
                star, flags, star_x, flag_y, scores = h.progress_data(owner_value)
                practice = h.practice_rows(owner_value)
                progress, progress_x = h.competency_progress(owner_value)
                spoken, spoken_x = h.delivery_progress(owner_value)
            except CoachError as err:  # a damaged database: say how to recover, in words
                keep = gr.update()
                return keep, keep, keep, keep, keep, keep, problem(err), keep, keep, keep, keep
            choices = [h.choice(r) for r in rows]
            return (
                rows,
                gr.update(choices=choices, value=None),
                gr.update(value=star, x_lim=star_x),
                gr.update(value=flags, y_lim=flag_y),
                gr.update(value=scores, x_lim=star_x),
                gr.update(choices=h.session_choices(owner_value, rows)),
                gr.update(),
                practice,
                gr.update(choices=[r[0] for r in practice], value=None),
                gr.update(value=progress, x_lim=progress_x),
                gr.update(value=spoken, x_lim=spoken_x),
            )

        hist_outputs = [
            hist_table,
            hist_id,
            star_plot,
            flag_plot,
            score_plot,
            ask_context,
            hist_notice,
            pq_table,
            pq_card,
            competency_plot,
            delivery_plot,
        ]
        pq_card.change(h.practice_card, [owner, pq_card], pq_view, queue=False)

        def ask_sessions(owner_value):
            """The sessions to continue from, fresh each time the Ask tab opens (not only after History)."""
            try:
                return gr.update(choices=h.session_choices(owner_value))
            except CoachError:
                return gr.update()

        ask_tab.select(ask_sessions, owner, ask_context)
        hist_refresh.click(refresh_history, owner, hist_outputs, api_name="history_list")
        history_tab.select(refresh_history, owner, hist_outputs)
        demo.load(refresh_history, owner, hist_outputs)
        hist_open.click(h.history_open, [owner, hist_id], hist_view)
        hist_export.click(h.history_export, [owner, hist_id], hist_file, api_name="history_export")

        def history_delete(owner_value, choice):
            return h.history_delete(owner_value, choice, False, False)

        def history_delete_all(owner_value, confirmed):
            return h.history_delete(owner_value, "", confirmed, True)

        hist_delete.click(history_delete, [owner, hist_id], hist_notice, api_name="history_delete").then(
            refresh_history, owner, hist_outputs
        )
        hist_delete_all.click(
            history_delete_all, [owner, hist_confirm], hist_notice, api_name="history_delete_all"
        ).then(refresh_history, owner, hist_outputs)

        def refresh_knowledge():
            rows = h.knowledge_rows()
            return rows, gr.update(choices=[r[0] for r in rows], value=None)

        def index_files(files, request: gr.Request, progress=gr.Progress()):
            view = h.knowledge_upload(files, progress, browser=request.session_hash or "")
            return view.rows, gr.update(choices=[r[0] for r in view.rows], value=None), view.notice, None

        def remove_source(source):
            view = h.knowledge_remove(source)
            return view.rows, gr.update(choices=[r[0] for r in view.rows], value=None), view.notice

        demo.load(refresh_knowledge, None, [kb_table, kb_source])
        kb_index.click(index_files, kb_files, [kb_table, kb_source, kb_notice, kb_files], api_name="knowledge_index")

        def stop_indexing(request: gr.Request):
            return h.knowledge_stop(request.session_hash or "")

        kb_stop.click(stop_indexing, None, kb_notice, queue=False)
        kb_remove.click(remove_source, kb_source, [kb_table, kb_source, kb_notice])
    return demo


def launch(demo: Any, host: str, port: int, auth: Any, max_upload_bytes: int, after_start=None) -> None:
    """Serve; ``after_start`` runs once the page answers (the models load then, not before)."""
    from starlette.middleware import Middleware

    from coach.interfaces.web_guard import NoRemoteFetch

    demo.queue(default_concurrency_limit=8)
    demo.launch(
        app_kwargs={"middleware": [Middleware(NoRemoteFetch)]},
        prevent_thread_lock=True,
        server_name=host,
        server_port=port,
        auth=auth,
        share=False,
        inbrowser=False,
        show_error=True,
        quiet=True,
        max_file_size=max_upload_bytes,
        footer_links=[],
        ssr_mode=False,
    )
    if after_start is not None:
        after_start()
    demo.block_thread()
