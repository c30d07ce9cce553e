"""What a run does with every file of the inbox (the plan): read through a mapping, landed as a Data Export
object, or ignored with the reason.

One decision, made here for `run` (the canonical ingest assets) and `validate` alike: which inbox file is
read by which mapping and file key, in which order, and why every other file is ignored.

- Patterns are relative to the mapping's anchor folder and match the file's whole path below it:
  `orders.csv` reads <anchor>/orders.csv only, never a copy in a sub-folder; `*` and `?` stay within one
  folder, `**/` crosses folders (`**/orders.csv`, `*/deals.csv`). The anchor of a mapping.yml /
  *.mapping.yml of the inbox is its folder; the anchor of `--mapping` is its folder when the file lies in
  the inbox, else the inbox root.
- A file is read by the nearest inbox mapping file whose pattern matches it, else by --mapping (a claim by
  a pattern wins over everything below, also over a name like Opportunity_lines.csv); else it is a Salesforce
  Data Export object (or targets/benchmarks/fixed_costs) when its name is the object's (Opportunity.csv,
  opportunity_2026-06-30.csv) and its header has every required column of the object; else by a built-in
  source that recognises its header line; else, with the object's name, it is still that object when its
  header cannot be judged (empty, binary, one column) or has the Salesforce shape (at least EXPORT_SHAPE of
  the object's API field names): a damaged export is refused when landed, with its true reason. Any other
  file is ignored, with the reason.
- One file key, one file, unless the files are clearly successive exports: each carries a date in its path
  below the anchor (year first: 2026-01-31, 2026_01_31, 20260131, 2026-01) and no two the same date. They
  then load oldest date first, so the latest export wins in staging. Anything else stops the run
  (ClaimConflict) naming every file and the fix: nothing is silently stacked or replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.lib.ingest.mapping.claims import ClaimConflict, Conflict, MappedFile, claim, order_claims
from pipelines.lib.ingest.mapping.exports import (
    ExportFile,
    export_header_problem,
    first_line_headers,
    named_object,
    unnamed_export_hint,
)
from pipelines.lib.ingest.mapping.load import LoadedMapping
from pipelines.lib.ingest.mapping.patterns import glob_regex, is_mapping_file, relative_path
from pipelines.lib.ingest.recognise import recognise, resemblance
from pipelines.lib.ingest.salesforce import ALL_OBJECTS, ExportObject
from pipelines.lib.ingest.workbook_heads import workbook_problem, workbook_rows
from pipelines.lib.ingest.xlsx import FIX

BUILTIN_MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"
READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


@dataclass(frozen=True)
class Ignored:
    path: Path
    reason: str
    misplaced: bool = False  # a pattern names it, but it is in a sub-folder of where that pattern looks


@dataclass(frozen=True)
class Plan:
    """What a run does with the inbox: the files read (in landing order), the ones ignored and why, and the
    conflicts that stop the run."""

    read: list[MappedFile]
    ignored: list[Ignored]
    conflicts: list[Conflict]
    salesforce: list[ExportFile]

    def decision(self, path: Path) -> MappedFile | Ignored | Conflict | ExportFile | None:
        """What the run does with one file (None: not a readable file)."""
        return (
            next((c for c in self.conflicts if path in c.paths), None)
            or next((m for m in self.read if m.path == path), None)
            or next((f for f in self.salesforce if f.path == path), None)
            or next((i for i in self.ignored if i.path == path), None)
        )

    def exports(self, obj: ExportObject) -> list[Path]:
        """The files the ingest asset of ``obj`` lands, oldest export folder first (sorted by path)."""
        return sorted(f.path for f in self.salesforce if f.obj.name == obj.name)


def run_anchor(inbox: Path, mapping_file: Path) -> Path:
    """Where the patterns of ``--mapping`` are anchored: its folder inside the inbox, else the inbox root."""
    folder = mapping_file.resolve().parent
    return folder if folder.is_relative_to(inbox.resolve()) else inbox


def _why_ignored(
    path: Path, considered: list[tuple[LoadedMapping, Path]], builtins: list[LoadedMapping], look_alike: str | None
) -> tuple[str, bool]:
    """Why no mapping reads ``path``, naming the pattern that would, were it anchored elsewhere; and whether one
    would (Ignored.misplaced)."""
    for loaded, anchor in considered:
        relative = relative_path(path, anchor)
        if relative is None:
            continue
        for key, spec in loaded.mapping.files.items():
            name_only = spec.pattern.replace("\\", "/").rsplit("/", 1)[-1]
            if "/" in relative and glob_regex(name_only).fullmatch(path.name):
                return (
                    f"its name matches pattern {spec.pattern!r} (file key {key!r}) of {loaded.path}, but patterns are "
                    f"relative to {anchor} and this file is {relative!r}, in a sub-folder. To read it, write the "
                    f"pattern as {relative!r}; if it is a stray copy, nothing is needed.",
                    True,
                )
    if path.suffix.lower() == ".xlsx" and (problem := workbook_problem(path)):
        return f"{problem}: a run does not read it. {FIX}", False
    mappings = ", ".join(f"{loaded.path} (patterns relative to {anchor})" for loaded, anchor in considered)
    builtin = ", ".join(b.source for b in builtins)
    parts = [f"it matches no file pattern of {mappings}" if mappings else "no mapping file applies to its folder"]
    if builtins:
        parts.append(f"{_header_words(path)} is not recognised by a built-in source ({builtin})")
    if look_alike:
        return (
            f"{look_alike}; {' and '.join(parts)}. A run does not read it. To read it through a mapping, claim it: a "
            "mapping.yml beside it (or --mapping) whose pattern matches its name.",
            False,
        )
    return " and ".join(parts) + ". A run does not read it.", False


def _header_words(path: Path) -> str:
    """How a reason names the header a file was judged by: its line, or the row and sheet of a workbook."""
    if path.suffix.lower() != ".xlsx":
        return "its header line"
    from pipelines.lib.ingest.workbook_heads import workbook_table

    table = workbook_table(path)
    if table is None:
        return "its header"
    shown = ", ".join(table.header[:6]) + (", …" if len(table.header) > 6 else "")
    return f"its header (row {table.row} of sheet {table.sheet!r}: {shown})"


def _resembles(loaded: LoadedMapping, key: str, missing: list[str]) -> str:
    """The built-in an export nearly matches, and how to read it: a copy without the missing columns."""
    wanted = len(loaded.recognise.get(key, []))
    return (
        f" It looks like a {loaded.source} {key} export ({wanted - len(missing)} of the {wanted} headers the built-in "
        f"mapping {loaded.path} recognises; missing: {', '.join(missing)}): copy that file, delete the lines that "
        "read the missing columns, and pass the copy with --mapping (or save it beside the export as mapping.yml)."
    )


def plan(
    inbox: Path,
    mapping_file: Path | None,
    builtins: list[LoadedMapping],
    objects: tuple[ExportObject, ...] = ALL_OBJECTS,
) -> Plan:
    """Every readable file under ``inbox`` and what a run does with it (the rules in the module docstring)."""
    from pipelines.lib.ingest.mapping.load import load_mapping

    if not inbox.exists():
        return Plan([], [], [], [])
    everything = sorted(p for p in inbox.rglob("*") if p.is_file())
    candidates = [p for p in everything if p.suffix.lower() in READABLE_SUFFIXES]
    claimed: dict[Path, MappedFile] = {}
    considered: list[tuple[LoadedMapping, Path]] = []
    # the nearest inbox mapping file first (deepest folder), so a sub-folder's own mapping wins
    ymls = sorted((p for p in everything if is_mapping_file(p)), key=lambda p: (-len(p.parts), p))
    for yml in ymls:
        loaded = load_mapping(yml)
        considered.append((loaded, yml.parent))
        for path in candidates:
            if path not in claimed and (mapped := claim(loaded, path, yml.parent, "inbox mapping file")):
                claimed[path] = mapped
    if mapping_file is not None:
        loaded = load_mapping(mapping_file)
        anchor = run_anchor(inbox, mapping_file)
        considered.append((loaded, anchor))
        for path in candidates:
            if path not in claimed and (mapped := claim(loaded, path, anchor, "--mapping")):
                claimed[path] = mapped
    salesforce: list[ExportFile] = []
    look_alikes: dict[Path, str] = {}
    resembles: dict[Path, str] = {}
    for path in candidates:
        if path in claimed:
            continue
        obj = named_object(path, objects)
        header = first_line_headers(path) if obj is not None or builtins else []
        if obj is not None and all(c in header for c in obj.required):
            salesforce.append(ExportFile(path, obj))
            continue
        found = recognise(header, builtins) if builtins else None
        if not found and builtins and path.suffix.lower() == ".xlsx":
            # a workbook's header may sit below a title row of two values, unmerged group labels, or on a later
            # sheet than a cover that looks like a table: a row holding every header a built-in recognises is it
            found = next((f for row in workbook_rows(path) if (f := recognise(row.header, builtins))), None)
        if found:
            claimed[path] = MappedFile(path, found[0], found[1], "recognised built-in source", inbox)
            continue
        if obj is not None:
            why_not = export_header_problem(obj, header)
            if why_not is None:
                salesforce.append(ExportFile(path, obj))
            else:
                look_alikes[path] = why_not
        elif hint := unnamed_export_hint(header, objects):
            look_alikes[path] = hint
        if builtins and (close := resemblance(header, builtins)):
            resembles[path] = _resembles(*close)
    exported = {f.path for f in salesforce}
    ignored = [
        Ignored(p, reason + resembles.get(p, ""), misplaced)
        for p in candidates
        if p not in claimed and p not in exported
        for reason, misplaced in [_why_ignored(p, considered, builtins, look_alikes.get(p))]
    ]
    read, conflicts = order_claims(list(claimed.values()))
    return Plan(read, ignored, conflicts, salesforce)


def discover(
    inbox: Path,
    mapping_file: Path | None,
    builtins: list[LoadedMapping],
    objects: tuple[ExportObject, ...] = ALL_OBJECTS,
) -> list[MappedFile]:
    """The files mappings read, in landing order; ClaimConflict when several files claim one file key."""
    found = plan(inbox, mapping_file, builtins, objects)
    if found.conflicts:
        raise ClaimConflict(" ".join(c.message for c in found.conflicts))
    return found.read


def load_builtins(folder: Path) -> list[LoadedMapping]:
    """The built-in mappings of folder, parsed once per process while their files are unchanged (every ingest
    asset and audit check of a run asks; parsing the YAML each time cost ~40 ms a file)."""
    if not folder.is_dir():
        return []
    return [_parsed(p, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yml"))]


@lru_cache(maxsize=32)
def _parsed(path: Path, mtime_ns: int, size: int) -> LoadedMapping:
    """One mapping file as parsed; the cache key holds its modification time and size, so an edit re-reads it."""
    from pipelines.lib.ingest.mapping.load import load_mapping

    return load_mapping(path)
