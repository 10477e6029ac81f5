"""Notes beside the working: each derivative rule the first time a step uses it, how to read a conv or
pooling layer's working, and the run's conventions (every rule used, and the loss's own)."""

from __future__ import annotations

from ..engine.graph import Graph
from ..engine.losses import LOSSES
from ..engine.ops import OPS, functions_in, ops_in
from ..problem.load import Problem


class Notes:
    def __init__(self, problem: Problem, graph: Graph) -> None:
        self.problem, self.graph = problem, graph
        self.ops_of: dict[str, list[str]] = {}
        self.shown: set[str] = set()  # rules and layer notes already shown beside a step
        self.conventions: dict[str, None] = {}  # in first-use order

    def note(self, node: str) -> str:
        """The derivative rules this node's formula uses, the first time each is used."""
        notes = []
        layer_note = self.problem.notes.get(node)  # how to read a conv or pooling layer's working
        if layer_note and layer_note not in self.shown:
            self.shown.add(layer_note)
            self.conventions.setdefault(layer_note)
            notes.append(layer_note)
        for op in self._ops(node):
            rule = OPS[op].rule
            if rule and op != "pow":
                self.conventions.setdefault(rule)
                if op not in self.shown:
                    self.shown.add(op)
                    derivation = OPS[op].derivation if self.problem.derivations else ""
                    notes.append(f"{rule}; {derivation}" if derivation else rule)
        expr = self.graph.nodes[node].expr
        for f in functions_in(expr) if expr is not None else []:  # a formula function's derivation
            self.conventions.setdefault(f.derivation)
            if f.derivation not in self.shown:
                self.shown.add(f.derivation)
                notes.append(f.derivation)
        return "; ".join(notes)

    def _ops(self, node: str) -> list[str]:
        if node not in self.ops_of:
            expr = self.graph.nodes[node].expr
            self.ops_of[node] = ops_in(expr) if expr is not None else []
        return self.ops_of[node]

    def loss_convention(self) -> None:
        """The loss's own convention, said once per run."""
        loss = LOSSES[self.problem.loss_kind]
        if note := loss.note(self.graph):
            self.conventions.setdefault(
                loss.general_note if loss.general_note and not self.problem.targets_distributions else note
            )
