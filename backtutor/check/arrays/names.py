"""A student's array names → the working's step ids, and their arrays laid out as the working lays
them: the names course code uses (dW1, grad_W1, W1_grad, dL_dW1, dZ2, A1, W1_new …) through a small
alias map, a bias kept as a column or a row as a vector, and activations stored one row per example
turned to the working's one column per example. A weight array stored transposed is NOT turned: that
is a slip, graded (slips.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from ...arrays.records import ArraySolution

# (pattern, step id made from its groups); tried in order after the exact id
_ALIASES: tuple[tuple[str, str], ...] = (
    (r"(?:d|grad_?|dL/d|dJ/d)([WbK])(\d+)", "dE/d{0}{1}"),
    (r"([WbK])(\d+)_?grad", "dE/d{0}{1}"),
    (r"(?:dE|dL|dJ)_?d(\w+)", "dE/d{0}"),  # dE_dK1, dL_da2: the slash a file name cannot hold
    (r"(?:delta|dz|dZ|δ)_?(\d+)", "delta{0}"),
    (r"[zZ](\d+)", "z{0}"),
    (r"(?:a|A|h|H|out)_?(\d+)", "a{0}"),
    (r"([WbK])(\d+)(?:\+|_?new|_?next|_?updated|_?plus)", "{0}{1}+"),
    (r"(?:new_?|next_?|updated_?)([WbK])(\d+)", "{0}{1}+"),
)
_LOSS = ("E", "L", "J", "loss", "cost", "Loss", "E_total")


@dataclass(frozen=True)
class NamedArrays:
    """The student's arrays by step id (laid out as the working), what each was called in the file,
    and the names that matched no step."""

    arrays: dict[str, np.ndarray]
    written: dict[str, str]  # step id → the student's name for it
    notes: dict[str, str]  # step id → how the array was laid out to compare it (a transposed batch)
    unknown: tuple[str, ...]
    ambiguous: dict[str, tuple[str, ...]]  # a student's name → the step it shares with another name


def step_id(name: str, sol: ArraySolution) -> str | None:
    """The step a student's name stands for, if any: the id itself, an alias, or the loss."""
    base, at, update = name.strip().partition("@")
    suffixes = (f"@{update}",) if at else ("", "@1")  # no @t in a run of several: its first update
    for candidate in _candidates(base, sol):
        for suffix in suffixes:
            if candidate + suffix in sol:
                return candidate + suffix
    return None


def _candidates(base: str, sol: ArraySolution) -> list[str]:
    found = [base]
    for pattern, template in _ALIASES:
        m = re.fullmatch(pattern, base)
        if m:
            found.append(template.format(*m.groups()))
    if base in _LOSS:
        found += [s.id for s in sol.steps if s.rule == "loss"][:1]
    if base in sol.given:  # W1 on its own: the weights after the update, unless it is the given W1
        found.append(f"{base}+")
    return found


def name_arrays(arrays: Mapping[str, np.ndarray], sol: ArraySolution) -> NamedArrays:
    """Each array under its step's id; two names for one step (dW1 and grad_W1) are neither guessed at."""
    import numpy as np

    names: dict[str, list[str]] = {}
    unknown: list[str] = []
    for name, value in arrays.items():
        given = name.strip().removeprefix("given:")  # solve -f npz writes the givens as given:ID
        if given in sol.given and name.strip() not in sol and _same(value, sol.given[given]):
            continue  # a given array handed back unchanged: nothing to grade (W1+@1 is a step, graded)
        sid = step_id(name, sol)
        if sid is None:
            unknown.append(name)
        else:
            names.setdefault(sid, []).append(name)
    named = NamedArrays({}, {}, {}, tuple(unknown), {})
    for sid, written in names.items():
        if len(written) > 1:
            named.ambiguous.update({w: (sid,) for w in written})
            continue
        value, note = laid_out(np.asarray(arrays[written[0]]), sol.value(sid), _is_parameter(sid))
        named.arrays[sid], named.written[sid] = value, written[0]
        if note:
            named.notes[sid] = note
    return named


def _is_parameter(sid: str) -> bool:
    return re.match(r"(?:dE/d)?[WbK]\d+\+?(?:@\d+)?$", sid) is not None


def laid_out(value: np.ndarray, expected: np.ndarray, parameter: bool) -> tuple[np.ndarray, str]:
    """The student's array in the working's layout, when it holds the same numbers in another: a
    vector as a column or a row, or (for an activation, never a weight) one row per example."""
    if value.shape == expected.shape:
        return value, ""
    if value.size == expected.size and _squeezed(value.shape) == _squeezed(expected.shape):
        return value.reshape(expected.shape), ""
    if not parameter and value.ndim == 2 and value.T.shape == expected.shape:
        return value.T, "one row per example: compared with its transpose (one column per example)"
    return value, ""


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)


def _same(value: np.ndarray, given: np.ndarray) -> bool:
    import numpy as np

    return bool(value.shape == given.shape and np.allclose(value, given, rtol=1e-6, atol=0))
