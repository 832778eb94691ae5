"""The field-capture page in a real browser at a phone's size: a photo taken with the position
allowed, its upload cut twice (a chunk that never left, then the network gone) and the answer
to another chunk lost; the page resumes each time from where the server stands, and the record
exists once the whole file's SHA-256 is verified."""

import hashlib
import io
import os
import random

import pytest
from PIL import Image

from sanxiang.cases.testing import open_test_case
from sanxiang.records.models import Record, ResumableUpload
from sanxiang.testing import World, sign_in_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "permissions": ["geolocation"],
    "geolocation": {"latitude": 30.274084, "longitude": 120.15507, "accuracy": 15},
}
CHUNK_KB = 24


def noisy_jpeg() -> bytes:
    """A photo of ~ 150 KB (noise does not compress): several chunks of 24 KiB."""
    rng = random.Random(11)
    image = Image.frombytes(
        "RGB", (480, 360), bytes(rng.getrandbits(8) for _ in range(480 * 360 * 3))
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def status_of(page) -> str:
    return page.locator("#capture-status").inner_text()


def test_a_photo_upload_survives_a_cut_connection_and_resumes_to_a_verified_record(
    live_server, browser, settings, tmp_path
):
    from playwright.sync_api import FilePayload, expect

    settings.SANXIANG_UPLOAD_CHUNK_KB = CHUNK_KB
    photo = noisy_jpeg()
    chunk = CHUNK_KB * 1024
    assert len(photo) > 4 * chunk
    world = World.build()
    case = open_test_case(world)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    patches: list[int] = []
    heads: list[str] = []

    def cut(route):
        request = route.request
        if request.method == "HEAD":
            heads.append(request.url)
        if request.method != "PATCH":
            route.continue_()
            return
        patches.append(int(request.headers["upload-offset"]))
        if len(patches) == 2:
            route.abort("internetdisconnected")  # the chunk never reaches the server
        elif len(patches) == 4:
            route.fetch()  # the server takes the chunk; its answer is lost on the way back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/uploads/*/", cut)
    sign_in_page(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/records/case/{case.pk}/capture/")
    page.check("#capture-geo")
    expect(page.locator("#capture-geo-status")).to_contain_text("已定位")
    page.set_input_files(
        "#capture-photo",
        files=[FilePayload(name="IMG_0001.jpg", mimeType="image/jpeg", buffer=photo)],
    )
    page.wait_for_selector("#capture-canvas:not([hidden])")
    assert page.input_value("#id_title").startswith("现场照片 ")
    assert page.input_value("#id_media_kind") == "photo"
    page.screenshot(path=str(tmp_path / "capture-phone.png"), full_page=True)

    page.click("#capture-send")
    expect(page.locator("#capture-status")).to_contain_text("网络中断")
    context.set_offline(True)
    expect(page.locator("#capture-status")).to_contain_text("网络已断开", timeout=15000)
    assert not Record.objects.exists()
    page.wait_for_timeout(500)
    context.set_offline(False)
    try:
        page.wait_for_selector("#capture-last", timeout=30000)
    except Exception:
        raise AssertionError(f"{status_of(page)} {patches} {console}") from None
    assert "SHA-256 已核对一致" in status_of(page)
    page.screenshot(path=str(tmp_path / "capture-phone-done.png"), full_page=True)

    record = Record.objects.get()
    assert record.sha256 == hashlib.sha256(photo).hexdigest()
    assert record.size == len(photo) and record.content_type == "image/jpeg"
    assert record.media_kind == "photo" and record.original_name == "IMG_0001.jpg"
    assert record.position is not None
    assert record.position["latitude"] == pytest.approx(30.274084)
    assert record.captured_at is not None
    assert ResumableUpload.objects.get().status == ResumableUpload.Status.COMPLETE
    # Resumed, never restarted: the chunk that never left is sent again from its own offset,
    # the one whose answer was lost is not sent again, and nothing goes back to 0. (Chunks
    # grow while they go through quickly and shrink after a drop.)
    assert patches[:2] == [0, chunk]
    assert patches[2] == patches[1]
    assert patches[4] > patches[3]
    assert patches == sorted(patches) and patches.count(0) == 1
    assert len(set(patches)) == len(patches) - 1  # one offset sent twice: the cut one
    assert heads, "the page asks the server where it stands before resuming"
    assert not [m for m in console if "Content Security Policy" in m], console
    link = page.locator("#capture-last")
    assert link.get_attribute("href") == f"/records/{record.pk}/"
    context.close()


def test_the_capture_page_refuses_what_is_not_a_photo_video_or_recording(live_server, browser):
    from playwright.sync_api import FilePayload, expect

    world = World.build()
    case = open_test_case(world)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in_page(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/records/case/{case.pk}/capture/")
    # Claimed a photo by its name and type, but the bytes are a program: the server refuses.
    page.set_input_files(
        "#capture-photo",
        files=[FilePayload(name="photo.jpg", mimeType="image/jpeg", buffer=b"MZ" + bytes(9000))],
    )
    page.click("#capture-send")
    expect(page.locator("#capture-status")).to_contain_text("可执行程序")
    assert not Record.objects.exists()
    expect(page.locator("#capture-send")).to_be_enabled()
    page.wait_for_timeout(300)
    assert not ResumableUpload.objects.exists()  # the page gave the refused upload up
    context.close()
