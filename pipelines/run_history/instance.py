"""The Dagster instance this project's dagster.yaml names (``instance_class``): Dagster's own, with the run history
kept by ``RunHistoryStorage`` (storage.py) in the usual place under the instance's folder."""

from __future__ import annotations

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef, _event_logs_directory
from dagster._serdes import ConfigurableClassData


class RunHistoryInstance(dg.DagsterInstance):
    """Dagster's instance, its run history kept by ``RunHistoryStorage`` in the usual place under its folder.

    Named as ``instance_class`` in dagster.yaml: the storage's folder comes from the instance's own folder, as
    Dagster's default does, whichever way the instance is opened (DAGSTER_HOME or a folder given)."""

    @classmethod
    def config_schema(cls) -> dict:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> dict:
        defaults = dict(InstanceRef.config_defaults(base_dir))
        events = ConfigurableClassData(
            "pipelines.run_history.storage",
            "RunHistoryStorage",
            yaml.dump({"base_dir": _event_logs_directory(base_dir)}),
        )
        parts = {
            "run_storage": defaults["run_storage"],
            "event_log_storage": events,
            "schedule_storage": defaults["schedule_storage"],
        }
        storages = {
            k: {"module_name": v.module_name, "class_name": v.class_name, "config_yaml": v.config_yaml}
            for k, v in parts.items()
        }
        # the composite Dagster builds when dagster.yaml names each storage on its own
        composite = ConfigurableClassData(
            "dagster._core.storage.legacy_storage", "CompositeStorage", yaml.dump(storages)
        )
        return {**defaults, "event_log_storage": events, "storage": composite}
