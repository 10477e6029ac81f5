"""The slips of a CNN table, one table: each a name, what the student is told, and the rule as a
recomputation of one layer's answer from the student's own numbers. A slip is named only when its
rule, applied where it changes the working, gives exactly the student's number (check/cnn/grade.py).

The size slips rework the output-size formula ⌊(N + 2P − F)/S⌋ + 1 per spatial dimension (F is the
window's reach D·(F − 1) + 1 when dilated); the count slips rework a parameter count; the flatten
slip takes the size of another map than the one that enters the dense layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ...cnn.schema import Conv, Dense, Pool
from ...cnn.sizes import n, product, shape_text
from ...cnn.table import Row

Value = tuple[int | Fraction, ...] | int
Told = dict[str, str]  # the fields of a slip's explanation


@dataclass(frozen=True)
class LayerFacts:
    """One layer as the student worked it: their input shape (the previous layer's output, C×H×W or
    features), a dense layer's input features as they count them, and the outputs they have for
    the rows before it (the network's input under "input")."""

    row: Row
    shape_in: tuple[int, ...]
    features: int = 0
    earlier: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


Rule = Callable[[LayerFacts, str], list[tuple[Value, Told]]]


@dataclass(frozen=True)
class ShapeSlip:
    name: str
    explanation: str  # what the student is told; {fields} from the rule
    rule: Rule

    def told(self, fields: Told) -> str:
        return self.explanation.format(**fields)


# ---- the output size --------------------------------------------------------------------------------
SizeRule = Callable[[int, int, int, int], int | Fraction | None]  # (N + 2P, F, S, P) → size, None: no change


def _windows(spec: Conv | Pool) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(reach, stride, padding) per dimension; the reach of a dilated kernel is D·(F − 1) + 1."""
    if isinstance(spec, Conv):
        kernel, stride, dilation = spec.kernel, spec.stride, spec.dilation
    else:
        kernel, stride, dilation = spec.window, spec.stride or spec.window, (1, 1)
    reach = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    return reach, stride, spec.padding


def _size(rule: SizeRule) -> Rule:
    def sized(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
        spec = facts.row.spec
        if quantity != "output" or not isinstance(spec, Conv | Pool) or len(facts.shape_in) != 3:
            return []
        c, *hw = facts.shape_in
        reach, stride, padding = _windows(spec)
        dims = [rule(size + 2 * p, f, s, p) for size, f, s, p in zip(hw, reach, stride, padding, strict=True)]
        if any(d is None for d in dims):
            return []
        channels = spec.out_channels if isinstance(spec, Conv) else c
        return [((channels, *(d for d in dims if d is not None)), {"layer": facts.row.name})]

    return sized


def _changes(needs: Callable[[int, int, int, int], bool], size: SizeRule) -> SizeRule:
    """`size` where `needs` says the slip changes anything (padding to count, a stride to ignore)."""
    return lambda m, f, s, p: size(m, f, s, p) if needs(m, f, s, p) else None


def _unfloored(m: int, f: int, s: int, p: int) -> Fraction | None:
    return Fraction(m - f, s) + 1 if (m - f) % s else None


def _rounded_up(m: int, f: int, s: int, p: int) -> int | None:
    return -(-(m - f) // s) + 1 if (m - f) % s else None


# ---- the parameter counts ---------------------------------------------------------------------------
def _counts(facts: LayerFacts) -> tuple[int, int, int, int] | None:
    """(weights per output, inputs, outputs, bias) of a conv or dense layer from the student's input."""
    spec = facts.row.spec
    if isinstance(spec, Conv) and len(facts.shape_in) == 3:
        (kh, kw), c = spec.kernel, facts.shape_in[0]
        return kh * kw * (c // spec.groups), c, spec.out_channels, int(spec.bias)
    if isinstance(spec, Dense):
        k = facts.features or product(facts.shape_in)
        return k, k, spec.units, int(spec.bias)
    return None


def _no_bias(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
    counts = _counts(facts)
    if quantity != "params" or counts is None or not counts[3]:
        return []
    per, _, out, _ = counts
    return [(per * out, {"layer": facts.row.name, "count": n(per * out), "out": str(out)})]


def _swapped(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
    counts = _counts(facts)
    if counts is None or counts[1] == counts[2]:
        return []
    per, cin, out, bias = counts
    told = {"layer": facts.row.name, "cin": str(cin), "out": str(out)}
    spec = facts.row.spec
    if quantity == "params":
        return [((per // cin * out + bias) * cin, told)]
    if quantity == "weights" and isinstance(spec, Conv):  # F×F×C_out×C_in (and C_in×C_out×F×F)
        (kh, kw), g = spec.kernel, spec.groups
        return [((cin // g, out, kh, kw), told)]
    return []


def _filter_off(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
    counts = _counts(facts)
    if quantity != "params" or counts is None:
        return []
    per, _, out, bias = counts
    one = per + bias
    told = {"layer": facts.row.name, "one": n(one)}
    return [((out + k) * one, {**told, "filters": str(out + k)}) for k in (-1, 1) if out + k > 0]


def _parameter_free(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
    """A pooling layer or an activation given parameters: a weight per window cell and channel, with
    or without a bias, a coefficient and a bias per map (LeNet's 1998 subsampling) or one per map."""
    spec = facts.row.spec
    if (
        quantity != "params"
        or facts.row.role != "layer"
        or isinstance(spec, Conv | Dense)
        or facts.row.params
    ):
        return []
    c = facts.shape_in[0]
    ways = [(c, "one per channel"), (2 * c, "a coefficient and a bias per channel")]
    if isinstance(spec, Pool):
        f = spec.window[0] * spec.window[1]
        ways += [
            (f * c, "a weight per window cell and channel"),
            ((f + 1) * c, "a window of weights and a bias per channel"),
        ]
    return [(k, {"layer": facts.row.name, "count": n(k), "how": how}) for k, how in ways]


def _wrong_map(facts: LayerFacts, quantity: str) -> list[tuple[Value, Told]]:
    """The flatten size (a dense layer's inputs, a flatten's output) of another map than the one
    that enters it."""
    row = facts.row
    if not (quantity == "in_features" or (quantity == "output" and row.kind == "flatten")):
        return []
    right = product(facts.shape_in)
    found: dict[int, Told] = {}
    for name, shape in facts.earlier.items():
        size = product(shape)
        if len(shape) == 3 and size != right and size not in found:
            found[size] = {"layer": row.name, "other": name, "shape": shape_text(shape), "count": n(size)}
    return list(found.items())


SLIPS = (
    ShapeSlip(
        "plus_one_forgotten",
        "the + 1 of the size formula ⌊(N + 2P − F)/S⌋ + 1 is left out in {layer}",
        _size(lambda m, f, s, p: (m - f) // s),
    ),
    ShapeSlip(
        "minus_one",
        "− 1 for + 1 in the size formula of {layer}: it is ⌊(N + 2P − F)/S⌋ + 1",
        _size(lambda m, f, s, p: (m - f) // s - 1),
    ),
    ShapeSlip(
        "padding_once",
        "the padding of {layer} counted on one side only: it is N + 2P, padding on both sides",
        _size(_changes(lambda m, f, s, p: p > 0, lambda m, f, s, p: (m - p - f) // s + 1)),
    ),
    ShapeSlip(
        "floor_ignored",
        "the ⌊…⌋ of the size formula ignored in {layer}: a window that does not fit is dropped, so "
        "the size is rounded down",
        lambda facts, q: _size(_unfloored)(facts, q) + _size(_rounded_up)(facts, q),
    ),
    ShapeSlip(
        "stride_ignored",
        "the stride of {layer} ignored: the size is ⌊(N + 2P − F)/S⌋ + 1, divided by the stride",
        _size(_changes(lambda m, f, s, p: s > 1, lambda m, f, s, p: m - f + 1)),
    ),
    ShapeSlip(
        "bias_forgotten",
        "the biases of {layer} left out of its parameters: {count} weights, plus one bias per each of "
        "the {out} outputs",
        _no_bias,
    ),
    ShapeSlip(
        "channels_swapped",
        "the input and output channels of {layer} swapped: its filters see the {cin} input channels, "
        "and there are {out} of them",
        _swapped,
    ),
    ShapeSlip(
        "flatten_wrong_map",
        "the flatten size of {layer} taken from {other}'s output, {shape} = {count}; it is the map "
        "that enters the dense layer",
        _wrong_map,
    ),
    ShapeSlip(
        "parameters_to_parameter_free",
        "{layer} given parameters ({count}: {how}); pooling and activations have none",
        _parameter_free,
    ),
    ShapeSlip(
        "one_filter_off",
        "a count off by one filter in {layer}: {filters} filters of {one} parameters each",
        _filter_off,
    ),
)
BY_NAME = {s.name: s for s in SLIPS}
