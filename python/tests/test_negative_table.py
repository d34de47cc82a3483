"""The Rust crate's negative table (tests/negative.rs), case by case through Python: the same
verdict, code and message. tests/data/negative-table.json is written from the table by the
crate's test `the_python_copy_of_the_table_is_current`, which fails when the two differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilioo_jwt import FaciliooJwtError, Verifier

TABLE = json.loads((Path(__file__).parent / "data/negative-table.json").read_text())


def test_the_table_covers_every_token_code():
    codes = {c["want"]["code"] for c in TABLE["cases"] if c["want"]}
    assert len(TABLE["cases"]) > 150 and len(codes) == 13


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_same_verdict_code_and_message(case):
    policy = case["policy"]
    verifier = Verifier(
        TABLE["keys_pem"],
        issuers=policy["issuers"],
        audiences=policy["audiences"],
        leeway=policy["leeway"],
        max_token_len=policy["max_token_len"],
        party_types=policy["party_types"],
        party_type_claim=policy["party_type_claim"],
    )
    want = case["want"]
    if want is None:
        verifier.verify(case["token"], now=case["now"])
        return
    with pytest.raises(FaciliooJwtError) as refused:
        verifier.verify(case["token"], now=case["now"])
    message = want["message"]
    if case["token"] != case["token"].strip():
        # The one thing Python adds: what the caller passed around the token.
        message += " (the token has whitespace around it: pass the token alone (str.strip() it))"
    assert (refused.value.code, str(refused.value)) == (want["code"], message)
