"""An installed (non-editable) coach finds its prompts and data files through the package."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_the_prompts_and_data_files(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("interview_coach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {str(p.relative_to(REPO)) for p in (REPO / "coach").rglob("*") if p.suffix in (".txt", ".json")}
    assert shipped and shipped <= names, sorted(shipped - names)
    for layer in ("model", "library", "feedback", "sessions", "interfaces"):
        assert f"coach/{layer}/__init__.py" in names
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "coach = coach.interfaces.cli:main" in entry
