"""Problem → Solution: the forward pass, the chain rule on the graph and the SGD updates, as Steps.

Every renderer and the checker read the same `Step` records. Values come from the compiled graph
(`numeric.py`); formulas come from the graph's local derivatives. Working is built only for the
update steps that will be shown; all other updates run the compiled code alone.
(The module is not called solve.py so that `backtutor.solve` stays the function.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..engine.compile import Program, compile_graph
from ..engine.expr import ONE, Call, Deriv, Expr, Num, Sym, Updated, add, mul, names, size
from ..engine.graph import Graph, Node, backprop_structure
from ..engine.losses import LOSSES
from ..engine.ops import OPS, evaluate, ops_in
from ..errors import InputError
from ..problem.load import Problem

CLOSED_FORM_LIMIT = 200  # tree size above which a closed form is left out as unreadable
DEFAULT_SHOWN = 50  # a one-epoch run shows the working of up to this many updates
MAX_HISTORY = 10_000  # epochs recorded in Solution.history at most (evenly spaced, plus the last)
ETA = Sym("η")
Value = Fraction | float


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    phase: str  # "forward", "backward" or "update"
    target: Expr  # the quantity: Sym("net_h1"), Deriv("E", "w5"), Updated("w5")
    formula: Expr
    substitution: Expr | None  # the formula with numbers in; None when there is nothing to substitute
    value: float
    depends_on: tuple[str, ...] = ()
    update: int = 1
    example: int | None = None  # position in the batch; None for batch-level steps
    closed_form: Expr | None = None  # gradients of parameters: the derivative in the problem's names
    note: str = ""  # a rule shown the first time it is used
    # each leaf of the formula, the id of the step that computes it (None: given), and its value;
    # what `check` needs to recompute the step from a student's own earlier numbers
    leaves: tuple[tuple[Expr, str | None, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Epoch:
    epoch: int  # 0: before training
    loss: float  # loss over the whole data set, reduced as the problem says
    params: tuple[float, ...]  # graph.params order


@dataclass(frozen=True, slots=True)
class Worked:
    """The numbers of one worked example at one update: what renderers and the checker read
    instead of rebuilding them from the Steps."""

    update: int
    example: int | None  # position in the batch, None when the batch is one example
    index: int  # 0-based position in the data set
    values: dict[str, Value]  # every node (inputs, targets, parameters, computed values)
    gradients: dict[str, float]  # ∂loss/∂node for every node on a path to the loss (the loss: 1)


class NumericError(InputError):
    """A value that cannot be computed (log of a negative number, overflow, a diverging run)."""


@dataclass(frozen=True)
class Solution:
    problem: Problem
    graph: Graph
    steps: tuple[Step, ...]
    history: tuple[Epoch, ...]  # epoch 0, then each epoch (every k-th on runs over MAX_HISTORY epochs)
    updates: int  # update steps in the whole run
    updates_per_epoch: int
    shown: tuple[int, ...]  # update steps whose working is in `steps`
    conventions: tuple[str, ...]
    worked: tuple[Worked, ...] = ()  # per worked update and example, in working order
    # update t ↦ every parameter's value during update t (before it), for each worked update
    parameters_during: dict[int, dict[str, Value]] = field(default_factory=dict)

    def values(self, t: int = 1, k: int | None = None) -> dict[str, Value]:
        """Every node's value in worked update t, example k (None: the only one, or the first)."""
        return self._worked(t, k).values

    def gradients(self, t: int = 1, k: int | None = None) -> dict[str, float]:
        """∂loss/∂node in worked update t, example k (None: the only one, or the first)."""
        return self._worked(t, k).gradients

    def _worked(self, t: int, k: int | None) -> Worked:
        for w in self.worked:
            if w.update == t and (k is None or w.example == k):
                return w
        raise KeyError(f"update {t}" + (f", example {k}" if k is not None else "") + " was not worked")

    def step(self, step_id: str) -> Step:
        return self._index()[step_id]

    def _index(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    def working_for(self, step_id: str) -> list[Step]:
        """The steps that lead to one quantity, in working order."""
        index = self._index()
        if step_id not in index:
            raise KeyError(step_id)
        needed: set[str] = set()
        todo = [step_id]
        while todo:
            s = todo.pop()
            if s in needed or s not in index:
                continue
            needed.add(s)
            todo.extend(index[s].depends_on)
        return [s for s in self.steps if s.id in needed]

    @property
    def final(self) -> dict[str, float]:
        return dict(zip(self.graph.params, self.history[-1].params, strict=True))


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
    return backprop_structure(nodes, problem.loss, wrt, params, trainable)


class _Ids:
    """Step ids: the quantity's name, `[k]` for example k of a batch, `@t` for update t of a run
    with more than one update (see the README)."""

    def __init__(self, updates: int, batch: int) -> None:
        self.multi, self.batch = updates > 1, batch

    def __call__(self, base: str, t: int, k: int | None = None) -> str:
        return base + (f"[{k}]" if k is not None and self.batch > 1 else "") + (f"@{t}" if self.multi else "")


def substitute(e: Expr, value_of: Callable[[Expr], Value | None], collapse: bool) -> Expr:
    """The formula with numbers for names (and for derivative factors). With `collapse`, a function
    call is replaced by its value too: σ(net_o1)·(1 − σ(net_o1)) → 0.751 × (1 − 0.751)."""
    v = value_of(e) if isinstance(e, Sym | Deriv) or (collapse and isinstance(e, Call)) else None
    if v is not None:
        return Num(v)
    if isinstance(e, Call):
        if collapse and not OPS[e.op].infix:
            return Num(evaluate(e, lambda leaf: float(value_of(leaf))))  # type: ignore[arg-type]
        return Call(e.op, tuple(substitute(a, value_of, collapse) for a in e.args), e.param)
    return e


class _Solver:
    def __init__(self, problem: Problem, epochs: int | None) -> None:
        self.problem = problem
        self.graph = build(problem)
        self.program: Program = compile_graph(self.graph)
        t = problem.training
        self.epochs = epochs or (t.epochs if t else 1)
        n = len(problem.data)
        self.batch = t.batch_size if t else n
        self.batches = [list(range(i, min(i + self.batch, n))) for i in range(0, n, self.batch)]
        self.updates = self.epochs * len(self.batches) if t else 1
        self.ids = _Ids(self.updates, self.batch)
        self.examples = [[float(ex[name]) for name in self.program.data_names] for ex in problem.data]
        self.known_exprs = {n.expr: n.name for n in self.graph.computed}
        self.closed = self._closed_forms()
        self.position = {name: i for i, name in enumerate(self.graph.params)}
        self.wrt = frozenset(self.graph.wrt)
        self.ops_of: dict[str, list[str]] = {}
        self.rules_shown: set[str] = set()
        self.conventions: dict[str, None] = {}
        self.worked: list[Worked] = []
        self.parameters_during: dict[int, dict[str, Value]] = {}

    # ---- symbolic structure, shared by every example -------------------------------------------
    def _closed_forms(self) -> dict[str, Expr | None]:
        g = self.graph
        closed: dict[str, Expr | None] = {g.loss: ONE}
        sizes = {g.loss: 1}
        for n in g.order:
            parts, total = [], 0
            for c in g.consumers[n]:
                if closed.get(c) is None:
                    break
                total += sizes[c] + size(g.local[(c, n)])
                parts.append((c, g.local[(c, n)]))
            else:
                if total <= CLOSED_FORM_LIMIT:
                    closed[n] = add(*(mul(closed[c], loc) for c, loc in parts))  # type: ignore[arg-type]
                    sizes[n] = size(closed[n])  # type: ignore[arg-type]
                    continue
            closed[n] = None
        return closed

    def _chain(self, c: str) -> list[Expr]:
        """Factors whose product is ∂loss/∂c, expanded along single paths, stopping at forks."""
        g = self.graph
        if g.is_unit(c):
            return []
        cs = g.consumers[c]
        if len(cs) == 1 and not g.is_unit(cs[0]):
            return [*self._chain(cs[0]), Deriv(cs[0], c)]
        return [Deriv(g.loss, c)]

    def _direct(self, n: str) -> str | None:
        """The consumer u when ∂loss/∂n is simply the local ∂u/∂n (u a loss term)."""
        cs = self.graph.consumers[n]
        return cs[0] if len(cs) == 1 and self.graph.is_unit(cs[0]) else None

    def leaf_id(self, leaf: Expr, t: int, k: int | None) -> str | None:
        """The id of the step that computes a formula's leaf, or None for a given value."""
        g, ids = self.graph, self.ids
        if isinstance(leaf, Deriv):
            return ids(f"d{leaf.of}/d{leaf.wrt}", t, leaf.example if leaf.example is not None else k)
        if not isinstance(leaf, Sym):
            return None
        if leaf.example is not None:
            return ids(leaf.name, t, leaf.example)
        node = g.nodes.get(leaf.name)  # None for η
        if node is not None and node.kind == "value":
            return ids(leaf.name, t, k)
        if node is not None and node.kind == "param" and t > 1 and leaf.name in g.trainable:
            return ids(f"{leaf.name}+", t - 1)
        return None

    def make_step(
        self,
        base: str,
        phase: str,
        target: Expr,
        formula: Expr,
        value: float,
        t: int,
        k: int | None,
        value_of: Callable[[Expr], Value | None],
        **extra: Any,
    ) -> Step:
        """A Step with its substitution, leaves and dependencies, the same way for every phase."""
        collapse = phase == "backward"  # derivatives show σ(…) by its value
        substitution = None if isinstance(formula, Num) else substitute(formula, value_of, collapse)
        leaves = tuple((leaf, self.leaf_id(leaf, t, k), value_of(leaf)) for leaf in _leaves(formula))
        depends_on = tuple(dict.fromkeys(i for _, i, _ in leaves if i))
        return Step(
            self.ids(base, t, k),
            phase,
            target,
            formula,
            substitution,
            value,
            depends_on,
            t,
            k,
            leaves=leaves,
            **extra,
        )

    # ---- working for one update step -----------------------------------------------------------
    def working(
        self, t: int, batch: list[int], params: list[float], shown_params: dict[str, Value]
    ) -> list[Step]:
        g = self.graph
        steps: list[Step] = []
        grads: list[dict[str, float]] = []
        losses: list[float] = []
        self.parameters_during[t] = dict(shown_params)
        for j, index in enumerate(batch, start=1):
            example = _Example(self, t, j if len(batch) > 1 else None, index, params, shown_params)
            steps += example.steps()
            self.worked.append(Worked(t, example.k, index, example.val, example.grad))
            grads.append(example.grad)
            losses.append(float(example.val[g.loss]))
        if len(batch) > 1:
            steps += self._batch_steps(t, losses, grads)
        if self.problem.training:
            steps += self._update_steps(t, params, shown_params, grads)
        return steps

    def _gradient_formula(self, n: str) -> Expr:
        g = self.graph
        cs = g.consumers[n]
        if len(cs) == 1:
            factors = [*self._chain(cs[0]), Deriv(cs[0], n)]
            return factors[0] if len(factors) == 1 else Call("mul", tuple(factors))
        terms: list[Expr] = []
        for c in cs:
            factors = ([] if g.is_unit(c) else [Deriv(g.loss, c)]) + [Deriv(c, n)]
            terms.append(factors[0] if len(factors) == 1 else Call("mul", tuple(factors)))
        return Call("add", tuple(terms))

    def _note(self, node: str) -> str:
        """The derivative rules this node's formula uses, the first time each is used."""
        notes = []
        layer_note = self.problem.notes.get(node)  # how to read a conv or pooling layer's working
        if layer_note and layer_note not in self.rules_shown:
            self.rules_shown.add(layer_note)
            self.conventions.setdefault(layer_note)
            notes.append(layer_note)
        if node not in self.ops_of:
            self.ops_of[node] = ops_in(self.graph.nodes[node].expr)  # type: ignore[arg-type]
        for op in self.ops_of[node]:
            rule = OPS[op].rule
            if rule and op != "pow":
                self.conventions.setdefault(rule)
                if op not in self.rules_shown:
                    self.rules_shown.add(op)
                    notes.append(rule)
        return "; ".join(notes)

    def _reduce(self, parts: list[Expr]) -> Expr:
        total = Call("add", tuple(parts))
        if self.problem.reduction == "mean":
            return Call("mul", (Num(Fraction(1, len(parts)), f"1/{len(parts)}"), total))
        return total

    def _batch_steps(self, t: int, losses: list[float], grads: list[dict[str, float]]) -> list[Step]:
        """The loss and each gradient over the batch: the sum (or mean) of the per-example ones."""
        g = self.graph
        ks = range(1, len(losses) + 1)
        mean = self.problem.reduction == "mean"

        def value_of(e: Expr) -> Value | None:
            if isinstance(e, Sym) and e.example:
                return losses[e.example - 1]
            return grads[e.example - 1][e.wrt] if isinstance(e, Deriv) and e.example else None

        out = [
            self.make_step(
                g.loss,
                "forward",
                Sym(g.loss),
                self._reduce([Sym(g.loss, k) for k in ks]),
                _reduce(losses, mean),
                t,
                None,
                value_of,
            )
        ]
        for n in g.wrt:
            formula = self._reduce([Deriv(g.loss, n, k) for k in ks])
            value = _reduce([gr[n] for gr in grads], mean)
            out.append(
                self.make_step(
                    f"d{g.loss}/d{n}",
                    "backward",
                    Deriv(g.loss, n),
                    formula,
                    value,
                    t,
                    None,
                    value_of,
                    closed_form=self.closed.get(n),
                )
            )
        return out

    def _update_steps(
        self, t: int, params: list[float], shown_params: dict[str, Value], grads: list[dict[str, float]]
    ) -> list[Step]:
        g = self.graph
        lr = self.problem.training.learning_rate  # type: ignore[union-attr]
        mean = self.problem.reduction == "mean"
        out = []
        for name in g.trainable:
            grad = _reduce([gr[name] for gr in grads], mean)

            def value_of(e: Expr, name: str = name, grad: float = grad) -> Value | None:
                return lr if e == ETA else grad if isinstance(e, Deriv) else shown_params[name]

            formula = Call("sub", (Sym(name), Call("mul", (ETA, Deriv(g.loss, name)))))
            new = params[self.position[name]] - float(lr) * grad
            out.append(self.make_step(f"{name}+", "update", Updated(name), formula, new, t, None, value_of))
        return out

    # ---- the run -------------------------------------------------------------------------------
    def dataset_loss(self, params: list[float]) -> float:
        losses = [self.program.loss(x, params) for x in self.examples]
        return _reduce(losses, self.problem.reduction == "mean")

    def run(self, shown: set[int], progress: Callable[[int, int], None] | None) -> Solution:
        g, p = self.graph, self.problem
        params = [float(p.parameters[n]) for n in g.params]
        shown_params: dict[str, Value] = dict(p.parameters)
        train = [self.position[n] for n in g.trainable]
        lr = float(p.training.learning_rate) if p.training else 0.0
        mean = p.reduction == "mean"
        steps: list[Step] = []
        history = [Epoch(0, self._safe_loss(params, 0), tuple(params))]
        stride = -(-self.epochs // MAX_HISTORY)  # long runs keep every stride-th epoch and the last
        t = 0
        for epoch in range(1, self.epochs + 1 if p.training else 1):
            for batch in self.batches:
                t += 1
                if t in shown:
                    new = self.working(t, batch, params, shown_params)
                    steps += new
                    grads = [s.value for s in new if s.phase == "update"]
                    for i, value in zip(train, grads, strict=True):
                        params[i] = value
                        shown_params[g.params[i]] = value
                    continue
                total = [0.0] * len(train)
                for index in batch:
                    try:
                        _, gr = self.program.fast(self.examples[index], params)
                    except (ArithmeticError, ValueError) as e:
                        raise NumericError(f"update {t}, example {index + 1}: {e}") from None
                    total = [a + b for a, b in zip(total, gr, strict=True)]
                scale = lr / len(batch) if mean else lr
                for i, gi in zip(train, total, strict=True):
                    params[i] -= scale * gi
                for i in train:
                    shown_params[g.params[i]] = params[i]
            if epoch % stride == 0 or epoch == self.epochs:
                history.append(Epoch(epoch, self._safe_loss(params, epoch), tuple(params)))
            if progress:
                progress(epoch, self.epochs)
        if not p.training:
            steps = self.working(1, list(range(len(p.data))), params, shown_params)
        if note := LOSSES[p.loss_kind].note(g):
            self.conventions.setdefault(note)
        return Solution(
            p,
            g,
            tuple(steps),
            tuple(history),
            self.updates,
            len(self.batches),
            tuple(sorted(shown)) if p.training else (1,),
            tuple(self.conventions),
            tuple(self.worked),
            self.parameters_during,
        )

    def _safe_loss(self, params: list[float], epoch: int) -> float:
        try:
            loss = self.dataset_loss(params)
        except (ArithmeticError, ValueError) as e:
            raise NumericError(f"after epoch {epoch}: {e}") from None
        if epoch and not math.isfinite(loss):
            raise NumericError(f"the loss became {loss} after epoch {epoch}; try a smaller learning rate")
        return loss


class _Example:
    """The forward and backward working of one example at one update step."""

    def __init__(
        self, solver: _Solver, t: int, k: int | None, index: int, params: list[float], shown: dict[str, Value]
    ) -> None:
        self.solver, self.g, self.t, self.k = solver, solver.graph, t, k
        program = solver.program
        try:
            values, locals_, grads = program.full(solver.examples[index], params)
        except (ArithmeticError, ValueError) as e:
            raise NumericError(f"update {t}, example {index + 1}: {e}") from None
        self.val: dict[str, Value] = dict(zip(program.values, values, strict=True))
        self.val.update(solver.problem.data[index])
        self.val.update(shown)
        self.loc = dict(zip(program.edges, locals_, strict=True))
        self.grad = dict(zip(program.grads, grads, strict=True))
        self.grad[self.g.loss] = 1.0

    def value_of(self, e: Expr) -> Value | None:
        if isinstance(e, Sym):
            return self.val[e.name]
        if isinstance(e, Deriv):
            return self.grad[e.wrt] if e.of == self.g.loss else self.loc[(e.of, e.wrt)]
        known = self.solver.known_exprs
        return self.val[known[e]] if e in known else None

    def step(self, target: Expr, formula: Expr, value: float, **extra: Any) -> Step:
        if isinstance(target, Sym):
            return self.solver.make_step(
                target.name, "forward", target, formula, value, self.t, self.k, self.value_of, **extra
            )
        base = f"d{target.of}/d{target.wrt}"  # type: ignore[union-attr]
        return self.solver.make_step(
            base, "backward", target, formula, value, self.t, self.k, self.value_of, **extra
        )

    def steps(self) -> list[Step]:
        g, solver = self.g, self.solver
        out = [self.step(Sym(n.name), n.expr, float(self.val[n.name])) for n in g.computed]  # type: ignore[arg-type]
        for n in g.order:
            if g.is_unit(n) and n not in solver.wrt:
                continue  # a loss term: ∂loss/∂term = 1, nothing to work out
            direct = solver._direct(n)
            for c in g.consumers[n]:
                if c != direct:
                    out.append(
                        self.step(Deriv(c, n), g.local[(c, n)], self.loc[(c, n)], note=solver._note(c))
                    )
            if direct:
                formula, note = g.local[(direct, n)], solver._note(direct)
            else:
                formula, note = solver._gradient_formula(n), ""
            closed = solver.closed.get(n) if n in solver.wrt else None
            out.append(self.step(Deriv(g.loss, n), formula, self.grad[n], closed_form=closed, note=note))
        return out


def _reduce(values: list[float], mean: bool) -> float:
    total = math.fsum(values)
    return total / len(values) if mean else total


def _leaves(e: Expr) -> list[Expr]:
    """Distinct leaves of a formula (names and derivative factors), in order of appearance."""
    if isinstance(e, Call):
        return list(dict.fromkeys(leaf for a in e.args for leaf in _leaves(a)))
    return [] if isinstance(e, Num) else [e]


def default_shown(problem: Problem, epochs: int, updates: int) -> set[int]:
    return set(range(1, min(updates, DEFAULT_SHOWN) + 1)) if epochs == 1 else set()


def solve(
    problem: Problem,
    epochs: int | None = None,
    shown: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Solution:
    """Work the problem. `shown`: update steps (1-based) whose full working to keep; by default
    every update of a one-epoch run, none of a longer one."""
    solver = _Solver(problem, epochs)
    wanted = set(shown) if shown is not None else default_shown(problem, solver.epochs, solver.updates)
    return solver.run({t for t in wanted if 1 <= t <= solver.updates}, progress)
