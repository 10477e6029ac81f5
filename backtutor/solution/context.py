"""What every part of the working shares: the problem's graph and its compiled code, the run's plan,
the step ids, the chain-rule formulas, the closed forms and the notes. Built once per run."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.compile import Program, compile_graph
from ..engine.expr import Expr, names
from ..engine.graph import Graph, Node, backprop_structure
from ..problem.load import Problem
from .chain import Gradient, gradients
from .closed_forms import closed_forms
from .ids import Ids
from .notes import Notes
from .plan import Plan


def build(problem: Problem) -> Graph:
    """The graph of a problem: its inputs, targets and parameters as leaves, then its named expressions."""
    nodes: dict[str, Node] = {}
    for n in problem.inputs:
        nodes[n] = Node(n, "input")
    for n in problem.targets:
        nodes[n] = Node(n, "target")
    for n in problem.parameters:
        nodes[n] = Node(n, "param")
    for name, expr in problem.model:
        nodes[name] = Node(name, "value", expr, tuple(names(expr)))
    params = tuple(problem.parameters)
    trainable = tuple(p for p in params if p not in problem.frozen) if problem.training else ()
    wrt = tuple(p for p in params if p not in problem.frozen) + problem.input_gradients
    if problem.forward_only:
        wrt = ()  # nothing to differentiate: the graph has no sweep
    return backprop_structure(nodes, problem.loss, wrt, params, trainable)


@dataclass(frozen=True)
class Context:
    """Everything a run reads, built once from the Problem: graph, compiled program, plan, step ids."""

    problem: Problem
    graph: Graph
    program: Program
    plan: Plan
    ids: Ids
    examples: list[list[float]]  # each example's inputs and targets, in program.data_names order
    known: dict[Expr, str]  # a node's defining expression ↦ the node (σ(net_o1) is out_o1)
    gradients: list[Gradient]  # the reverse sweep, as the working writes it
    closed: dict[str, Expr | None]
    notes: Notes

    @classmethod
    def of(cls, problem: Problem, epochs: int | None) -> Context:
        graph = build(problem)
        program = compile_graph(graph)
        plan = Plan.of(problem, epochs)
        return cls(
            problem,
            graph,
            program,
            plan,
            Ids(graph, plan),
            [[float(ex[name]) for name in program.data_names] for ex in problem.data],
            {n.expr: n.name for n in graph.nodes.values() if n.expr is not None},
            gradients(graph),
            closed_forms(graph),
            Notes(problem, graph),
        )

    @property
    def mean(self) -> bool:
        """True when a batch's loss and gradients are the mean over its examples, not the sum."""
        return self.problem.reduction == "mean"
