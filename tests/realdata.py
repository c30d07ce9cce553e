"""Where the tests find the real public exports (never copied into the repository).

`SALES_REALDATA` names the folder; by default it is `shared/realdata` beside the checkout, where CI keeps it.
Tests that need a file of it skip, saying which folder is missing, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

REALDATA = Path(os.environ.get("SALES_REALDATA") or Path(__file__).resolve().parents[2] / "shared" / "realdata")
