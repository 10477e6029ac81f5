"""The array engine's records: one ArrayStep per layer quantity (z1, a1, delta2, dE/dW1, W1+, …, with
`@t` for the t-th update of a run with more than one), in order, and the ArraySolution that holds
them with the given arrays. A step names the rule of rules.py that computed it and its inputs by id,
so that a student's arrays can be graded by recomputing a step from their own earlier arrays:
`RULES[step.rule](*(arrays[i] for i in step.inputs), **step.params)`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..display import Displayed

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ..problem.array_conv import ArrayConvProblem
    from ..problem.array_records import ArrayProblem

    Array = NDArray[np.float64]
else:
    Array = Any

Phase = Literal["forward", "backward", "update"]
Param = float | int | str | bool  # a rule's keyword argument: a rate, a scale, an activation's name


def frozen(params: Mapping[str, Param] | None = None) -> Mapping[str, Param]:
    """A step's params, read-only."""
    return MappingProxyType(dict(params or {}))


@dataclass(frozen=True, eq=False, init=False)
class ArrayStep:
    id: str  # "z1", "delta2", "dE/dW1", "W1+", with "@t" for update t when there are several
    rule: str  # a key of rules.RULES
    inputs: tuple[str, ...]  # the ids of the steps or given arrays it is computed from, in order
    value: Array
    formula: str  # how the working writes it: "delta1 = (W2ᵀ·delta2) ⊙ σ′(z1)"
    phase: Phase
    params: Mapping[str, Param]  # the rule's keyword arguments
    update: int  # which update of the run (1-based)

    def __init__(
        self,
        id: str,
        rule: str,
        inputs: tuple[str, ...],
        value: Array,
        formula: str,
        phase: Phase,
        params: Mapping[str, Param] | None = None,
        update: int = 1,
    ) -> None:
        # one write to the instance's dict: the generated frozen __init__ sets each field through
        # object.__setattr__, four times slower, and a LeNet pass makes ~50 steps
        params = frozen() if params is None else params
        self.__dict__.update(
            id=id,
            rule=rule,
            inputs=inputs,
            value=value,
            formula=formula,
            phase=phase,
            params=params,
            update=update,
        )

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)


@dataclass(frozen=True, eq=False)
class ArraySolution(Displayed):
    """A problem worked by the array engine: the given arrays (x, t, W1, b1, dropout masks m1, …,
    and every input of a shown update that no shown step computes, by id) and the steps in order,
    those of the updates in `shown`; the loss over the data set after each epoch and the parameters
    after the run."""

    problem: ArrayProblem | ArrayConvProblem  # a matrix network, or a convolutional one (conv_run.py)
    given: Mapping[str, Array]
    steps: tuple[ArrayStep, ...]
    updates: int = 1  # in the whole run (1 without training: the one worked pass)
    shown: tuple[int, ...] = (1,)
    history: tuple[float, ...] = ()  # the loss over the data set before training, then after each epoch
    final: Mapping[str, Array] = field(default_factory=dict)  # the parameters after the run
    _by_id: dict[str, ArrayStep] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.steps})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def step(self, id: str) -> ArrayStep:
        """The step of that id (KeyError if none)."""
        return self._by_id[id]

    def __contains__(self, id: object) -> bool:
        return id in self._by_id

    def value(self, id: str) -> Array:
        """A step's value or a given array, by id."""
        return self._by_id[id].value if id in self._by_id else self.given[id]

    def inputs(self, step: ArrayStep) -> tuple[Array, ...]:
        """The arrays a step was computed from."""
        return tuple(self.value(i) for i in step.inputs)
