"""The array engine's run: every update of the training (or the one worked pass without one) is its
script (working.py) evaluated with the rule table on the batch's columns. The updates to show keep
their steps (and the inputs no shown step computes, as given arrays); the others keep only the
parameters and the optimizer's buffers they pass on. Batches are the data's examples in order, as
the scalar engine takes them (solution/plan.py), so the two agree update by update."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..problem.array_records import ArrayProblem
from ..problem.limits import arrays_too_long, most_arrays_shown
from .records import ArraySolution, ArrayStep, frozen
from .rules import RULES, optimizer_values
from .working import PREVIOUS, Line, Script, optimizer_formula, shown_id

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = Any

DEFAULT_SHOWN = 50  # a one-epoch run shows the working of up to this many updates


@dataclass(frozen=True)
class ArrayPlan:
    training: bool
    epochs: int  # 0 without training
    batches: tuple[tuple[int, int], ...]  # each update's examples, [start, stop)

    @classmethod
    def of(cls, problem: ArrayProblem, epochs: int | None = None) -> ArrayPlan:
        t, m = problem.training, problem.examples
        if t and epochs is not None and (why := arrays_too_long(problem, epochs)):
            raise InputError(f"--epochs: {why}")
        size = t.batch_size if t else m
        batches = tuple((i, min(i + size, m)) for i in range(0, m, size))
        return cls(t is not None, (epochs or t.epochs) if t else 0, batches)

    @property
    def updates(self) -> int:
        return self.epochs * len(self.batches) if self.training else 1

    def shown(self, problem: ArrayProblem, wanted: Iterable[int] | None = None) -> tuple[int, ...]:
        """The updates whose working to keep: those wanted (None: every update of a one-epoch run,
        up to DEFAULT_SHOWN), within what the working may hold (limits.py)."""
        most = most_arrays_shown(problem)
        if wanted is None:
            default = min(self.updates, DEFAULT_SHOWN, most) if self.epochs <= 1 else 0
            return tuple(range(1, default + 1))
        shown = tuple(sorted({t for t in wanted if 1 <= t <= self.updates}))
        if len(shown) > most:
            raise InputError(
                f"the working of {len(shown):,} updates of this network is too large to keep (at most "
                f"{most:,}): show fewer (--steps on the command line, shown= from Python)"
            )
        return shown


def solve_arrays(
    problem: ArrayProblem, epochs: int | None = None, shown: Iterable[int] | None = None
) -> ArraySolution:
    """Train (or work once) with the array engine; the steps of the `shown` updates are kept."""
    plan = ArrayPlan.of(problem, epochs)
    keep = frozenset(plan.shown(problem, shown))
    run = _ArrayRun(problem, plan.updates > 1)
    history = [run.loss(first=True)] if plan.training else []
    t = 0
    for _ in range(max(plan.epochs, 1)):
        for start, stop in plan.batches:
            t += 1
            run.update(t, start, stop, t in keep)
        if plan.training:
            history.append(run.loss(first=False))
            if history[-1] != history[-1] or abs(history[-1]) == float("inf"):
                raise InputError(
                    f"the run diverged: the loss is {history[-1]} after epoch {len(history) - 1}; "
                    "try a smaller learning rate"
                )
    final = run.parameters if plan.training else {p: problem.given[p] for p in problem.parameters}
    return ArraySolution(
        problem, run.given, tuple(run.steps), plan.updates, tuple(sorted(keep)), tuple(history), final
    )


@dataclass(frozen=True)
class _Call:
    """A line ready to run: its rule and params (for an optimizer's quantity `optimizer_values`,
    whose one call gives every quantity of the parameter's update, and which one it shows), and
    for a δ the id of the update's own f(z), passed to the rule so that f′ is not recomputed."""

    line: Line
    rule: Callable[..., Any]
    params: dict[str, Any]
    index: int | None
    activation: str | None

    @classmethod
    def of(cls, line: Line, lines: list[Line]) -> _Call:
        if line.rule == "optimize":
            settings = {k: v for k, v in line.params.items() if k != "index"}
            return cls(line, optimizer_values, settings, line.params["index"], None)
        return cls(line, RULES[line.rule], line.params, None, _activation_of(line, lines))


_Z_AT = {"delta": 2, "delta_out": 1}  # where the rules that take f′(z) read z


def _activation_of(line: Line, lines: list[Line]) -> str | None:
    """The id of the line computing f(z) for a δ's z with the δ's own f, if the update has one."""
    if line.rule not in _Z_AT:
        return None
    z, f = line.inputs[_Z_AT[line.rule]], (line.params["f"], line.params.get("slope", 0.0))
    for other in lines:
        same = (other.params.get("f"), other.params.get("slope", 0.0)) == f
        if other.rule == "activate" and other.inputs == (z,) and same:
            return other.id
    return None


def _needed(lines: list[Line], wanted: set[str]) -> list[Line]:
    """The lines that compute `wanted`, and those they read, in order."""
    needed = set(wanted)
    for line in reversed(lines):
        if line.id in needed:
            needed.update(line.inputs)
    return [line for line in lines if line.id in needed]


class _ArrayRun:
    """The state carried from update to update, and the steps and given arrays of the shown ones."""

    def __init__(self, problem: ArrayProblem, multi: bool) -> None:
        self.problem, self.multi = problem, multi
        self.script = Script(problem)
        self.state: dict[str, Array] = {p: problem.given[p] for p in problem.parameters}
        self.steps: list[ArrayStep] = []
        self.given: dict[str, Array] = (
            dict(problem.given) if not multi else {p: problem.given[p] for p in problem.parameters}
        )
        self.fixed = frozenset(problem.parameters)
        self.data = tuple(k for k in problem.given if k in ("x", "t") or k.startswith("m"))
        training = problem.training
        buffers = training.optimizer.optimizer.buffers if training else ()
        # what an update passes on to the next: (the id it computes, the state's name)
        self.passed = tuple(
            (f"{q}{p}+", f"{q}{p}") for p in problem.parameters for q in ("", *(f"{b}_" for b in buffers))
        )
        self._lines: dict[tuple[bool, int, bool], list[Line]] = {}
        self._calls: dict[tuple[bool, int, bool], list[_Call]] = {}

    @property
    def parameters(self) -> dict[str, Array]:
        return {p: self.state[p] for p in self.problem.parameters}

    def lines(self, first: bool, m: int, all: bool = True) -> list[Line]:
        """An update's lines; without `all`, only those the next update needs (the parameters and
        the optimizer's buffers after it): the loss is left out of an update not shown."""
        key = (first, m, all)
        if key not in self._lines:
            lines = self.script.lines(first, m)
            self._lines[key] = lines if all else _needed(lines, {c for c, _ in self.passed})
        return self._lines[key]

    def inputs(self, first: bool, start: int, stop: int) -> dict[str, Array]:
        """What an update reads: the batch's columns of x, t and the masks, the parameters and buffers."""
        given = self.problem.given
        env = {k: given[k][:, start:stop] for k in self.data}
        for name, value in self.state.items():
            env[name if first else f"{name}+{PREVIOUS}"] = value
        return env

    def update(self, t: int, start: int, stop: int, record: bool) -> None:
        first = t == 1
        env = self.inputs(first, start, stop)
        computed: dict[tuple[str, ...], tuple[Array, ...]] = {}
        made: set[str] = set()
        for call in self.calls(first, stop - start, record):
            line, args = call.line, [env[k] for k in call.line.inputs]
            if call.index is not None:  # the optimizer: one call of its rule gives all its quantities
                values = computed.get(line.inputs)
                if values is None:
                    values = computed[line.inputs] = call.rule(*args, t=t, **call.params)
                value = values[call.index]
            elif call.activation is None:
                value = call.rule(*args, **call.params)
            else:
                value = call.rule(*args, A=env[call.activation], **call.params)
            env[line.id] = value
            if record:
                self._record(line, value, t, env, made)
        if self.problem.training is not None:
            self._advance(env)

    def calls(self, first: bool, m: int, all: bool) -> list[_Call]:
        """Each line with its rule, its params bound once for the whole run."""
        key = (first, m, all)
        if key not in self._calls:
            lines = self.lines(first, m, all)
            self._calls[key] = [_Call.of(line, lines) for line in lines]
        return self._calls[key]

    def _record(self, line: Line, value: Array, t: int, env: dict[str, Array], made: set[str]) -> None:
        def name(i: str) -> str:
            return shown_id(i, t, self.multi, self.fixed)

        for i in line.inputs:
            if i not in made:
                self.given.setdefault(name(i), env[i])
        made.add(line.id)
        formula, params = line.formula, line.params
        if line.rule == "optimize":
            formula, params = optimizer_formula(self.problem, line, t), {**line.params, "t": t}
        inputs = tuple(name(i) for i in line.inputs)
        self.steps.append(
            ArrayStep(name(line.id), line.rule, inputs, value, formula, line.phase, frozen(params), t)
        )

    def _advance(self, env: dict[str, Array]) -> None:
        """The parameters after the update, and the optimizer's buffers, for the next."""
        for computed, name in self.passed:
            self.state[name] = env[computed]

    def loss(self, first: bool) -> float:
        """The loss over the whole data set with the current parameters (the forward lines alone)."""
        m = self.problem.examples
        env = self.inputs(first, 0, m)
        for line in self.lines(first, m):
            if line.phase == "forward":
                env[line.id] = RULES[line.rule](*(env[k] for k in line.inputs), **line.params)
        return float(env[self.problem.loss])
