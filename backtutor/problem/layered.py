"""A model given as a `network` of layers of units: check the naming templates, the inputs, each
unit's weight count and each layer's dropout, then build the named expressions (network.py)."""

from __future__ import annotations

from ..engine.parse import valid_name
from .checker import BuiltModel, SpecReader
from .dropout import LayerDropout, dropout_of, masked
from .fields import layer_constant
from .functions import formula_function
from .network import UnitSpec, dropout_names, network_model, unit_names
from .schema import MAX_NODES, FormulaActivation, LayerFile, ProblemFile


def network_of(c: SpecReader) -> tuple[ProblemFile, BuiltModel]:
    """The model, and the spec the checks after it read (with the dropout masks as inputs and data)."""
    s = c.spec
    assert s.network is not None
    _check_naming(c)
    if s.functions:
        raise c.fail(
            ("functions",), 'expressions call functions; a layer takes activation: {name: …, formula: "…"}'
        )
    if not s.inputs:
        raise c.fail(("inputs",), "a network needs its inputs listed, e.g. inputs: [i1, i2]")
    units = sum(len(layer.units) for layer in s.network)
    if 2 * units > MAX_NODES:
        raise c.fail(("network",), f"network too large ({units:,} units; at most {MAX_NODES // 2:,})")
    previous = list(s.inputs)
    specs: list[list[UnitSpec]] = []
    drops: list[LayerDropout | None] = []
    for li, layer in enumerate(s.network):
        specs.append(_units(c, li, layer, previous))
        drops.append(dropout_of(c, li, [u.name for u in specs[-1]]))
        previous = [unit_names(u.name, s.naming.net, s.naming.out)[1] for u in specs[-1]]
    rates = [d.rate if d else None for d in drops]
    model, outputs = network_model(s.inputs, specs, s.naming.net, s.naming.out, rates)
    layers = tuple(
        tuple(n for u in units for n in unit_names(u.name, s.naming.net, s.naming.out)) for units in specs
    )
    notes = {
        dropout_names(u.name)[1]: d.note for units, d in zip(specs, drops, strict=True) if d for u in units
    }
    spec = masked(s, [([u.name for u in units], d) for units, d in zip(specs, drops, strict=True)])
    return spec, BuiltModel(model, outputs, [u.name for u in specs[-1]], layers, notes)


def _check_naming(c: SpecReader) -> None:
    naming = c.spec.naming
    for key in ("net", "out"):
        template = getattr(naming, key)
        if "{unit}" not in template or not valid_name(template.replace("{unit}", "u")):
            raise c.fail(("naming", key), f"{template!r} must contain {{unit}} and make a valid name")
    if naming.net == naming.out:
        raise c.fail(("naming",), "'net' and 'out' must make different names")


def _units(c: SpecReader, li: int, layer: LayerFile, previous: list[str]) -> list[UnitSpec]:
    """Layer `li`'s units, each with one weight per value of the layer before (`previous`)."""
    units = []
    for uname, unit in layer.units.items():
        loc = ("network", li, "units", uname)
        act = unit.activation or layer.activation
        function = None
        if isinstance(act, FormulaActivation):
            where = (*loc, "activation") if unit.activation else ("network", li, "activation")
            function = formula_function(c, (*where, "formula"), act.name, act.formula)
        if len(unit.weights) != len(previous):
            what = "inputs" if li == 0 else f"units in layer {li}"
            raise c.fail(
                (*loc, "weights"),
                f"unit {uname} has {len(unit.weights)} weights but there are {len(previous)} "
                f"{what} ({', '.join(previous)}); list one weight per input, in order",
            )
        if unit.activation == "softmax" or (act == "softmax" and len(layer.units) < 2):
            raise c.fail(loc, "softmax is a whole-layer activation over two or more units")
        name = "formula" if function else str(act)
        constant = layer_constant(layer, name)
        units.append(UnitSpec(uname, tuple(unit.weights), unit.bias, name, constant, function))
    return units
