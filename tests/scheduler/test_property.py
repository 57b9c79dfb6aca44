"""Property: whatever small campus hypothesis draws, the plan breaks no hard rule.

`run` (tests/scheduler/builder.py) validates every solve with the independent validator
and checks that the solver's reported costs equal the validator's recomputation.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import SolveOptions, Status
from tests.scheduler.builder import random_problem, run


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    weeks=st.integers(min_value=1, max_value=2),
    locations=st.integers(min_value=1, max_value=5),
    trainers=st.integers(min_value=1, max_value=6),
    schools=st.integers(min_value=1, max_value=3),
    requests=st.integers(min_value=1, max_value=8),
    stability=st.sampled_from([0, 500]),
    trainer_idle=st.sampled_from([0, 1]),
)
def test_random_campuses_never_get_a_plan_with_hard_violations(
    seed: int,
    weeks: int,
    locations: int,
    trainers: int,
    schools: int,
    requests: int,
    stability: int,
    trainer_idle: int,
) -> None:
    problem = random_problem(
        seed, weeks=weeks, locations=locations, trainers=trainers, schools=schools,
        requests=requests, stability=stability, trainer_idle=trainer_idle,
    )  # fmt: skip
    solution = run(problem, SolveOptions(time_limit_seconds=2, workers=2, seed=seed % 1000))
    # Every request may stay unscheduled, so a plan always exists.
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert set(solution.scheduled) | set(solution.unscheduled) == {r.id for r in problem.requests}
