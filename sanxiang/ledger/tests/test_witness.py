"""Witnessed checkpoints (C2SP tlog-witness): a witness cosigns only a log that grew
consistently, and a witness running as a separate process catches a rolled-back ledger."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import TestCase, override_settings

from sanxiang.ledger import formats, keys, services, witnessing
from sanxiang.ledger.models import Cosignature
from sanxiang.lib import merkle, tlog

from .helpers import ROOT, add_entries, tamper

ORIGIN = "xlt.example.gov.cn/ledger"


class Log:
    """A tiny log held in memory, signing its checkpoints as a real log would."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.private = Ed25519PrivateKey.generate()
        self.key = tlog.LogKey(origin, tlog.ed25519_public(self._seed()))
        self.leaves: list[bytes] = []

    def _seed(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def grow(self, n: int, tag: str = "") -> None:
        start = len(self.leaves)
        self.leaves += [merkle.leaf_hash(f"{tag}{start + i}".encode()) for i in range(n)]

    def note(self, size: int | None = None, root: bytes | None = None) -> str:
        size = len(self.leaves) if size is None else size
        root = root or merkle.root_hash(self.leaves[:size])
        body = tlog.Checkpoint(self.origin, size, root).body()
        sig = tlog.Signature(self.origin, self.key.key_id, self.private.sign(body.encode()))
        return tlog.Note(body, (sig,)).text()

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = len(self.leaves) if new is None else new
        return merkle.consistency_proof(self.leaves[:new], old)


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def witness(log: Log, tmp_path: Path) -> tlog.Witness:
    return tlog.Witness(
        name="sfj.example.gov.cn/witness",
        seed=os.urandom(32),
        logs={log.origin: [log.key]},
        state_path=tmp_path / "witness.json",
    )


def submit(witness: tlog.Witness, old: int, proof: list[bytes], note: str) -> tlog.Answer:
    return witness.add_checkpoint(tlog.add_checkpoint_request(old, proof, note))


def test_a_first_checkpoint_is_cosigned_with_a_verifiable_timestamped_cosignature(log, witness):
    log.grow(5)
    note = log.note()
    answer = submit(witness, 0, [], note)
    assert answer.status == 200
    body = tlog.parse_note(note).body
    sig = tlog.parse_note(body + "\n" + answer.body).signatures[0]
    assert witness.key.timestamp_of(body, sig) == pytest.approx(time.time(), abs=5)


def test_a_consistent_growth_is_cosigned_and_becomes_the_witness_state(log, witness):
    log.grow(5)
    assert submit(witness, 0, [], log.note()).status == 200
    log.grow(8)
    assert submit(witness, 5, log.proof(5), log.note()).status == 200
    latest = witness.latest(log.origin)
    assert latest is not None
    assert tlog.parse_checkpoint(tlog.parse_note(latest).body).size == 13


def test_a_smaller_tree_is_refused_and_the_witness_tells_its_size(log, witness):
    log.grow(10)
    assert submit(witness, 0, [], log.note()).status == 200
    answer = submit(witness, 0, [], log.note(size=4))
    assert (answer.status, answer.body, answer.content_type) == (409, "10\n", "text/x.tlog.size")
    assert submit(witness, 10, [], log.note(size=4)).status == 400


def test_a_fork_of_the_same_size_is_refused(log, witness):
    log.grow(6)
    assert submit(witness, 0, [], log.note()).status == 200
    forged_root = merkle.root_hash([merkle.leaf_hash(b"forged")] * 6)
    assert submit(witness, 6, [], log.note(root=forged_root)).status == 422


def test_a_forked_larger_tree_fails_its_consistency_proof(log, witness):
    log.grow(6)
    assert submit(witness, 0, [], log.note()).status == 200
    fork = Log()
    fork.private, fork.key = log.private, log.key
    fork.grow(9, tag="fork-")
    assert submit(witness, 6, fork.proof(6), fork.note()).status == 422
    assert submit(witness, 6, [], fork.note()).status == 422


def test_a_proof_is_refused_when_the_old_size_is_zero(log, witness):
    log.grow(4)
    assert submit(witness, 0, [merkle.leaf_hash(b"x")], log.note()).status == 422


def test_unknown_logs_foreign_signatures_and_malformed_requests_are_refused(log, witness):
    log.grow(3)
    stranger = Log(origin="other.example/ledger")
    stranger.grow(3)
    assert submit(witness, 0, [], stranger.note()).status == 404
    impostor = Log()
    impostor.grow(3)
    assert submit(witness, 0, [], impostor.note()).status == 403
    assert witness.add_checkpoint(b"old 01\n\n" + log.note().encode()).status == 400
    assert witness.add_checkpoint(b"nonsense").status == 400
    assert witness.latest(log.origin) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def witness_process(tmp_path: Path, request):
    """``manage.py witness serve`` as its own process, following this deployment's log."""
    key_file = tmp_path / "witness.key"
    name = "sfj.example.gov.cn/witness"
    seed = os.urandom(32)
    key_file.write_text(base64.b64encode(seed).decode() + "\n")
    public = base64.b64encode(tlog.ed25519_public(seed)).decode()
    port = _free_port()
    log_key = keys.public_key_info()["public_key"]
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "witness",
            "serve",
            "--name",
            name,
            "--key-file",
            key_file,
            "--state",
            tmp_path / "state.json",
            "--log",
            f"{keys.origin()} {log_key}",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield (name, f"http://127.0.0.1:{port}", public)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def _witness(request):
    if request.instance is not None and "witness_process" in request.fixturenames:
        request.instance.witness = request.getfixturevalue("witness_process")


@pytest.mark.usefixtures("witness_process")
class WitnessProcessTests(TestCase):
    witness: tuple[str, str, str]

    def test_the_witness_cosigns_checkpoints_and_catches_a_rolled_back_ledger(self) -> None:
        name, url, public = self.witness
        with override_settings(
            SANXIANG_LEDGER_WITNESSES=[(name, url, public)], SANXIANG_LEDGER_WITNESS_QUORUM=1
        ):
            add_entries(5)
            first = services.make_checkpoint()
            assert [o.ok for o in witnessing.request_cosignatures(first)] == [True]
            add_entries(4)
            second = services.make_checkpoint()
            assert [o.ok for o in witnessing.request_cosignatures(second)] == [True]
            assert witnessing.witnessed(second)
            assert Cosignature.objects.filter(witness=name).count() == 2

            # A DBA rolls the ledger back to six entries and re-signs with the host's key.
            tamper("DELETE FROM ledger_cosignature")
            tamper("DELETE FROM ledger_checkpoint")
            tamper("DELETE FROM ledger_node")
            tamper("DELETE FROM ledger_entry WHERE seq >= 6")
            tamper("UPDATE ledger_entry SET seq = NULL")
            services.integrate()
            rolled_back = services.make_checkpoint()
            assert rolled_back.tree_size == 6
            (outcome,) = witnessing.request_cosignatures(rolled_back)
            assert not outcome.ok
            assert "回滚" in outcome.message
            assert not witnessing.witnessed(rolled_back)

            # Growing the forged log past the witnessed size does not help: no consistency.
            add_entries(10)
            forged = services.make_checkpoint()
            (outcome,) = witnessing.request_cosignatures(forged)
            assert not outcome.ok
            assert "422" in outcome.message

    def test_the_witness_serves_the_latest_cosigned_checkpoint_to_monitors(self) -> None:
        name, url, public = self.witness
        with override_settings(
            SANXIANG_LEDGER_WITNESSES=[(name, url, public)], SANXIANG_LEDGER_WITNESS_QUORUM=1
        ):
            add_entries(3)
            cp = services.make_checkpoint()
            witnessing.request_cosignatures(cp)
        import urllib.request

        with urllib.request.urlopen(  # noqa: S310 - loopback test witness
            f"{url}/{tlog.origin_hash(keys.origin())}/checkpoint", timeout=5
        ) as response:
            note = tlog.parse_note(response.read().decode())
        assert note.body == formats.checkpoint_body(cp)
        key = tlog.CosignerKey(name, base64.b64decode(public))
        assert any(key.timestamp_of(note.body, sig) for sig in note.signatures)
