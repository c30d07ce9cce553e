"""Read a mapping file: YAML → pydantic, with every error naming the file and the line it concerns."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipelines.lib.ingest.canonical import ENTITIES
from pipelines.lib.ingest.mapping.schema import Mapping


class MappingError(Exception):
    """A mapping that cannot be used; the message names the file, the line and the fix."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        self.path, self.problem, self.line = path, problem, line
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)]
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def node_line(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """1-based line of the node at ``path`` (mapping keys / list indexes); the deepest node found."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


class LoadedMapping:
    """A validated mapping plus where each of its keys sits in the file (for later error messages)."""

    def __init__(self, path: Path, mapping: Mapping, root: yaml.Node | None) -> None:
        self.path, self.mapping, self._root = path, mapping, root

    @property
    def recognise(self) -> dict[str, list[str]]:
        return self.mapping.recognise

    @property
    def source(self) -> str:
        return self.mapping.source

    def line(self, *path: str | int) -> int | None:
        return node_line(self._root, path)

    def error(self, problem: str, *path: str | int) -> MappingError:
        return MappingError(self.path, problem, self.line(*path))


def load_mapping(path: Path) -> LoadedMapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(path, f"cannot read the mapping file ({exc}).") from exc
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MappingError(
            path, f"not valid YAML: {getattr(exc, 'problem', exc)}.", mark.line + 1 if mark else None
        ) from exc
    if not isinstance(data, dict):
        raise MappingError(path, "a mapping file is a YAML mapping with keys source, files and entities.", 1)
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS))]
        key = loc[-1] if loc else None
        if first["type"] == "extra_forbidden" and isinstance(key, str):
            problem = f"unknown key {key!r}."
        elif first["type"] == "missing" and key is not None:
            problem = f"key {key!r} is required here."
        else:
            problem = f"{'.'.join(str(p) for p in loc)}: {first['msg']}."
        raise MappingError(path, problem, node_line(root, loc)) from exc
    loaded = LoadedMapping(path, mapping, root)
    for entity, _blocks in mapping.entities.items():
        for index, block in enumerate(mapping.blocks(entity)):
            if block.from_ not in mapping.files:
                where = (entity, index, "from") if isinstance(mapping.entities[entity], list) else (entity, "from")
                raise loaded.error(
                    f"entities.{entity} reads from {block.from_!r}, which is not a key of files "
                    f"({', '.join(mapping.files)}).{did_you_mean(block.from_, list(mapping.files))}",
                    "entities",
                    *where,
                )
            for column in block.columns:
                if column not in ENTITIES[entity]:
                    where = (
                        (entity, index, "columns", column)
                        if isinstance(mapping.entities[entity], list)
                        else (entity, "columns", column)
                    )
                    raise loaded.error(
                        f"{entity} has no canonical column {column!r} (it has {', '.join(ENTITIES[entity])})."
                        f"{did_you_mean(column, list(ENTITIES[entity]))}",
                        "entities",
                        *where,
                    )
    return loaded


# pydantic names union members in error locations (str, Const, …): not keys of the YAML
_UNION_TAGS = {"str", "Const", "Mapped", "Expr", "EntityBlock", "list", "function-after", "int", "float", "bool"}
