"""Every shell command of the docs works verbatim: each fenced ``bash`` block of README.md, dbt_project/README.md
and examples/**/*.md runs, as written, in a copy of the repository with nothing on PATH but the system's.

The copy is prepared as a newcomer's clone after `make run` would be: a small sample export in data/inbox/sample
(so `make run` does not generate the default 20,000 opportunities) and the project's virtualenv linked in with its
install stamp untouched, so `make` finds it current and never reinstalls. `make run` builds the one warehouse
every later command reads. A block runs from its document's folder, as one bash script (an `export` carries to
the next line). A command that cannot run here is listed in NOT_RUN with the reason; one that needs a user's own
file names a shipped example instead (examples/northwind/ for a Northwind export).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipelines.lib.sample import generate
from pipelines.lib.settings import PROJECT_ROOT

pytestmark = [pytest.mark.readme, pytest.mark.integration]

DOCS = ("README.md", "dbt_project/README.md")
NOT_RUN = {"make test": "runs this test suite itself"}
# What each command must print (or leave behind), so a command that runs but does nothing is caught.
EXPECT = {
    "make run": "company scorecard",
    ".venv/bin/salesmetrics --help": "validate",
    ".venv/bin/salesmetrics validate data/inbox/sample/Opportunity.csv": "✓ accepted",
    ".venv/bin/salesmetrics validate data/inbox/sample ": "✓ accepted",
    "northwind.yml examples/northwind": "read as 'orders'",
    ".venv/bin/salesmetrics publish monthly": "Open the dashboard page:",
    ".venv/bin/salesmetrics publish weekly --period 2026-W25": "weekly 2026-W25",
    "make sql": "Schemas",
    "list metrics": "revenue",
    "--metrics revenue,win_rate": "metric_time__month",
    "dbt build --profiles-dir . --vars '{stale_days: 45}'": "Completed successfully",
    "../.venv/bin/dbt build --profiles-dir .": "Completed successfully",
}
BLOCK = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    text: str

    def commands(self) -> list[str]:
        """The block's commands: continuation lines joined, comment-only and blank lines left out."""
        joined = self.text.replace("\\\n", " ")
        return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def doc_blocks(root: Path) -> list[Block]:
    docs = [*DOCS, *(p.relative_to(root).as_posix() for p in sorted((root / "examples").rglob("*.md")))]
    blocks = []
    for doc in docs:
        text = (root / doc).read_text(encoding="utf-8")
        for found in BLOCK.finditer(text):
            blocks.append(Block(doc, text[: found.start()].count("\n") + 1, found.group(1)))
    return blocks


def test_every_block_is_found_and_every_command_is_accounted_for() -> None:
    blocks = doc_blocks(PROJECT_ROOT)
    commands = [command for block in blocks for command in block.commands()]
    assert len(blocks) >= 9 and len(commands) >= 15
    # No command may rely on an activated virtualenv or a user's own path.
    for command in commands:
        first = command.split()[0]
        assert first not in ("salesmetrics", "dbt", "duckdb", "mf"), f"{command!r}: spell out .venv/bin/{first}"
        assert "/abs/path" not in command and "../shared" not in command, command
    for key in EXPECT:
        assert any(key in command for command in commands), f"no documented command contains {key!r}"


def _tracked_files(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files (mtimes kept), the virtualenv linked in, a 2,000-opportunity sample in the inbox."""
    copy = tmp_path_factory.mktemp("readme") / "salesmetrics"
    for name in _tracked_files(PROJECT_ROOT):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target)
    (copy / ".venv").symlink_to(PROJECT_ROOT / ".venv", target_is_directory=True)
    # `make` must find the venv current (its stamp newer than pyproject.toml and constraints.txt), else it would
    # reinstall the project's venv from the copy: the copies get the stamp's time less a second.
    stamp = (PROJECT_ROOT / ".venv" / ".installed").stat().st_mtime
    for name in ("pyproject.toml", "constraints.txt"):
        os.utime(copy / name, (stamp - 1, stamp - 1))
    stale = subprocess.run(["make", "-q", ".venv/.installed"], cwd=copy, capture_output=True)
    assert stale.returncode == 0, "make would reinstall the virtualenv: run `make setup` first"
    generate(copy / "data" / "inbox" / "sample", scale=2_000, seed=42, end_date=date.today())
    return copy


def clean_env(copy: Path) -> dict[str, str]:
    """A fresh shell: no virtualenv on PATH, no SALES_* or DAGSTER_HOME; the copy's code, as its own install."""
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TERM")}
    return {
        **keep,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(copy),  # an editable install of the clone, as `make setup` in a clone would make
        "COLUMNS": "120",
    }


def test_every_documented_command_works_verbatim(clone: Path) -> None:
    blocks = doc_blocks(clone)
    # `make run` first: it builds the warehouse every later command reads.
    blocks.sort(key=lambda block: not any(c.startswith("make run") for c in block.commands()))
    ran: list[str] = []
    for block in blocks:
        commands = [c for c in block.commands() if c.split("#")[0].strip() not in NOT_RUN]
        if not commands:
            continue
        script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=(clone / block.doc).parent,
            env=clean_env(clone),
            input=".quit\n",
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = done.stdout + done.stderr
        print(f"{block.doc}:{block.line}: {time.monotonic() - started:.0f} s")  # shown with -s: where the time goes
        assert done.returncode == 0, f"{block.doc}:{block.line} failed ({done.returncode}):\n{script}\n{output[-4000:]}"
        for key, expected in EXPECT.items():
            if any(key in command for command in commands):
                assert expected in output, f"{block.doc}:{block.line}: {key!r} did not print {expected!r}:\n{output}"
        ran.extend(commands)
    assert len(ran) >= 14
    # What the commands left behind: the warehouse, the analysts' copy and the publications they printed.
    assert (clone / "data" / "warehouse.duckdb").is_file() and (clone / "data" / "analytics.duckdb").is_file()
    assert list((clone / "data" / "published" / "monthly").glob("*/v1/index.html"))
    assert (clone / "data" / "published" / "weekly" / "2026-W25" / "v1" / "index.html").is_file()
