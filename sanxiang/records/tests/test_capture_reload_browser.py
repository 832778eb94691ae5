"""The field-capture page keeps a file taken until the server has verified it: reloaded in the
middle of an upload (or before it began), the page finds the file in the browser (IndexedDB),
lists it, and finishes the upload from where the server stands."""

import hashlib
import os
from pathlib import Path

import pytest

from sanxiang.cases.testing import open_test_case
from sanxiang.records.models import Record
from sanxiang.testing import World, sign_in_page

from .test_capture_browser import CHUNK_KB, PHONE, noisy_jpeg, status_of

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
KEPT = """() => new Promise((resolve) => {
  const req = indexedDB.open("sx-capture", 1);
  req.onsuccess = () => {
    const t = req.result.transaction("pending", "readonly");
    const all = t.objectStore("pending").getAll();
    all.onsuccess = () => resolve(all.result.map((i) => [i.file.size, i.started]));
  };
})"""


def capture_page(live_server, browser, settings):
    from playwright.sync_api import FilePayload

    settings.SANXIANG_UPLOAD_CHUNK_KB = CHUNK_KB
    world = World.build()
    case = open_test_case(world)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in_page(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/records/case/{case.pk}/capture/")
    photo = noisy_jpeg()
    page.set_input_files(
        "#capture-photo",
        files=[FilePayload(name="IMG_0002.jpg", mimeType="image/jpeg", buffer=photo)],
    )
    page.wait_for_selector("#capture-canvas:not([hidden])")
    page.wait_for_selector("#capture-pending-list li")
    return context, page, photo


def test_a_reload_in_the_middle_of_an_upload_finds_the_file_and_finishes_it(
    live_server, browser, settings
):
    from playwright.sync_api import expect

    context, page, photo = capture_page(live_server, browser, settings)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    patches: list[int] = []
    reloaded = {"done": False}

    def cut(route):
        if route.request.method != "PATCH":
            route.continue_()
            return
        patches.append(int(route.request.headers["upload-offset"]))
        # Before the reload only the first chunk reaches the server; the phone then loses
        # the page (reload) with the upload half done.
        if len(patches) == 1 or reloaded["done"]:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/uploads/*/", cut)
    page.fill("#id_title", "现场照片：经营场所门口")
    page.click("#capture-send")
    expect(page.locator("#capture-status")).to_contain_text("网络中断", timeout=15000)
    assert not Record.objects.exists()
    assert page.evaluate(KEPT) == [[len(photo), True]]
    sent_before = len(patches)

    reloaded["done"] = True
    page.reload()
    # Listed on return, and resumed without being asked (the officer had pressed 上传).
    page.wait_for_selector("#capture-pending:not([hidden])")
    try:
        page.wait_for_selector("#capture-last", timeout=30000)
    except Exception:
        raise AssertionError(f"{status_of(page)} {patches} {console}") from None
    assert "SHA-256 已核对一致" in status_of(page)
    record = Record.objects.get()
    assert record.sha256 == hashlib.sha256(photo).hexdigest()
    assert record.title == "现场照片：经营场所门口"  # the title typed before the reload
    # Resumed from where the server stood, never from the start.
    after = patches[sent_before:]
    assert after[0] == CHUNK_KB * 1024 and 0 not in after
    # Let go only once the server verified the whole file.
    expect(page.locator("#capture-pending")).to_be_hidden()
    assert page.evaluate(KEPT) == []
    assert not [m for m in console if "Content Security Policy" in m], console
    context.close()


def test_a_file_taken_but_not_sent_waits_after_a_reload_for_the_officer(
    live_server, browser, settings
):
    from playwright.sync_api import expect

    context, page, photo = capture_page(live_server, browser, settings)
    page.reload()
    row = page.locator("#capture-pending-list li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("尚未上传")
    assert not Record.objects.exists()  # nothing is sent without the officer
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "capture-pending-after-reload.png"), full_page=True)
    row.locator("[data-action=resume]").click()
    page.wait_for_selector("#capture-last", timeout=30000)
    assert Record.objects.get().sha256 == hashlib.sha256(photo).hexdigest()
    assert page.evaluate(KEPT) == []
    context.close()


def test_a_kept_file_given_up_is_gone_from_the_browser(live_server, browser, settings):
    from playwright.sync_api import expect

    context, page, _ = capture_page(live_server, browser, settings)
    page.reload()
    page.locator("#capture-pending-list [data-action=discard]").click()
    expect(page.locator("#capture-pending")).to_be_hidden()
    assert page.evaluate(KEPT) == []
    page.reload()
    expect(page.locator("#capture-pending")).to_be_hidden()
    assert not Record.objects.exists()
    context.close()
