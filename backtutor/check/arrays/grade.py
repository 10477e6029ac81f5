"""A student's arrays graded against an ArraySolution: right, carried forward, or wrong with the slip
named and the largest error shown.

Each step is recomputed from the student's own arrays, with the rule the engine used (`RULES[step.rule]`
on the student's inputs where they gave them, the recomputed ones where they did not), so an array
that is wrong only because an earlier one was is "carried", and one that matches what its own right
inputs give is right even where float32 rounding has drifted from the float64 working. A wrong array
is tried against each slip of its rule (slips.py), on the same inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ...arrays.rules import RULES
from ..misconceptions import Seen
from ..places import Place, Unmatched
from ..verdicts import Report, Verdict
from .compare import Bounds, describe, largest_error
from .names import NamedArrays, name_arrays
from .slips import slips_for

if TYPE_CHECKING:
    import numpy as np

    from ...arrays.records import ArraySolution, ArrayStep


def grade_arrays(
    sol: ArraySolution,
    arrays: Mapping[str, np.ndarray],
    sheet: str,
    tolerance: tuple[float | None, float | None] | None = None,
) -> Report:
    """The report on a student's arrays by name (an .npz's, or a dict from Python). `tolerance`:
    (rtol, atol) from the command line; else the problem's, else one that fits each array's dtype."""
    given = tolerance if tolerance and any(t is not None for t in tolerance) else sol.problem.tolerance
    named = name_arrays(arrays, sol)
    state = _State(sol, named, given)
    seen = Seen()
    verdicts: list[Verdict] = []
    for step in sol.steps:
        v = state.step(step)
        if v is None:
            continue
        again = seen.again(v) if v.status == "wrong" else ""
        if again:
            v = replace(v, again=again, explanation=f"{v.explanation} (again, as in {again})")
        verdicts.append(v)
    first = next((v for v in verdicts if v.status == "wrong"), None)
    return Report(sheet, tuple(verdicts), first, unmatched=_unmatched(named, sheet))


@dataclass
class _State:
    """The student's own arrays so far (theirs where given, else recomputed from theirs), and for
    each the first own error it was worked from."""

    sol: ArraySolution
    named: NamedArrays
    tolerance: tuple[float | None, float | None] | None
    own: dict[str, Any] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)  # step id → the first own error under it

    def step(self, step: ArrayStep) -> Verdict | None:
        import numpy as np

        inputs = tuple(self.own.get(i, self.sol.given.get(i)) for i in step.inputs)
        ownvalue = _apply(step.rule, inputs, step.params)
        upstream = next((self.source[i] for i in step.inputs if i in self.source), "")
        if upstream:
            self.source[step.id] = upstream
        answer = self.named.arrays.get(step.id)
        if answer is None:
            self.own[step.id] = ownvalue if ownvalue is not None else step.value
            return None
        v = self.judge(step, answer, inputs, ownvalue, upstream)
        fits = answer.shape == step.value.shape and np.isfinite(answer.astype(np.float64)).all()
        self.own[step.id] = (
            answer.astype(np.float64) if fits else (ownvalue if ownvalue is not None else step.value)
        )
        if v.status == "wrong":
            self.source[step.id] = step.id
        return v

    def judge(
        self, step: ArrayStep, answer: np.ndarray, inputs: tuple[Any, ...], ownvalue: Any, upstream: str
    ) -> Verdict:
        bounds = Bounds.of(self.precision(step, answer), self.tolerance)
        name = self.named.written[step.id]
        base = Verdict(
            step.id,
            describe(answer),
            describe(step.value),
            "right",
            element=name if name != step.id else "",
        )
        note = self.named.notes.get(step.id, "")
        if bounds.close(answer, step.value):
            return replace(base, explanation=note)
        if ownvalue is not None and bounds.close(answer, ownvalue):
            if not upstream:  # right from right inputs: rounding the working's float64 does not show
                return replace(base, explanation=note)
            why = f"right from your own {upstream}; wrong only because {upstream} was"
            return replace(
                base, status="carried", source=upstream, explanation=why, expected=describe(ownvalue)
            )
        theirs = any(i in self.named.arrays for i in step.inputs)  # worked from arrays they gave
        fits = ownvalue is not None and ownvalue.shape == step.value.shape
        reference = ownvalue if theirs and fits else step.value
        return self.wrong(base, step, answer, inputs, reference, bounds)

    def precision(self, step: ArrayStep, answer: np.ndarray) -> np.dtype:
        """The answer's dtype, or the least precise of the student's own inputs to it: float32 maths
        written into a float64 array rounds as float32."""
        theirs = [self.named.arrays[i].dtype for i in step.inputs if i in self.named.arrays]
        floats = [d for d in (answer.dtype, *theirs) if d.kind == "f"]
        return min(floats, key=lambda d: d.itemsize) if floats else answer.dtype

    def wrong(
        self,
        base: Verdict,
        step: ArrayStep,
        answer: np.ndarray,
        inputs: tuple[Any, ...],
        reference: Any,
        b: Bounds,
    ) -> Verdict:
        name = base.element or step.id
        found: dict[str, str] = {}
        right = self.sol.inputs(step)  # a slip on the right inputs too: code fed the right arrays
        for slip in slips_for(step.rule):
            for worked_from in (inputs, right):
                alt = _apply(slip.wrong, worked_from, step.params)
                if alt is not None and slip.name not in found and b.close(answer, alt):
                    found[slip.name] = slip.says(dict(step.params))
        if answer.shape != step.value.shape:
            worst = f"shape {_shape(answer.shape)}; expected {_shape(step.value.shape)}"
        else:
            worst = largest_error(name, answer, reference, bool(self.named.notes.get(step.id)))
        wrong = replace(base, status="wrong", largest=worst, expected=describe(reference))
        said = worst if answer.shape != step.value.shape else f"largest error {worst}"
        if len(found) == 1:
            ((name, told),) = found.items()
            return replace(wrong, slip=name, explanation=f"{told}; {said}", confidence="one slip")
        if found:
            return replace(
                wrong,
                explanation=said,
                confidence="several",
                candidates=tuple(found),
                told=tuple(found.values()),
            )
        return replace(wrong, explanation=said)


def _apply(rule: Any, inputs: tuple[Any, ...], params: Mapping[str, Any]) -> Any:
    """A rule (or a slip's wrong maths) on these arrays; None where the arrays do not fit it (a
    transposed dW1 cannot update W1) or the slip cannot happen."""
    import numpy as np

    fn = RULES[rule] if isinstance(rule, str) else rule
    if any(a is None for a in inputs):
        return None
    try:
        with np.errstate(all="ignore"):
            value = fn(*inputs, **params)
    except (ValueError, TypeError, IndexError, ZeroDivisionError):
        return None
    return None if value is None else np.asarray(value, dtype=np.float64)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _unmatched(named: NamedArrays, sheet: str) -> tuple[Unmatched, ...]:
    """The arrays no step was found for, and the names two of which stand for one step."""
    where = Place(sheet, 0)
    unknown = [Unmatched(where, name, "not recognised") for name in named.unknown]
    return (*unknown, *(Unmatched(where, n, "ambiguous", ids) for n, ids in named.ambiguous.items()))
