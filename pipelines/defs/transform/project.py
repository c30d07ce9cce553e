"""The dbt project as Dagster sees it, and the one dbt executable every dbt command uses."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from packaging import version

from pipelines.lib.settings import DBT_PROJECT_DIR


def find_dbt_executable() -> str:
    """The dbt installed beside this Python (the virtualenv's bin), else the one on PATH.

    Nothing may depend on an activated virtualenv: `make ui` does not put .venv/bin on PATH, and dagster-dbt's
    default (`dbt` looked up on PATH) made the code location fail to load under `dagster dev`.
    """
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    return shutil.which("dbt") or str(beside)


DBT_EXECUTABLE = find_dbt_executable()


class SalesDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, without the dbt adapter it builds in this process before every dbt command.

    That adapter (dbt's profile and project loaded again, dbt-core's adapter registered: ~1-4 s of each run) serves
    only dagster-dbt's ``fetch_column_metadata`` and ``fetch_row_counts``, which this project does not use (the dbt
    asset counts each table's rows itself). It would open the wrong file besides: the profile names only the
    warehouse's file name (pipelines/lib/transform/dbt_warehouse.py), which dagster-dbt would make absolute
    against the dbt project's folder. Without it, dagster-dbt runs the dbt command the same way.
    """

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    @property
    def _cli_version(self) -> version.Version:  # type: ignore[override]
        """dbt's version, read from the installed dbt-core when the executable is this environment's (dagster-dbt
        starts ``dbt --version`` before every command to learn it: 2-3 s of a run, a whole dbt start-up)."""
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            return version.parse(metadata.version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]


class SalesDbtPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (dbt deps / dbt parse under `dagster dev`), run with DBT_EXECUTABLE.

    Its own builds a default DbtCliResource, whose executable is looked up on PATH.
    """

    def _prepare_packages(self, project: DbtProject) -> None:
        dbt = DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
        dbt.cli(["deps", "--quiet"], target_path=project.target_path).wait()

    def _prepare_manifest(self, project: DbtProject) -> None:
        # dbt parse writes into a folder of its own; the manifest is then swapped in whole, so a process loading
        # the definitions meanwhile (a test, a run) never reads half a file.
        scratch = DbtProject(
            project_dir=project.project_dir, profiles_dir=project.profiles_dir, target_path=project.target_path / "dev"
        )
        dbt = DbtCliResource(project_dir=scratch, dbt_executable=DBT_EXECUTABLE)
        dbt.cli(self._prepare_project_cli_args, target_path=scratch.target_path).wait()
        self._invalidate_seeds_in_partial_parse(scratch)
        partial = project.manifest_path.with_name(f".{project.manifest_path.name}.{os.getpid()}.partial")
        shutil.copyfile(scratch.manifest_path, partial)
        os.replace(partial, project.manifest_path)


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is (re)built from the models on load; `make` builds it otherwise.
SalesDbtPreparer().prepare_if_dev(dbt_project)
