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


MISUSE = """
from facilioo_jwt import DEV_AUDIENCE, DEV_ISSUER, Verifier
from facilioo_jwt.fastapi import FaciliooBearer

auth = FaciliooBearer(Verifier(issuers=DEV_ISSUER, audiences=DEV_AUDIENCE))
auth.verifier.reload_keys("keys.pem")
auth.verifier.require_company(auth.verifier.verify("x"), "7")
auth.require_company(7)
"""


def test_mypy_strict_refuses_what_a_verifier_cannot_do(tmp_path):
    # FaciliooBearer keeps its verifier's type: a plain Verifier has no reload_keys.
    (tmp_path / "misuse.py").write_text(MISUSE)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "-m", "misuse"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert sorted({line.split(": error: ")[0] for line in errors}) == [
        "misuse.py:6", "misuse.py:7", "misuse.py:8"], result.stdout
    assert '"Verifier" has no attribute "reload_keys"' in errors[0]
