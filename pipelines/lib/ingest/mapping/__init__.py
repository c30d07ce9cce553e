"""Mapping files: any CSV/Excel export onto the canonical CRM model by configuration (docs/inputs.md).

schema (pydantic shape of the YAML) → load (with line numbers for errors) → check (expressions against the
file's header, before any data moves) → apply (land the file as text, one insert … select into landing).
"""

from pipelines.lib.ingest.mapping.load import MappingError, load_mapping
from pipelines.lib.ingest.mapping.schema import EntityBlock, FileSpec, Mapping

__all__ = ["EntityBlock", "FileSpec", "Mapping", "MappingError", "load_mapping"]
