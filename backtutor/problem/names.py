"""The model's names, once it is built: every parameter has a value and is used, the outputs have
targets and a loss over them, no name means two things, and every trained name reaches the loss."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.expr import Expr, names
from ..engine.losses import LOSSES, loss_model
from . import yamlfile
from .checker import BuiltModel, SpecReader
from .schema import MAX_NODES


def _listing(items: list[str], most: int = 8) -> str:
    return ", ".join(items[:most]) + (f", … ({len(items)} in all)" if len(items) > most else "")


@dataclass(frozen=True)
class Named:
    """A built model whose names are checked, with its targets and the loss node."""

    model: list[tuple[str, Expr]]  # the built model and then the loss nodes
    targets: list[str]
    loss: str  # the node that is differentiated


class NameChecks(SpecReader):
    """The checks on a built model's names (the spec is the one the model was built from)."""

    def named(self, built: BuiltModel) -> Named:
        """The model with its loss, after checking its names (in this order: the first error wins)."""
        s = self.spec
        self.check_roles()
        defined = set(s.inputs) | {n for n, _ in built.nodes}
        used = {n for _, e in built.nodes for n in names(e)}
        params = [n for n in dict.fromkeys(n for _, e in built.nodes for n in names(e)) if n not in defined]
        targets, loss_nodes, loss = self.loss(built.outputs, built.labels, set(params) | defined)
        self.check_targets(targets)
        self.check_parameters(params, used)
        model = [*built.nodes, *loss_nodes]
        if not LOSSES[s.loss.kind].forward_only:
            self.check_gradients(model, params, loss)
        self.check_unique(list(s.inputs) + params + list(targets) + [n for n, _ in model])
        if len(model) > MAX_NODES or len(params) > 10 * MAX_NODES:
            raise self.fail(("network",), f"model too large ({len(model)} nodes; at most {MAX_NODES})")
        for i, name in enumerate(s.frozen):
            if name not in s.parameters:
                raise self.fail(("frozen", i), f"'{name}' is not a parameter")
        for i, name in enumerate(s.input_gradients):
            if name not in s.inputs:
                raise self.fail(("input_gradients", i), f"'{name}' is not an input")
        return Named(model, targets, loss)

    def check_roles(self) -> None:
        """A name means one thing: an input, a parameter (a weight or bias is one), or an expression.
        A name given two of these is an error that names both places."""
        s = self.spec
        places: dict[str, tuple[str, tuple[Any, ...]]] = {}
        claims: list[tuple[str, str, tuple[Any, ...]]] = [
            (n, "an input", ("inputs", i)) for i, n in enumerate(s.inputs)
        ]
        for li, layer in enumerate(s.network or []):
            for u, unit in layer.units.items():
                loc = ("network", li, "units", u)
                claims += [(w, "a parameter", (*loc, "weights", k)) for k, w in enumerate(unit.weights)]
                claims += [(unit.bias, "a parameter", (*loc, "bias"))] if unit.bias else []
        claims += [(n, "a parameter", ("parameters", n)) for n in s.parameters]
        claims += [(n, "an expression", ("expressions", n)) for n in s.expressions or {}]
        for name, role, loc in claims:
            first = places.setdefault(name, (role, loc))
            if first[0] != role:
                raise self.fail(loc, f"'{name}' is {role} here but {first[0]} at {self.where(first[1])}")

    def check_targets(self, targets: list[str]) -> None:
        """A target is given by the data; it cannot also be an input, a parameter or an expression."""
        s = self.spec
        for name in targets:
            if name in s.inputs:
                loc: tuple[Any, ...] = ("inputs", list(s.inputs).index(name))
            elif name in s.parameters:
                loc = ("parameters", name)
            elif name in (s.expressions or {}):
                loc = ("expressions", name)
            else:
                continue
            in_data = ("data", 0, name) if s.data and name in s.data[0] else ("loss",)
            given = next((("targets", k) for k, v in s.targets.items() if v == name), in_data)
            raise self.fail(
                loc, f"'{name}' is a target (see {self.where(given)}), so it cannot be used here too"
            )

    def where(self, loc: tuple[Any, ...]) -> str:
        """A place in the file as a message names it: the field and its line."""
        line = yamlfile.line_of(self.lines, loc)
        return f"{yamlfile.field_name(loc) or 'the top level'}" + (f" (line {line})" if line else "")

    def check_parameters(self, params: list[str], used: set[str]) -> None:
        s = self.spec
        missing = [p for p in params if p not in s.parameters]
        if missing:
            raise self.fail(("parameters",), f"no value given for {_listing(missing)}")
        for name in s.parameters:
            if name not in used:
                raise self.fail(
                    ("parameters", name), f"'{name}' is given a value but the model never uses it"
                )
        for i, name in enumerate(s.inputs):
            if name not in used:
                raise self.fail(("inputs", i), f"input '{name}' is never used by the model")

    def loss(
        self, outputs: list[str], labels: list[str], known: set[str]
    ) -> tuple[list[str], list[tuple[str, Expr]], str]:
        s, kind = self.spec, self.spec.loss.kind
        if LOSSES[kind].forward_only:
            self.check_forward_only()
            return [], [], outputs[-1]  # no loss: the last output only anchors the graph's one sweep
        for out in s.targets:
            if out not in labels and out not in outputs:
                raise self.fail(("targets", out), f"'{out}' is not an output (outputs: {', '.join(labels)})")
        targets = [
            s.targets.get(label, s.targets.get(node, f"target_{label}"))
            for label, node in zip(labels, outputs, strict=True)
        ]
        if LOSSES[kind].is_output:
            if len(outputs) != 1:
                raise self.fail(
                    ("loss", "kind"), f"'output' needs exactly one output, found {_listing(outputs)}"
                )
            if "name" in s.loss.model_fields_set:
                raise self.fail(
                    ("loss", "name"), "with kind 'output' the output itself is differentiated; drop 'name'"
                )
            return [], [], outputs[0]
        if LOSSES[kind].from_expr:
            if s.loss.expr is None:
                raise self.fail(("loss",), "kind 'expression' needs 'expr', e.g. expr: (y - f)^2")
            expr = self.parse(("loss", "expr"), s.loss.expr)
            targets = list(s.targets.values())
            for n in names(expr):
                if n not in known and n not in targets:
                    raise self.fail(("loss", "expr"), self.undefined(n, known | set(targets)))
            return targets, loss_model(kind, s.loss.name, [], expr), s.loss.name
        if s.loss.expr is not None:
            raise self.fail(("loss", "expr"), f"'expr' goes with kind 'expression', not '{kind}'")
        triples = list(zip(labels, outputs, targets, strict=True))
        return targets, loss_model(kind, s.loss.name, triples, None), s.loss.name

    def check_forward_only(self) -> None:
        """Without a loss there is nothing to differentiate: no targets, training or gradients."""
        s = self.spec
        if s.layers is None:
            raise self.fail(
                ("loss", "kind"), "kind 'none' (the forward pass alone) goes with 'image' and 'layers'"
            )
        for key, what in (
            ("targets", "targets"),
            ("training", "training"),
            ("input_gradients", "gradients"),
            ("frozen", "frozen parameters"),
        ):
            if getattr(s, key):
                raise self.fail(
                    (key,),
                    f"this problem has no loss (the forward pass only), so it takes no {what}; add "
                    "a 'loss' (with its targets) to work the backward pass",
                )

    def check_gradients(self, model: list[tuple[str, Expr]], params: list[str], loss: str) -> None:
        """Every trained parameter and every input_gradients name must reach the loss."""
        s = self.spec
        reaches = {loss}  # names the loss depends on (model is in topological order)
        for name, e in reversed(model):
            if name in reaches:
                reaches.update(names(e))
        for name in [*(p for p in params if p not in s.frozen), *s.input_gradients]:
            if name not in reaches:
                where = ("parameters", name) if name in s.parameters else ("input_gradients",)
                raise self.fail(where, f"'{name}' does not affect the loss '{loss}', so it has no gradient")

    def check_unique(self, all_names: list[str]) -> None:
        seen: set[str] = set()
        for n in all_names:
            if n in seen:
                raise self.fail((), f"the name '{n}' is used for two different things")
            seen.add(n)
