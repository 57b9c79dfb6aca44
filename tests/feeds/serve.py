"""`campus serve` as a subscriber meets it: a real server process on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CAMPUS = Path(sys.executable).with_name("campus")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def campus_serve(
    env: Mapping[str, str], port: int, log: Path, *, start_seconds: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `campus serve` with ``env``, wait until /health answers, stop it afterwards.

    Its output (the access log) goes to ``log``; a server that does not come up fails the
    test with that log.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(CAMPUS), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"campus serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
