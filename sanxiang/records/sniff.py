"""What a file really is, from its first bytes (magic numbers), whatever its name or claimed type.

An upload says "video"; the bytes decide. An executable is refused whatever it claims to be.
Pure Python, no Django.
"""

from __future__ import annotations

# How many leading bytes the sniffer needs (zip directory names, ftyp brands, EBML doctype).
HEAD_SIZE = 4096

EXECUTABLE = "application/x-executable"

# media kind -> sniffed content types accepted for it
ACCEPTED: dict[str, frozenset[str]] = {
    "document": frozenset(
        {
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/msword",
            "application/ofd",
            "application/zip",
            "text/plain",
            "image/jpeg",
            "image/png",
        }
    ),
    "photo": frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"}),
    "audio": frozenset(
        {
            "audio/mpeg",
            "audio/wav",
            "audio/ogg",
            "audio/flac",
            "audio/mp4",
            "audio/amr",
            "audio/webm",
            "video/webm",
            "video/mp4",
        }
    ),
    "video": frozenset(
        {
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "video/x-matroska",
            "video/x-msvideo",
            "video/3gpp",
            "audio/ogg",
        }
    ),
}

_FTYP_BRANDS = {
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"qt  ": "video/quicktime",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3g2a": "video/3gpp",
}


def _zip_type(head: bytes) -> str:
    # Office Open XML and OFD (GB/T 33190) are zip files; their member names give them away.
    if b"word/" in head:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if b"xl/" in head:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if b"OFD.xml" in head:
        return "application/ofd"
    return "application/zip"


def _riff_type(head: bytes) -> str | None:
    form = head[8:12]
    return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(form)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut at the end of the sniffed head is still text.
        return err.start >= len(head) - 3
    return True


def sniff(head: bytes) -> str | None:
    """The content type the bytes show, ``EXECUTABLE`` for programs, None when unknown."""
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")):
        return EXECUTABLE
    if head.startswith((b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe")):
        return EXECUTABLE
    simple = (
        (b"%PDF-", "application/pdf"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"ID3", "audio/mpeg"),
        (b"OggS", "audio/ogg"),
        (b"fLaC", "audio/flac"),
        (b"#!AMR", "audio/amr"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
    )
    for magic, kind in simple:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(head)
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _riff_type(head)
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: WebM names its doctype "webm"; anything else is Matroska.
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MPEG audio frame without an ID3 tag
    if head and _is_text(head):
        return "text/plain"
    return None


def accepted(media_kind: str, content_type: str | None) -> bool:
    return content_type is not None and content_type in ACCEPTED.get(media_kind, frozenset())
