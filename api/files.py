"""Files the CLI and the feed export write: whole or not at all."""

from __future__ import annotations

from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    A reader (a web server, a calendar client, a user's editor) never sees half a file, and
    a failure leaves the old file in place.
    """
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
