"""The Dagster instance's run history (event log) on SQLite, without a new database connection per event.

Dagster's ``SqliteEventLogStorage`` opens a new engine and SQLite connection for every event it stores and closes
it again; SQLite then checkpoints the WAL into the database file and syncs it to disk on every close. A run of
this pipeline stores about 1,600 events (dbt's nodes, the audit's checks), so a run spent tens of seconds
waiting for the disk (docs/architecture.md, Run history). ``RunHistoryStorage`` (instance.py) keeps one engine per
database file open instead (the few most recent: a run's own file and the index), commits without a sync
(``synchronous=normal``, which WAL keeps safe against a killed process), and checkpoints a run's file when the
run ends, so the file then holds every event on its own. The UI follows a live run by watching its file for
changes; between checkpoints the changes land in the ``-wal`` file beside it, so the watch looks at both.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster import DagsterEventType
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from watchdog.observers import Observer

KEEP_OPEN = 16  # database files kept open: the running run's, the index, and those the UI reads
RUN_END = {DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE, DagsterEventType.RUN_CANCELED}


def _no_sync_per_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma synchronous=normal")
    cursor.close()


class _WatchWal(SqliteEventLogStorageWatchdog):
    """Dagster's watch of a run's file, which also wakes when the file's write-ahead log changes."""

    def __init__(self, storage: SqliteEventLogStorage, run_id: str, callback: Any, cursor: str | None) -> None:
        super().__init__(storage, run_id, callback, cursor)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]

    def on_modified(self, event: Any) -> None:
        self._process_log()


class RunHistoryStorage(SqliteEventLogStorage):
    """SQLite run history with long-lived connections (configured like ``SqliteEventLogStorage``)."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> RunHistoryStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.engine.Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = db.create_engine(
                    self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
                )
                db.event.listen(engine, "connect", _no_sync_per_commit)
            self._engines[shard] = engine
            while len(self._engines) > KEEP_OPEN:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def close_shard(self, shard: str) -> None:
        """Checkpoint a file's write-ahead log into it and close its connections."""
        with self._db_lock, self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is not None:
                with engine.connect() as conn:
                    conn.exec_driver_sql("pragma wal_checkpoint(passive)")
                engine.dispose()

    def close_all(self) -> None:
        for shard in list(self._engines):
            self.close_shard(shard)

    def store_event(self, event: Any) -> None:
        super().store_event(event)
        if event.is_dagster_event and event.dagster_event_type in RUN_END:
            self.close_shard(event.run_id)

    def watch(self, run_id: str, cursor: str | None, callback: Any) -> None:
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        handler = _WatchWal(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (handler, self._obs.schedule(handler, self._base_dir, recursive=True))

    def wipe(self) -> None:
        self.close_all()
        super().wipe()

    def dispose(self) -> None:
        self.close_all()
        super().dispose()
