"""How long one feed takes to render: N sessions (default 1,000) through `render_feed`.

Target (issue 22): a 1,000-event feed in <= 50 ms on the 2-core machine. Prints the median
and the spread over --repeat renders, for the writer in api/feeds/ical.py and, with
--reference, for the icalendar-object renderer it replaced (tests/feeds/reference_ical.py).

    .venv/bin/python benchmarks/feeds/render.py --events 1000 --repeat 15 --reference
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from api.feeds.ical import render_feed  # noqa: E402
from models.feeds import FeedData, FeedSession, FeedSubject  # noqa: E402


def campus_feed(events: int) -> FeedData:
    """A campus feed with ``events`` sessions of realistic length (names, route, contact)."""
    start = datetime(2027, 1, 4, 9)
    stamp = datetime(2026, 12, 1, 8, tzinfo=UTC)
    sessions = tuple(
        FeedSession(
            uid=f"req-{i:04}-s1@tic-planner.campus", start=start + timedelta(hours=6 * i),
            end=start + timedelta(hours=6 * i + 3), status="cancelled" if i % 10 == 0 else
            "confirmed", sequence=i % 3, created=stamp, last_modified=stamp + timedelta(hours=i),
            activity="Vaardigheidstraining schakelkasten", team="E-installaties",
            groups=("3 KB-b (Vmbo College Zuidoost)", "3 BB-a (Vakcollege Noord)"),
            location="E-lab Noord", address="Johan van Hasseltweg 20, 1021 KN Amsterdam",
            latitude=52.401, longitude=4.929, host="Elektro Noord B.V.", host_kind="company",
            contact="Fatma Yılmaz, planning@elektro-noord.example, 020 555 0101",
            trainers=("Ahmed El Amrani",), equipment=("Schakelkast, 3-fase", "Meetset"),
            note="Neem veiligheidsschoenen mee; parkeren aan de achterzijde.",
        )
        for i in range(events)
    )  # fmt: skip
    return FeedData(FeedSubject("campus", "", "Campus, alle sessies"), sessions)


def median_ms(render, data: FeedData, repeat: int) -> tuple[float, float, float, float, int]:  # type: ignore[no-untyped-def]
    """Wall-clock (median, min, max) and median CPU milliseconds per render, and its size.

    CPU time is what the render itself costs; wall time also counts waiting for a core on a
    machine shared with other work.
    """
    body = render(data, base_url="https://campus.example.org")  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        render(data, base_url="https://campus.example.org")
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), min(wall), max(wall), statistics.median(cpu), len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reference", action="store_true", help="also time the old renderer")
    args = parser.parse_args()
    data = campus_feed(args.events)
    renderers = [("render_feed", render_feed)]
    if args.reference:
        from tests.feeds.reference_ical import render_feed as reference

        renderers.append(("icalendar objects (before)", reference))
    for name, render in renderers:
        med, low, high, cpu, size = median_ms(render, data, args.repeat)
        print(
            f"{name}: {args.events} events, {size / 1024:.1f} KiB: median {med:.1f} ms wall "
            f"(min {low:.1f}, max {high:.1f}), median {cpu:.1f} ms CPU, {args.repeat} renders"
        )


if __name__ == "__main__":
    main()
