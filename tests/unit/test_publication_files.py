"""A version's files (pipelines/lib/publish/snapshot_files.py): the page and workbook render while the caller
records the version; the manifest covers every file either way, and a failed render records nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.publish import snapshot_files
from pipelines.lib.publish.deliverables import VersionIdentity
from pipelines.lib.publish.snapshot_files import files_written
from pipelines.lib.publish.snapshots import _ROW_TYPES
from pipelines.lib.warehouse import transaction
from tests.unit.test_page import KPIS

IDENTITY = VersionIdentity(
    grain="monthly",
    label="2026-06",
    version=1,
    snapshot_id="monthly-2026-06-v1",
    run_id="run-1",
    published_at=datetime(2026, 7, 1, 6, 0),
    checksums=json.dumps({"Opportunity.csv": "ab12"}),
    source="marts.kpi_scorecard",
    rows=len(KPIS),
)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse whose _period holds one period's scorecard rows (no marts: the sections are left out)."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute(f"create temp table _period ({', '.join(f'{c} {kind}' for c, kind in _ROW_TYPES.items())})")
    for row in KPIS:
        con.execute(
            f"insert into _period values ({', '.join('?' for _ in _ROW_TYPES)})", [row.get(c) for c in _ROW_TYPES]
        )
    con.execute("create table versions (snapshot_id varchar)")
    return con


def test_the_manifest_lists_every_file_written_meanwhile(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    target = tmp_path / "published" / "monthly" / "2026-06" / "v1"
    with files_written(con, target, IDENTITY) as written, transaction(con):
        con.execute("insert into versions values ('monthly-2026-06-v1')")  # while the page and workbook render
        written().rename(target)
    manifest = json.loads((target / "manifest.json").read_text())
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files_sha256"]) == files >= {"kpi.parquet", "kpi.csv", "index.html", "monthly-2026-06-v1.xlsx"}
    for name, digest in manifest["files_sha256"].items():
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == digest
    assert (manifest["rows"], manifest["input_files_sha256"]) == (len(KPIS), {"Opportunity.csv": "ab12"})
    assert con.execute("select count(*) from versions").fetchone()[0] == 1


def test_a_failed_render_records_no_version(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(snapshot_files, "render_deliverables", broken)
    target = tmp_path / "published" / "monthly" / "2026-06" / "v1"
    with pytest.raises(OSError, match="disk full"), files_written(con, target, IDENTITY) as written, transaction(con):
        con.execute("insert into versions values ('monthly-2026-06-v1')")
        written().rename(target)
    assert con.execute("select count(*) from versions").fetchone()[0] == 0
    assert not target.exists()
