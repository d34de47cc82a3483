"""Fixtures shared by the tests: facilioo's example token, the key that signed it, and a test
issuer. The first two are the Rust crate's fixtures (tests/data/, from facilioo's
Authentication page)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from facilioo_jwt.testing import TestIssuer

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def example_token() -> str:
    """facilioo's example token: signed by the retired 2022 key, valid for one hour in 2022."""
    return (REPO / "tests/data/example-token.txt").read_text().strip()


@pytest.fixture(scope="session")
def example_claims(example_token: str) -> dict:
    payload = example_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="session")
def retired_key_path() -> Path:
    return REPO / "tests/data/retired-key-2022.pem"


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()
