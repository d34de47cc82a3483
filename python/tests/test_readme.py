"""python/README.md's examples, run as a reader would paste them: each ```python block in a
namespace of its own, then driven through its framework's test client."""

from __future__ import annotations

import contextlib
import io
import re
import signal
import warnings
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"^## (.+?)$|^```python\n(.*?)^```$", README, re.M | re.S)


def block(section: str) -> str:
    """The ```python block of `section`."""
    current = None
    for heading, code in BLOCKS:
        if heading:
            current = heading
        elif current == section:
            return code
    raise AssertionError(f"no python block under ## {section}")


def run(section: str) -> tuple[dict, str]:
    namespace: dict = {"__name__": "readme"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        # starlette's note on its test client's HTTP library, not this package's.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        exec(compile(block(section), f"README.md ## {section}", "exec"), namespace)
    return namespace, out.getvalue()


def test_every_block_is_tested():
    sections = [heading for heading, _ in BLOCKS if heading]
    with_code = []
    current = None
    for heading, code in BLOCKS:
        current = heading or current
        if code and current not in with_code:
            with_code.append(current)
    assert with_code == ["Verify a token", "FastAPI", "Testing your service", "Flask", "Django", "Key rotation"], sections


def test_verify_a_token():
    _, out = run("Verify a token")
    expected = re.findall(r"^print\(.*?\)\s+# (.+)$", block("Verify a token"), re.M)
    assert out.splitlines() == expected


def test_fastapi():
    from fastapi.testclient import TestClient

    from facilioo_jwt.testing import TestIssuer

    namespace, _ = run("FastAPI")
    issuer = TestIssuer()
    namespace["auth"].verifier.replace_keys(issuer.trusted_keys_pem)
    client = TestClient(namespace["app"])
    assert client.get("/me", headers={"Authorization": issuer.authorization(account=3)}).json()["account_id"] == 3
    pmc = issuer.authorization(party_type=2)
    assert client.get("/companies/mine", headers={"Authorization": pmc}).status_code == 200
    assert client.get("/companies/mine", headers={"Authorization": issuer.authorization()}).status_code == 403
    staff = {"Authorization": issuer.authorization(company=7)}
    assert client.get("/companies/7/invoices", headers=staff).json() == {"company_id": 7, "invoices": []}
    other = client.get("/companies/8/invoices", headers=staff)
    assert other.status_code == 403 and other.json()["detail"]["reason"] == "company_not_allowed"
    assert client.get("/hello").json() == {"hello": "anonymous"}
    assert client.get("/me").status_code == 401


def marked_files() -> dict[str, str]:
    """The ```python blocks marked `<!-- file: NAME -->`, by NAME."""
    return dict(re.findall(r"^<!-- file: (\S+) -->\n```python\n(.*?)^```$", README, re.M | re.S))


def test_the_marked_blocks_are_the_fastapi_service_and_its_tests():
    files = marked_files()
    assert list(files) == ["app.py", "test_app.py"]
    assert files["app.py"] == block("FastAPI") and files["test_app.py"] == block("Testing your service")


def test_the_install_lines_install_what_the_tests_import():
    # The README's test block needs pytest and httpx (FastAPI's TestClient): the `testing`
    # extra, which the install lines for FastAPI users name.
    from importlib.metadata import requires

    install = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    [lines] = re.findall(r"```sh\n(.*?)```", install, re.S)
    commands = [line.split("#")[0].strip() for line in lines.splitlines()]
    assert commands == ["pip install './python[fastapi]'", "pip install './python[fastapi,testing]'"]
    testing = [r for r in requires("facilioo-jwt") or [] if "extra == 'testing'" in r]
    assert sorted(re.split(r"[<>=;\s]", r)[0] for r in testing) == ["httpx", "httpx2", "pytest"]


def test_testing_your_service(tmp_path):
    # As a reader lays it out: the service as app.py, its tests as test_app.py, then pytest.
    import os
    import subprocess
    import sys

    for name, code in marked_files().items():
        (tmp_path / name).write_text(code)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
         "ignore:Using `httpx` with `starlette.testclient`:DeprecationWarning", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^5 passed", result.stdout, re.M), result.stdout


def test_flask():
    from facilioo_jwt.testing import TestIssuer

    namespace, _ = run("Flask")
    issuer = TestIssuer()
    namespace["verifier"].replace_keys(issuer.trusted_keys_pem)
    client = namespace["app"].test_client()
    assert client.get("/me", headers={"Authorization": issuer.authorization(account=7)}).json == {"account_id": 7}
    refused = client.get("/me", headers={"Authorization": issuer.authorization(refusal="expired")})
    assert refused.status_code == 401 and refused.json["reason"] == "expired"
    assert refused.headers["WWW-Authenticate"].startswith('Bearer realm="facilioo", error="invalid_token"')
    missing = client.get("/me")
    assert (missing.status_code, missing.headers["WWW-Authenticate"], missing.data) == (401, 'Bearer realm="facilioo"', b"")
    two = client.get("/me", headers=[("Authorization", "Bearer a.b.c"), ("Authorization", "Bearer a.b.c")])
    assert two.status_code == 400 and two.json["reason"] == "malformed_bearer"  # joined by WSGI


def test_django():
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["testserver"], DEFAULT_CHARSET="utf-8")
        django.setup()
    from django.test import RequestFactory

    from facilioo_jwt.testing import TestIssuer

    namespace, _ = run("Django")
    issuer = TestIssuer()
    namespace["verifier"].replace_keys(issuer.trusted_keys_pem)
    factory = RequestFactory()
    ok = namespace["me"](factory.get("/me", HTTP_AUTHORIZATION=issuer.authorization(account=8)))
    assert (ok.status_code, ok.content) == (200, b'{"account_id": 8}')
    refused = namespace["me"](factory.get("/me", HTTP_AUTHORIZATION=issuer.authorization(refusal="bad_signature")))
    assert refused.status_code == 401 and b'"reason":"invalid_signature"' in refused.content
    assert refused["WWW-Authenticate"].startswith('Bearer realm="facilioo", error="invalid_token"')
    assert namespace["me"](factory.get("/me")).status_code == 401


def test_key_rotation():
    before = signal.getsignal(signal.SIGHUP)
    try:
        namespace, out = run("Key rotation")
        assert out.startswith("keys kept: ")
        assert signal.getsignal(signal.SIGHUP) is not before
        assert namespace["verifier"].key_count == 3
    finally:
        signal.signal(signal.SIGHUP, before)
