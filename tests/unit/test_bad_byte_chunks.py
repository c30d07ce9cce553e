"""bad_byte skips decoding chunks that are pure ASCII, and still finds a bad byte at or across a chunk's edge."""

from pathlib import Path

import pytest

from pipelines.lib.ingest.encodings import bad_byte, detect_encoding
from pipelines.lib.ingest.files import CHUNK, FileRejected

CASES = {
    # an é split across the chunk edge, then a pure ASCII chunk: valid
    "split_character": (b"a" * (CHUNK - 1) + "é".encode() + b"b" * CHUNK, None),
    # a lead byte at the end of a chunk followed by ASCII: the byte after it is where UTF-8 fails
    "cut_character": (b"a" * (CHUNK - 1) + b"\xc3" + b"b" * CHUNK, (CHUNK, ord("b"), 1)),
    "bad_byte_in_second_chunk": (b"a\n" * (CHUNK // 2) + b"x\n\xff" + b"c" * 10, (CHUNK + 2, 0xFF, CHUNK // 2 + 2)),
    "ascii": (b"ab\n" * 1_000_000, None),
    "ends_in_a_lead_byte": (b"a" * CHUNK + b"\xc3", (CHUNK + 1, 0, 1)),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_byte_across_chunks(tmp_path: Path, name: str) -> None:
    data, expected = CASES[name]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    assert bad_byte(path, "utf-8") == expected
    assert bad_byte(path, "cp1252") is None  # every one of these bytes is a Windows-1252 character


def test_odd_ascii_file_is_no_utf16(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"abc")
    assert bad_byte(path, "utf-16-le") is not None


def test_an_edited_file_is_detected_again(tmp_path: Path) -> None:
    """detect_encoding remembers its answer per file while the file is unchanged; an edit is read again."""
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(b"Id,Name\n1,Cafe\n")
    assert detect_encoding(path) == "utf-8"
    path.write_bytes(b"Id,Name\n1,Caf\xe9 au lait\n")
    assert detect_encoding(path) == "cp1252"
    path.write_bytes(b"Id,Name\n1,\x81\n")
    with pytest.raises(FileRejected, match="line 2"):
        detect_encoding(path)
    with pytest.raises(FileRejected, match="line 2"):  # the refusal is remembered too, and raised again
        detect_encoding(path)


def test_a_header_is_read_from_the_head_and_a_bad_byte_below_is_left_to_landing(tmp_path: Path) -> None:
    """Recognising a file reads its head only (planning the inbox used to read every file whole, 12 GB at 10M
    deals, in each process): a byte no encoding takes below the head no longer hides the header, and landing's
    whole-file check still names it with its line."""
    from pipelines.lib.ingest.layout import header_fields

    path = tmp_path / "Opportunity.csv"
    rows = b"006A,001A,Closed Won,2026-01-31,2026-01-02\n" * 2_000  # ~86 KB, past the 64 KiB head
    path.write_bytes(b"Id,AccountId,StageName,CloseDate,CreatedDate\n" + rows + b"006B,001A,Won\x81,2026-01-31,x\n")
    assert header_fields(path) == ["Id", "AccountId", "StageName", "CloseDate", "CreatedDate"]
    with pytest.raises(FileRejected, match=r"byte 0x81 \(line 2002\)"):
        detect_encoding(path)
    latin = tmp_path / "Account.csv"  # Windows-1252 in the header itself: read as such
    latin.write_bytes(b"Id,Name,Caf\xe9\n001,A,1\n")
    assert header_fields(latin) == ["Id", "Name", "Café"]
