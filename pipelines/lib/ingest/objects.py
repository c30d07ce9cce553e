"""One input table as a Data Export writes it: its file name, its raw table, its columns (the raw contract)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportObject:
    """One Salesforce object as it appears in a Data Export."""

    name: str  # the object's API name, also the export file's stem (Opportunity.csv)
    table: str  # the table in the ``raw`` schema
    columns: tuple[str, ...]  # the columns the sample writes, in order
    required: tuple[str, ...]  # columns without which the file cannot be this object
    description: str
    # columns raw always has though the sample does not write them (NULL for exports without them)
    optional: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def matches(self, file_name: str) -> bool:
        """True when ``file_name`` is an export of this object: ``Opportunity.csv``, ``opportunity_2026-06-30.csv``.

        The stem must equal the object name or continue with a separator, so ``OpportunityLineItem.csv``
        is never taken for ``Opportunity``.
        """
        pattern = rf"^{re.escape(self.name)}([ _.\-].*)?\.csv$"
        return re.match(pattern, file_name, flags=re.IGNORECASE) is not None


# Lineage columns every raw table carries after the file's own columns.
LINEAGE_COLUMNS: tuple[str, ...] = ("_source_file", "_source_sha256", "_source_line", "_loaded_at")
