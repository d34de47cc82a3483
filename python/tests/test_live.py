"""LiveVerifier: keys swapped while in use, a bad file keeping the keys in use."""

from __future__ import annotations

import pytest

from facilioo_jwt import InvalidSignature, KeyLoadError, LiveVerifier, Verifier
from facilioo_jwt.testing import test_key_pem


def test_reload_keys(tmp_path, issuer):
    path = tmp_path / "keys.pem"
    path.write_text(test_key_pem("1"))
    live = LiveVerifier(path, issuers=issuer.issuer, audiences=issuer.audience)
    assert isinstance(live, Verifier)
    two = issuer.token(key="2")
    assert live.verify(issuer.token(key="1")).account_id == 1
    with pytest.raises(InvalidSignature):
        live.verify(two)

    path.write_text(test_key_pem("1") + test_key_pem("2"))
    assert live.reload_keys(path) == (2, True)
    assert live.verify(two).key_index == 1
    assert live.reload_keys(str(path)) == (2, False)

    for bad in ("", "not a key", test_key_pem("1").replace("-----END RSA PUBLIC KEY-----", "-----END RSA PUBLIC KEY----")):
        path.write_text(bad)
        with pytest.raises(KeyLoadError):
            live.reload_keys(path)
        assert live.verify(two).key_index == 1  # the keys in use stayed
    with pytest.raises(KeyLoadError):
        live.reload_keys(tmp_path / "missing.pem")
    with pytest.raises(KeyLoadError):
        live.reload_keys(tmp_path)  # a directory
    for not_a_path in (None, b"keys.pem", 3):
        with pytest.raises(TypeError, match="^path: "):
            live.reload_keys(not_a_path)  # type: ignore[arg-type]

    assert live.replace_keys(test_key_pem("3")) is True
    assert live.key_count == 1
    with pytest.raises(InvalidSignature):
        live.verify(two)
    assert live.stats()["outcomes"]["invalid_signature"] == 2


def test_a_key_file_is_bounded(tmp_path):
    big = tmp_path / "big.pem"
    big.write_bytes(b"A" * (2 << 20))
    with pytest.raises(KeyLoadError):
        Verifier(big, issuers="i", audiences="a")
    with pytest.raises(KeyLoadError):
        Verifier("/dev/zero", issuers="i", audiences="a")
