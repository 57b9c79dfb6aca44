"""Time `campus load` of one scenario file: into an empty database, then again unchanged.

Each measurement runs in a fresh Python process so its peak memory is its own. Prints the
median wall time over the runs and the largest peak RSS, per database and phase.

    .venv/bin/campus generate --regions 28 --seed 1 --out /tmp/big.yaml   # ~4.0 MB
    .venv/bin/python benchmarks/load/run.py /tmp/big.yaml --runs 3 \
        [--postgres postgresql+psycopg://campus:campus@127.0.0.1:5432/campus_bench]

The PostgreSQL database is emptied (schema public dropped) before each fresh load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _empty(url: str) -> None:
    """A database without tables, ready for `load` to create the schema."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        Path(engine.url.database).unlink(missing_ok=True)
    else:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _measure(url: str, path: Path) -> dict[str, float]:
    """One load of ``path`` in this process: seconds and peak RSS in MB."""
    from api.cli_common import ready_engine
    from models.db import session_scope
    from models.store import load_files

    engine = ready_engine(url)  # schema created outside the timed part
    start = time.perf_counter()
    with session_scope(engine) as session:
        summary = load_files(session, [path])
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = sum(summary.created.values()) + sum(summary.updated.values())
    return {"seconds": seconds, "peak_mb": peak_mb, "entities": rows}


def _child(url: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(path)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="URL of a scratch PostgreSQL database (emptied!)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.file)))
        return
    size = args.file.stat().st_size
    print(f"{args.file} ({size / 1e6:.2f} MB), {args.runs} runs, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{Path(tmp) / 'bench.db'}"]
        if args.postgres:
            urls.append(args.postgres)
        for url in urls:
            results: dict[str, list[dict[str, float]]] = {"fresh": [], "reload": []}
            for _ in range(args.runs):
                _empty(url)
                results["fresh"].append(_child(url, args.file))
                results["reload"].append(_child(url, args.file))
            for phase, runs in results.items():
                times = sorted(r["seconds"] for r in runs)
                print(
                    f"{url.split(':')[0]:<20} {phase:<7} median {statistics.median(times):6.2f} s"
                    f"  (runs {', '.join(f'{t:.2f}' for t in times)})"
                    f"  peak RSS {max(r['peak_mb'] for r in runs):.0f} MB"
                    f"  entities {runs[0]['entities']:.0f}"
                )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
