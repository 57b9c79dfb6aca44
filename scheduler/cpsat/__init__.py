"""The CP-SAT back end: the only part of the engine that imports ortools."""

from scheduler.cpsat.solve import solve

__all__ = ["solve"]
