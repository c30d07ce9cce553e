"""The corpus of bad inputs: each file ends rejected, quarantined under the right rule, or accepted intact."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.audit.verdict import FileVerdict, audit_pending
from pipelines.lib.config import AuditConfig
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import land_file, record_rejection
from pipelines.lib.ingest.salesforce import by_name
from tests.realdata import REALDATA

OPPORTUNITY = by_name("Opportunity")
COLUMNS = [
    "Id",
    "AccountId",
    "OwnerId",
    "Name",
    "StageName",
    "Amount",
    "Probability",
    "CloseDate",
    "CreatedDate",
    "IsClosed",
    "IsWon",
]


def opportunities(n: int = 100) -> list[dict[str, str]]:
    return [
        {
            "Id": f"0065g00000{i:05d}AAA",
            "AccountId": "0015g00000000001AAA",
            "OwnerId": "0055g00000000001AAA",
            "Name": f"Deal {i}",
            "StageName": "Closed Won",
            "Amount": f"{1000 + i}.25",
            "Probability": "100",
            "CloseDate": "2026-03-31",
            "CreatedDate": "2026-01-05T09:30:00.000Z",
            "IsClosed": "true",
            "IsWon": "true",
        }
        for i in range(n)
    ]


def to_csv(rows: list[dict[str, str]], delimiter: str = ",", columns: list[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


class Warehouse:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.database = str(root / "warehouse.duckdb")
        self.rejected = root / "rejected"

    def submit(self, name: str, data: bytes | str, config: AuditConfig | None = None) -> FileVerdict | str:
        """Land and audit one Opportunity file; a file-level refusal comes back as its message."""
        path = self.root / "inbox" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        with duckdb.connect(self.database) as con:
            try:
                land_file(con, OPPORTUNITY, path, self.root / "cache")
            except FileRejected as refusal:
                return record_rejection(con, OPPORTUNITY, refusal, self.rejected)
        [verdict] = audit_pending(self.database, OPPORTUNITY, config or AuditConfig(), self.rejected)
        return verdict

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(self.database, read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def quarantined(self) -> list[tuple[int, str, str | None]]:
        return self.query(
            "select _source_line, rule, offending_value from quarantine.salesforce__opportunity order by 1, 2"
        )


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


# --- rejected whole: the message names the file, the problem and the fix; the file moves out of the inbox


@pytest.mark.parametrize(
    ("case", "data", "words"),
    [
        ("empty", b"", "empty (0 bytes)"),
        ("header_only", to_csv([]), "header but no rows"),
        ("binary_garbage", bytes(range(256)) * 40, "binary"),
        ("wrong_delimiter", to_csv(opportunities(20), delimiter="#"), "single column"),
        (
            "missing_column",
            to_csv(opportunities(20), columns=[c for c in COLUMNS if c != "StageName"]),
            "no column StageName",
        ),
        ("truncated", to_csv(opportunities(50))[:-40], "middle of a record"),
    ],
)
def test_unloadable_files_are_rejected_whole(warehouse: Warehouse, case: str, data: bytes | str, words: str) -> None:
    message = warehouse.submit(f"{case}/Opportunity.csv", data)

    assert isinstance(message, str)
    assert words in message and "Fix:" in message
    assert str(warehouse.root / "inbox" / case / "Opportunity.csv") in message
    moved = warehouse.rejected / "Opportunity.csv"
    assert moved.exists() and not (warehouse.root / "inbox" / case / "Opportunity.csv").exists()
    assert words in (warehouse.rejected / "Opportunity.csv.reason.txt").read_text()
    assert warehouse.query("select count(*) from raw.salesforce__opportunity") == [(0,)]
    assert warehouse.query("select status from raw._ingest_log") == [("rejected",)]


# --- quarantined rows: the right rule, line and value; the rest of the file is accepted


def spoil(rows: list[dict[str, str]], index: int, **changes: str) -> list[dict[str, str]]:
    rows[index] = {**rows[index], **changes}
    return rows


@pytest.mark.parametrize(
    ("case", "rows", "expected"),
    [
        (
            "duplicated_ids",
            spoil(opportunities(), 40, Id="0065g0000000003AAA"),
            [(5, "Id__unique", "0065g0000000003AAA"), (42, "Id__unique", "0065g0000000003AAA")],
        ),
        ("blank_id", spoil(opportunities(), 10, Id="  "), [(12, "Id__not_null", None)]),
        ("negative_amount", spoil(opportunities(), 20, Amount="-50.00"), [(22, "Amount__non_negative", "-50.00")]),
        (
            "unparseable_date",
            spoil(opportunities(), 30, CloseDate="31/02/2026"),
            [(32, "CloseDate__parseable", "31/02/2026")],
        ),
        (
            "close_before_create",
            spoil(opportunities(), 3, CloseDate="2025-12-24"),
            [(5, "CloseDate__not_before_CreatedDate", "2025-12-24 < 2026-01-05")],
        ),
        (
            "unknown_stage",
            spoil(opportunities(), 7, StageName="Closed/Won"),
            [(9, "StageName__known_stage", "Closed/Won")],
        ),
        (
            "date_out_of_range",
            spoil(opportunities(), 8, CloseDate="2099-12-31"),
            [(10, "CloseDate__in_date_range", "2099-12-31")],
        ),
    ],
)
def test_bad_rows_are_quarantined_and_the_rest_accepted(
    warehouse: Warehouse, case: str, rows: list[dict[str, str]], expected: list[tuple]
) -> None:
    verdict = warehouse.submit(f"{case}/Opportunity.csv", to_csv(rows))

    assert isinstance(verdict, FileVerdict) and verdict.accepted
    assert warehouse.quarantined() == expected
    # GX's unexpected counts and the quarantine SQL agree on every rule.
    assert verdict.gx_unexpected == {rule: n for rule, n in verdict.by_rule.items() if rule != "malformed_row"}
    accepted = warehouse.query("select count(*) from raw.salesforce__opportunity")[0][0]
    assert accepted == len(rows) - len(expected)
    assert warehouse.query("select count(*) from landing.salesforce__opportunity") == [(0,)]


def test_stage_case_and_spaces_are_not_errors(warehouse: Warehouse) -> None:
    rows = spoil(spoil(opportunities(), 1, StageName="closed won  "), 2, StageName="CLOSED LOST")
    verdict = warehouse.submit("Opportunity.csv", to_csv(rows))
    assert isinstance(verdict, FileVerdict) and verdict.accepted and warehouse.quarantined() == []


def test_too_many_bad_rows_stop_the_file(warehouse: Warehouse) -> None:
    rows = opportunities()
    for index in range(0, 60, 10):  # 6 % of the rows
        spoil(rows, index, Amount="-1")
    verdict = warehouse.submit("Opportunity.csv", to_csv(rows))

    assert isinstance(verdict, FileVerdict) and not verdict.accepted
    assert "6 of 100 rows (6.0%)" in verdict.problems[0] and "audit.quarantine_max_share" in verdict.problems[0]
    assert warehouse.query("select count(*) from raw.salesforce__opportunity") == [(0,)]
    assert (warehouse.rejected / "Opportunity.csv.reason.txt").exists()
    # The threshold is configuration: at 10 % the same file passes.
    again = Warehouse(warehouse.root / "lenient")
    assert again.submit("Opportunity.csv", to_csv(rows), AuditConfig(quarantine_max_share=0.10)).accepted


def test_collapsing_row_count_rejects_the_new_export(warehouse: Warehouse) -> None:
    assert warehouse.submit("2026-06-23/Opportunity.csv", to_csv(opportunities(100))).accepted
    verdict = warehouse.submit("2026-06-30/Opportunity.csv", to_csv(opportunities(30)))
    assert not verdict.accepted and "previous accepted export had 100" in verdict.problems[0]


def test_unquoted_commas_are_quarantined_with_their_own_line(warehouse: Warehouse) -> None:
    rows = opportunities()
    text = to_csv(rows).splitlines()
    text[15] = text[15].replace("Deal 14", "Deal 14, the big one")  # line 16 now has one field too many
    verdict = warehouse.submit("Opportunity.csv", "\n".join(text) + "\n")

    assert verdict.accepted
    assert warehouse.quarantined() == [(16, "malformed_row", "TOO MANY COLUMNS")]
    lines = dict(warehouse.query('select "Name", _source_line from raw.salesforce__opportunity'))
    assert lines["Deal 15"] == 17 and lines["Deal 13"] == 15 and "Deal 14" not in lines


# --- encodings and hostile text come through intact


def test_utf16_and_windows_1252_are_decoded(warehouse: Warehouse) -> None:
    rows = spoil(spoil(opportunities(10), 0, Name="Müller & Söhne – €5k"), 1, Name="Société Générale “SG”")
    assert warehouse.submit("utf16/Opportunity.csv", to_csv(rows).encode("utf-16")).accepted
    cp1252 = Warehouse(warehouse.root / "cp1252")
    assert cp1252.submit("Opportunity.csv", to_csv(rows).encode("cp1252")).accepted
    for store in (warehouse, cp1252):
        names = {r[0] for r in store.query('select "Name" from raw.salesforce__opportunity')}
        assert {"Müller & Söhne – €5k", "Société Générale “SG”"} <= names


def test_semicolon_exports_are_detected(warehouse: Warehouse) -> None:
    verdict = warehouse.submit("Opportunity.csv", to_csv(opportunities(30), delimiter=";"))
    assert verdict.accepted
    assert warehouse.query('select sum(cast("Amount" as decimal(18, 2))) from raw.salesforce__opportunity') == [
        (sum(1000 + i for i in range(30)) + 30 * __import__("decimal").Decimal("0.25"),)
    ]


@pytest.mark.skipif(not (REALDATA / "salesforce_apex_recipes").exists(), reason=f"{REALDATA} is absent")
def test_hostile_strings_from_apex_recipes_come_through_intact(warehouse: Warehouse) -> None:
    with (REALDATA / "salesforce_apex_recipes" / "Opportunities.csv").open(encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    hostile = [r["description"] for r in source] + [r["name"] for r in source]
    hostile += ["1;DROP TABLE users", '=HYPERLINK("http://x")', "Robert'); DROP TABLE Students;--"]
    hostile = [h for h in dict.fromkeys(hostile) if h.strip() and "\n" not in h and "\r" not in h]
    rows = [{**row, "Name": text} for row, text in zip(opportunities(len(hostile)), hostile, strict=True)]

    assert warehouse.submit("Opportunity.csv", to_csv(rows)).accepted
    stored = [r[0] for r in warehouse.query('select "Name" from raw.salesforce__opportunity order by _source_line')]
    assert stored == hostile
