"""A reference receiver for the outbox's pushes (no Django): checks the signature, drops
duplicates by ``X-Sanxiang-Message-Id``, appends each new body as one JSON line to a file.

    python -m sanxiang.exchange.receiver --port 8190 --secret SECRET --out received.jsonl

(``--hang``: take every request and never answer; ``--fail 500``: answer every push with 500.)
Implementers of a provincial or credit platform can read it as the worked example of
docs/exchange.md; the outage test and the delivery benchmark run it as a real process.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from sanxiang.lib import signing

HASHES = {v: k for k, v in signing.ALGORITHMS.items()}


def make_handler(
    secret: bytes, out: Path, skew: int, verify: bool, hang: bool = False, fail: int = 0
) -> type[BaseHTTPRequestHandler]:
    seen: set[str] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if hang:
                # --hang: take the request and never answer (a receiver stuck behind a dead
                # upstream); the sender must time out, record it and retry later.
                threading.Event().wait()
            if fail:
                # --fail 500: a receiver whose own storage is broken answers every push with
                # an error status (and keeps nothing); the sender must record it and retry.
                return self._answer(fail, "receiver error")
            if verify:
                try:
                    stamp = int(self.headers.get("X-Sanxiang-Timestamp", ""))
                    if abs(time.time() - stamp) > skew:
                        return self._answer(401, "stale")
                    url = urlsplit(self.path)
                    signing.verify(
                        secret,
                        self.headers.get("X-Sanxiang-Signature", ""),
                        method="POST",
                        path=url.path,
                        query=url.query,
                        body=body,
                        timestamp=stamp,
                        nonce=self.headers.get("X-Sanxiang-Nonce", ""),
                        hash_name=HASHES.get(
                            self.headers.get("X-Sanxiang-Algorithm", ""), "sha256"
                        ),
                    )
                except (ValueError, signing.SignatureError):
                    return self._answer(401, "bad signature")
            message_id = self.headers.get("X-Sanxiang-Message-Id", "")
            with lock:
                if message_id and message_id in seen:
                    return self._answer(200, "duplicate")
                seen.add(message_id)
                with out.open("ab") as f:
                    f.write(json.dumps(json.loads(body), ensure_ascii=False).encode() + b"\n")
            return self._answer(200, "ok")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", default="")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skew", type=int, default=86400 * 7)
    parser.add_argument("--hang", action="store_true", help="accept requests, never answer")
    parser.add_argument("--fail", type=int, default=0, help="answer every push with this status")
    args = parser.parse_args()
    handler = make_handler(
        args.secret.encode(),
        args.out,
        args.skew,
        verify=bool(args.secret),
        hang=args.hang,
        fail=args.fail,
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True  # a hanging request does not keep the process alive
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
