"""Which inbox file a mapping's file key claims, and in which order the claimed files land (successive exports
of one key by date); several files claiming one key otherwise are a conflict that stops the run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.ingest.mapping.load import LoadedMapping
from pipelines.lib.ingest.mapping.patterns import export_date, matches, relative_path


@dataclass(frozen=True)
class MappedFile:
    """A file of the inbox claimed by one file key of a mapping, and how the mapping was found."""

    path: Path
    loaded: LoadedMapping
    key: str
    found_by: str  # "--mapping", "inbox mapping file", "recognised built-in source"
    anchor: Path | None = None  # the folder its patterns are relative to (default: the mapping's folder)


class ClaimConflict(Exception):
    """Several inbox files claim one file key of a mapping and are not successive exports."""


@dataclass(frozen=True)
class Conflict:
    message: str
    paths: tuple[Path, ...]


def claim(loaded: LoadedMapping, path: Path, anchor: Path, found_by: str) -> MappedFile | None:
    for key, spec in loaded.mapping.files.items():
        if matches(spec.pattern, path, anchor):
            return MappedFile(path, loaded, key, found_by, anchor)
    return None


def order_claims(claims: list[MappedFile]) -> tuple[list[MappedFile], list[Conflict]]:
    """Files in landing order (by path; successive exports of one key by date) and the conflicts found."""
    groups: dict[tuple[Path, str], list[MappedFile]] = {}
    for mapped in sorted(claims, key=lambda m: m.path):
        groups.setdefault((mapped.loaded.path, mapped.key), []).append(mapped)
    order: dict[Path, tuple] = {}
    conflicts = []
    for (_, key), group in groups.items():
        if len(group) == 1:
            order[group[0].path] = (group[0].path, "")
            continue
        dates = [export_date(relative_path(m.path, m.anchor) or m.path.name) for m in group]
        if all(dates) and len(set(dates)) == len(dates):
            first = min(m.path for m in group)
            for mapped, day in zip(group, dates, strict=True):
                order[mapped.path] = (first, day)
            continue
        loaded = group[0].loaded
        spec = loaded.mapping.files[key]
        line = loaded.line("files", key)
        builtin = group[0].found_by == "recognised built-in source"
        where = f"{loaded.path}, line {line}" if line and not builtin else f"{loaded.path}"
        how = "header recognition" if builtin else f"pattern {spec.pattern!r} (relative to {group[0].anchor})"
        files = " and ".join(str(m.path) for m in group)
        fix = (
            "Move the file you do not want out of the inbox, or make the pattern match only one of them; files "
            "that belong together each need their own key under `files` (list the entity's blocks)."
            if not builtin
            else "Move the file you do not want out of the inbox; files that belong together (two portals) each need "
            f"a copy of {loaded.path.name} as mapping.yml in their own folder."
        )
        message = (
            f"{where}: {len(group)} files claim file key {key!r} of source {loaded.source!r} through {how}: "
            f"{files}. A run reads one file per key, or successive exports that each carry a different date in "
            f"their path (orders_2026-01-31.csv, 2026-01-31/orders.csv), oldest first; these are not, so none was "
            f"read. {fix}"
        )
        conflicts.append(Conflict(message, tuple(m.path for m in group)))
    read = sorted((m for m in claims if m.path in order), key=lambda m: order[m.path])
    return read, conflicts
