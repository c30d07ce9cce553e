"""The inbox is a boundary: links leading out of it, pipes and devices are refused with a note in rejected/ and
nothing of them is read; names with spaces, accents and line breaks keep working."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import RunFailed, refresh_warehouse
from pipelines.lib.sample import generate
from tests.integration.conftest import SAMPLE_END, export_root


def test_links_out_pipes_and_devices_are_refused_and_nothing_of_them_is_read(
    tmp_path: Path, isolated_env: None
) -> None:
    paths = export_root(tmp_path / "project")
    # odd but honest names: the export's folder with a space, an accent and a line break in its name
    export = paths.inbox / "salesforce" / f"export é\n{SAMPLE_END.isoformat()}"
    generate(export, scale=80, seed=9, end_date=SAMPLE_END)
    outside = tmp_path / "elsewhere"
    generate(outside, scale=40, seed=10, end_date=SAMPLE_END)
    links = paths.inbox / "links"
    links.mkdir()
    (links / "Opportunity.csv").symlink_to(outside / "Opportunity.csv")  # a file outside
    (links / "more").symlink_to(outside, target_is_directory=True)  # a folder outside
    (links / "inside Account.csv").symlink_to(export / "Account.csv")  # inside: an ordinary file
    os.mkfifo(paths.inbox / "Lead.csv")  # reading a pipe would wait for ever
    try:
        os.mknod(paths.inbox / "Contact.csv", 0o600 | 0o020000, os.makedev(1, 3))  # a character device
        device = True
    except PermissionError:
        device = False

    with pytest.raises(RunFailed) as failed:
        refresh_warehouse()
    text = str(failed.value)
    assert (
        f"{links / 'Opportunity.csv'}: it is a symbolic link to {outside / 'Opportunity.csv'}, outside the inbox"
        in text
    )
    assert f"{links / 'more'}: it is a symbolic link to {outside}, outside the inbox" in text
    assert "it is a named pipe (FIFO), not a file" in text and ("it is a device file" in text) == device
    notes = sorted(p.name for p in paths.rejected_dir.glob("*.reason.txt"))
    assert notes == sorted(
        ["Opportunity.csv.reason.txt", "more.reason.txt", "Lead.csv.reason.txt"]
        + (["Contact.csv.reason.txt"] if device else [])
    )
    assert (outside / "Opportunity.csv").is_file()  # the link was moved, never what it points to
    assert os.path.islink(paths.rejected_dir / "Opportunity.csv")

    refresh_warehouse()  # the refused entries are out of the inbox: the run goes on with the honest files
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        loaded = [
            r[0] for r in con.execute("select source_file from raw._ingest_log where status = 'accepted'").fetchall()
        ]
        marts = con.execute("select count(*) from marts.sales_by_period").fetchone()[0]
    assert not [f for f in loaded if not f.startswith(str(paths.inbox))]
    assert str(export / "Opportunity.csv") in loaded
    assert (links / "inside Account.csv").is_symlink()  # a link inside the inbox is an ordinary file
    assert marts > 0
    shutil.rmtree(outside)
