"""The data files an input stands for: itself (CSV/text), one CSV per sheet (.xlsx), or the members of a .zip (a
workbook among them stays a workbook, read like one dropped in the inbox)."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.xlsx import expand_xlsx

# .zip limits: an export is a few GB at most; anything beyond is a mistake or a zip bomb.
MAX_UNZIPPED_BYTES = 8 << 30
MAX_MEMBERS = 10_000
MAX_RATIO = 1_000  # uncompressed / compressed size of one member
MAX_NESTING = 3
INPUT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".zip")


def expand_inputs(path: Path, work_dir: Path, _depth: int = 0) -> list[Path]:
    """The data files ``path`` stands for: itself (CSV/text), one CSV per sheet (.xlsx), or the members of
    a .zip (inner archives expanded; a workbook member is kept as it is, not also written as CSVs beside it,
    where its sheets would claim its file key a second time). Extracted/converted files go under ``work_dir``."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return list(expand_xlsx(path, work_dir).values())
    if suffix == ".zip":
        if _depth >= MAX_NESTING:
            raise FileRejected(
                path, f"archives are nested more than {MAX_NESTING} levels deep.", "Unzip it and drop the CSVs in."
            )
        out: list[Path] = []
        for member in _extract_zip(path, work_dir / f"{path.stem}.unzipped"):
            if member.suffix.lower() == ".xlsx":
                out.append(member)
            else:
                out.extend(expand_inputs(member, member.parent, _depth + 1))
        return out
    return [path]


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"member {info.filename!r} has an absolute path"
    if ".." in parts:
        return f"member {info.filename!r} points outside the archive (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"member {info.filename!r} is a symbolic link"
    return None


def _extract_zip(path: Path, target: Path) -> list[Path]:
    fix = "Download the export again (the archive may be incomplete), or unzip it and drop the CSV files in."
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(path, f"it is not a readable .zip archive ({exc}).", fix) from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise FileRejected(path, f"the archive holds {len(infos):,} files (limit {MAX_MEMBERS:,}).", fix)
        for info in infos:
            if problem := _member_problem(info):
                raise FileRejected(path, f"the archive is unsafe: {problem}.", "Unzip it yourself and check it.")
        wanted = [
            i
            for i in infos
            if PurePosixPath(i.filename).suffix.lower() in INPUT_SUFFIXES
            and not any(p.startswith((".", "__MACOSX")) for p in PurePosixPath(i.filename).parts)
        ]
        if not wanted:
            raise FileRejected(path, "the archive holds no .csv, .txt, .xlsx or .zip file.", fix)
        total = 0
        extracted = []
        for info in wanted:
            if info.flag_bits & 0x1:
                raise FileRejected(path, f"member {info.filename!r} is encrypted.", "Export it without a password.")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 24:
                raise FileRejected(
                    path, f"member {info.filename!r} expands suspiciously ({info.file_size:,} bytes).", fix
                )
            dest = target.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
            if not dest.resolve().is_relative_to(target.resolve()):
                raise FileRejected(path, f"the archive is unsafe: {info.filename!r} leaves the folder.", fix)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, dest.open("wb") as sink:
                    while chunk := source.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise FileRejected(
                                path, f"it unpacks to more than {MAX_UNZIPPED_BYTES >> 30} GB.", "Split the export."
                            )
                        sink.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                shutil.rmtree(target, ignore_errors=True)
                raise FileRejected(path, f"member {info.filename!r} is damaged ({exc}).", fix) from exc
            extracted.append(dest)
    return sorted(extracted)
