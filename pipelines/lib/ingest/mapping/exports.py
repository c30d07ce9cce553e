"""Whether an inbox file is a Salesforce Data Export object's (or targets, benchmarks, fixed_costs): known by its
name, and its header line has the object's field names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.ingest.salesforce import ALL_OBJECTS, ExportObject

EXPORT_SHAPE = 3  # API field names of the object (Id, AccountId, StageName…) that make a header a Data Export's


@dataclass(frozen=True)
class ExportFile:
    """A file landed by the ingest asset of a Salesforce Data Export object (or targets, benchmarks, fixed_costs)."""

    path: Path
    obj: ExportObject


def named_object(path: Path, objects: tuple[ExportObject, ...] = ALL_OBJECTS) -> ExportObject | None:
    """The object whose Data Export file name ``path`` has (Opportunity.csv, opportunity_2026-06-30.csv)."""
    return next((obj for obj in objects if obj.matches(path.name)), None)


def export_header_problem(obj: ExportObject, header: list[str]) -> str | None:
    """None when a file named like ``obj`` with this header line is ``obj``'s export, possibly damaged (landing
    then refuses it with its reason); else why it is not.

    Data Export headers are the object's API field names, exactly as Salesforce writes them. A header that cannot
    be judged (empty, binary, one column: a delimiter that is not , ; tab |) is the object's, so landing names the
    true problem. A header with fewer than EXPORT_SHAPE of the object's field names is another system's file.
    """
    if len(header) <= 1:
        return None
    known = [c for c in header if c in obj.columns]
    if len(known) >= EXPORT_SHAPE or all(c in header for c in obj.required):
        return None
    missing = [c for c in obj.required if c not in header]
    spelled = {c.casefold(): c for c in obj.columns}
    if len(other_case := [c for c in header if c not in obj.columns and c.casefold() in spelled]) >= EXPORT_SHAPE:
        shown = ", ".join(f"{c} for {spelled[c.casefold()]}" for c in other_case[:4])
        return (  # a Data Loader extract writes the field names in capitals: say so, not "none of its field names"
            f"its name looks like the Salesforce Data Export object {obj.name} ({obj.name}*.csv), and its header has "
            f"{obj.name}'s field names, but in another case ({shown}{', …' if len(other_case) > 4 else ''}; a Data "
            "Loader extract writes them in capitals), and a Data Export file is read by its field names exactly as "
            f"Salesforce spells them. To load it as {obj.name}, write its header line as the API names "
            f"({', '.join(obj.required)}, …)"
        )
    has = (
        f"only {len(known)} of {obj.name}'s field names ({', '.join(known)}; a Data Export header has at least "
        f"{EXPORT_SHAPE}) and not its required {', '.join(missing)}"
        if known
        else f"none of {obj.name}'s required columns ({', '.join(obj.required)}) nor any other of its field names"
    )
    return (
        f"its name looks like the Salesforce Data Export object {obj.name} ({obj.name}*.csv), but it is not one: "
        f"its header has {has}"
    )


def unnamed_export_hint(header: list[str], objects: tuple[ExportObject, ...]) -> str | None:
    """For a file whose name is no object's: the hint that its header is a Data Export object's, if it is."""
    shaped = [
        (len(known), obj)
        for obj in objects
        if all(c in header for c in obj.required)
        and len(known := [c for c in header if c in obj.columns]) >= EXPORT_SHAPE
    ]
    if not shaped:
        return None
    obj = max(shaped, key=lambda found: found[0])[1]
    return (
        f"its header has the Salesforce Data Export columns of {obj.name} ({', '.join(obj.required)}, …), but a Data "
        f"Export file is known by its name: to load it as {obj.name}, name it {obj.file_name} (or "
        f"{obj.name}_<date>.csv)"
    )


def first_line_headers(path: Path) -> list[str]:
    from pipelines.lib.ingest.layout import header_fields

    if path.suffix.lower() == ".xlsx":  # the header of its first sheet with a table (HubSpot exports .xlsx by default)
        from pipelines.lib.ingest.workbook_heads import workbook_header

        return workbook_header(path)
    return header_fields(path)  # the header line, below a report's title block if there is one
