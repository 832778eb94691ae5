"""Signed notes, checkpoints, Ed25519 cosignatures and the witness (C2SP, no Django).

Implements, for the log's side and for an independent witness:

- ``signed-note`` (c2sp.org/signed-note): a body, a blank line, signature lines
  ``— <name> base64(key id (4 bytes) || signature)``; unknown signatures are ignored.
- ``tlog-checkpoint`` (c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash, then
  optional extension lines.
- ``tlog-cosignature`` ``cosignature/v1`` (Ed25519): key id
  ``SHA-256(name || "\\n" || 0x04 || public key)[:4]``, signature ``u64 timestamp || Ed25519``
  over ``"cosignature/v1\\ntime <ts>\\n" || checkpoint body``.
- ``tlog-witness`` (c2sp.org/tlog-witness) ``add-checkpoint``: request body ``old <size>``,
  consistency-proof lines, a blank line, the checkpoint; answers 200 (cosignature lines),
  400, 403, 404, 409 (``text/x.tlog.size``: the size the witness last cosigned) or 422.

The witness keeps, per origin, only the latest checkpoint it cosigned, in a JSON state file
written atomically under a lock, so the check "old size equals what I last cosigned" and the
update are one step (the race the spec warns about cannot roll the witness back).
The standalone verifier (``tools/verify_bundle.py``) and ``manage.py witness serve`` use this
module alone.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import os
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import merkle

DASH = "\u2014"
SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024


class NoteError(ValueError):
    """A note or checkpoint that is not well formed."""


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        stamp = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{DASH} {self.name} {stamp}\n"


@dataclass(frozen=True)
class Note:
    body: str  # every line up to and including the body's final newline
    signatures: tuple[Signature, ...]

    def text(self) -> str:
        return self.body + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii")]
        return "\n".join([*lines, *self.extensions]) + "\n"


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def parse_note(text: str) -> Note:
    """Split a signed note into its body and its signature lines (signed-note §Format)."""
    if "\n\n" not in text:
        raise NoteError("签名注记缺少正文与签名之间的空行")
    body, _, tail = text.partition("\n\n")
    body += "\n"
    if not tail.endswith("\n"):
        raise NoteError("签名注记必须以换行结束")
    signatures = []
    for line in tail[:-1].split("\n"):
        if not line.startswith(DASH + " "):
            raise NoteError(f"签名行格式错误：{line[:60]!r}")
        parts = line[2:].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise NoteError(f"签名行格式错误：{line[:60]!r}")
        try:
            raw = base64.b64decode(parts[1], validate=True)
        except binascii.Error as err:
            raise NoteError("签名行不是有效的 Base64") from err
        if len(raw) < 5:
            raise NoteError("签名过短")
        signatures.append(Signature(parts[0], raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("签名注记没有签名行")
    return Note(body, tuple(signatures))


def parse_checkpoint(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("检查点至少应有日志名称、条目数、根摘要三行")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin:
        raise NoteError("检查点的日志名称为空")
    if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
        raise NoteError("检查点的条目数格式错误")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error as err:
        raise NoteError("检查点的根摘要不是有效的 Base64") from err
    if len(root) != 32:
        raise NoteError("检查点的根摘要应为 32 字节")
    if any(not line for line in extensions):
        raise NoteError("检查点的扩展行不能为空")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def ed25519_public(seed: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def _ed25519_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class LogKey:
    """A log's Ed25519 note key: the key name is the origin (tlog-checkpoint)."""

    origin: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.origin, SIG_ED25519, self.public_key)

    def verifies(self, note: Note) -> bool | None:
        """True if a signature of this key verifies, False if one matches but fails, None if
        the note carries no signature of this key (signed-note: ignore unknown keys)."""
        found = None
        for sig in note.signatures:
            if sig.name == self.origin and sig.key_id == self.key_id:
                if not _ed25519_ok(self.public_key, note.body.encode(), sig.signature):
                    return False
                found = True
        return found


@dataclass(frozen=True)
class CosignerKey:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, SIG_COSIGNATURE_V1, self.public_key)

    def timestamp_of(self, body: str, sig: Signature) -> int | None:
        """The cosignature's timestamp if ``sig`` is this cosigner's valid cosignature."""
        if sig.name != self.name or sig.key_id != self.key_id or len(sig.signature) != 72:
            return None
        (timestamp,) = struct.unpack(">Q", sig.signature[:8])
        message = cosigned_message(body, timestamp)
        return timestamp if _ed25519_ok(self.public_key, message, sig.signature[8:]) else None


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(*, name: str, seed: bytes, body: str, timestamp: int) -> Signature:
    if not 0 < timestamp < 2**63:
        raise ValueError("cosignature timestamp out of range")
    raw = Ed25519PrivateKey.from_private_bytes(seed).sign(cosigned_message(body, timestamp))
    kid = key_id(name, SIG_COSIGNATURE_V1, ed25519_public(seed))
    return Signature(name, kid, struct.pack(">Q", timestamp) + raw)


def add_checkpoint_request(old_size: int, proof: Sequence[bytes], checkpoint_note: str) -> bytes:
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof), ""]
    return ("\n".join(lines) + "\n" + checkpoint_note).encode()


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def _parse_request(raw: bytes) -> tuple[int, list[bytes], Note]:
    text = raw.decode("utf-8")
    head, sep, note_text = text.partition("\n\n")
    if not sep:
        raise NoteError("请求缺少空行")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit():
        raise NoteError("第一行应为 old <size>")
    if first[4:].startswith("0") and first[4:] != "0":
        raise NoteError("old 的数字不能有前导零")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise NoteError("一致性证明超过 63 行")
    proof = []
    for line in proof_lines:
        try:
            value = base64.b64decode(line, validate=True)
        except binascii.Error as err:
            raise NoteError("一致性证明行不是有效的 Base64") from err
        if len(value) != 32:
            raise NoteError("一致性证明的摘要应为 32 字节")
        proof.append(value)
    return int(first[4:]), proof, parse_note(note_text)


@dataclass
class Witness:
    """A tlog-witness: its name and Ed25519 seed, the logs it follows, its state file."""

    name: str
    seed: bytes
    logs: dict[str, list[LogKey]]
    state_path: Path
    hash_name: str = "sha256"
    clock: object = field(default=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def key(self) -> CosignerKey:
        return CosignerKey(self.name, ed25519_public(self.seed))

    def _read_state(self) -> dict[str, dict[str, object]]:
        try:
            return dict(json.loads(self.state_path.read_text("utf-8")))
        except FileNotFoundError:
            return {}

    def _write_state(self, state: dict[str, dict[str, object]]) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True, indent=1), "utf-8")
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(self.state_path)

    def latest(self, origin: str) -> str | None:
        """The latest cosigned checkpoint of ``origin`` with every signature (monitoring API)."""
        entry = self._read_state().get(origin)
        return None if entry is None else str(entry["note"])

    def add_checkpoint(self, raw: bytes) -> Answer:
        if len(raw) > MAX_REQUEST_BYTES:
            return Answer(400, "请求过大\n")
        try:
            old_size, proof, note = _parse_request(raw)
            checkpoint = parse_checkpoint(note.body)
        except (NoteError, UnicodeDecodeError) as err:
            return Answer(400, f"{err}\n")
        keys = self.logs.get(checkpoint.origin)
        if keys is None:
            return Answer(404, "本见证不跟踪该日志\n")
        verdicts = [key.verifies(note) for key in keys]
        if False in verdicts or True not in verdicts:
            return Answer(403, "检查点没有受信任日志密钥的有效签名\n")
        if old_size > checkpoint.size:
            return Answer(400, "old 大于检查点条目数\n")
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.state_path.with_suffix(".lock"), "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            return self._check_and_cosign(old_size, proof, note, checkpoint)

    def _check_and_cosign(
        self, old_size: int, proof: list[bytes], note: Note, checkpoint: Checkpoint
    ) -> Answer:
        state = self._read_state()
        known = state.get(checkpoint.origin)
        known_size = int(str(known["size"])) if known else 0
        if old_size != known_size:
            return Answer(409, f"{known_size}\n", "text/x.tlog.size")
        empty_root = merkle.hash_bytes(b"", hash_name=self.hash_name)
        if checkpoint.size == 0 and checkpoint.root != empty_root:
            return Answer(422, "空树的根摘要不正确\n")
        if known is None or old_size == 0:
            if proof:
                return Answer(422, "old 为 0 时一致性证明必须为空\n")
        else:
            old_root = base64.b64decode(str(known["root"]))
            if old_size == checkpoint.size:
                if old_root != checkpoint.root or proof:
                    return Answer(422, "同一条目数的根摘要不同：日志分叉\n")
            else:
                try:
                    merkle.verify_consistency(
                        old_size,
                        checkpoint.size,
                        proof,
                        old_root,
                        checkpoint.root,
                        hash_name=self.hash_name,
                    )
                except merkle.ProofError as err:
                    return Answer(422, f"一致性证明不成立：{err}\n")
        clock = self.clock
        timestamp = int(clock()) if callable(clock) else int(time.time())
        cosignature = cosign(name=self.name, seed=self.seed, body=note.body, timestamp=timestamp)
        full = Note(note.body, (*note.signatures, cosignature))
        state[checkpoint.origin] = {
            "size": checkpoint.size,
            "root": base64.b64encode(checkpoint.root).decode("ascii"),
            "note": full.text(),
        }
        self._write_state(state)
        return Answer(200, cosignature.line())


def origin_hash(origin: str) -> str:
    return hashlib.sha256(origin.encode()).hexdigest()


def make_handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, answer: Answer) -> None:
            data = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                self._send(Answer(404, "not found\n"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._send(Answer(400, "请求过大\n"))
                return
            self._send(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[1] == "checkpoint":
                for origin in witness.logs:
                    if origin_hash(origin) == parts[0]:
                        note = witness.latest(origin)
                        if note is not None:
                            self._send(Answer(200, note))
                            return
            if self.path == "/healthz":
                self._send(Answer(200, "ok\n"))
                return
            self._send(Answer(404, "not found\n"))

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(witness))


def post_checkpoint(url: str, body: bytes, *, timeout: float = 10.0) -> Answer:
    """The log's side of add-checkpoint: POST ``body`` to ``<url>/add-checkpoint``."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the configured witness URL
        url.rstrip("/") + "/add-checkpoint", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(
                response.status, response.read().decode(), response.headers.get_content_type()
            )
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.read().decode(errors="replace"), err.headers.get_content_type())
