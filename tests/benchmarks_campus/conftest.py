"""Makes the campus benchmark suite (``benchmarks/campus/``) importable for its quick subset.

The suite is a set of scripts next to its recorded results, not part of a package; its
folder is put on ``sys.path`` here, as ``tests/itc2007/conftest.py`` does for ITC2007.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "campus"

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
