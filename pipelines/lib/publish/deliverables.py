"""What a sales manager receives with each publication: section data, the dashboard page, the workbook,
and the index page of all publications."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.lib.publish.dashboard import ENV, load, write_page
from pipelines.lib.publish.sections import write_sections
from pipelines.lib.publish.workbook import workbook_name, write_workbook

GRAIN_NAMES = {"week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class VersionIdentity:
    """One published version of a period: what names it and what its manifest records about where it comes from."""

    grain: str
    label: str
    version: int
    snapshot_id: str
    run_id: str
    published_at: datetime
    checksums: str  # JSON of the input files' sha256
    source: str
    rows: int


def freeze_sections(con: duckdb.DuckDBPyConnection, scratch: Path, grain: str, label: str) -> None:
    """sections/*.parquet of the period, from the marts: what the page and workbook are rendered from."""
    from pipelines.lib.publish.snapshots import GRAINS, period_bounds

    start, end = period_bounds(grain, label)
    write_sections(con, scratch / "sections", GRAINS[grain], start, end)


def render_deliverables(scratch: Path, identity: VersionIdentity) -> list[Path]:
    """The workbook and the dashboard page, from the publication's own files in ``scratch`` only (no warehouse)."""
    from pipelines.lib.config import load_publish_config

    grain, label, version = identity.grain, identity.label, identity.version
    meta = {
        "grain": grain,
        "label": label,
        "version": version,
        "snapshot_id": identity.snapshot_id,
        "published_at": identity.published_at,
        "source": identity.source,
        "currency": load_publish_config().reporting_currency,
    }
    frozen = load(scratch)
    book = write_workbook(scratch / workbook_name(grain, label, version), frozen, **meta)
    page_meta = {k: v for k, v in meta.items() if k != "label"}
    page = write_page(scratch, frozen, label_=label, workbook=book.name, **page_meta)
    return [page, book]


def publications(publish_dir: Path) -> dict[str, list[dict]]:
    """grain → periods newest first, each with its versions newest first (from versions.json)."""
    found: dict[str, list[dict]] = {}
    for grain in ("monthly", "weekly"):
        periods = []
        for index in (publish_dir / grain).glob("*/versions.json"):
            entry = json.loads(index.read_text(encoding="utf-8"))
            for v in entry["versions"]:
                folder = index.parent / v["folder"]
                v["page"] = f"{grain}/{entry['period']}/{v['folder']}/index.html"
                books = sorted(folder.glob("*.xlsx"))
                v["workbook"] = f"{grain}/{entry['period']}/{v['folder']}/{books[0].name}" if books else None
                v["has_page"] = (folder / "index.html").exists()
            entry["versions"].sort(key=lambda v: v["version"], reverse=True)
            periods.append(entry)
        found[grain] = sorted(periods, key=lambda e: e["period"], reverse=True)
    return found


def write_site_index(publish_dir: Path) -> Path:
    """Rewrite data/published/index.html (atomically) listing every publication."""
    html = ENV.get_template("index.html.j2").render(
        groups=publications(publish_dir), generated_at=datetime.now().astimezone()
    )
    partial = publish_dir / ".index.html.partial"
    partial.write_text(html, encoding="utf-8")
    return partial.replace(publish_dir / "index.html")
