"""CSV files in the Data Export format, appended chunk by chunk through DuckDB's CSV writer.

The generator hands over numbers (cents, days and seconds since 1970) and strings; DuckDB formats them in
parallel (ISO dates, ``…T14:22:10.000Z`` datetimes, 2-decimal money, true/false) and quotes fields the
standard way, several times faster than pandas.to_csv. COPY cannot append, so each chunk goes to a part
file (in RAM when /dev/shm exists) that the kernel appends to the export (sendfile). A named pipe spliced
into the export measured no faster. Blank fields are NULL (DuckDB writes an empty string as ``""``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import duckdb
import pandas as pd

from pipelines.lib.ingest.salesforce import ExportObject

DATETIME = frozenset({"CreatedDate", "LastStageChangeDate"})
DATE = frozenset(
    {"CloseDate", "StartDate", "NextStartDate", "EndDate", "ConvertedDate", "ServiceDate", "period_start", "period_end"}
)
MONEY = frozenset(
    {
        "Amount",
        "UnitPrice",
        "ListPrice",
        "TotalPrice",
        "List_Price__c",
        "Unit_Cost__c",
        "BudgetedCost",
        "ActualCost",
        "QuotaAmount",
        "fixed_cost",
    }
)
# Columns assembled from helper columns of the frame.
EXPRESSIONS = {("Opportunity", "Name"): """concat("Name", ' - ', "NameSuffix")"""}


def column_sql(obj: str, column: str, present: set[str]) -> str:
    """The SQL that renders one export column from the frame (NULL when the frame lacks it)."""
    if (obj, column) in EXPRESSIONS:
        return EXPRESSIONS[(obj, column)]
    if column not in present:
        return "NULL"
    quoted = f'"{column}"'
    if column in DATETIME:
        return f"strftime(make_timestamp(CAST({quoted} AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%S.000Z')"
    if column in DATE:
        return f"DATE '1970-01-01' + CAST({quoted} AS INTEGER)"
    if column in MONEY:  # cents -> plain decimal with two places
        return f"CAST({quoted} / 100 AS DECIMAL(18, 2))"
    return quoted


class ExportWriter:
    """One CSV per export object; ``append`` queues a chunk of rows, ``counts`` says how many were queued.

    Chunks are written in order by one background thread (DuckDB releases the GIL), so the next chunk is
    generated while the previous one is formatted; at most ``backlog`` chunks wait, which bounds memory.
    """

    def __init__(self, out_dir: Path, backlog: int = 4) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect()
        # One core stays with the generator; a single-threaded COPY also costs less CPU in total.
        self.con.execute(f"SET threads = {max(1, min(8, (os.cpu_count() or 2) - 1))}")
        self.handles: dict[str, BinaryIO] = {}
        self.counts: dict[str, int] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sample-writer")
        self._pending: deque[Future[None]] = deque()
        self._backlog = backlog
        # Part files live in RAM (tmpfs) where there is one: on disk every byte would be written twice.
        shm = Path("/dev/shm")
        scratch_dir = shm if shm.is_dir() and os.access(shm, os.W_OK) else out_dir
        self._scratch = Path(tempfile.mkdtemp(prefix=".salesmetrics-sample-", dir=scratch_dir))

    def open(self, obj: ExportObject) -> None:
        """Create the file with its header row, even if no rows follow."""
        if obj.file_name not in self.handles:
            handle = (self.out_dir / obj.file_name).open("wb")
            handle.write((",".join(obj.columns) + "\n").encode())
            handle.flush()
            self.handles[obj.file_name] = handle
            self.counts[obj.file_name] = 0

    def append(self, obj: ExportObject, frame: pd.DataFrame) -> None:
        """Queue ``frame`` (columns named as the export's, extra helper columns ignored) for writing."""
        self.open(obj)
        if len(frame) == 0:
            return
        self.counts[obj.file_name] += len(frame)
        while len(self._pending) >= self._backlog:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, obj, frame))

    def _write(self, obj: ExportObject, frame: pd.DataFrame) -> None:
        present = set(frame.columns)
        select = ", ".join(column_sql(obj.name, c, present) for c in obj.columns)
        self.con.register("chunk", frame)
        try:
            self._copy(f"SELECT {select} FROM chunk", self.handles[obj.file_name])
        finally:
            self.con.unregister("chunk")

    def _copy(self, query: str, handle: BinaryIO) -> None:
        """COPY the query's rows (no header) onto the end of ``handle``."""
        part = self._scratch / "part.csv"
        target = str(part).replace("'", "''")
        self.con.execute(f"COPY ({query}) TO '{target}' (FORMAT csv, HEADER false)")
        with part.open("rb") as source:
            size, sent = os.fstat(source.fileno()).st_size, 0
            try:
                while sent < size:
                    sent += os.sendfile(handle.fileno(), source.fileno(), sent, size - sent)
            except (AttributeError, OSError):  # no sendfile for this pair: copy through user space
                source.seek(sent)
                shutil.copyfileobj(source, handle, length=1 << 22)
                handle.flush()
        part.unlink()

    def close(self) -> None:
        """Wait for queued chunks (re-raising any write error), then close the files."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)
            for handle in self.handles.values():
                handle.close()
            self.con.close()
            shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
