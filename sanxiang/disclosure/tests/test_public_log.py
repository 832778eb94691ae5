"""The public log at /gongshi/ledger/: checkpoints with cosignatures, keys, proofs, tools."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings

from sanxiang.disclosure.models import Publication
from sanxiang.ledger import services as ledger
from sanxiang.ledger.models import Checkpoint, Cosignature, Entry
from sanxiang.lib import merkle, tlog
from sanxiang.testing import World

from .helpers import DisclosureTestCase, published

WITNESS_NAME = "sfj.example/witness"
WITNESS_SEED = bytes(range(32))
WITNESS_PUBLIC = base64.b64encode(tlog.ed25519_public(WITNESS_SEED)).decode()
WITNESSES = [(WITNESS_NAME, "http://127.0.0.1:9/", WITNESS_PUBLIC)]
CHINESE = re.compile("[\u4e00-\u9fff]")


def cosign(cp: Checkpoint) -> None:
    """What the witness task keeps after a witness answered (ledger/witnessing.py)."""
    from sanxiang.ledger import formats

    body = formats.checkpoint_body(cp)
    sig = tlog.cosign(name=WITNESS_NAME, seed=WITNESS_SEED, body=body, timestamp=1_790_000_000)
    Cosignature.objects.create(
        checkpoint=cp,
        witness=WITNESS_NAME,
        key_id=sig.key_id.hex(),
        timestamp=1_790_000_000,
        line=sig.line().rstrip("\n"),
    )


@override_settings(SANXIANG_LEDGER_WITNESSES=WITNESSES, SANXIANG_LEDGER_WITNESS_QUORUM=1)
class ThePublicLog(DisclosureTestCase):
    first: Publication
    second: Publication
    old: Checkpoint
    new: Checkpoint

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.first = published(cls.w)
        cls.old = ledger.make_checkpoint()
        cls.second = published(cls.w, text="另一份处罚决定。")
        cls.new = ledger.make_checkpoint()
        cosign(cls.new)

    def get_json(self, url: str, status: int = 200) -> dict:
        response = Client().get(url)
        assert response.status_code == status, (url, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)

    def test_the_page_shows_the_latest_checkpoint_its_cosignature_and_the_keys(self):
        page = Client().get("/gongshi/ledger/").content.decode()
        assert str(self.new.tree_size) in page and self.new.root_hash in page
        assert "已见证" in page and WITNESS_NAME in page and WITNESS_PUBLIC in page
        assert base64.b64encode(self.key().public).decode() in page
        for link in ("verify_bundle.py", "monitor_log.py", "sanxiang-verifier.zip"):
            assert f"/gongshi/ledger/tools/{link}" in page

    def key(self):
        from sanxiang.ledger import keys

        return keys.signing_key()

    def test_the_checkpoint_note_verifies_under_the_published_keys(self):
        text = Client().get("/gongshi/ledger/checkpoint").content.decode()
        note = tlog.parse_note(text)
        checkpoint = tlog.parse_checkpoint(note.body)
        assert (checkpoint.size, checkpoint.root.hex()) == (self.new.tree_size, self.new.root_hash)
        published_keys = self.get_json("/gongshi/ledger/keys.json")
        log_key = tlog.LogKey(
            published_keys["log"]["origin"], base64.b64decode(published_keys["log"]["public_key"])
        )
        assert log_key.verifies(note) is True
        (witness,) = published_keys["witnesses"]
        cosigner = tlog.CosignerKey(witness["name"], base64.b64decode(witness["public_key"]))
        stamps = [cosigner.timestamp_of(note.body, sig) for sig in note.signatures]
        assert 1_790_000_000 in stamps
        doc = self.get_json("/gongshi/ledger/checkpoint.json")
        assert doc["witnessed"] and doc["cosignatures"][0]["valid"] and doc["note"] == text

    def test_a_cosignature_of_another_key_is_shown_but_not_counted(self):
        other = tlog.cosign(name=WITNESS_NAME, seed=b"\x07" * 32, body="x\n1\nAA==\n", timestamp=5)
        cp = ledger.make_checkpoint()
        Cosignature.objects.create(
            checkpoint=cp, witness=WITNESS_NAME, key_id="00", timestamp=5, line=other.line()[:-1]
        )
        doc = self.get_json("/gongshi/ledger/checkpoint.json")
        assert doc["id"] == cp.pk and not doc["witnessed"] and not doc["cosignatures"][0]["valid"]

    def test_a_consistency_proof_links_the_two_signed_checkpoints(self):
        sizes = f"first={self.old.tree_size}&second={self.new.tree_size}"
        doc = self.get_json(f"/gongshi/ledger/consistency.json?{sizes}")
        merkle.verify_consistency(
            self.old.tree_size,
            self.new.tree_size,
            [bytes.fromhex(p) for p in doc["proof"]],
            bytes.fromhex(self.old.root_hash),
            bytes.fromhex(self.new.root_hash),
        )
        page = Client().get(
            f"/gongshi/ledger/?first={self.old.tree_size}&second={self.new.tree_size}"
        )
        assert "与这两个条目数的签名检查点相符" in page.content.decode()

    def test_checkpoints_are_listed_oldest_first_a_page_at_a_time(self):
        doc = self.get_json("/gongshi/ledger/checkpoints.json?limit=1")
        assert [c["id"] for c in doc["checkpoints"]] == [self.old.pk]
        after = doc["next_after"]
        doc = self.get_json(f"/gongshi/ledger/checkpoints.json?after={after}&limit=1")
        assert [c["tree_size"] for c in doc["checkpoints"]] == [self.new.tree_size]
        assert doc["next_after"] is None

    def test_an_inclusion_proof_of_a_published_item_verifies_against_its_checkpoint(self):
        doc = self.get_json(f"/gongshi/ledger/inclusion.json?item={self.first.pk}")
        (entry,) = doc["entries"]
        assert doc["checkpoint"]["tree_size"] == self.new.tree_size
        assert entry["event_type"] == "disclosure.published"
        merkle.verify_inclusion(
            bytes.fromhex(entry["leaf_hash"]),
            entry["seq"],
            self.new.tree_size,
            [bytes.fromhex(p) for p in entry["proof"]],
            bytes.fromhex(self.new.root_hash),
        )
        by_leaf = self.get_json(
            f"/gongshi/ledger/inclusion.json?leaf_hash={entry['leaf_hash']}"
            f"&tree_size={self.old.tree_size}"
        )
        assert by_leaf["checkpoint"]["tree_size"] == self.old.tree_size
        assert by_leaf["publication"]["id"] == self.first.pk

    def test_the_downloaded_kit_verifies_an_inclusion_proof_offline(self):
        kit = Client().get("/gongshi/ledger/tools/sanxiang-verifier.zip").getvalue()
        proof = Client().get(f"/gongshi/ledger/inclusion.json?item={self.second.pk}").content
        key = base64.b64encode(self.key().public).decode()
        with tempfile.TemporaryDirectory() as folder:  # outside the repository
            zipfile.ZipFile(io.BytesIO(kit)).extractall(folder)
            root = Path(folder) / "sanxiang-verifier"
            (root / "proof.json").write_bytes(proof)
            command = [sys.executable, "-I", "tools/verify_bundle.py", "proof.json"]
            result = subprocess.run(  # noqa: S603 - our own script
                [*command, "--public-key", key],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "核验通过" in result.stdout

    def test_only_published_items_are_proven_never_other_entries(self):
        other = Entry.objects.exclude(event_type="disclosure.published").first()
        assert other is not None
        doc = self.get_json(f"/gongshi/ledger/inclusion.json?leaf_hash={other.leaf_hash}", 404)
        assert CHINESE.search(doc["error"]["message"])

    def test_bad_input_gets_a_chinese_4xx_never_a_500(self):
        size = self.new.tree_size
        for url in (
            "consistency.json",
            "consistency.json?first=abc&second=2",
            "consistency.json?first=-1&second=2",
            "consistency.json?first=1.5&second=2",
            f"consistency.json?first={size}&second=1",
            f"consistency.json?first=1&second={size + 1}",
            "consistency.json?first=1&second=99999999999999999999999999",
            f"consistency.json?first=1&second={2**63}",
            "consistency.json?first=%EF%BC%91&second=2",  # a full-width digit
            "inclusion.json",
            "inclusion.json?item=abc",
            "inclusion.json?item=99999999999999999999999",
            "inclusion.json?item=999999",
            "inclusion.json?leaf_hash=zz",
            "inclusion.json?leaf_hash=" + "ab" * 33,
            "inclusion.json?leaf_hash=" + "ab" * 32,
            f"inclusion.json?item={self.first.pk}&tree_size=x",
            f"inclusion.json?item={self.first.pk}&tree_size={size + 7}",
            f"inclusion.json?item={self.second.pk}&tree_size={self.old.tree_size}",
            "checkpoints.json?after=x",
            "checkpoints.json?limit=-3",
        ):
            response = Client().get(f"/gongshi/ledger/{url}")
            assert 400 <= response.status_code < 500, (url, response.status_code)
            error = json.loads(response.content)["error"]
            assert error["code"] and CHINESE.search(error["message"]), (url, error)
        page = Client().get("/gongshi/ledger/?first=1&second=99999999999999999999")
        assert page.status_code == 422 and "过大" in page.content.decode()
        assert Client().get("/gongshi/ledger/tools/settings.py").status_code == 404

    def test_reading_the_public_log_signs_nothing(self):
        before = Checkpoint.objects.count()
        with transaction.atomic():
            ledger.append(event_type="disclosure.rule_saved", payload={"x": 1})
        published(self.w, text="第三份决定。")
        for url in ("", "checkpoint", "checkpoint.json", "keys.json", "checkpoints.json"):
            assert Client().get(f"/gongshi/ledger/{url}").status_code == 200
        latest = Publication.objects.order_by("-pk").first()
        assert latest is not None
        response = Client().get(f"/gongshi/ledger/inclusion.json?item={latest.pk}")
        assert response.status_code == 409 and "尚未纳入" in response.content.decode()
        assert Checkpoint.objects.count() == before


# --- an outside monitor (tools/monitor_log.py: plain Python, no Django) --------------------------

MONITOR = Path(__file__).resolve().parents[3] / "tools" / "monitor_log.py"


def run_monitor(url: str, key: str, state: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, run as a stranger would
        [sys.executable, "-I", str(MONITOR), url, "--log-key", key, "--state", str(state), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=state.parent,
    )


@pytest.mark.django_db(transaction=True)
def test_an_outside_monitor_follows_the_log_and_catches_a_fork_and_a_rollback(
    live_server, tmp_path, settings
):
    settings.SANXIANG_LEDGER_WITNESSES = WITNESSES
    settings.SANXIANG_LEDGER_WITNESS_QUORUM = 1
    world = World.build()
    first = published(world)
    cosign(ledger.make_checkpoint())
    from sanxiang.ledger import keys

    key = base64.b64encode(keys.signing_key().public).decode()
    url = f"{live_server.url}/gongshi/ledger/"
    state = tmp_path / "state.json"
    witness = ["--witness", f"{WITNESS_NAME} {WITNESS_PUBLIC}", "--quorum", "1"]

    one = run_monitor(url, key, state, *witness, "--item", str(first.pk))
    assert one.returncode == 0, one.stdout + one.stderr
    assert "first checkpoint remembered" in one.stdout and f"item {first.pk}" in one.stdout
    size_one = json.loads(state.read_text())[witnessing_origin()]["size"]

    published(world, text="第二份决定。")
    cosign(ledger.make_checkpoint())
    two = run_monitor(url, key, state, *witness)
    assert two.returncode == 0, two.stdout + two.stderr
    remembered = json.loads(state.read_text())[witnessing_origin()]
    assert f"consistent: {size_one} -> {remembered['size']}" in two.stdout

    # The monitor had remembered another root for a size the log now shows differently: a fork.
    forked = dict(remembered, size=size_one, root=base64.b64encode(b"\x05" * 32).decode())
    state.write_text(json.dumps({witnessing_origin(): forked}))
    fork = run_monitor(url, key, state, *witness)
    assert fork.returncode == 1 and "fork" in fork.stdout, fork.stdout
    assert json.loads(state.read_text())[witnessing_origin()] == forked  # kept as it was

    # It had seen a larger tree than the log now shows: a rollback.
    state.write_text(json.dumps({witnessing_origin(): dict(remembered, size=10**6)}))
    rollback = run_monitor(url, key, state, *witness)
    assert rollback.returncode == 1 and "rollback" in rollback.stdout

    # A checkpoint without the required cosignature, or under another key, is refused.
    state.unlink()
    ledger.make_checkpoint()
    unwitnessed = run_monitor(url, key, state, *witness)
    assert unwitnessed.returncode == 1 and "cosignatures" in unwitnessed.stdout
    other_key = base64.b64encode(b"\x01" * 32).decode()
    wrong = run_monitor(url, other_key, state)
    assert wrong.returncode == 1 and "pinned log key" in wrong.stdout


def witnessing_origin() -> str:
    from sanxiang.ledger import keys

    return keys.origin()


def test_the_monitor_imports_nothing_of_the_project():
    imports = re.findall(r"^\s*(?:import|from)\s+(\w+)", MONITOR.read_text(), flags=re.M)
    assert imports and not {"sanxiang", "django"} & set(imports), imports


# --- in a real browser ----------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verify_page_checks_the_proof_against_the_public_log_in_the_browser(
    browser, live_server, settings
):
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SANXIANG_LEDGER_WITNESSES = WITNESSES
    settings.SANXIANG_LEDGER_WITNESS_QUORUM = 1
    world = World.build()
    item = published(world)
    cosign(ledger.make_checkpoint())
    assert item.ledger_entry_id is not None
    earlier = ledger.prove_inclusion(item.ledger_entry_id)  # kept by a citizen, say
    published(world, text="又一份决定。")
    cosign(ledger.make_checkpoint())
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/gongshi/ledger/")
    page.get_by_role("heading", name="最新检查点").wait_for()
    page.screenshot(path=str(ARTIFACTS / "portal-public-log.png"), full_page=True)

    page.goto(f"{live_server.url}/gongshi/verify/?item={item.pk}")
    summary = page.locator("[data-browser-summary]")
    summary.get_by_text("浏览器独立核对通过").wait_for()
    steps = page.locator("[data-browser-steps]").inner_text()
    assert "签名在公开账本公布的账本公钥" in steps and "当前最新的检查点" in steps, steps
    page.screenshot(path=str(ARTIFACTS / "portal-verify-public-log.png"), full_page=True)

    # A proof against an older checkpoint is linked to the latest by a consistency proof.
    page.fill("#proof", json.dumps(earlier, ensure_ascii=False))
    page.get_by_role("button", name="验证", exact=True).click()
    page.locator("[data-browser-summary]").get_by_text("浏览器独立核对通过").wait_for()
    assert "只增未改" in page.locator("[data-browser-steps]").inner_text()

    proof = json.loads(page.locator("#proof-data").text_content() or "{}")
    proof["entry"]["payload"] = proof["entry"]["payload"].replace("content_sha256", "x", 1)
    page.fill("#proof", json.dumps(proof, ensure_ascii=False))
    page.get_by_role("button", name="验证", exact=True).click()
    page.locator("[data-browser-summary]").get_by_text("浏览器核对未通过").wait_for()
    assert "条目内容被改动过" in page.locator("[data-browser-steps]").inner_text()
