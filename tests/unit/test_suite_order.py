"""The list of the slowest test files (tests/conftest.py) names files that exist, each once: a renamed or removed
file would silently drop out of it and go back to its place in collection order."""

from __future__ import annotations

from pipelines.lib.settings import PROJECT_ROOT
from tests.conftest import SLOWEST_FILES_FIRST


def test_every_listed_file_exists_once() -> None:
    assert len(SLOWEST_FILES_FIRST) == len(set(SLOWEST_FILES_FIRST))
    missing = [path for path in SLOWEST_FILES_FIRST if not (PROJECT_ROOT / path).is_file()]
    assert missing == []
