"""Signed requests between Sanxiang and the provincial / credit platforms (no Django import).

A request is signed with HMAC over a canonical text of six lines::

    METHOD
    /path
    canonical query (pairs sorted, RFC 3986 percent-encoded, ``k=v`` joined by ``&``)
    hex digest of the body (empty body hashes too)
    timestamp (Unix seconds, decimal)
    nonce

The hash is SHA-256, or SM3 (GB/T 32905) when the platform runs with 国密. The same function signs
the outbox's pushes and verifies the API's inbound requests, so both sides agree by construction;
docs/exchange.md gives the rule to other implementers with a worked example.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, unquote_plus

ALGORITHMS = {"sha256": "HMAC-SHA256", "sm3": "HMAC-SM3"}


class SignatureError(ValueError):
    """A signature that does not match (the caller decides what to answer)."""


def body_digest(body: bytes, *, hash_name: str = "sha256") -> str:
    return hashlib.new(hash_name, body).hexdigest()


def canonical_query(query: str) -> str:
    """Sort the pairs of a raw query string and encode them one way (so ``a=1&b=2`` and
    ``b=2&a=1``, or ``%7E`` and ``~``, sign the same)."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    pairs.sort()
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)


def canonical_request(
    *, method: str, path: str, query: str, body: bytes, timestamp: int, nonce: str, hash_name: str
) -> bytes:
    lines = [
        method.upper(),
        path,
        canonical_query(query),
        body_digest(body, hash_name=hash_name),
        str(timestamp),
        nonce,
    ]
    return "\n".join(lines).encode()


def sign(
    secret: bytes,
    *,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int,
    nonce: str,
    hash_name: str = "sha256",
) -> str:
    """The hex HMAC of the canonical request."""
    if hash_name not in ALGORITHMS:
        raise ValueError(f"unsupported hash {hash_name!r}")
    message = canonical_request(
        method=method,
        path=path,
        query=query,
        body=body,
        timestamp=timestamp,
        nonce=nonce,
        hash_name=hash_name,
    )
    return hmac.new(secret, message, hash_name).hexdigest()


def verify(
    secret: bytes,
    signature: str,
    *,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int,
    nonce: str,
    hash_name: str = "sha256",
) -> None:
    """Raise ``SignatureError`` unless ``signature`` signs this request (constant-time compare)."""
    expected = sign(
        secret,
        method=method,
        path=path,
        query=query,
        body=body,
        timestamp=timestamp,
        nonce=nonce,
        hash_name=hash_name,
    )
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("signature does not match")
