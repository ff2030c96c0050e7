"""Settings precedence, and nothing heavy loaded at import time."""

import subprocess
import sys
from pathlib import Path

import pytest

from coach.config import Settings
from coach.errors import InputError


def test_flags_win_over_environment_which_wins_over_defaults(tmp_path):
    env = {"COACH_HOME": str(tmp_path / "env-home"), "COACH_LLM_URL": "http://127.0.0.1:9/v1", "COACH_CTX": "2048"}
    s = Settings.load({"home": tmp_path / "flag-home"}, env=env)
    assert s.home == tmp_path / "flag-home"
    assert s.llm_url == "http://127.0.0.1:9/v1"
    assert s.n_ctx == 2048
    assert s.port == 7860 and s.host == "127.0.0.1"
    assert Settings.load({}, env=env).home == tmp_path / "env-home"


def test_default_home_is_the_user_data_dir():
    from platformdirs import user_data_dir

    assert Settings.load({}, env={}).home == Path(user_data_dir("interview-coach", appauthor=False))


def test_paths_derive_from_home(tmp_path):
    s = Settings.load({"home": tmp_path}, env={})
    assert s.chroma_path == tmp_path / "chroma"
    assert s.sessions_db == tmp_path / "sessions.db"


def test_bad_number_is_a_clear_error():
    with pytest.raises(InputError, match="COACH|n_ctx|whole number"):
        Settings.load({}, env={"COACH_CTX": "lots"})


def test_importing_the_package_loads_no_model_or_store():
    code = (
        "import sys, pkgutil, importlib, coach\n"
        "for m in pkgutil.walk_packages(coach.__path__, 'coach.'): importlib.import_module(m.name)\n"
        "heavy = [m for m in ('torch', 'chromadb', 'llama_cpp', 'gradio', "
        "'sentence_transformers', 'onnxruntime', 'faster_whisper') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
