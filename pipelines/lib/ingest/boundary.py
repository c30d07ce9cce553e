"""The inbox is a boundary: a run reads nothing outside it and nothing that is not a plain file.

Before a run looks for exports, every symbolic link that leads out of the inbox (to a file or a folder), every
named pipe (FIFO), device file and socket is refused: moved to the rejected folder (the entry itself, never what
it points to; nothing is read) with a note saying why, and the run stops like for any refused file. Links that
stay inside the inbox, and names with spaces, accents or line breaks, are ordinary files.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

FIX = "Copy the export file itself into the inbox (not a link to it, nor a pipe or device)."


def why_refused(path: Path, root: Path) -> str | None:
    """Why ``path`` may not be read (None: a plain file or folder inside the inbox)."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"it is a symbolic link to {target}, outside the inbox {root}; a run reads nothing outside it."
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return f"it is a symbolic link to {target}, which does not exist."
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a file: reading it would wait for whoever writes it."
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device file, not an export."
    if stat.S_ISSOCK(mode):
        return "it is a socket, not an export."
    return None


def _refuse(path: Path, why: str, rejected_dir: Path | None) -> str:
    """Move the entry itself (os.rename: a pipe or device is never opened) beside its reason; the message."""
    reason = f"{path}: {why} Fix: {FIX}"
    if rejected_dir is None:
        return f"{reason} Nothing from it was read."
    rejected_dir.mkdir(parents=True, exist_ok=True)
    target = rejected_dir / path.name
    if os.path.lexists(target):
        target = rejected_dir / f"{path.name}.{datetime.now():%Y%m%dT%H%M%S%f}"
    try:
        os.rename(path, target)
        where = f"It was moved to {target} (reason beside it)"
    except OSError:  # another file system: left where it is; the run stops until it is removed
        where = f"Remove it from the inbox (reason in {target}.reason.txt)"
    Path(f"{target}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    return f"{reason} {where}; nothing from it was read."


def refuse_unsafe_entries(inbox: Path, rejected_dir: Path | None) -> list[str]:
    """Refuse every entry of the inbox a run may not read; return a message per entry refused."""
    root = inbox.resolve()
    if not root.is_dir():
        return []
    problems = []
    for folder, dirs, files in os.walk(root):  # links to folders are listed, never followed
        for name in sorted([*dirs, *files]):
            path = Path(folder) / name
            why = why_refused(path, root)
            if why:
                problems.append(_refuse(path, why, rejected_dir))
        dirs[:] = [d for d in dirs if (Path(folder) / d).is_dir() and not (Path(folder) / d).is_symlink()]
    return problems
