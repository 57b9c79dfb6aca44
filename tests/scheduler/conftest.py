"""Every reason the explanation tests produce is also rendered in every language.

The engine's explanations reach users through ``models.words.render``; wrapping the places
that build reasons (the domain analysis per request, a running course's report, the CP-SAT
cores and trade-offs) checks, after each test, that the details the engine really produces
render in Dutch and English without raising and without an empty text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from models.words import LANGUAGES, render
from scheduler.reasons import Reason

# the package exports the function ``explain``, which hides the module of the same name
explain_module = importlib.import_module("scheduler.explain")
why = importlib.import_module("scheduler.cpsat.why")

SEEN: list[Reason] = []
"""Every reason produced in this session (tests/models/test_words.py reads it when run
together; each test here already renders its own)."""


def _recording(found: list[Reason], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        found.extend(result if isinstance(result, tuple) else (result,))
        return result

    return wrapper


@pytest.fixture(autouse=True)
def _render_every_reason(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    found: list[Reason] = []
    for module, name in (
        (explain_module, "_explain_request"),
        (explain_module, "_incomplete_course"),
        (why, "_core_reason"),
        (why, "_tradeoff"),
    ):
        monkeypatch.setattr(module, name, _recording(found, getattr(module, name)))
    yield
    SEEN.extend(found)
    for reason in found:
        for lang in LANGUAGES:
            text = render(reason, lang)
            assert text.strip(), f"{reason.code} renders empty in {lang}"
            assert "{" not in text and "None" not in text, (
                f"{reason.code} in {lang} shows a placeholder: {text}"
            )
