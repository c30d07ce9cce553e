"""Why a run read no file of its inbox although the inbox holds files: every one was ignored."""

from __future__ import annotations

import os
from pathlib import Path


def nothing_read(inbox: Path) -> str | None:
    """Why a run read no file of ``inbox`` although it holds some (every one ignored); None when a file is read,
    or there is none. The mapping of the run is SALES_MAPPING, as the job reads it."""
    from pipelines.lib.ingest.mapping import MappingError
    from pipelines.lib.ingest.mapping.discover import BUILTIN_MAPPINGS, load_builtins, plan, run_anchor

    chosen = os.environ.get("SALES_MAPPING")
    mapping = Path(chosen) if chosen else None
    try:
        found = plan(inbox, mapping, load_builtins(BUILTIN_MAPPINGS))
    except (MappingError, OSError):  # the run said what stopped it; nothing to add here
        return None
    if found.read or found.salesforce or found.conflicts or not found.ignored:
        return None
    # a file a pattern nearly reads (name right, folder wrong) says the most about the fix
    first = min(found.ignored, key=lambda i: (not i.misplaced, str(i.path)))
    count = len(found.ignored)
    files = "its only readable file is" if count == 1 else f"all {count:,} readable files are"
    said = f"no file of the inbox {inbox} was read: {files} ignored, e.g. {first.path}: {first.reason}"
    if first.misplaced and mapping is not None and run_anchor(inbox, mapping) == inbox and first.path.parent != inbox:
        # an example mapping is better pointed at the export's folder than edited
        said += (
            f" Or point the run at the export's folder: `salesmetrics run --inbox {first.path.parent} --mapping "
            f"{mapping}`."
        )
    validate = " ".join(["salesmetrics validate", *(["--mapping", str(mapping)] if mapping else []), str(inbox)])
    return f"{said} `{validate}` lists every file and why."
