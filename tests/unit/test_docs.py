"""The project carries its own reference: docs/inputs.md and docs/metrics.md, nothing outside the clone.

A clone has no copy of the first product spec, so no tracked file may cite it; every relative link of the
project's markdown must reach a file of the clone; every canonical column (pipelines/lib/ingest/canonical.py) is
documented in docs/inputs.md and every model of dbt_project/models/marts in docs/metrics.md.
Plain file reads (no project imports), so the test runs without the virtualenv.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "docs" / "inputs.md"
METRICS = ROOT / "docs" / "metrics.md"

# The spec's file names in capitals (the project's own pages are lower case), and its folder beside the clone.
OUTSIDE_REFERENCE = re.compile(r"\b(?:INPUTS|METRICS)\.md\b|shared/docs\b")
MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_cites_the_spec_outside_the_clone() -> None:
    offenders = []
    for path in tracked_files():
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_REFERENCE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "cite docs/inputs.md or docs/metrics.md instead:\n" + "\n".join(offenders)


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6} (.*)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_relative_markdown_links_reach_a_file() -> None:
    pages = [p for p in tracked_files() if p.suffix == ".md"] + [p for p in (INPUTS, METRICS) if p.exists()]
    assert ROOT / "README.md" in pages
    broken = []
    for page in sorted(set(pages)):
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # a URL
            path, _, anchor = target.partition("#")
            linked = (page.parent / path) if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{page.relative_to(ROOT)} → {target} (no such heading)")
    assert not broken, "links to files or headings that are not in the repository:\n" + "\n".join(broken)


def canonical_entities() -> dict[str, list[str]]:
    """ENTITIES of pipelines/lib/ingest/canonical.py (entity → columns), read from the source without importing it."""
    tree = ast.parse((ROOT / "pipelines" / "lib" / "ingest" / "canonical.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "ENTITIES":
            assert isinstance(node.value, ast.Dict)
            return {
                ast.literal_eval(entity): [ast.literal_eval(column) for column in columns.keys]
                for entity, columns in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(columns, ast.Dict)
            }
    raise AssertionError("ENTITIES not found in pipelines/lib/ingest/canonical.py")


def sections(page: Path) -> dict[str, str]:
    """Heading line → the text under it up to the next heading of any level."""
    parts = re.split(r"^(#{1,6} .*)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_canonical_column_is_documented_under_its_entity() -> None:
    assert INPUTS.exists(), "docs/inputs.md is missing"
    entities = canonical_entities()
    assert len(entities) == 11 and "opportunities" in entities
    by_heading = sections(INPUTS)
    missing = []
    for entity, columns in entities.items():
        section = next((text for heading, text in by_heading.items() if f"`{entity}`" in heading), None)
        if section is None:
            missing.append(f"no heading naming `{entity}`")
            continue
        missing += [f"{entity}.{column}" for column in columns if not re.search(rf"^\|\s*`{column}`", section, re.M)]
    assert not missing, "docs/inputs.md does not document:\n" + "\n".join(missing)


def test_every_mart_is_documented() -> None:
    assert METRICS.exists(), "docs/metrics.md is missing"
    page = METRICS.read_text(encoding="utf-8")
    headings = "\n".join(sections(METRICS))
    models = sorted(p.stem for p in (ROOT / "dbt_project" / "models" / "marts").glob("*.sql"))
    assert "sales_by_period" in models and len(models) >= 20
    missing = [
        m for m in models if f"`{m}`" not in page or (not m.startswith(("fct_", "dim_")) and f"`{m}`" not in headings)
    ]
    assert not missing, "docs/metrics.md does not document (metric marts need a heading of their own):\n" + "\n".join(
        missing
    )
