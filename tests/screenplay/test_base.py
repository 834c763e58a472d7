"""Reading files: format detection from content, and bad input of every kind."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from previz.errors import (
    EmptyScriptError,
    InputTooLargeError,
    ParseError,
    PrevizError,
    ScriptError,
    UnsupportedFormatError,
)
from screenplay.base import MAX_SCRIPT_BYTES, detect_format, parse_bytes, parse_file
from tests.conftest import DATA


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("brick_and_steel.fountain", "fountain"),
        ("brick_and_steel.fdx", "fdx"),
        ("big_fish_scene_numbers.pdf", "pdf"),
        ("utf8_bom.fountain", "fountain"),
    ],
)
def test_format_from_content(name: str, expected: str) -> None:
    assert detect_format((DATA / name).read_bytes(), name) == expected


def test_format_from_content_not_extension(tmp_path: Path) -> None:
    fountain_as_txt = tmp_path / "draft.txt"
    fountain_as_txt.write_bytes((DATA / "brick_and_steel.fountain").read_bytes())
    fdx_as_fountain = tmp_path / "mislabelled.fountain"
    fdx_as_fountain.write_bytes((DATA / "brick_and_steel.fdx").read_bytes())
    pdf_as_fdx = tmp_path / "export.fdx"
    pdf_as_fdx.write_bytes((DATA / "big_fish_scene_numbers.pdf").read_bytes())

    assert parse_file(fountain_as_txt).source.format == "fountain"
    assert parse_file(fdx_as_fountain).source.format == "fdx"
    assert parse_file(pdf_as_fdx).source.format == "pdf"
    assert len(parse_file(fdx_as_fountain).scenes) == 8


def test_source_records_name_and_checksum() -> None:
    script = parse_file(DATA / "brick_and_steel.fountain")
    assert script.source.name == "brick_and_steel.fountain"
    sha256 = "38d51ad8307f46493835d395f76840ba9f93ad7e38d2a51a52a8455ce431c1b1"
    assert script.source.sha256 == sha256
    assert script.source.size == 3017


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t\n", b"\xef\xbb\xbf\n\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.fountain"
    path.write_bytes(content)
    with pytest.raises(EmptyScriptError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}: file is empty"


def test_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "photo.fountain"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UnsupportedFormatError, match="binary data, not a screenplay") as info:
        parse_file(path)
    assert str(path) in str(info.value)
    assert "fountain, fdx, pdf" in str(info.value)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.fountain"
    with path.open("wb") as handle:  # a sparse 50 MB file: costs no disk, refused by size
        handle.truncate(50 * 1024 * 1024)
    start = time.perf_counter()
    with pytest.raises(InputTooLargeError, match=r"52\.4 MB") as info:
        parse_file(path)
    assert time.perf_counter() - start < 5
    assert str(path) in str(info.value)
    with pytest.raises(InputTooLargeError):
        parse_bytes(b"x" * (MAX_SCRIPT_BYTES + 1), name="big.fountain")


def test_invalid_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.fountain"
    path.write_bytes("INT. CAFÉ - DAY\n\nGarçon!\n".encode("latin-1"))
    with pytest.raises(ParseError) as info:
        parse_file(path)
    error = info.value
    assert (error.line, error.column) == (1, 9)
    assert str(error).startswith(f"{path}:1:9: not valid UTF-8 text (byte 0xc9")
    assert "save the script as UTF-8" in str(error)


def test_invalid_utf16(tmp_path: Path) -> None:
    path = tmp_path / "broken16.fountain"
    # BOM, then text, then a lone high surrogate.
    path.write_bytes(b"\xff\xfe" + "INT. A - DAY\n".encode("utf-16-le") + b"\x00\xd8A\x00")
    with pytest.raises(ParseError, match="not valid UTF-16-LE text") as info:
        parse_file(path)
    assert info.value.line == 2


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="No such file"):
        parse_file(tmp_path / "nope.fountain")
    with pytest.raises(ScriptError, match="is a directory"):
        parse_file(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.fountain"
    path.write_text("INT. A - DAY\n")
    path.chmod(0)
    with pytest.raises(ScriptError, match="Permission denied"):
        parse_file(path)


def test_xml_that_is_not_final_draft() -> None:
    expected = r"expected a Final Draft document <FinalDraft>, found <html>"
    with pytest.raises(ParseError, match=expected):
        parse_bytes(b"<?xml version='1.0'?><html><body/></html>", name="page.xml")


def test_image_pdf_needs_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(72, 72, 300, 500, fill=1)
    pdf.showPage()
    pdf.save()
    with pytest.raises(PrevizError, match="no text layer") as info:
        parse_file(path)
    assert str(path) in str(info.value)


# --- property tests: only previz errors come out, in bounded time ---------------------------

_FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_previz_error(data: bytes, name: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(PrevizError):
        parse_bytes(data, name=name)
    assert time.perf_counter() - start < 5, "parsing must never hang"


screenplay_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "",
                "  ",
                "INT. HOUSE - DAY",
                ".FORCED",
                "@McCABE",
                "BRICK ^",
                "(beat)",
                "CUT TO:",
                "> THE END <",
                "> FADE OUT.",
                "~la la",
                "# Act",
                "= synopsis",
                "===",
                "[[note",
                "]]",
                "/*",
                "*/",
                "Title: X",
                "\tvalue",
                "!forced",
                "**bold** _u_ *i* \\*",
                "#1A#",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=60,
)


@_FAST
@given(screenplay_lines)
def test_fountain_random_text_gives_only_previz_errors(lines: list[str]) -> None:
    _parse_or_previz_error("\n".join(lines).encode("utf-8", "surrogatepass"), "random.fountain")


@_FAST
@given(st.binary(max_size=2000))
def test_random_bytes_give_only_previz_errors(data: bytes) -> None:
    _parse_or_previz_error(data, "random.bin")


xml_fragments = st.lists(
    st.sampled_from(
        [
            "<FinalDraft>",
            "</FinalDraft>",
            "<Content>",
            "</Content>",
            '<Paragraph Type="Scene Heading" Number="1A">',
            '<Paragraph Type="Character">',
            '<Paragraph Type="Dialogue">',
            '<Paragraph Type="Parenthetical">',
            '<Paragraph Type="Action" Alignment="Center">',
            '<Paragraph Type="Mystery">',
            "</Paragraph>",
            "<Text>",
            '<Text Style="Bold+AllCaps">',
            "</Text>",
            "<DualDialogue>",
            "</DualDialogue>",
            "<TitlePage>",
            "</TitlePage>",
            "INT. HOUSE - DAY",
            "MARGOT (V.O.)",
            "Hello &amp; bye",
            "&unknown;",
            '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
            "<![CDATA[x]]>",
            "<!-- c -->",
            "<",
            ">",
        ]
    ),
    max_size=40,
)


@_FAST
@given(xml_fragments)
def test_fdx_random_xml_gives_only_previz_errors(fragments: list[str]) -> None:
    data = ('<?xml version="1.0"?>' + "".join(fragments)).encode()
    _parse_or_previz_error(data, "random.fdx")


@_FAST
@given(st.binary(max_size=3000))
def test_pdf_random_body_gives_only_previz_errors(data: bytes) -> None:
    _parse_or_previz_error(b"%PDF-1.4\n" + data, "random.pdf")


def test_truncated_real_pdf() -> None:
    data = (DATA / "big_fish_scene_numbers.pdf").read_bytes()
    for size in (500, 5000):
        with pytest.raises(PrevizError):
            parse_bytes(data[:size], name="truncated.pdf")
    _parse_or_previz_error(data[: len(data) // 2], "half.pdf")  # may recover some pages
