"""Problem → Solution: the forward pass, the chain rule on the graph and the SGD updates, as Steps.

Every renderer and the checker read the same `Step` records. Values come from the compiled graph
(`numeric.py`); formulas come from the graph's local derivatives. Working is built only for the
update steps that will be shown; all other updates run the compiled code alone.
(The module is not called solve.py so that `backtutor.solve` stays the function.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError
from .expr import ONE, Call, Deriv, Expr, Num, Sym, Updated, add, mul, size
from .graph import Graph, build
from .numeric import Program, compile_graph
from .ops import OPS, evaluate, ops_in
from .problem import Problem

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


@dataclass(frozen=True, slots=True)
class Epoch:
    epoch: int  # 0: before training
    loss: float  # loss over the whole data set, reduced as the problem says
    params: tuple[float, ...]  # graph.params order


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
            return Num(evaluate(e, _Env(value_of)))
        return Call(e.op, tuple(substitute(a, value_of, collapse) for a in e.args), e.param)
    return e


class _Env(dict):
    def __init__(self, value_of: Callable[[Expr], Value | None]) -> None:
        super().__init__()
        self.value_of = value_of

    def __missing__(self, name: str) -> float:
        return float(self.value_of(Sym(name)))  # type: ignore[arg-type]


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

    # ---- working for one update step -----------------------------------------------------------
    def working(
        self, t: int, batch: list[int], params: list[float], shown_params: dict[str, Value]
    ) -> list[Step]:
        g, ids = self.graph, self.ids
        given = {
            name: (ids(f"{name}+", t - 1) if t > 1 and name in g.trainable else None) for name in g.params
        }
        steps: list[Step] = []
        grads: list[dict[str, float]] = []
        losses: list[float] = []
        for j, index in enumerate(batch, start=1):
            example = _Example(self, t, j if len(batch) > 1 else None, index, params, shown_params, given)
            steps += example.steps()
            grads.append(example.grad)
            losses.append(float(example.val[g.loss]))
        if len(batch) > 1:
            steps += self._batch_steps(t, losses, grads)
        if self.problem.training:
            steps += self._update_steps(t, params, shown_params, grads, given)
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
        g, ids = self.graph, self.ids
        ks = range(1, len(losses) + 1)
        mean = self.problem.reduction == "mean"
        rows: list[tuple[Expr, str, list[float]]] = [(Sym(g.loss), g.loss, losses)]
        rows += [(Deriv(g.loss, n), f"d{g.loss}/d{n}", [gr[n] for gr in grads]) for n in g.wrt]
        out = []
        for target, base, vals in rows:
            if isinstance(target, Deriv):
                parts: list[Expr] = [Deriv(g.loss, target.wrt, k) for k in ks]
                phase, closed = "backward", self.closed.get(target.wrt)
            else:
                parts, phase, closed = [Sym(g.loss, k) for k in ks], "forward", None
            out.append(
                Step(ids(base, t), phase, target, self._reduce(parts), self._reduce([Num(v) for v in vals]),
                     _reduce(vals, mean), tuple(ids(base, t, k) for k in ks), t, closed_form=closed)
            )  # fmt: skip
        return out

    def _update_steps(
        self,
        t: int,
        params: list[float],
        shown_params: dict[str, Value],
        grads: list[dict[str, float]],
        given: dict[str, str | None],
    ) -> list[Step]:
        g, ids = self.graph, self.ids
        lr = self.problem.training.learning_rate  # type: ignore[union-attr]
        mean = self.problem.reduction == "mean"
        out = []
        for name in g.trainable:
            grad = _reduce([gr[name] for gr in grads], mean)
            formula = Call("sub", (Sym(name), Call("mul", (ETA, Deriv(g.loss, name)))))
            new = params[self.position[name]] - float(lr) * grad
            substitution = Call("sub", (Num(shown_params[name]), Call("mul", (Num(lr), Num(grad)))))
            dep = tuple(d for d in (given[name], ids(f"d{g.loss}/d{name}", t)) if d)
            out.append(Step(ids(f"{name}+", t), "update", Updated(name), formula, substitution, new, dep, t))
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
        if p.loss_kind == "cross_entropy" and any(
            isinstance(n.expr, Call) and n.expr.op == "softmax" for n in g.computed
        ):
            self.conventions.setdefault(
                "with softmax outputs and cross-entropy, the chain rule sums to ∂E/∂net_k = out_k − target_k"
            )
        return Solution(
            p,
            g,
            tuple(steps),
            tuple(history),
            self.updates,
            len(self.batches),
            tuple(sorted(shown)) if p.training else (1,),
            tuple(self.conventions),
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
        self,
        solver: _Solver,
        t: int,
        k: int | None,
        index: int,
        params: list[float],
        shown_params: dict[str, Value],
        given: dict[str, str | None],
    ) -> None:
        self.solver, self.g, self.t, self.k, self.given = solver, solver.graph, t, k, given
        program = solver.program
        try:
            values, locals_, grads = program.full(solver.examples[index], params)
        except (ArithmeticError, ValueError) as e:
            raise NumericError(f"update {t}, example {index + 1}: {e}") from None
        self.val: dict[str, Value] = dict(zip(program.values, values, strict=True))
        self.val.update(solver.problem.data[index])
        self.val.update(shown_params)
        self.loc = dict(zip(program.edges, locals_, strict=True))
        self.grad = dict(zip(program.grads, grads, strict=True))
        self.grad[self.g.loss] = 1.0

    def id(self, base: str) -> str:
        return self.solver.ids(base, self.t, self.k)

    def value_of(self, e: Expr) -> Value | None:
        if isinstance(e, Sym):
            return self.val[e.name]
        if isinstance(e, Deriv):
            return self.grad[e.wrt] if e.of == self.g.loss else self.loc[(e.of, e.wrt)]
        known = self.solver.known_exprs
        return self.val[known[e]] if e in known else None

    def deps(self, e: Expr) -> tuple[str, ...]:
        out = []
        for name in _leaf_names(e):
            kind = self.g.nodes[name].kind
            if kind == "value":
                out.append(self.id(name))
            elif kind == "param" and self.given.get(name):
                out.append(self.given[name])
        return tuple(dict.fromkeys(out))

    def step(self, target: Expr, formula: Expr, value: float, depends_on: tuple[str, ...], **extra) -> Step:
        collapse = not isinstance(target, Sym)  # derivatives show σ(…) by its value
        name = target.name if isinstance(target, Sym) else f"d{target.of}/d{target.wrt}"  # type: ignore[union-attr]
        substitution = None if isinstance(formula, Num) else substitute(formula, self.value_of, collapse)
        phase = "forward" if isinstance(target, Sym) else "backward"
        return Step(
            self.id(name), phase, target, formula, substitution, value, depends_on, self.t, self.k, **extra
        )

    def steps(self) -> list[Step]:
        g, solver = self.g, self.solver
        out = [self.step(Sym(n.name), n.expr, float(self.val[n.name]), self.deps(n.expr)) for n in g.computed]  # type: ignore[arg-type]
        for n in g.order:
            if g.is_unit(n):
                continue  # a loss term: ∂loss/∂term = 1, nothing to work out
            direct = solver._direct(n)
            for c in g.consumers[n]:
                if c != direct:
                    local = g.local[(c, n)]
                    out.append(
                        self.step(
                            Deriv(c, n), local, self.loc[(c, n)], self.deps(local), note=solver._note(c)
                        )
                    )
            if direct:
                formula, note = g.local[(direct, n)], solver._note(direct)
                deps = self.deps(formula)
            else:
                formula, note = solver._gradient_formula(n), ""
                deps = tuple(self.id(f"d{d.of}/d{d.wrt}") for d in _derivs(formula))
            closed = solver.closed.get(n) if n in solver.wrt else None
            out.append(
                self.step(Deriv(g.loss, n), formula, self.grad[n], deps, closed_form=closed, note=note)
            )
        return out


def _reduce(values: list[float], mean: bool) -> float:
    total = math.fsum(values)
    return total / len(values) if mean else total


def _leaf_names(e: Expr) -> Iterable[str]:
    if isinstance(e, Sym):
        yield e.name
    elif isinstance(e, Call):
        for a in e.args:
            yield from _leaf_names(a)


def _derivs(e: Expr) -> Iterable[Deriv]:
    if isinstance(e, Deriv):
        yield e
    elif isinstance(e, Call):
        for a in e.args:
            yield from _derivs(a)


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
