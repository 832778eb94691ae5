"""A real browser records a short video (MediaRecorder), uploads it through the case's record
page (records.js, streamed PUT with a progress bar) and plays it back through range requests."""

import base64
import os

import pytest

from sanxiang.cases.testing import open_test_case
from sanxiang.records.models import Record
from sanxiang.testing import World, sign_in_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_WEBM = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 120;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const stream = canvas.captureStream(25);
  const recorder = new MediaRecorder(stream, { mimeType: "video/webm;codecs=vp8" });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  let frame = 0;
  const timer = setInterval(() => {
    ctx.fillStyle = `hsl(${(frame * 20) % 360}, 80%, 50%)`;
    ctx.fillRect(0, 0, 160, 120);
    ctx.fillStyle = "#fff";
    ctx.fillText(String(frame++), 60, 60);
  }, 40);
  recorder.start(100);
  await new Promise((r) => setTimeout(r, 1500));
  recorder.stop();
  await new Promise((r) => (recorder.onstop = r));
  clearInterval(timer);
  const buffer = await new Blob(chunks, { type: "video/webm" }).arrayBuffer();
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
"""

PLAY = """
async () => {
  const video = document.getElementById("record-player");
  video.muted = true;
  await video.play();
  await new Promise((r) => setTimeout(r, 700));
  return { readyState: video.readyState, currentTime: video.currentTime, error: video.error };
}
"""


def test_an_officer_uploads_a_video_and_plays_it_back(live_server, tmp_path, browser):
    from playwright.sync_api import FilePayload

    world = World.build()
    case = open_test_case(world)
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda m: messages.append(m.text))
        page.on("requestfailed", lambda r: messages.append(f"failed {r.url}"))
        page.on("response", lambda r: messages.append(f"{r.status} {r.url}"))
        page.goto(f"{live_server.url}/accounts/login/")
        webm = base64.b64decode(page.evaluate(RECORD_WEBM))
        assert webm[:4] == b"\x1a\x45\xdf\xa3"
        sign_in_page(page, live_server.url, world.officer)
        page.goto(f"{live_server.url}/records/case/{case.pk}/")
        page.fill("#id_title", "现场检查录像")
        page.select_option("#id_evidence_type", "audiovisual")
        page.select_option("#id_media_kind", "video")
        page.set_input_files(
            "#record-file",
            files=[FilePayload(name="scene.webm", mimeType="video/webm", buffer=webm)],
        )
        page.click("#record-upload button[type=submit]")
        try:
            page.wait_for_selector("#record-player", timeout=15000)
        except Exception:
            raise AssertionError(f"{page.url} {messages}") from None
        state = page.evaluate(PLAY)
        assert state["error"] is None
        assert state["readyState"] >= 2
        assert state["currentTime"] > 0
    finally:
        context.close()
    record = Record.objects.get()
    assert record.content_type == "video/webm"
    assert record.size == len(webm)
