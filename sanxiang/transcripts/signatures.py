"""A drawn signature as the tablet sends it: a PNG, checked before it is kept.

The bytes must be a PNG (signature, chunks and CRCs as Pillow reads them), within size and
dimension bounds, and not blank: enough pixels differ from the background to be a stroke.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from sanxiang.lib.errors import DomainError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 512 * 1024  # a 1600 × 600 stroke drawing compresses to well under 100 KB
MAX_SIDE = 4000
MIN_INK_PIXELS = 30  # a dot or a tap is not a signature


@dataclass(frozen=True)
class CheckedPng:
    data: bytes
    width: int
    height: int


def _refuse(message: str) -> DomainError:
    return DomainError("signature_invalid_image", message)


def _ink_pixels(image: Image.Image) -> int:
    """Pixels that are drawn: opaque where there is alpha, else darker than near-white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        return sum(alpha.point(lambda v: 255 if v > 32 else 0).histogram()[255:])
    grey = image.convert("L")
    return sum(grey.point(lambda v: 255 if v < 200 else 0).histogram()[255:])


def check_png(data: bytes) -> CheckedPng:
    if not data:
        raise _refuse("签名为空，请在签名区内签名后再提交。")
    if len(data) > MAX_BYTES:
        raise _refuse(f"签名图片过大（上限 {MAX_BYTES // 1024} KB），未保存。")
    if not data.startswith(PNG_MAGIC):
        raise _refuse("签名须为 PNG 图片，所交内容不是 PNG，未保存。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # chunk CRCs and structure
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise _refuse("签名须为 PNG 图片，所交内容不是 PNG，未保存。")
            width, height = image.size
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                raise _refuse("签名图片尺寸不合要求，未保存。")
            image.load()
            ink = _ink_pixels(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as broken:
        raise _refuse("签名图片已损坏或不是有效的 PNG，未保存。") from broken
    if ink < MIN_INK_PIXELS:
        raise _refuse("签名区内没有笔迹，请签名后再提交。")
    return CheckedPng(data=data, width=width, height=height)


def cropped(data: bytes, *, margin: int = 8) -> bytes:
    """The signature cut to its strokes (plus a margin), for printing: a tablet's canvas is
    mostly empty, and the form prints the signature a line high. The stored PNG (whose hash
    the ledger holds) is left as it was drawn."""
    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
    box = rgba.getchannel("A").point(lambda v: 255 if v > 32 else 0).getbbox()
    if box is None:  # opaque background: crop on the dark strokes instead
        box = rgba.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox()
    if box is None:
        return data
    left, top, right, bottom = box
    width, height = rgba.size
    area = (
        max(left - margin, 0),
        max(top - margin, 0),
        min(right + margin, width),
        min(bottom + margin, height),
    )
    out = io.BytesIO()
    rgba.crop(area).save(out, format="PNG")
    return out.getvalue()
