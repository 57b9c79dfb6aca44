"""`campus generate`: generated campuses for benchmarks.

The ITC2007 benchmark is a developer tool outside the product CLI
(``python benchmarks/itc2007/run.py``, docs/benchmarks.md): it needs the instances and the
independent checker that live in a clone of the project, not in an installed package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import console
from api.files import write_atomic


def generate(
    out: Annotated[Path, typer.Option(help="Scenario file to write.")],
    regions: Annotated[int, typer.Option(min=1, help="Regions side by side.")] = 1,
    seed: Annotated[int, typer.Option(help="Same seed, same campus.")] = 0,
) -> None:
    """Write a generated campus with the Amsterdam character (N regions side by side).

    Example: [bold]campus generate --regions 3 --seed 7 --out /tmp/three.yaml[/] then
    [bold]campus load /tmp/three.yaml[/]
    """
    from models.generate import generate_campus
    from models.store import dump_scenario

    text = dump_scenario(generate_campus(regions, seed))
    write_atomic(out, text.encode("utf-8"))
    console.print(f"wrote {out} ({regions} region(s), seed {seed})")


def register(app: typer.Typer) -> None:
    app.command()(generate)
