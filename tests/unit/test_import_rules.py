"""The arrows of the code base, read from the source (nothing is imported, so no Dagster here either).

- ``pipelines/lib/`` is plain functions: no module under it imports Dagster, directly or through a pipelines
  module it imports (also inside a function: calling it would load Dagster).
- ``pipelines/defs/<stage>/`` imports no other stage's defs; what stages share is ``defs/resources.py``, and
  ``defs/jobs.py`` and ``pipelines/definitions.py`` assemble them.
- No ``defs/`` module reads the environment or the configuration on import: ``definitions.py`` reads it once
  and hands it to the builders; at run time it comes through resources.
- ``tests/unit/`` needs no Dagster: tests that do live in ``tests/integration/``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIPELINES = ROOT / "pipelines"
DAGSTER = ("dagster", "dagster_dbt", "dagster_duckdb", "dagster_webserver")
STAGES = ("ingest", "audit", "transform", "publish")
CONFIG_READERS = ("load_publish_config", "load_audit_config", "config_path", "resolve_paths", "export_paths")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports(path: Path, top_level_only: bool) -> tuple[str, ...]:
    """The modules ``path`` imports (``from a import b`` counts as a.b when that is a module, else a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names if module_file(f"{node.module}.{a.name}")]
    return tuple(found)


def reached(start: Path, top_level_only: bool = False) -> dict[str, list[str]]:
    """Every module ``start`` loads through pipelines modules, with the chain of imports that loads it.

    ``top_level_only``: of the modules it reaches, only what loads on import (``start``'s own imports all count)."""
    chains: dict[str, list[str]] = {}
    todo = [(start, [module_name(start)])]
    seen = {start}
    while todo:
        path, chain = todo.pop()
        for name in imports(path, top_level_only and path != start):
            chains.setdefault(name, [*chain, name])
            if name.startswith("pipelines") and (target := module_file(name)) and target not in seen:
                seen.add(target)
                todo.append((target, [*chain, name]))
    return chains


def dagster_chains(start: Path, top_level_only: bool = False) -> list[str]:
    return [
        " -> ".join(chain)
        for name, chain in sorted(reached(start, top_level_only).items())
        if name.split(".")[0] in DAGSTER
    ]


def test_lib_never_imports_dagster() -> None:
    offenders = {
        module_name(path): chains
        for path in sorted((PIPELINES / "lib").rglob("*.py"))
        if (chains := dagster_chains(path))
    }
    assert not offenders, f"lib/ must stay free of Dagster: {offenders}"


def test_a_stage_imports_no_other_stage_defs() -> None:
    crossing = []
    for stage in STAGES:
        for path in sorted((PIPELINES / "defs" / stage).rglob("*.py")):
            for name in imports(path, top_level_only=False):
                parts = name.split(".")
                if parts[:2] == ["pipelines", "defs"] and len(parts) > 2 and parts[2] in STAGES and parts[2] != stage:
                    crossing.append(f"{module_name(path)} imports {name}")
                if name == "pipelines.definitions":
                    crossing.append(f"{module_name(path)} imports {name}")
    assert not crossing, crossing


def import_time_nodes(tree: ast.Module) -> list[ast.AST]:
    """What runs when a module is imported: everything but function bodies (decorators and defaults do run)."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo += getattr(node, "decorator_list", [])
            todo += [*node.args.defaults, *node.args.kw_defaults]
            continue
        todo += [child for child in ast.iter_child_nodes(node) if child is not None]
    return out


def test_no_defs_module_reads_environment_or_configuration_on_import() -> None:
    found = []
    for path in sorted((PIPELINES / "defs").rglob("*.py")):
        for node in import_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                found.append(f"{module_name(path)}:{node.lineno} os.{node.attr}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONFIG_READERS:
                found.append(f"{module_name(path)}:{node.lineno} {node.func.id}()")
    assert not found, f"read configuration in definitions.py and pass it to a builder: {found}"


def test_unit_tests_import_no_dagster() -> None:
    offenders = {
        path.name: chains
        for path in sorted((ROOT / "tests" / "unit").glob("test_*.py"))
        if (chains := dagster_chains(path, top_level_only=True))
    }
    assert not offenders, f"move these to tests/integration/: {offenders}"


def test_the_rules_see_what_they_check() -> None:
    """The checks above are not vacuous: the definitions reach Dagster, and a defs module imports a stage."""
    assert dagster_chains(PIPELINES / "definitions.py")
    assert any(n.startswith("pipelines.defs.") for n in imports(PIPELINES / "definitions.py", top_level_only=False))
    assert len(list((PIPELINES / "lib").rglob("*.py"))) > 20


def test_modules_stay_short() -> None:
    """A module a newcomer reads in one sitting: none over 250 lines, and most (the median) under 100."""
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PIPELINES.rglob("*.py")
        if path.stat().st_size
    }
    assert {name: lines for name, lines in sizes.items() if lines > 250} == {}
    assert sorted(sizes.values())[len(sizes) // 2] < 100
