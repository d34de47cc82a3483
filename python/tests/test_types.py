"""The stubs and the package type-check under mypy --strict, and so does a script using them
the way a service does (tests/data/typed_usage.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import facilioo_jwt

HERE = Path(__file__).resolve().parent


def test_mypy_strict(tmp_path):
    package = Path(facilioo_jwt.__file__).parent
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         str(package), str(HERE / "data/typed_usage.py")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
