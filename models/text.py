"""Text that is safe to store, print and publish: no control characters.

Names and notes end up in calendar files (whose strict parsers reject control characters),
in terminals (where ESC sequences rewrite the screen) and in one-line error messages, so
they are refused at the door. The pydantic types here are the one place that rule lives:
scenario files use them, and the HTTP API validates the same fields with them.
"""

from __future__ import annotations

import reprlib
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator

# Invisible characters that reorder or break text on screen without being control
# characters in Unicode's Cc category: bidirectional overrides and isolates, and the
# line and paragraph separators (some calendar and terminal software breaks lines there).
_INVISIBLE_CONTROLS = frozenset(
    "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def control_character(value: str, allowed: str = "") -> tuple[int, str] | None:
    """The first forbidden character as (position, 'U+XXXX'), or None if the text is clean.

    Forbidden are Unicode's control characters (C0, DEL, C1), lone surrogates (which cannot
    be written as UTF-8) and the invisible controls above; ``allowed`` lists exceptions.
    """
    for i, char in enumerate(value):
        if char in allowed:
            continue
        if char in _INVISIBLE_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            return i, f"U+{ord(char):04X}"
    return None


def _check(value: str, allowed: str) -> str:
    found = control_character(value, allowed)
    if found is not None:
        position, code = found
        raise ValueError(
            f"must not contain control characters (found {code} at character {position + 1})"
        )
    return value


def single_line(value: str) -> str:
    """Refuse control characters, line breaks and tabs included."""
    return _check(value, "")


def multi_line(value: str) -> str:
    """Refuse control characters except line breaks and tabs."""
    return _check(value, "\n\t")


# Validators to put after length constraints: Annotated[str, Field(max_length=200), SINGLE_LINE]
# (placed before them, a too long value would be reported as a list of too many items).
SINGLE_LINE = AfterValidator(single_line)
MULTI_LINE = AfterValidator(multi_line)

SingleLine = Annotated[str, SINGLE_LINE]
"""A name, title, address or other one-line text."""

MultiLine = Annotated[str, MULTI_LINE]
"""Free text such as a note: line breaks and tabs allowed, other control characters not."""


class _Excerpt(reprlib.Repr):
    """reprlib with small limits, and no failure on integers too long to print."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 4
        self.maxstring = 60
        self.maxother = 60
        self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:
            return f"<a {x.bit_length()}-bit integer>"
        return super().repr_int(x, level)


_EXCERPT = _Excerpt()


def excerpt(value: Any) -> str:
    """A short, one-line, escaped representation of a bad value for an error message."""
    try:
        text = _EXCERPT.repr(value)
    except Exception:  # a value whose repr fails must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."
