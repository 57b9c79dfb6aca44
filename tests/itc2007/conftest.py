"""Makes the standalone UD2 checker importable for the ITC2007 tests.

The UD2 checker is a standalone script in ``benchmarks/itc2007/`` (importable from the
benchmark runner next to it and from here) and deliberately not part of the ``scheduler``
package, so that it shares no code with the mapping it checks. Its folder is put on
``sys.path`` here so that the tests can ``import itc2007_checker``, and with it the
benchmark's experiment scripts next to it (``starts_alone``, ``local_search``).
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "itc2007"

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
