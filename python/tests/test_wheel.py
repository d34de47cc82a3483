"""The wheel, built and installed into a fresh virtual environment with nothing else, verifies
facilioo's example token: what `pip install facilioo-jwt` gives a user."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent

SCRIPT = """
import facilioo_jwt, pathlib, sys
from facilioo_jwt import Verifier, DEV_ISSUER, DEV_AUDIENCE, ExpiredToken
data = pathlib.Path(sys.argv[1])
token = (data / "example-token.txt").read_text().strip()
retired = Verifier(data / "retired-key-2022.pem", issuers=DEV_ISSUER, audiences=DEV_AUDIENCE)
print(retired.verify(token, now=1651760242 + 60).account_id)
try:
    retired.verify(token)
except ExpiredToken as e:
    print(e.code, e.http_status)
print(pathlib.Path(facilioo_jwt.__file__).parent.joinpath("py.typed").exists())
"""


def test_the_wheel_in_a_fresh_virtual_environment(tmp_path):
    # The wheel under test: FACILIOO_JWT_WHEEL names a built one (python/ci/packages.sh: the
    # manylinux wheel it tests), else the checkout's, built here.
    given = os.environ.get("FACILIOO_JWT_WHEEL")
    if given:
        wheel = Path(given)
    else:
        wheels = tmp_path / "wheels"
        # maturin (from the `test` extra) builds it, reusing python/target from the install.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels),
             str(PYTHON_DIR)],
            capture_output=True, text=True, env={**os.environ, "PATH": path},
        )
        assert build.returncode == 0, build.stderr[-3000:]
        [wheel] = list(wheels.glob("facilioo_jwt-*-cp39-abi3-*.whl"))
    assert wheel.name.startswith("facilioo_jwt-") and "-cp39-abi3-" in wheel.name, wheel

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
                   check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    out = subprocess.run([str(python), "-c", SCRIPT, str(REPO / "tests/data")], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["2", "expired", "401", "True"]
