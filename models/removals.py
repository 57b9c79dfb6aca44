"""What loading a scenario file would remove from the database, found before anything is written.

Loading keeps "the file is the truth for every entity it names": a list the file gives
replaces the stored one, and a field it leaves out gets its default. A company that loaded
a file with only a new one-off window for its location thereby silently lost the location's
weekly windows, equipment and address. So the loader first compares every entity the files
name, as stored (exported into the file's own models), with the file's version, and removes
nothing unless asked to (``replace``).

The comparison walks the scenario models' fields generically, so a list or field added to
the format (and to the export, which the round-trip tests demand anyway) is covered
without a change here; only its noun in ``NOUNS`` reads better than "entries".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from models import scenario as s
from models.text import excerpt

# How a removed list item is counted in words, by the field that holds the list.
NOUNS: dict[str, tuple[str, str]] = {
    "weekly": ("weekly window", "weekly windows"),
    "one_off": ("one-off window", "one-off windows"),
    "closures": ("closure", "closures"),
    "absences": ("absence", "absences"),
    "unavailable": ("period", "periods"),
    "equipment": ("equipment entry", "equipment entries"),
    "qualifications": ("qualification", "qualifications"),
    "groups": ("group", "groups"),
    "weekdays": ("weekday", "weekdays"),
    "partners": ("partner", "partners"),
    "locations": ("location", "locations"),
}


@dataclass(frozen=True)
class Removal:
    """Stored data that a load would remove or blank: a list's missing items, or one field."""

    file: str
    path: str  # e.g. locations[ww-hal].availability.weekly
    what: str  # "3 weekly windows not in the file", or a field's stored value
    change: str  # "removed", "reset to '' (the file leaves it out)"
    items: tuple[str, ...] = ()  # a list's removed items, each as written in a file

    @property
    def count(self) -> int:
        """Items this removal stands for (a blanked field counts as one)."""
        return len(self.items) or 1

    def reason(self, done: bool = False) -> str:
        """What happens, before the load (``will be``) or after it (``was``/``were``)."""
        verb = ("were" if self.count > 1 else "was") if done else "will be"
        return f"{self.what} {verb} {self.change}"

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.reason()}"

    def lines(self, done: bool = False) -> list[str]:
        """The heading line, then one indented line per removed item."""
        head = f"{self.file}: {self.path}: {self.reason(done)}"
        return [head, *(f"    {item}" for item in self.items)]


class RemovalsRefused(s.ScenarioError):
    """Loading would remove stored data and ``replace`` was not given; nothing was written.

    A ScenarioError, so a caller that lists a failed load's problems lists these too.
    """

    def __init__(self, removals: Sequence[Removal]) -> None:
        super().__init__([s.ScenarioIssue(r.file, r.path, r.reason()) for r in removals])
        self.removals = list(removals)

    @property
    def count(self) -> int:
        return sum(r.count for r in self.removals)


def _flow(value: Any) -> str:
    """A value on one line as YAML flow, the way a scenario file may write it."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    )
    text = text.removesuffix("\n").removesuffix("\n...").strip()
    return text if len(text) <= 200 else text[:197] + "..."


def show(value: Any) -> str:
    """A stored field's value on one line: text quoted and escaped, anything else as YAML."""
    return excerpt(value) if isinstance(value, str) else _flow(value)


def _identity(item: Any) -> Any:
    """What makes two list items the same one: the code or key of an entry that has one
    (a changed quantity is an update, not a removal), else the whole value as written."""
    if isinstance(item, BaseModel):
        for name in ("code", "key"):
            if name in type(item).model_fields:
                return (name, getattr(item, name))
        return item.model_dump_json()
    return item


def _written(model: BaseModel, name: str) -> list[Any]:
    """A list field's items as the file format writes them (defaults left out)."""
    info = type(model).model_fields[name]
    dumped = model.model_dump(
        mode="python", by_alias=True, exclude_defaults=True, include={name}
    )
    return list(dumped.get(info.alias or name, []))


def _counted(name: str, n: int) -> str:
    singular, plural = NOUNS.get(name, ("entry", "entries"))
    return f"{n} {singular if n == 1 else plural}"


def compare(file: str, path: str, given: BaseModel, stored: BaseModel) -> list[Removal]:
    """What loading ``given`` over ``stored`` (the same entity, same model) would remove.

    - a list item stored but not in the file (a changed window counts: the old one goes);
    - a mapping entry (location equipment) whose key the file does not hold;
    - a field the file leaves out whose stored value differs from the default it would get.
    A field the file states is an update, never a removal, whatever its value.
    """
    found: list[Removal] = []
    for name, info in type(given).model_fields.items():
        new, old = getattr(given, name), getattr(stored, name)
        where = f"{path}.{info.alias or name}"
        if isinstance(new, BaseModel) and isinstance(old, BaseModel):
            found += compare(file, where, new, old)  # left out: the default, all fields unset
        elif isinstance(new, list) and isinstance(old, list):
            kept = Counter(_identity(item) for item in new)
            missing: list[int] = []  # positions in the stored list
            for i, item in enumerate(old):
                identity = _identity(item)
                if kept[identity] > 0:
                    kept[identity] -= 1
                else:
                    missing.append(i)
            if missing:
                written = _written(stored, name)  # weekdays as 'tue', times as '13:00'
                what = f"{_counted(name, len(missing))} not in the file"
                items = tuple(_flow(written[i]) for i in missing)
                found.append(Removal(file, where, what, "removed", items))
        elif isinstance(new, dict) and isinstance(old, dict):
            gone = [f"{key}: {_flow(value)}" for key, value in old.items() if key not in new]
            if gone:
                what = f"{_counted(name, len(gone))} not in the file"
                found.append(Removal(file, where, what, "removed", tuple(gone)))
        elif name not in given.model_fields_set and new != old:
            change = f"reset to {show(new)} (the file leaves it out)"
            found.append(Removal(file, where, show(old), change))
    return found
