"""Trainer absences by category: what TIC Planner keeps of why a trainer is away.

Trainers report an absence as a date range and one of a few categories, never a free text:
a text field invites medical detail ("knee surgery") that the campus must not store or show.
Scenario files keep their ``reason`` text for absences; loading maps it to a category (the
table below, documented in docs/scenario.md) and keeps only the category, and the export
writes the category back as the reason, so an exported file loads to the same data.
Explanations name an absence by its category in Dutch words, except sickness: an
explanation reaches schools too (the checks when a request is submitted), and that a named
trainer is ill is health data, so there it reads "afwezig" like any other absence. The
category itself is shown only where the trainer's own record is (the trainers API).
"""

from __future__ import annotations

import re

from models.words import phrase

ABSENCE_CATEGORIES = ("sick", "leave", "training", "other")

# The category in words, for those who may read the trainer's own record (Dutch, from the
# catalogue: "absence.<category>"; explanations read them in English as "reason.absence.<word>").
CATEGORY_WORDS = {c: phrase(f"absence.{c}", "nl") for c in ABSENCE_CATEGORIES}
# What explanations say, which schools read too: never that someone is ill.
EXPLAINED_WORDS = CATEGORY_WORDS | {"sick": "afwezig"}

# Words of a scenario file's absence reason (lower case) -> category; anything else is other.
REASON_WORDS = {
    "sick": "sick", "ziek": "sick", "ziekte": "sick", "ziekmelding": "sick",
    "leave": "leave", "verlof": "leave", "vakantie": "leave", "vrij": "leave",
    "holiday": "leave", "vacation": "leave", "zwangerschapsverlof": "leave",
    "training": "training", "cursus": "training", "opleiding": "training", "course": "training",
    "other": "other", "overig": "other", "afwezig": "other",
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def category_of_reason(reason: str) -> str:
    """The category of a scenario file's absence ``reason``: its first word found in
    REASON_WORDS ("Cursus in Duitsland" -> training), else ``other``."""
    for word in _WORD.findall(reason.lower()):
        if word in REASON_WORDS:
            return REASON_WORDS[word]
    return "other"
