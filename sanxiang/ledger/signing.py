"""Checkpoint signing: the signed-note text and the key kept in a file outside the database.

The text follows the C2SP tlog-checkpoint / signed-note format::

    <origin>
    <tree size>
    <base64 root hash>
    [hash sm3]                      (extension line, only when the tree hash is SM3)
    time <UTC time, ISO 8601>       (extension line)

    — <origin> <base64(key id (4 bytes) || signature)>

The signature covers the body (every line up to and including the last body newline).
The key id is the first 4 bytes of ``SHA-256(origin || "\\n" || type || public key)`` with
type ``0x01`` for Ed25519 (as the signed-note spec says) and ``0xff`` for SM2 (our own).
Ed25519 through ``cryptography``; SM2 (GB/T 32918, with the SM3 "Z" digest) through ``gmssl``.
Nothing here imports Django; ``tools/verify_bundle.py`` repeats the verifying half.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHMS = ("ed25519", "sm2")
_TYPE_BYTE = {"ed25519": b"\x01", "sm2": b"\xff"}
_SM2_ARMOR = ("-----BEGIN SANXIANG SM2 PRIVATE KEY-----", "-----END SANXIANG SM2 PRIVATE KEY-----")


class SigningKeyError(Exception):
    """The signing key file is missing, unreadable or of another algorithm."""


def note_body(
    *, origin: str, tree_size: int, root_hash: bytes, time_text: str, hash_name: str = "sha256"
) -> str:
    lines = [origin, str(tree_size), base64.b64encode(root_hash).decode("ascii")]
    if hash_name != "sha256":
        lines.append(f"hash {hash_name}")
    lines.append(f"time {time_text}")
    return "\n".join(lines) + "\n"


def key_id(*, algorithm: str, origin: str, public_key: bytes) -> bytes:
    digest = hashlib.sha256(origin.encode() + b"\n" + _TYPE_BYTE[algorithm] + public_key)
    return digest.digest()[:4]


def signed_note(body: str, *, origin: str, key_id_bytes: bytes, signature: bytes) -> str:
    stamp = base64.b64encode(key_id_bytes + signature).decode("ascii")
    return f"{body}\n— {origin} {stamp}\n"


@dataclass(frozen=True)
class SigningKey:
    algorithm: str
    private: bytes  # Ed25519 seed (32 bytes) or SM2 scalar (32 bytes)
    public: bytes  # Ed25519 raw key (32 bytes) or SM2 point x||y (64 bytes)

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "ed25519":
            return Ed25519PrivateKey.from_private_bytes(self.private).sign(message)
        return bytes.fromhex(_sm2(self.private.hex(), self.public.hex()).sign_with_sm3(message))


def verify(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``message``."""
    if algorithm == "ed25519":
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    if algorithm == "sm2":
        if len(signature) != 64 or len(public_key) != 64:
            return False
        return bool(_sm2("", public_key.hex()).verify_with_sm3(signature.hex(), message))
    return False


def _sm2(private_hex: str, public_hex: str):  # type: ignore[no-untyped-def]
    from gmssl import sm2

    crypt = sm2.CryptSM2(private_key=private_hex, public_key=public_hex)
    # gmssl strips a leading "04" with str.lstrip, which also eats the 0s and 4s that begin
    # some x coordinates: set the raw x||y ourselves.
    crypt.public_key = public_hex
    return crypt


def _sm2_generate() -> tuple[bytes, bytes]:
    from gmssl import sm2

    n = int(sm2.default_ecc_table["n"], 16)
    d = secrets.randbelow(n - 2) + 1
    point = _sm2("", "")._kg(d, sm2.default_ecc_table["g"])
    return d.to_bytes(32, "big"), bytes.fromhex(point)


def generate(algorithm: str) -> SigningKey:
    if algorithm == "ed25519":
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return SigningKey("ed25519", private, public)
    if algorithm == "sm2":
        private, public = _sm2_generate()
        return SigningKey("sm2", private, public)
    raise SigningKeyError(
        f"unknown signature algorithm {algorithm!r}; expected one of {ALGORITHMS}"
    )


def _serialise(key: SigningKey) -> bytes:
    if key.algorithm == "ed25519":
        return Ed25519PrivateKey.from_private_bytes(key.private).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    begin, end = _SM2_ARMOR
    return f"{begin}\n{key.private.hex()}\n{key.public.hex()}\n{end}\n".encode("ascii")


def _parse(data: bytes, path: Path) -> SigningKey:
    text = data.decode("ascii", errors="replace")
    if text.startswith(_SM2_ARMOR[0]):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        try:
            return SigningKey("sm2", bytes.fromhex(lines[1]), bytes.fromhex(lines[2]))
        except (IndexError, ValueError) as err:
            raise SigningKeyError(f"签名密钥文件 {path} 不是有效的 SM2 私钥。") from err
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as err:
        raise SigningKeyError(f"签名密钥文件 {path} 无法读取：{err}") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"签名密钥文件 {path} 不是 Ed25519 或 SM2 私钥。")
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return SigningKey("ed25519", private, public)


def write_key(path: Path, key: SigningKey, *, overwrite: bool = False) -> None:
    """Write the key with mode 0600 (created so; never world-readable even for an instant)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(_serialise(key))
    os.chmod(path, 0o600)


def load_or_create(path: Path, algorithm: str) -> SigningKey:
    """The key in ``path``; generated there on first use. Its algorithm must match."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            write_key(path, generate(algorithm))
    key = _parse(path.read_bytes(), path)
    if key.algorithm != algorithm:
        raise SigningKeyError(
            f"签名密钥文件 {path} 是 {key.algorithm} 密钥，但配置要求 {algorithm}"
            "（SANXIANG_LEDGER_SIGNATURE）；请换用对应的密钥文件。"
        )
    return key
