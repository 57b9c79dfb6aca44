"""The navigation of the pages: which links each role sees in the header, in this order.

Each area of the pages adds its entries in its own block below; ``roles`` is who sees the
link (the pages themselves check the role again: the menu is a convenience, not a guard).
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = ("planner", "school", "company", "trainer")


@dataclass(frozen=True)
class NavItem:
    url: str
    key: str  # its words in the catalogue (models/locale)
    roles: tuple[str, ...] = ALL_ROLES


NAV: tuple[NavItem, ...] = (
    # the week timetables (api/web/routes.py)
    NavItem("/rooster", "web.nav.timetables"),
    NavItem("/rooster/campus", "web.campus_overview", ("planner",)),
    # the planner's cycle: solve, review, publish
    NavItem("/planner/plannen", "web.cycle.nav_solve", ("planner",)),
    NavItem("/planner/publicaties", "web.cycle.nav_publications", ("planner",)),
    # the planner's requests, sessions and change requests
    NavItem("/planner/aanvragen", "web.nav.requests", ("planner",)),
    NavItem("/planner/verzoeken", "web.nav.change_requests", ("planner",)),
    # the planner's figures, feeds, keys and report
    NavItem("/planner/cijfers", "web.nav.figures", ("planner",)),
    NavItem("/planner/verslag", "web.nav.report", ("planner",)),
    NavItem("/agenda", "web.nav.feeds"),
    NavItem("/planner/sleutels", "web.nav.keys", ("planner",)),
    # the school's pages
    NavItem("/school/groepen", "web.nav.school_groups", ("school",)),
    NavItem("/school/aanvragen", "web.nav.school_requests", ("school",)),
    # the trainer's pages
    NavItem("/trainer/afwezigheid", "web.nav.trainer_absences", ("trainer",)),
    # the company's pages
    NavItem("/bedrijf/locaties", "web.nav.company_locations", ("company",)),
    NavItem("/bedrijf/boekingen", "web.nav.company_bookings", ("company",)),
    NavItem("/bedrijf/trainers", "web.nav.company_trainers", ("company",)),
)


def nav_for(role: str) -> list[tuple[str, str]]:
    """The (url, words key) links that ``role`` sees."""
    return [(item.url, item.key) for item in NAV if role in item.roles]
