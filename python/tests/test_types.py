"""The stubs and the package type-check under mypy --strict, and so does a script using them
the way a service does (tests/data/typed_usage.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_mypy_strict(tmp_path):
    # Both by module name, from a directory of their own: a path inside the working
    # directory (a .venv there) would be checked as the working directory's own module.
    shutil.copy(HERE / "data/typed_usage.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "-p", "facilioo_jwt", "-m", "typed_usage"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
