"""The campus scenario file: one versioned YAML format, validated by pydantic.

A scenario describes a whole campus (or a part of one: several files can be loaded
together). Errors name the file, the path inside it and the reason, e.g.
``campus.yaml: locations[3].capacity: must be > 0 (got -2)``, so a planner can fix the
file without reading code. The JSON Schema in ``docs/scenario.schema.json`` is generated
from these models (``campus schema``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from models.text import MULTI_LINE, SINGLE_LINE, excerpt

FORMAT_NAME = "tic-planner/campus"
FORMAT_VERSION = 1

# Upper bounds for numbers, far above any real campus and far below what overflows a
# database integer, the engine's arithmetic or a calendar (docs/scenario.md lists them).
MAX_PEOPLE = 1000  # seats, headcounts, participants, equipment quantities
MAX_MINUTES = 24 * 60  # durations, buffers and travel times
MAX_HOURS_PER_WEEK = 7 * 24
MAX_SESSIONS = 100  # sessions of one activity, and the days to spread them over
MAX_DAYS_BETWEEN = 366
MAX_PRIORITY = 100
MAX_NOTE = 2000  # characters of a request's note
MAX_WEEKLY = 400  # weekly windows of one location, trainer or group (checked pairwise)
MAX_DATED = 1000  # one-off windows, closures, absences or unavailable periods of one entity

# Reading limits: a scenario file is written by people or by `campus generate`, never
# megabytes of nesting or of aliases (docs/scenario.md, "Limits").
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIAS_NODES = 10_000

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _HHMM.match(value)
        if match:
            return time(int(match.group(1)), int(match.group(2)))
        raise ValueError(
            f"must be a time of day HH:MM between 00:00 and 23:59 (got {excerpt(value)})"
        )
    raise ValueError(f"must be a time of day written as 'HH:MM' (got {excerpt(value)})")


def _format_clock(value: time) -> str:
    return value.strftime("%H:%M")


_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _parse_weekday(value: Any) -> int:
    """'tue', 'Tuesday' or the ISO number 2."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in WEEKDAYS:
            return WEEKDAYS.index(low) + 1
        if low in _FULL_WEEKDAYS:
            return _FULL_WEEKDAYS.index(low) + 1
    raise ValueError(f"unknown weekday {excerpt(value)}: use one of {', '.join(WEEKDAYS)}")


ClockTime = Annotated[
    time,
    BeforeValidator(_parse_clock),
    PlainSerializer(_format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]
Weekday = Annotated[
    int,
    BeforeValidator(_parse_weekday),
    PlainSerializer(lambda d: WEEKDAYS[d - 1], return_type=str),
    WithJsonSchema({"type": "string", "enum": list(WEEKDAYS)}),
]
Key = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Team = Literal["W", "E", "BIM", "BOL4", "other"]
# Text fields are as long as their database columns allow, so SQLite and PostgreSQL agree.
# They hold no control characters (models/text.py): they reach terminals and calendars.
Name = Annotated[str, Field(max_length=200), SINGLE_LINE]
Address = Annotated[str, Field(max_length=300), SINGLE_LINE]
Short = Annotated[str, Field(max_length=50), SINGLE_LINE]
Tag = Annotated[str, Field(min_length=1, max_length=80), SINGLE_LINE]
Note = Annotated[str, Field(max_length=MAX_NOTE), MULTI_LINE]
People = Annotated[int, Field(gt=0, le=MAX_PEOPLE)]
Minutes = Annotated[int, Field(ge=0, le=MAX_MINUTES)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Contact(_Model):
    name: Name = ""
    email: Name = ""
    phone: Short = ""


class WeeklyWindow(_Model):
    """Every week on ``weekday`` from ``start`` to ``end``, optionally only between dates."""

    weekday: Weekday
    start: ClockTime
    end: ClockTime
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyWindow:
        if self.end <= self.start:
            raise ValueError(
                f"end {_format_clock(self.end)} is not after start {_format_clock(self.start)}"
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self


class DatedWindow(_Model):
    date: date
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> DatedWindow:
        if self.end <= self.start:
            raise ValueError(
                f"end {_format_clock(self.end)} is not after start {_format_clock(self.start)}"
            )
        return self


class DateRange(_Model):
    first: date
    last: date
    reason: Name = ""

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.last < self.first:
            raise ValueError(f"last {self.last} is before first {self.first}")
        return self


class LocationAvailability(_Model):
    weekly: list[WeeklyWindow] = Field(default=[], max_length=MAX_WEEKLY)
    one_off: list[DatedWindow] = Field(default=[], max_length=MAX_DATED)
    closures: list[DateRange] = Field(default=[], max_length=MAX_DATED)


class TrainerAvailability(_Model):
    weekly: list[WeeklyWindow] = Field(default=[], max_length=MAX_WEEKLY)
    absences: list[DateRange] = Field(default=[], max_length=MAX_DATED)


class GroupAvailability(_Model):
    weekly: list[WeeklyWindow] = Field(default=[], max_length=MAX_WEEKLY)


UnavailableReason = Literal["exam", "internship", "trip", "other"]  # GROUP_AWAY_REASONS


class Unavailable(_Model):
    """Whole days ``first``..``last`` a group cannot come at all, and why: exam weeks,
    internship (BPV), a trip, or other; ``note`` is a short remark for the planner."""

    first: date
    last: date
    reason: UnavailableReason
    note: Name = ""

    @model_validator(mode="after")
    def _ordered(self) -> Unavailable:
        if self.last < self.first:
            raise ValueError(f"last {self.last} is before first {self.first}")
        return self


class Equipment(_Model):
    code: Key
    name: Name
    team: Team = "other"


class Holiday(_Model):
    name: Name
    kind: Literal["public", "school"] = "public"
    first: date
    last: date

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.last < self.first:
            raise ValueError(f"last {self.last} is before first {self.first}")
        return self


class Partner(_Model):
    key: Key
    name: Name
    kind: Literal["company", "school", "association", "fund", "knowledge_institute", "other"]
    address: Address = ""
    contact: Contact = Contact()
    language: Literal["nl", "en"] = "nl"  # what the partner reads: Dutch unless it asks


class Location(_Model):
    key: Key
    partner: Key
    name: Name
    address: Address = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    capacity: People
    buffer_minutes: Minutes = 0
    hosts_training: bool = True
    equipment: dict[Key, People] = {}
    availability: LocationAvailability = LocationAvailability()


class Trainer(_Model):
    key: Key
    partner: Key
    name: Name
    email: Name = ""
    qualifications: list[Tag] = []
    certified: bool = False
    max_hours_per_week: float | None = Field(default=None, ge=0, le=MAX_HOURS_PER_WEEK)
    home: Key | None = None
    availability: TrainerAvailability = TrainerAvailability()


class EquipmentNeed(_Model):
    code: Key
    quantity: People = 1
    per: Literal["group", "participant"] = "group"


class Activity(_Model):
    code: Key
    title: Name
    kind: Literal[
        "workshop", "skills_course", "practical_training", "guest_lesson", "excursion", "open_day"
    ]
    audience: Literal["primary", "vmbo", "mbo", "job_seekers", "hbo", "staff"]
    team: Team = "other"
    sessions: int = Field(default=1, ge=1, le=MAX_SESSIONS)
    duration_minutes: int = Field(gt=0, le=MAX_MINUTES)
    min_days_between: int = Field(default=0, ge=0, le=MAX_DAYS_BETWEEN)
    max_days_between: int | None = Field(default=None, ge=0, le=MAX_DAYS_BETWEEN)
    same_location: bool = False
    equipment: list[EquipmentNeed] = []
    min_participants: People = 1
    max_participants: People | None = None
    qualification: Tag | None = None
    participants_per_trainer: People | None = None
    at_school: bool = False
    capacity_soft: bool = False
    min_distinct_days: int = Field(default=0, ge=0, le=MAX_SESSIONS)

    @model_validator(mode="after")
    def _consistent(self) -> Activity:
        if self.max_days_between is not None and self.max_days_between < self.min_days_between:
            raise ValueError(
                f"max_days_between {self.max_days_between} is below "
                f"min_days_between {self.min_days_between}"
            )
        if self.max_participants is not None and self.max_participants < self.min_participants:
            raise ValueError(
                f"max_participants {self.max_participants} is below "
                f"min_participants {self.min_participants}"
            )
        return self


class Group(_Model):
    key: Key
    school: Key
    name: Name
    level: Short = ""
    headcount: People
    home: Key | None = None
    max_travel_minutes: Minutes | None = None
    availability: GroupAvailability = GroupAvailability()
    unavailable: list[Unavailable] = Field(default=[], max_length=MAX_DATED)


class Preferences(_Model):
    weekdays: list[Weekday] = []
    time_of_day: Literal["morning", "afternoon", "evening"] | None = None
    partners: list[Key] = []
    locations: list[Key] = []


class Request(_Model):
    key: Key
    activity: Key
    groups: list[Key] = Field(min_length=1)
    earliest: date
    latest: date
    priority: int = Field(default=1, ge=1, le=MAX_PRIORITY)
    trainer: Key | None = None
    preferences: Preferences = Preferences()
    # "open" is the status of releases before the request life cycle: it was planned like
    # "accepted", so a file that still says "open" loads as accepted (docs/scenario.md).
    status: Annotated[
        Literal["submitted", "accepted", "declined", "withdrawn"],
        BeforeValidator(
            lambda v: "accepted" if v == "open" else v,
            json_schema_input_type=Literal[
                "submitted", "accepted", "declined", "withdrawn", "open"
            ],
        ),
    ] = "accepted"
    note: Note = ""

    @model_validator(mode="after")
    def _ordered(self) -> Request:
        if self.latest < self.earliest:
            raise ValueError(f"latest {self.latest} is before earliest {self.earliest}")
        return self


class TravelOverride(_Model):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    from_: Key = Field(alias="from")
    to: Key
    minutes: Minutes


class Scenario(_Model):
    """A campus, or part of one. Lists may be empty; references may point at loaded data."""

    format: Literal["tic-planner/campus"] = FORMAT_NAME
    version: Literal[1] = FORMAT_VERSION
    name: Name = ""
    equipment: list[Equipment] = []
    holidays: list[Holiday] = []
    partners: list[Partner] = []
    locations: list[Location] = []
    trainers: list[Trainer] = []
    activities: list[Activity] = []
    groups: list[Group] = []
    requests: list[Request] = []
    travel: list[TravelOverride] = []


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class ScenarioIssue:
    """One thing wrong in a scenario file."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.reason}"


@dataclass
class ScenarioError(Exception):
    """All problems found in the files; nothing was imported."""

    problems: list[ScenarioIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_PLAIN_PART = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,80}$")


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "from" if part == "from_" else part
            if not _PLAIN_PART.match(name):  # a misspelled field may hold anything
                name = excerpt(name)
            out += f".{name}" if out else name
    return out


def _number(bound: Any) -> str:
    """A bound as written in the docs: 168, not 168.0."""
    return str(int(bound)) if isinstance(bound, float) and bound.is_integer() else str(bound)


def validation_reason(error: Any) -> str:
    """A pydantic error in the words of docs/scenario.md (the API answers with the same)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = excerpt(error.get("input"))
    if kind == "greater_than":
        return f"must be > {_number(ctx['gt'])} (got {got})"
    if kind == "greater_than_equal":
        return f"must be >= {_number(ctx['ge'])} (got {got})"
    if kind == "less_than_equal":
        return f"must be <= {_number(ctx['le'])} (got {got})"
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against docs/scenario.md)"
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"must be a whole number (got {got})"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number (got {got})"
    if kind == "finite_number":
        return f"must be a finite number (got {got})"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false (got {got})"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        if isinstance(error["input"], str) and _ISO_DATE.match(error["input"]):
            return f"is not a day of the calendar (got {got}: {ctx.get('error', 'no such day')})"
        return f"must be a date YYYY-MM-DD (got {got})"
    if kind in ("string_type",):
        return f"must be text (got {got})"
    if kind == "string_unicode":
        return f"must be Unicode text without lone surrogates (got {got})"
    if kind == "string_pattern_mismatch":
        return f"must be a key of letters, digits, '.', '_' or '-' (got {got})"
    if kind in ("list_type",):
        return f"must be a list (got {got})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of fields (got {got})"
    if kind in ("string_too_long", "too_long"):
        if isinstance(error["input"], str):
            return f"must be at most {ctx['max_length']} characters (got {len(error['input'])})"
        return f"must hold at most {ctx['max_length']} entries (got {ctx.get('actual_length')})"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {got})"
    if kind == "value_error":
        return " ".join(str(error["msg"]).removeprefix("Value error, ").split())
    return f"{' '.join(str(error['msg']).split())} (got {got})"


class _Checks:
    """YAML 1.2-like reading: '13:00' and dates stay strings, duplicate mapping keys are errors.

    Nesting deeper than MAX_DEPTH and aliases that expand to more than MAX_ALIAS_NODES extra
    values are refused before anything is built, so no input can exhaust the stack or memory.
    Shared by both loaders below, which differ only in who turns the text into events.
    """

    _depth: int
    _anchored: bool = False

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise RefusedYaml(f"line {line}: nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> yaml.Node:
        """As PyYAML's, but remember whether the document had anchors (aliases need one)."""
        self.get_event()  # DocumentStart
        node = self.compose_node(None, None)
        self.get_event()  # DocumentEnd
        self._anchored = bool(self.anchors)
        self.anchors = {}
        return node

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self._anchored:  # without an anchor there is no alias to count
            _check_aliases(node, MAX_ALIAS_NODES)
        return self.construct_document(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Turn a constructor's crash on a bad value (``!!int 0x``) into a YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            value = excerpt(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            tag = node.tag.removeprefix("tag:yaml.org,2002:")
            if tag == "int":  # Python's own advice (int digit limits) does not help a planner
                problem = f"cannot read {value} as a whole number"
            else:
                problem = f"cannot read {value} as {tag}: {' '.join(str(exc).split())[:120]}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


class _Loader(_Checks, yaml.SafeLoader):  # type: ignore[misc]
    """Pure Python: slow, but its error messages are the ones users see."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._depth = 0


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: only the pure Python loader
    _CParser = None


if _CParser is not None:

    class _FastLoader(  # type: ignore[misc]
        _Checks, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):  # fmt: skip
        """libyaml's scanner and parser (about 30 times faster) under the same composer checks,
        resolvers and constructors as _Loader: a 4 MiB file reads in about a second.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0
            self._flow = 0

        def compose_sequence_node(self, anchor: str | None) -> yaml.Node:
            return self._collection(anchor, yaml.composer.Composer.compose_sequence_node)

        def compose_mapping_node(self, anchor: str | None) -> yaml.Node:
            return self._collection(anchor, yaml.composer.Composer.compose_mapping_node)

        def _collection(self, anchor: str | None, compose: Any) -> yaml.Node:
            flow = bool(self.peek_event().flow_style)
            self._flow += flow
            try:
                return compose(self, anchor)
            finally:
                self._flow -= flow

        def compose_scalar_node(self, anchor: str | None) -> yaml.Node:
            """Refuse what only libyaml reads: a plain value with '?' inside [...] or {...}."""
            event = self.peek_event()
            if self._flow and not event.style and "?" in event.value:  # plain: style ""
                raise yaml.YAMLError("left to the pure Python loader")
            return yaml.composer.Composer.compose_scalar_node(self, anchor)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


def _check_aliases(root: yaml.Node, budget: int) -> None:
    """Refuse documents whose aliases repeat more than ``budget`` values, or themselves.

    Counts the values the document would have if every alias were written out (shared
    nodes counted once per use), without building anything: a billion laughs costs a few
    thousand steps here instead of gigabytes later.
    """
    sizes: dict[int, int] = {}  # node id -> its size with aliases written out (capped)
    visiting: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            visiting.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), 1 << 62)
            continue
        if key in sizes:
            continue
        if key in visiting:
            line = node.start_mark.line + 1
            raise RefusedYaml(f"line {line}: an alias refers to the value that contains it")
        visiting.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    if sizes[id(root)] - distinct > budget:
        raise RefusedYaml(
            f"its aliases (*name) repeat more than {budget} values: "
            "write the shared parts out instead"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class RefusedYaml(yaml.YAMLError):
    """Readable YAML that a scenario file must not hold; the message says where and why."""


class DuplicateKeyError(RefusedYaml):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable) or isinstance(key, list | dict):
            raise RefusedYaml(f"line {line}: a field name must be text, not a list or mapping")
        if key in seen:
            raise DuplicateKeyError(
                f"line {line}: duplicate field {excerpt(key)} in the same mapping"
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
if _CParser is not None:
    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader.yaml_constructors = _Loader.yaml_constructors


def read_yaml(text: str, file: str) -> Any:
    """The data of one YAML document; ScenarioError with the line for anything unreadable.

    libyaml reads the file when it can. Anything it refuses, and what PyYAML reads differently
    (characters it refuses, tabs, a byte order mark inside, '?' in plain flow values), is read
    by the pure Python loader: the same files load, with the same data and messages as before.
    """
    if (
        _CParser is not None
        and "\t" not in text
        and "\ufeff" not in text
        and not yaml.reader.Reader.NON_PRINTABLE.search(text)
    ):
        try:
            return yaml.load(text, Loader=_FastLoader)
        except (yaml.YAMLError, RecursionError):
            pass  # the slow reading below says what is wrong, in its words
    try:
        return yaml.load(text, Loader=_Loader)
    except RefusedYaml as exc:
        raise ScenarioError([ScenarioIssue(file, "", str(exc))]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        reason = f"character U+{exc.character:04X} is not allowed in a YAML file"
        issue = ScenarioIssue(file, "", f"line {line}, column {column}: not valid YAML: {reason}")
        raise ScenarioError([issue]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        issue = ScenarioIssue(file, "", f"{where}not valid YAML: {problem}")
        raise ScenarioError([issue]) from None
    except RecursionError:  # a backstop: MAX_DEPTH stops nesting long before this
        issue = ScenarioIssue(file, "", "not valid YAML: nested too deeply")
        raise ScenarioError([issue]) from None


def _check_version(data: dict[Any, Any], file: str) -> None:
    """The version is the whole number 1: not '1' (text), 1.0 or true."""
    if "version" not in data:
        return
    version = data["version"]
    if type(version) is not int:
        reason = f"must be the whole number {FORMAT_VERSION}, unquoted (got {excerpt(version)})"
        raise ScenarioError([ScenarioIssue(file, "version", reason)])
    if version != FORMAT_VERSION:
        reason = f"this TIC Planner reads version {FORMAT_VERSION} (got {excerpt(version)})"
        raise ScenarioError([ScenarioIssue(file, "version", reason)])


def parse_scenario(data: Any, file: str) -> Scenario:
    """Validate one file's data; raise ScenarioError naming every problem found."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([ScenarioIssue(file, "", "must be a mapping with campus sections")])
    if data.get("format", FORMAT_NAME) != FORMAT_NAME:
        reason = f"must be {FORMAT_NAME!r} (got {excerpt(data.get('format'))})"
        raise ScenarioError([ScenarioIssue(file, "format", reason)])
    _check_version(data, file)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            ScenarioIssue(file, _path(e["loc"]), validation_reason(e)) for e in exc.errors()
        ]
        raise ScenarioError(problems) from None


def decode(data: bytes, file: str) -> str:
    """UTF-8 text (a byte order mark is allowed), or a ScenarioError saying where it is not."""
    if len(data) > MAX_FILE_BYTES:
        reason = (
            f"is larger than the limit of {MAX_FILE_BYTES // 2**20} MiB ({MAX_FILE_BYTES} bytes): "
            "split it into several files"
        )
        raise ScenarioError([ScenarioIssue(file, "", reason)])
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScenarioError([ScenarioIssue(file, "", "is UTF-32 text: save it as UTF-8")])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ScenarioError([ScenarioIssue(file, "", "is UTF-16 text: save it as UTF-8")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        reason = (
            f"line {line}, column {column}: not UTF-8 text (byte 0x{data[exc.start]:02x}): "
            "save the file as UTF-8"
        )
        raise ScenarioError([ScenarioIssue(file, "", reason)]) from None


def read_scenario(path: Path) -> Scenario:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        issue = ScenarioIssue(str(path), "", f"cannot read: {exc.strerror}")
        raise ScenarioError([issue]) from None
    text = decode(data, str(path))
    return parse_scenario(read_yaml(text, str(path)), str(path))


# ------------------------------------------------------------------- cross checks


@dataclass
class KnownKeys:
    """Keys that already exist in the database, so files may refer to them."""

    equipment: set[str] = field(default_factory=set)
    partners: dict[str, str] = field(default_factory=dict)  # key -> kind
    locations: set[str] = field(default_factory=set)
    trainers: set[str] = field(default_factory=set)
    activities: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)


def _overlapping(file: str, path: str, windows: Sequence[WeeklyWindow]) -> list[ScenarioIssue]:
    """Weekly windows on the same weekday that overlap (in time and in validity dates)."""
    issues = []
    for i, a in enumerate(windows):
        for j in range(i + 1, len(windows)):
            b = windows[j]
            if a.weekday != b.weekday or not (a.start < b.end and b.start < a.end):
                continue
            a_from, a_to = a.valid_from or date.min, a.valid_to or date.max
            b_from, b_to = b.valid_from or date.min, b.valid_to or date.max
            if a_from <= b_to and b_from <= a_to:
                issues.append(
                    ScenarioIssue(file, f"{path}[{j}]", f"overlaps weekly[{i}] on the same weekday")
                )
    return issues


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def windows_in_clock_gap(
    file: str, path: str, windows: Sequence[DatedWindow]
) -> list[ScenarioIssue]:
    """One-off windows starting or ending in the hour the clocks skip (spring forward)."""
    from scheduler.timegrid import skipped_span  # the engine's own notion of that hour

    issues = []
    for i, w in enumerate(windows):
        gap = skipped_span(w.date)
        if gap is None:
            continue
        start, end = (t.hour * 60 + t.minute for t in (w.start, w.end))
        if gap[0] <= start < gap[1] or gap[0] < end < gap[1]:
            issues.append(
                ScenarioIssue(
                    file,
                    f"{path}[{i}]",
                    f"{w.date} {_format_clock(w.start)}-{_format_clock(w.end)} lies in the hour "
                    f"the clocks skip ({_hhmm(gap[0])}-{_hhmm(gap[1])} does not exist that day)",
                )
            )
    return issues


def check_scenarios(files: Sequence[tuple[str, Scenario]], known: KnownKeys) -> None:
    """Duplicate keys, unknown references and overlapping windows across all files."""
    problems: list[ScenarioIssue] = []
    seen: dict[tuple[str, str], str] = {}

    def define(section: str, key: str, file: str, path: str) -> None:
        where = seen.get((section, key))
        if where is not None:
            reason = f"duplicate key {key!r} (first defined at {where})"
            problems.append(ScenarioIssue(file, path, reason))
        else:
            seen[(section, key)] = f"{file}: {path}"

    equipment = set(known.equipment)
    partners = dict(known.partners)
    locations = set(known.locations)
    trainers = set(known.trainers)
    activities = set(known.activities)
    groups = set(known.groups)
    for file, sc in files:
        for i, e in enumerate(sc.equipment):
            define("equipment", e.code, file, f"equipment[{i}].code")
            equipment.add(e.code)
        for i, h in enumerate(sc.holidays):
            define("holidays", f"{h.name}@{h.first}", file, f"holidays[{i}]")
        for i, p in enumerate(sc.partners):
            define("partners", p.key, file, f"partners[{i}].key")
            partners[p.key] = p.kind
        for i, loc in enumerate(sc.locations):
            define("locations", loc.key, file, f"locations[{i}].key")
            locations.add(loc.key)
        for i, t in enumerate(sc.trainers):
            define("trainers", t.key, file, f"trainers[{i}].key")
            trainers.add(t.key)
        for i, a in enumerate(sc.activities):
            define("activities", a.code, file, f"activities[{i}].code")
            activities.add(a.code)
        for i, g in enumerate(sc.groups):
            define("groups", g.key, file, f"groups[{i}].key")
            groups.add(g.key)
        for i, r in enumerate(sc.requests):
            define("requests", r.key, file, f"requests[{i}].key")

    def ref(file: str, path: str, what: str, key: str | None, pool: Iterable[str]) -> None:
        if key is not None and key not in pool:
            problems.append(ScenarioIssue(file, path, f"no {what} {key!r}"))

    for file, sc in files:
        for i, loc in enumerate(sc.locations):
            ref(file, f"locations[{i}].partner", "partner", loc.partner, partners)
            for code in loc.equipment:
                ref(file, f"locations[{i}].equipment.{code}", "equipment", code, equipment)
            where = f"locations[{i}].availability.weekly"
            problems += _overlapping(file, where, loc.availability.weekly)
            where = f"locations[{i}].availability.one_off"
            problems += windows_in_clock_gap(file, where, loc.availability.one_off)
        for i, t in enumerate(sc.trainers):
            ref(file, f"trainers[{i}].partner", "partner", t.partner, partners)
            ref(file, f"trainers[{i}].home", "location", t.home, locations)
            where = f"trainers[{i}].availability.weekly"
            problems += _overlapping(file, where, t.availability.weekly)
        for i, a in enumerate(sc.activities):
            for j, need in enumerate(a.equipment):
                ref(file, f"activities[{i}].equipment[{j}].code", "equipment", need.code, equipment)
        for i, g in enumerate(sc.groups):
            ref(file, f"groups[{i}].school", "partner", g.school, partners)
            if g.school in partners and partners[g.school] != "school":
                problems.append(
                    ScenarioIssue(
                        file,
                        f"groups[{i}].school",
                        f"partner {g.school!r} is a {partners[g.school]}, not a school",
                    )
                )
            ref(file, f"groups[{i}].home", "location", g.home, locations)
            where = f"groups[{i}].availability.weekly"
            problems += _overlapping(file, where, g.availability.weekly)
        for i, r in enumerate(sc.requests):
            ref(file, f"requests[{i}].activity", "activity", r.activity, activities)
            for j, gk in enumerate(r.groups):
                ref(file, f"requests[{i}].groups[{j}]", "group", gk, groups)
            if len(set(r.groups)) != len(r.groups):
                problems.append(ScenarioIssue(file, f"requests[{i}].groups", "lists a group twice"))
            ref(file, f"requests[{i}].trainer", "trainer", r.trainer, trainers)
            for j, pk in enumerate(r.preferences.partners):
                ref(file, f"requests[{i}].preferences.partners[{j}]", "partner", pk, partners)
            for j, lk in enumerate(r.preferences.locations):
                ref(file, f"requests[{i}].preferences.locations[{j}]", "location", lk, locations)
        for i, tr in enumerate(sc.travel):
            pair = " <-> ".join(sorted((tr.from_, tr.to)))
            define("travel", pair, file, f"travel[{i}]")  # travel is the same both ways
            ref(file, f"travel[{i}].from", "location", tr.from_, locations)
            ref(file, f"travel[{i}].to", "location", tr.to, locations)
            if tr.from_ == tr.to:
                reason = "from and to are the same place"
                problems.append(ScenarioIssue(file, f"travel[{i}]", reason))
    if problems:
        raise ScenarioError(problems)


def json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tic-planner.invalid/schema/campus-v1.json"
    return schema
