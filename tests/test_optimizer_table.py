"""The optimizer table (engine/optimizers.py) walked entry by entry: a problem file's constants for
each entry get the table's defaults when left out and are held to their ranges when given (ranges
written down here from torch.optim's argument checks and the rules' meaning), a constant of another
entry is refused, and every slip an entry names is in the check catalogue."""

from __future__ import annotations

from fractions import Fraction

import pytest

from backtutor.check.slips.catalogue import CATALOGUE, OPTIMIZER_SLIPS
from backtutor.engine.optimizers import OPTIMIZERS, Optimizer
from backtutor.errors import InputError
from backtutor.problem.load import load

from .test_optimizers import PROBLEM

# each constant's range: its lowest and highest allowed values, whether each end is allowed
RANGES = {
    "momentum": (0, None, True, False),
    "alpha": (0, 1, True, True),
    "beta1": (0, 1, True, False),
    "beta2": (0, 1, True, False),
    "eps": (0, None, False, False),
}
PROBES = [Fraction(-1, 2), Fraction(0), Fraction(1, 2), Fraction(1), Fraction(3, 2)]
ENTRIES = [pytest.param(o, id=f"{o.kind}-{o.form}") for o in OPTIMIZERS.values()]


def _allowed(key: str, v: Fraction) -> bool:
    low, high, low_in, high_in = RANGES[key]
    above = v > low or (low_in and v == low)
    below = high is None or v < high or (high_in and v == high)
    return above and below


def _file(o: Optimizer, **constants: Fraction) -> str:
    given = "".join(f", {k}: {float(v)}" for k, v in constants.items())
    form = ", form: textbook" if o.form == "textbook" else ""
    return PROBLEM.format(
        reduction="sum",
        lr=0.1,
        mode="online",
        epochs=1,
        optimizer=f"{{kind: {o.kind}{form}{given}}}",
        decay="",
    )


@pytest.mark.parametrize("o", ENTRIES)
def test_each_entry_s_constants_get_their_defaults_and_are_held_to_their_ranges(write_problem, o):
    training = load(write_problem(_file(o))).training
    assert training is not None and training.optimizer.constants == {c.key: c.default for c in o.constants}
    for c in o.constants:
        for v in PROBES:
            path = write_problem(_file(o, **{c.key: v}))
            if _allowed(c.key, v) and not (o.kind == "nesterov" and v == 0):
                t = load(path).training
                assert t is not None and t.optimizer.constants[c.key] == v
            else:
                with pytest.raises(InputError, match=f"optimizer.{c.key}: "):
                    load(path)


@pytest.mark.parametrize("o", ENTRIES)
def test_a_constant_of_another_entry_is_refused(write_problem, o):
    own = {c.key for c in o.constants}
    for key in sorted(set(RANGES) - own):
        with pytest.raises(InputError, match=f"'{key}' is not a constant of {o.kind}"):
            load(write_problem(_file(o, **{key: Fraction(1, 2)})))


def test_every_slip_an_entry_names_is_in_the_check_catalogue():
    catalogue = {s.name for s in CATALOGUE}
    for o in OPTIMIZERS.values():
        assert o.slips and o.slips <= catalogue, o.kind
    assert {s.name for s in OPTIMIZER_SLIPS} <= {name for o in OPTIMIZERS.values() for name in o.slips}
