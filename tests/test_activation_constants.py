"""The activations with a parameter (leaky_relu's slope) walked through the op table: each entry's
constant is the key a network layer and a convolution layer give, its default when left out, held to
its range when given (ranges written down here), and enters the model's calls as written."""

from __future__ import annotations

from fractions import Fraction

import pytest

from backtutor.engine.expr import Call
from backtutor.engine.ops import LAYER_CONSTANTS, OPS
from backtutor.errors import InputError
from backtutor.problem.load import load

RANGES = {"slope": (Fraction(0), Fraction(1))}  # lowest allowed, first value above the range
PROBES = [Fraction(-1, 10), Fraction(0), Fraction(1, 4), Fraction(1), Fraction(2)]
ENTRIES = [op for op in OPS.values() if op.activation and op.constant]

NETWORK = """inputs: [x]
network:
  - activation: {kind}
{given}    units:
      h: {{weights: [w]}}
targets: {{h: y}}
parameters: {{w: 0.5}}
data: [{{x: 1, y: 0}}]
"""
CONV = """image: {{x: [[-2]]}}
layers: [{{kind: conv, name: c, kernel: {{k: [[1]]}}}}, {{kind: {kind}, name: a{given}}}]
loss: {{kind: output}}
"""


def _calls(path, kind: str) -> set[object]:
    return {e.param for _, e in load(path).model if isinstance(e, Call) and e.op == kind}


def test_the_table_lists_every_activation_with_a_parameter():
    assert ENTRIES and {op.constant.key for op in ENTRIES} == set(LAYER_CONSTANTS) == set(RANGES)
    assert all(op.constant.key == op.param for op in ENTRIES)


# where a layer gives its activation's constant: (the file, the constant as given, the error's start)
LAYOUTS = {
    "network": (NETWORK, "    {key}: {v}\n", r"problem.yaml:4: network\[0\].{key}: "),
    "convolution": (CONV, ", {key}: {v}", r"problem.yaml:2: layers\[1\].{key}: "),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", ENTRIES, ids=lambda op: op.name)
def test_a_layer_s_constant_defaults_enters_the_model_and_is_held_to_its_range(write_problem, op, layout):
    text, given, where = LAYOUTS[layout]
    key, (low, above) = op.constant.key, RANGES[op.constant.key]
    assert _calls(write_problem(text.format(kind=op.name, given="")), op.name) == {op.constant.default}
    for v in PROBES:
        path = write_problem(text.format(kind=op.name, given=given.format(key=key, v=float(v))))
        if low <= v < above:
            assert _calls(path, op.name) == {v}
        else:
            with pytest.raises(InputError, match=where.format(key=key) + f"{key} must be"):
                load(path)
