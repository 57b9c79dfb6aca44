"""Imports point one way: api -> models -> scheduler; the engine stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Top-level modules imported by each file of ``package``."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_scheduler_imports_no_persistence_web_or_calendar_code() -> None:
    forbidden = {"sqlalchemy", "fastapi", "starlette", "icalendar", "alembic", "models", "api"}
    offenders = {
        path: sorted(names & forbidden)
        for path, names in imported_modules("scheduler").items()
        if names & forbidden
    }
    assert offenders == {}


def test_only_the_cpsat_subpackage_imports_ortools() -> None:
    offenders = [
        path
        for path, names in imported_modules("scheduler").items()
        if "ortools" in names and not path.startswith("scheduler/cpsat/")
    ]
    assert offenders == []


def test_models_never_import_the_api() -> None:
    offenders = [path for path, names in imported_modules("models").items() if "api" in names]
    assert offenders == []


def test_the_cp_sat_explanations_do_not_import_the_domain_analysis() -> None:
    # both build on scheduler.reasons; scheduler.explain calls scheduler.cpsat.why, never
    # the other way round, so neither needs an import deferred into a function
    tree = ast.parse((ROOT / "scheduler/cpsat/why.py").read_text(encoding="utf-8"))
    modules = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert "scheduler.explain" not in modules
    assert "scheduler.reasons" in modules


def test_the_product_loads_no_files_by_path_and_needs_no_benchmarks() -> None:
    # api, models and scheduler work after a plain `pip install`: nothing imports a script by
    # its path or reaches into benchmarks/ (the ITC2007 mapping and runner live there)
    offenders = []
    for package in ("api", "models", "scheduler"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "spec_from_file_location" in text or '"benchmarks"' in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _cpsat_imports() -> dict[str, set[str]]:
    """Each module of scheduler/cpsat/ -> the scheduler.cpsat modules it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "scheduler" / "cpsat").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[str(path.relative_to(ROOT / "scheduler" / "cpsat"))] = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("scheduler.cpsat.")
        }
    return found


def test_the_engines_never_import_each_other_and_only_the_orchestrator_imports_them() -> None:
    # docs/scheduler.md's map: solve.py chooses an engine per part; interval/ and
    # timefirst/ build on prep/ and the shared modules, not on each other
    offenders = []
    for module, imports in _cpsat_imports().items():
        engine = module.split("/")[0] if "/" in module else None
        for imported in imports:
            sub = imported.split(".")[2]
            if sub in ("interval", "timefirst") and sub != engine and module != "solve.py":
                offenders.append(f"{module} -> {imported}")
    assert offenders == []
