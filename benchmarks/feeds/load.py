"""Load benchmark of the feed server: `campus serve` on 127.0.0.1 under N concurrent clients.

Targets (issue 22, 2-core machine, one uvicorn worker, 20 concurrent clients): a 304 at
>= 1,000 req/s, a school feed's 200 at >= 500 req/s with p99 under 100 ms, on SQLite and on
PostgreSQL. The script

1. makes sure the database holds a published plan (else runs `campus demo` on it: the
   Amsterdam example, solved for 2027-W11..W14 and published),
2. creates feed tokens for the campus and for the school whose feed is nearest --school-kb,
3. starts `campus serve` on a free loopback port (its own process, access log on),
4. drives each case for --duration seconds with --connections keep-alive clients, with wrk
   (Debian package `wrk`) when installed, else with a small asyncio client,
5. prints req/s, p50 and p99 per run and the medians over --repeat runs, and the server's
   CPU time per request (what a request costs, whatever else the machine is doing).

Only 127.0.0.1 is ever contacted; every run is bounded by --duration.

    .venv/bin/python benchmarks/feeds/load.py --repeat 3                       # SQLite
    .venv/bin/python benchmarks/feeds/load.py --db postgresql+psycopg://campus:campus@127.0.0.1:5432/campus_bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CAMPUS = Path(sys.executable).with_name("campus")


@dataclass(frozen=True)
class Run:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    statuses: str


def _campus(db: str, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [str(CAMPUS), *args, "--db", db], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise SystemExit(f"campus {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _token(db: str, *view: str) -> str:
    """A fresh token for the view (rotated if one exists, so the secret is known)."""
    out = subprocess.run(
        [str(CAMPUS), "feeds", "create", *view, "--db", db], capture_output=True, text=True
    )
    if out.returncode != 0:
        out = subprocess.run(
            [str(CAMPUS), "feeds", "rotate", *view, "--db", db], capture_output=True, text=True
        )
    match = re.search(r"/cal/([A-Za-z0-9_-]+)\.ics", out.stdout)
    if match is None:
        raise SystemExit(f"no feed URL for {view}:\n{out.stdout}{out.stderr}")
    return match.group(1)


def prepare(db: str, work: Path, school_kb: float) -> tuple[str, str, str]:
    """(school key, school token, campus token) on a database with a published plan."""
    _campus(db, "feeds", "list")  # creates or upgrades the schema
    sys.path.insert(0, str(ROOT))
    from datetime import UTC, datetime

    from api.feeds.ical import render_feed
    from api.feeds.settings import FeedSettings
    from models.db import make_engine, session_scope
    from models.feeds import all_subjects, feed_data, publication_version

    engine = make_engine(db)
    with session_scope(engine) as session:
        published = publication_version(session)
    if not published:
        print("no published plan: running `campus demo` (solve 10 s, publish)", flush=True)
        _campus(db, "demo", "--time-limit", "10", "--out", str(work / "feeds"), timeout=900)
    settings, now = FeedSettings.from_env(), datetime.now(UTC)
    with session_scope(engine) as session:  # the school feed nearest the asked size
        sizes = {
            s.key: len(render_feed(feed_data(session, s, now=now, window=settings.window)))
            for s in all_subjects(session)
            if s.view == "school"
        }
    engine.dispose()
    school = min(sizes, key=lambda k: abs(sizes[k] - school_kb * 1024))
    return school, _token(db, "--school", school), _token(db, "--campus")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    """wrk's "812.00us", "4.21ms", "1.02s" or "1.50m" in milliseconds (nan if unreadable)."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        return float("nan")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(url: str, headers: dict[str, str], connections: int, duration: int) -> tuple[int, float, float, float, str]:  # noqa: E501
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 30)
    text = out.stdout

    def field(pattern: str) -> str:
        match = re.search(pattern, text)
        if match is None:
            raise SystemExit(f"unexpected wrk output:\n{text}{out.stderr}")
        return match.group(1)

    count = int(field(r"(\d+) requests in"))
    rate = float(field(r"Requests/sec:\s+([\d.]+)"))
    p50, p99 = _ms(field(r"(?m)^\s*50%\s+(\S+)")), _ms(field(r"(?m)^\s*99%\s+(\S+)"))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    notes = (f"{bad.group(1)} non-2xx/3xx " if bad else "") + (errors.group(1) if errors else "")
    return count, rate, p50, p99, notes.strip()


async def _python_client(
    port: int, path: str, headers: dict[str, str], connections: int, duration: int
) -> tuple[int, float, float, float, str]:
    """Keep-alive HTTP/1.1 clients on raw sockets: the fallback when wrk is missing."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
    latencies: list[float] = []
    bad = 0
    deadline = time.monotonic() + duration

    async def client() -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - t0) * 1000)
            if status_line.split()[1] not in (b"200", b"304"):
                bad += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return len(latencies), len(latencies) / elapsed, p(0.50), p(0.99), f"{bad} bad" if bad else ""


def one_run(
    port: int, pid: int, path: str, headers: dict[str, str], connections: int, duration: int
) -> Run:
    cpu0 = _cpu_seconds(pid)
    if shutil.which("wrk"):
        count, rate, p50, p99, notes = _wrk(
            f"http://127.0.0.1:{port}{path}", headers, connections, duration
        )
    else:
        count, rate, p50, p99, notes = asyncio.run(
            _python_client(port, path, headers, connections, duration)
        )
    cpu = (_cpu_seconds(pid) - cpu0) * 1000 / max(count, 1)
    return Run(rate, p50, p99, cpu, notes)


def _status(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, int]:
    r = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30)
    return r.status_code, r.headers.get("etag", ""), len(r.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--school-kb", type=float, default=5.4, help="size of school feed")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    db = args.db or f"sqlite:///{work / 'campus.db'}"
    school, school_token, campus_token = prepare(db, work, args.school_kb)
    port = _free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(CAMPUS), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _status(port, "/health", {})[0] == 200:
                    break
            except (OSError, httpx.TransportError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"campus serve did not start:\n{(work / 'serve.log').read_text()}")
            time.sleep(0.3)
        school_path, campus_path = f"/cal/{school_token}.ics", f"/cal/{campus_token}.ics"
        status, etag, size = _status(port, school_path, {})
        campus_status, _tag, campus_size = _status(port, campus_path, {})
        assert status == campus_status == 200, (status, campus_status)
        assert _status(port, school_path, {"If-None-Match": etag})[0] == 304
        load = os.getloadavg()
        print(
            f"{platform.node()}: nproc {os.cpu_count()}, Python {platform.python_version()}, "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
            f"client {'wrk' if shutil.which('wrk') else 'asyncio'}, "
            f"{args.connections} connections, {args.duration} s x {args.repeat}; "
            f"database {db.split('://')[0]}"
        )
        cases = [
            (f"school feed 304 ({school}, If-None-Match)", school_path, {"If-None-Match": etag}),
            (f"school feed 200 ({school}, {size / 1024:.1f} KB)", school_path, {}),
            (f"campus feed 200 ({campus_size / 1024:.1f} KB)", campus_path, {}),
        ]
        for name, path, headers in cases:
            runs = []
            for _ in range(args.repeat):
                run = one_run(port, server.pid, path, headers, args.connections, args.duration)
                runs.append(run)
                print(
                    f"  {name}: {run.requests_per_s:.0f} req/s, p50 {run.p50_ms:.1f} ms, "
                    f"p99 {run.p99_ms:.1f} ms, server CPU {run.cpu_ms_per_request:.2f} ms/req"
                    + (f" ({run.statuses})" if run.statuses else ""),
                    flush=True,
                )
            print(
                f"{name}: median {statistics.median(r.requests_per_s for r in runs):.0f} req/s, "
                f"p50 {statistics.median(r.p50_ms for r in runs):.1f} ms, "
                f"p99 {statistics.median(r.p99_ms for r in runs):.1f} ms, server CPU "
                f"{statistics.median(r.cpu_ms_per_request for r in runs):.2f} ms/req",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if not args.db:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
