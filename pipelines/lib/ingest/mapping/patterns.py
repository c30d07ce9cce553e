"""File patterns of a mapping and the dates of successive exports: `*` and `?` stay within one folder, `**/`
crosses folders, and a pattern matches a file's whole path below the mapping's anchor folder."""

from __future__ import annotations

import re
from pathlib import Path

MAPPING_NAMES = ("mapping.yml", "mapping.yaml")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


def is_mapping_file(path: Path) -> bool:
    name = path.name.lower()
    return name in MAPPING_NAMES or name.endswith((".mapping.yml", ".mapping.yaml"))


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A case-insensitive glob over a relative path: `*` and `?` within one folder, `**/` across folders."""
    text = pattern.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in text[i + 2 :]:
            close = text.index("]", i + 2)
            body = text[i + 1 : close]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = close + 1
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE)


def relative_path(path: Path, anchor: Path) -> str | None:
    return path.relative_to(anchor).as_posix() if path.is_relative_to(anchor) else None


def matches(pattern: str, path: Path, anchor: Path) -> bool:
    """True when ``path``, relative to ``anchor``, matches ``pattern`` as a whole (the rules: mapping.discover)."""
    relative = relative_path(path, anchor)
    return relative is not None and glob_regex(pattern).fullmatch(relative) is not None


def export_date(relative: str) -> str | None:
    """The last year-first date in a path (2026-01-31, 20260131, 2026-01) as YYYY-MM[-DD]; None without one."""
    found = list(_DATE.finditer(relative))
    if not found:
        return None
    year, month, day = found[-1].groups()
    return f"{year}-{month}" + (f"-{day}" if day else "")
