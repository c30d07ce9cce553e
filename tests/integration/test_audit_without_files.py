"""An audit check with no landed file to judge answers without importing Great Expectations (seconds of start-up):
it reads what is pending first (pipelines/lib/audit/pending.py), and passes with nothing audited, opening the
warehouse once (each open costs ~35 ms, and most checks of a daily run have nothing to judge)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from pathlib import Path
import duckdb
from pipelines.defs.audit.checks import build_audit_check
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.lib.ingest.salesforce import by_name
from pipelines.lib.warehouse import ensure_logs, ensure_tables

folder = Path(sys.argv[1])
obj = by_name("Opportunity")
with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
    ensure_logs(con)
    ensure_tables(con, obj)
    # a file of another object waiting, and one of this object already judged: nothing of this object is pending
    con.execute("insert into raw._ingest_log (object, source_file, sha256, rows, malformed_rows, status) values "
                "('Account', 'Account.csv', 'a', 1, 0, 'pending'), "
                "('Opportunity', 'Opportunity.csv', 'b', 1, 0, 'accepted')")
opened = []
real_connect = duckdb.connect
duckdb.connect = lambda *args, **kwargs: opened.append(args) or real_connect(*args, **kwargs)
result = build_audit_check(obj)(
    warehouse=WarehouseResource(database=str(folder / "warehouse.duckdb")),
    inbox=InboxResource(path=str(folder / "inbox"), rejected_path=str(folder / "rejected")),
)
print(json.dumps({
    "passed": result.passed,
    "files_audited": result.metadata["files_audited"].value,
    "files_rejected": result.metadata["files_rejected"].value,
    "rows_quarantined": result.metadata["rows_quarantined"].value,
    "files": result.metadata["files"].value,
    "great_expectations": "great_expectations" in sys.modules,
    "warehouse_opens": len(opened),
}))
"""


def test_a_check_with_nothing_pending_skips_great_expectations_and_opens_the_warehouse_once(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "passed": True,
        "files_audited": 0,
        "files_rejected": 0,
        "rows_quarantined": 0,
        "files": {},
        "great_expectations": False,
        "warehouse_opens": 1,
    }
