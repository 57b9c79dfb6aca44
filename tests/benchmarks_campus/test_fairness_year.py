"""The fairness-over-the-year benchmark in small: four weeks of the two-school duel.

School A's requests are the more urgent ones in the first two weeks, equal in the last two.
One solve of the four weeks gives each school half; the weekly cycle (rolling solve, then
publish, four times) must give the same shares, which only the history can do.
"""

from __future__ import annotations

from fairness_year import Setup, run_variant  # benchmarks/campus/, put on sys.path by conftest


def test_the_weekly_cycle_with_history_shares_like_one_whole_solve() -> None:
    setup = Setup(seed=1, weeks=4, horizon_weeks=2, week_seconds=2.0, whole_seconds=5.0,
                  scarce=None, workers=2, case="duel")  # fmt: skip
    whole = run_variant(setup, "whole")
    weekly = run_variant(setup, "weekly")
    assert whole["shares"] == {"school-a": 50.0, "school-b": 50.0}
    assert weekly["shares"] == whole["shares"]
    assert weekly["solves"] >= 4  # one rolling solve a week (more if one found no plan)
    assert weekly["hosted"] == {"acme": 2, "volt": 2}  # host balance over the weeks too
