"""The solution layer's old module path, kept only so that branches written against it still import
while they are merged; new code imports from `backtutor.solution`. Delete once nothing imports it."""

from . import ETA, Epoch, NumericError, Plan, Solution, Step, Value, Worked, build, solve

__all__ = ["ETA", "Epoch", "NumericError", "Plan", "Solution", "Step", "Value", "Worked", "build", "solve"]
