"""Zip archives in the inbox are unpacked once beside themselves; unsafe or broken ones are rejected."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipelines.lib.ingest.archives import unpack_archives, unpacked_folder


def test_an_export_zip_is_unpacked_once_beside_itself(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "salesforce"
    inbox.mkdir(parents=True)
    archive = inbox / "2026-06-30.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Opportunity.csv", "Id,Amount\n1,10.50\n")
        zf.writestr("nested/Account.csv", "Id,Name\n1,Acme\n")
    assert unpack_archives(tmp_path / "inbox", tmp_path / "rejected") == []
    folder = unpacked_folder(archive)
    assert folder == inbox / "2026-06-30.unzipped"
    assert (folder / "Opportunity.csv").read_text() == "Id,Amount\n1,10.50\n"
    assert (folder / "nested" / "Account.csv").exists()
    (folder / "Opportunity.csv").write_text("changed")
    assert unpack_archives(tmp_path / "inbox", tmp_path / "rejected") == []  # not unpacked again
    assert (folder / "Opportunity.csv").read_text() == "changed"


def test_a_zip_pointing_outside_itself_is_rejected_with_its_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    archive = inbox / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/Opportunity.csv", "Id\n1\n")
    problems = unpack_archives(inbox, tmp_path / "rejected")
    assert len(problems) == 1 and "evil.zip" in problems[0] and "outside the archive" in problems[0]
    assert not archive.exists() and (tmp_path / "rejected" / "evil.zip").exists()
    assert "outside the archive" in (tmp_path / "rejected" / "evil.zip.reason.txt").read_text()
    assert not (tmp_path / "etc").exists() and not unpacked_folder(archive).exists()


def test_a_broken_zip_is_rejected(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "cut.zip").write_bytes(b"PK\x03\x04 not really a zip")
    problems = unpack_archives(inbox, tmp_path / "rejected")
    assert len(problems) == 1 and "not a readable .zip archive" in problems[0]
    assert (tmp_path / "rejected" / "cut.zip").exists()
