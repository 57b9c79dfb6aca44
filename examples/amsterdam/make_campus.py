"""Write the Amsterdam example campus as YAML files next to this script.

The files are generated from ``models.generate`` (seed ``AMSTERDAM_SEED``), so the demo,
the tests and the benchmarks share one source; do not edit the YAML by hand, change the
generator and run this script again:

    .venv/bin/python examples/amsterdam/make_campus.py          # rewrite the files
    .venv/bin/python examples/amsterdam/make_campus.py --check  # exit 1 if they drifted
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from models.generate import AMSTERDAM_SEED, generate_campus
from models.scenario import Scenario
from models.store import dump_scenario

HERE = Path(__file__).resolve().parent

# file name -> (sections it holds, what the header says). The numbers keep a shell glob in
# dependency order: models.store loads file after file, so groups must come before requests.
FILES: dict[str, tuple[tuple[str, ...], str]] = {
    "1-calendar.yaml": (
        ("holidays",),
        "School holidays (region Noord) and public holidays of the school year 2026-2027.\n"
        "The engine plans nothing on these days.",
    ),
    "2-catalogue.yaml": (
        ("equipment", "activities"),
        "The programme office's catalogue: equipment types and the activities schools\n"
        "can request (workshops, skills courses, praktijkscholing, guest lessons, ...).",
    ),
    "3-partners-and-locations.yaml": (
        ("partners", "locations"),
        "The 55 partners and their locations: training locations with equipment and\n"
        "opening hours, and one site per school (hosts_training: false) where groups start\n"
        "from and guest lessons take place.",
    ),
    "4-trainers.yaml": (
        ("trainers",),
        "Company staff and instructors who train: qualifications, teaching certificate\n"
        "(needed for guest lessons), part-time weekly hours and absences.",
    ),
    "5-schools.yaml": (
        ("groups",),
        "Groups of the schools: vmbo classes, mbo groups (BOL and BBL), hbo students,\n"
        "company staff on the didactics course and cohorts of job-seekers.",
    ),
    "6-requests.yaml": (
        ("requests",),
        "What the schools asked for in 2026-2027. The demo plans ISO weeks 2027-W11..W14;\n"
        "a few requests there cannot be planned on purpose (see their notes).",
    ),
}


class _Dumper(yaml.SafeDumper):
    """Windows, equipment needs and lists of words on one line each; no YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_dict(self, data: Any) -> yaml.MappingNode:  # type: ignore[override]
        node = super().represent_dict(data)
        flat = all(not isinstance(v, dict | list) for v in data.values())
        one_line = {"weekday", "per", "quantity", "date"} & set(data)
        if flat and (one_line or set(data) == {"first", "last"}):
            node.flow_style = True
        return node

    def represent_list(self, data: Any) -> yaml.SequenceNode:  # type: ignore[override]
        node = super().represent_list(data)
        if data and all(isinstance(v, str | int) for v in data):
            node.flow_style = True
        return node


_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(list, _Dumper.represent_list)


def _compact(text: str, name: str) -> str:
    """Re-dump the store's YAML with one-line windows: the files are read by planners."""
    # PyYAML's own reader on purpose: it reads the store's dates as dates, so they are
    # written back unquoted (the store quotes every time of day, so those stay text).
    data = yaml.safe_load(text)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def render() -> dict[str, str]:
    """File name -> YAML text, from the generator."""
    campus = generate_campus(regions=1, seed=AMSTERDAM_SEED)
    out = {}
    for name, (sections, about) in FILES.items():
        part = Scenario(name=campus.name, **{s: getattr(campus, s) for s in sections})
        header = "".join(f"# {line}\n" for line in about.splitlines())
        header += "# Written by examples/amsterdam/make_campus.py: change the generator instead.\n"
        out[name] = header + _compact(dump_scenario(part), name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    drift = []
    for name, text in render().items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drift.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if drift:
        print("out of date:", ", ".join(drift), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
