"""`campus generate` and `campus bench`: generated campuses and the ITC2007 benchmark."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from api.cli_common import console, fail
from api.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
ITC_DIR = ROOT / "benchmarks" / "itc2007"

bench_app = typer.Typer(help="Measure the engine on benchmarks.", no_args_is_help=True)


def _itc_runner() -> ModuleType:
    """The runner lives beside its independent checker in benchmarks/itc2007/."""
    path = ITC_DIR / "run.py"
    if not path.is_file():
        raise fail(f"{path} is missing: the ITC2007 benchmark ships with a clone of the project")
    if str(ITC_DIR) not in sys.path:
        sys.path.insert(0, str(ITC_DIR))
    spec = importlib.util.spec_from_file_location("itc2007_run", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@bench_app.command("itc2007")
def itc2007(
    instances: Annotated[
        Path, typer.Option(help="Folder with the .ctt instances.")
    ] = ITC_DIR / "instances",
    only: Annotated[
        str | None, typer.Option(help="Comma-separated instances, e.g. comp01,comp05.")
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 300.0,
    workers: Annotated[int, typer.Option(help="Search workers.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Where .sol files and results.csv go.")] = Path(
        "out/itc2007"
    ),
) -> None:
    """Solve ITC2007 track 3 instances, write and check their .sol files, print the table.

    The table shows hard violations (must be 0), each UD2 cost, the total, the best known,
    the ratio (total + 1) / (best known + 1) and the times to first feasible and last
    improvement.

    Example: [bold]campus bench itc2007 --only comp01,comp05 --time-limit 60[/]
    """
    argv = ["--instances", str(instances), "--time-limit", str(time_limit), "--workers",
            str(workers), "--seed", str(seed), "--out", str(out)]  # fmt: skip
    if only:
        argv += ["--only", only]
    runner = _itc_runner()
    try:
        code = runner.main(argv, echo=lambda line: console.print(line, highlight=False))
    except SystemExit as exc:  # argparse's own errors (unknown instance)
        raise typer.Exit(int(exc.code or 0)) from None
    raise typer.Exit(code)


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
    app.add_typer(bench_app, name="bench")
