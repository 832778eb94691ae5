"""Lighthouse (the npm package pinned in package.json, run on Debian's Chromium) audits the
portal's main pages as a phone sees them (issue 12 item 5): accessibility and SEO at least 95 on
the home, decision list, decision, agency and service-guide pages.

Performance is not asserted here: on two shared cores with a test server it measures the
machine's load more than the page. The scores and every failing audit are written to
test-artifacts/lighthouse.json for a person to read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from sanxiang.catalog.models import Matter
from sanxiang.directory.models import Agency
from sanxiang.disclosure.models import Publication

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("lighthouse_audit.mjs")
ARTIFACTS = ROOT / "test-artifacts"
THRESHOLDS = {"accessibility": 95, "seo": 95}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _audit(urls: list[str]) -> dict[str, dict]:
    node = shutil.which("node")
    assert node, "node is needed for the Lighthouse test (Debian's nodejs)"
    assert (ROOT / "node_modules" / "lighthouse").is_dir(), "run `npm ci` (make setup)"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(  # noqa: S603 - our own script with our own URLs
        [node, str(SCRIPT), ",".join(THRESHOLDS), *urls],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_main_portal_pages_score_at_least_95_for_accessibility_and_seo(live_server):
    call_command("load_demo", verbosity=0)
    agency = Agency.objects.get(name="兴隆台区民族和宗教事务局")
    decision = Publication.objects.filter(status="published").order_by("pk").first()
    matter = Matter.objects.filter(agency=agency).order_by("pk").first()
    assert decision is not None and matter is not None
    pages = {
        "home": "/gongshi/",
        "decisions": "/gongshi/jueding/",
        "decision": f"/gongshi/jueding/{decision.pk}/",
        "agency": f"/gongshi/zhuti/{agency.pk}/",
        "guide": f"/gongshi/shixiang/{matter.pk}/",
    }
    results = _audit([live_server.url + path for path in pages.values()])
    ARTIFACTS.mkdir(exist_ok=True)
    named = {name: results[live_server.url + path] for name, path in pages.items()}
    (ARTIFACTS / "lighthouse.json").write_text(json.dumps(named, ensure_ascii=False, indent=1))
    below = [
        f"{name} {category} {result['scores'].get(category)}: "
        + ", ".join(f["id"] for f in result["failing"] if f["category"] == category)
        for name, result in named.items()
        for category, floor in THRESHOLDS.items()
        if result["runtimeError"] or result["scores"].get(category, 0) < floor
    ]
    assert not below, below
