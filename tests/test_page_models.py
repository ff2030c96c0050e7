"""Issue 15 on the page: which model is in use, how to get a stronger one, and switching between the
installed models (loaded in the background, saved like `coach models use`)."""

from __future__ import annotations

import json
import shutil

from conftest import last

from coach.interfaces.page import new_state
from coach.interfaces.page_models import EMBEDDED, GET_STRONGER


def test_only_the_embedded_model_says_how_to_get_a_stronger_one(page):
    view = page.models_view()
    assert view["choices"] == [EMBEDDED] and view["value"] == EMBEDDED and view["interactive"]
    assert view["note"] == GET_STRONGER and "coach models pull" in view["note"]


def test_switching_to_an_installed_model_loads_it_and_is_saved(page, default_gguf):
    models = page.settings.home / "models"
    models.mkdir(parents=True)
    copy = models / "small-copy.gguf"
    shutil.copyfile(default_gguf, copy)
    view = page.models_view()
    assert view["choices"] == [EMBEDDED, "small-copy"] and view["value"] == EMBEDDED
    notice = page.switch_model("small-copy")
    assert notice.startswith("Switching to small-copy"), notice
    page.warmup.wait("model", timeout=120)
    assert page.coach.chat_model.path == copy and page.coach.chat_model.loaded
    assert json.loads((page.settings.home / "settings.json").read_text()) == {"model": str(copy)}
    assert page.models_view()["value"] == "small-copy"
    view = last(page.interview_start(new_state(), "me", "", "mid", "behavioral", "neutral", 1, ""))
    assert "Interview started" in view.notice and view.chat, "the switched model serves the next request"
    assert page.switch_model(EMBEDDED).startswith("Switching")
    page.warmup.wait("model", timeout=120)
    assert page.coach.chat_model.path != copy and "model" not in json.loads(
        (page.settings.home / "settings.json").read_text()
    )


def test_a_model_that_does_not_fit_is_refused_before_anything_changes(page, default_gguf, monkeypatch):
    models = page.settings.home / "models"
    models.mkdir(parents=True)
    shutil.copyfile(default_gguf, models / "small-copy.gguf")
    monkeypatch.setattr("coach.model.sysinfo.available_memory_bytes", lambda: 10 * 2**20)
    before = page.coach.chat_model
    notice = page.switch_model("small-copy")
    assert notice.startswith("Warning:") and "needs about" in notice and page.coach.chat_model is before
    assert not (page.settings.home / "settings.json").exists()
    assert page.switch_model("no-such-model").startswith("Warning: No installed model")


def test_the_picker_is_off_when_others_could_use_this_server(make_coach, fake_model):
    from coach.interfaces.page import PageHandlers
    from coach.interfaces.warmup import Warmup

    coach = make_coach(fake_model, host="0.0.0.0")
    page = PageHandlers(coach, Warmup(coach))
    view = page.models_view()
    assert not view["interactive"] and "127.0.0.1" in view["note"]
    assert page.switch_model(EMBEDDED).startswith("Warning: The model can be switched only")
