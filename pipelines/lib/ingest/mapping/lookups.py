"""The files a mapping reads beside the mapped one: ``lookup`` tables and the ``unpivot`` of a wide file."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import duckdb

from pipelines.lib.ingest.loader import land_file
from pipelines.lib.ingest.mapping.claims import MappedFile
from pipelines.lib.ingest.mapping.load import LoadedMapping
from pipelines.lib.ingest.mapping.patterns import matches
from pipelines.lib.ingest.mapping.reading import drop_scratch, file_pins, landed_columns, readable_file, scratch_object
from pipelines.lib.ingest.mapping.schema import EntityBlock, FileSpec
from pipelines.lib.ingest.mapping.sql import quote


def land_lookups(
    con: duckdb.DuckDBPyConnection,
    mapped: MappedFile,
    block: EntityBlock,
    entity: str,
    where: tuple,
    cache_dir: Path,
) -> dict[str, tuple[str, list[str]]]:
    """Land each file a ``lookup`` reads (found beside the mapped file); canonical column → (table, columns)."""
    loaded, found = mapped.loaded, {}
    for index, (name, source) in enumerate(block.columns.items()):
        lookup = getattr(source, "lookup", None)
        if lookup is None:
            continue
        at = (*where, "columns", name, "lookup", "from")
        spec = loaded.mapping.files.get(lookup.from_)
        if spec is None:
            raise loaded.error(f"lookup reads {lookup.from_!r}, which is not a key of files.", *at)
        anchor = mapped.anchor or loaded.path.parent  # the same anchor as the mapped file's own pattern
        path = next((p for p in sorted(anchor.rglob("*")) if p.is_file() and matches(spec.pattern, p, anchor)), None)
        if path is None:
            raise loaded.error(
                f"lookup file {spec.pattern!r} (relative to {anchor}) is not there; {mapped.path} needs it.", *at
            )
        scratch = scratch_object(f"{entity}_lookup{index}")
        drop_scratch(con, scratch)
        pins, lines_before = file_pins(spec)
        lookup_file = readable_file(path, spec, cache_dir / "xlsx" / "lookup")
        encoding = spec.encoding if lookup_file == path else None
        land_file(con, scratch, lookup_file, cache_dir, pins, lines_before, encoding, null_text=("",))
        table = f'landing."{scratch.table}"'
        columns = landed_columns(con, table)
        found[name] = (table, columns)
    return found


def unpivot(
    con: duckdb.DuckDBPyConnection, loaded: LoadedMapping, key: str, spec: FileSpec, header: list[str], relation: str
) -> tuple[list[str], str]:
    if spec.unpivot is None:
        return header, relation
    wanted = spec.unpivot.columns
    if isinstance(wanted, str):
        chosen = [c for c in header if fnmatch.fnmatch(c.lower(), wanted.lower())]
    else:
        lowered = {c.lower(): c for c in header}
        missing = [c for c in wanted if c.lower() not in lowered]
        if missing:
            raise loaded.error(
                f"unpivot columns {', '.join(missing)} are not in the file (its columns are {', '.join(header)}).",
                "files", key, "unpivot", "columns",
            )  # fmt: skip
        chosen = [lowered[c.lower()] for c in wanted]
    if not chosen:
        raise loaded.error(f"unpivot columns {wanted!r} match no column of the file ({', '.join(header)}).",
                           "files", key, "unpivot")  # fmt: skip
    name, value = spec.unpivot.name, spec.unpivot.value
    con.execute(
        f"create or replace temp table _mapping_unpivoted as unpivot {relation} "
        f"on {', '.join(quote(c) for c in chosen)} into name {quote(name)} value {quote(value)}"
    )
    return [*(c for c in header if c not in chosen), name, value], "_mapping_unpivoted"
