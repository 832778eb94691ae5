"""Witness cosigning round trip on loopback (C2SP tlog-witness add-checkpoint).

The witness (``sanxiang.lib.tlog``, the code behind ``manage.py witness serve``) runs in its own
thread's HTTP server; each round grows a 1,000-leaf log by 16 leaves and asks for a
cosignature with the consistency proof. Baseline: a bare POST of the same bytes to a loopback
HTTP server that only answers 200, in the same run. Ratio = baseline time / witness time.
The witness must persist its state before answering (tlog-witness), so one fsync of the state
file is part of every round; the target allows for that.
"""

from __future__ import annotations

import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import emit, median_of
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sanxiang.lib import merkle, tlog

ORIGIN = "bench.example/ledger"
ROUNDS = 200


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _start(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    log_key = tlog.LogKey(ORIGIN, public)
    state = Path(tempfile.mkdtemp()) / "witness.json"
    witness = tlog.Witness(
        name="bench.example/witness",
        seed=b"\x07" * 32,
        logs={ORIGIN: [log_key]},
        state_path=state,
    )
    witness_url = _start(tlog.serve(witness, "127.0.0.1", 0))
    echo_url = _start(ThreadingHTTPServer(("127.0.0.1", 0), _Echo))
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(1000 + 16 * (ROUNDS + 1))]
    sizes = iter(range(1000, len(leaves) + 1, 16))
    known = [0]

    def request(size: int) -> bytes:
        body = tlog.Checkpoint(ORIGIN, size, merkle.root_hash(leaves[:size])).body()
        sig = tlog.Signature(ORIGIN, log_key.key_id, private.sign(body.encode()))
        proof = merkle.consistency_proof(leaves[:size], known[0]) if known[0] else []
        return tlog.add_checkpoint_request(known[0], proof, tlog.Note(body, (sig,)).text())

    bodies = []
    for size in sizes:
        bodies.append((size, request(size)))
        known[0] = size
    known[0] = 0
    queue = iter(bodies)

    def cosign_once() -> None:
        _size, body = next(queue)
        answer = tlog.post_checkpoint(witness_url, body)
        if answer.status != 200:
            raise SystemExit(f"witness refused: {answer.status} {answer.body}")

    def bare_once() -> None:
        tlog.post_checkpoint(echo_url, bodies[0][1])

    witness_s = median_of(ROUNDS, cosign_once)
    bare_s = median_of(ROUNDS, bare_once)
    emit(
        "witness_cosign_round_trip",
        value=witness_s * 1000,
        unit="ms",
        ratio=bare_s / witness_s,
        target="0.1",
        goal="median<10ms",
    )


if __name__ == "__main__":
    main()
