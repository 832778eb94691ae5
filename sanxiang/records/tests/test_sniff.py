import pytest

from sanxiang.records.sniff import EXECUTABLE, accepted, sniff

from .helpers import EXE, JPEG, PDF, WEBM


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (JPEG, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (WEBM, "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska", "video/x-matroska"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", "audio/mp4"),
        (b"ID3\x04\x00....", "audio/mpeg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (
            b"PK\x03\x04....[Content_Types].xml....word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (EXE, EXECUTABLE),
        (b"\x7fELF\x02\x01\x01", EXECUTABLE),
        ("询问笔录：当事人称……".encode(), "text/plain"),
        (b"\x00\x01\x02\x03\x04", None),
    ],
)
def test_the_bytes_decide_what_a_file_is(head, expected):
    assert sniff(head) == expected


def test_an_executable_is_accepted_as_no_kind_of_record():
    assert not any(accepted(kind, EXECUTABLE) for kind in ("document", "photo", "audio", "video"))


def test_a_pdf_is_a_document_but_not_a_video():
    assert accepted("document", "application/pdf")
    assert not accepted("video", "application/pdf")


def test_a_chinese_character_cut_at_the_end_of_the_head_is_still_text():
    text = "笔录" * 10
    assert sniff(text.encode()[:-1]) == "text/plain"
