"""The package's surface: its stubs, its enum and its statuses agree with the native module."""

from __future__ import annotations

import ast
import doctest
import inspect
import sys
from pathlib import Path

import pytest

import facilioo_jwt
from facilioo_jwt import PartyType, _native

PACKAGE = Path(facilioo_jwt.__file__).parent


def test_party_types_are_facilioo_s():
    assert [(p.value, p.facilioo_name) for p in PartyType] == _native._party_types()


def test_every_public_name_is_documented():
    for name in facilioo_jwt.__all__:
        obj = getattr(facilioo_jwt, name)
        if inspect.isclass(obj):
            assert obj.__doc__, name
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and callable(value) or isinstance(value, property):
                    assert getattr(obj, attr).__doc__, f"{name}.{attr}"


def test_the_stubs_name_every_native_method():
    stubs = ast.parse((PACKAGE / "_native.pyi").read_text())
    classes = {node.name: node for node in stubs.body if isinstance(node, ast.ClassDef)}
    for name in ("Verifier", "VerifiedToken", "Refusal", "TestIssuer"):
        stubbed = {n.name for n in classes[name].body if isinstance(n, ast.FunctionDef)}
        native = {a for a in vars(getattr(_native, name)) if not a.startswith("__")}
        assert native <= stubbed | {"_options"} and stubbed - {"__init__"} <= native, name
    assert (PACKAGE / "py.typed").exists()


def test_the_docstring_examples():
    import facilioo_jwt.testing

    for module in (facilioo_jwt, facilioo_jwt.testing):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


@pytest.mark.skipif(sys.version_info < (3, 10),
                    reason="CPython 3.9's inspect reads no text signature of an abi3 extension class")
def test_the_signature_shows_the_defaults():
    shown = str(inspect.signature(facilioo_jwt.Verifier))
    assert "leeway=60" in shown and "cache=0" in shown and "max_token_len=8192" in shown
    assert f"leeway={facilioo_jwt.DEFAULT_LEEWAY}" in shown


def test_the_benchmark_s_rsa_timer(issuer):
    import math

    import pytest

    token = issuer.token(key="2")
    seconds = _native._rsa_seconds(token, "2", 3)
    assert math.isfinite(seconds) and seconds > 0
    with pytest.raises(ValueError, match="not signed by that key"):
        _native._rsa_seconds(token, "1", 3)
