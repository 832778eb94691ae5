from __future__ import annotations

from typing import Any

import pytest

from sanxiang.lib import signing

REQUEST: dict[str, Any] = {
    "method": "POST",
    "path": "/api/v1/exchange/transfers",
    "query": "b=2&a=1",
    "body": b'{"a":1}',
    "timestamp": 1764662400,
    "nonce": "n-0123456789",
}


def test_the_query_is_signed_in_one_canonical_order():
    assert signing.canonical_query("b=2&a=1") == signing.canonical_query("a=1&b=2")
    assert signing.canonical_query("q=%E6%B0%91+%7E") == "q=%E6%B0%91%20~"


@pytest.mark.parametrize("hash_name", ["sha256", "sm3"])
def test_a_signature_verifies_and_any_changed_part_fails(hash_name):
    secret = b"s3cret"
    signature = signing.sign(secret, hash_name=hash_name, **REQUEST)
    signing.verify(secret, signature, hash_name=hash_name, **REQUEST)
    for part, value in [
        ("method", "PUT"),
        ("path", "/api/v1/exchange/certificates"),
        ("query", "a=1&b=3"),
        ("body", b'{"a":2}'),
        ("timestamp", 1764662401),
        ("nonce", "n-0123456780"),
    ]:
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, signature, hash_name=hash_name, **{**REQUEST, part: value})
    with pytest.raises(signing.SignatureError):
        signing.verify(b"other", signature, hash_name=hash_name, **REQUEST)


def test_sm3_and_sha256_signatures_differ():
    assert signing.sign(b"k", hash_name="sm3", **REQUEST) != signing.sign(
        b"k", hash_name="sha256", **REQUEST
    )


def test_the_documented_example_matches_openssl():
    # docs/exchange.md quotes these values; they were computed with the openssl CLI
    # (`openssl dgst -sha256 -hmac` / `-sm3 -hmac`), an implementation independent of ours.
    assert signing.sign(b"example-secret", hash_name="sha256", **REQUEST) == (
        "7adb2c7270e6959e89b07316633cfa071868457328b98dde620d36b2ae744605"
    )
    assert signing.sign(b"example-secret", hash_name="sm3", **REQUEST) == (
        "566b164c6f9a5cf5aff3769581fd2d0b96c6a63e168ba3812e5da96143d6ef2a"
    )
