"""The forward and backward working of one example at one update: its numbers come from the compiled
code, its Steps from the graph's formulas, following the graph's one reverse sweep."""

from __future__ import annotations

from ..engine.expr import Deriv, Expr, Sym
from .chain import local
from .context import Context
from .diagnose import all_finite, during, failure
from .records import Step, Value, Worked
from .steps import make_step


class Example:
    def __init__(
        self, ctx: Context, t: int, k: int | None, index: int, params: list[float], shown: dict[str, Value]
    ) -> None:
        """Example `index` (0-based in the data set; k-th in its batch) with `params`, while the
        parameters read `shown` (exact numbers before the first update)."""
        self.ctx, self.t, self.k, self.index = ctx, t, k, index
        program = ctx.program
        try:
            values, locals_, grads = program.full(ctx.examples[index], params)
        except (ArithmeticError, ValueError) as e:
            raise failure(ctx, during(ctx, t), index, params, str(e), t) from None
        if not all_finite(values, locals_, grads):
            raise failure(ctx, during(ctx, t), index, params, t=t)
        self.val: dict[str, Value] = dict(zip(program.values, values, strict=True))
        self.val.update(ctx.problem.data[index])
        self.val.update(shown)
        self.loc = dict(zip(program.edges, locals_, strict=True))
        self.grad = dict(zip(program.grads, grads, strict=True))
        if not ctx.problem.forward_only:  # without a loss the graph's last node only anchors it
            self.grad[ctx.graph.loss] = 1.0

    @property
    def worked(self) -> Worked:
        return Worked(self.t, self.k, self.index, self.val, self.grad)

    @property
    def loss(self) -> float:
        return float(self.val[self.ctx.graph.loss])

    def value_of(self, e: Expr) -> Value | None:
        if isinstance(e, Sym):
            return self.val[e.name]
        if isinstance(e, Deriv):
            gradient = e.of == self.ctx.graph.loss and not e.direct
            return self.grad[e.wrt] if gradient else self.loc[(e.of, e.wrt)]
        known = self.ctx.known
        return self.val[known[e]] if e in known else None

    def step(
        self, target: Expr, formula: Expr, value: float, closed: Expr | None = None, note: str = ""
    ) -> Step:
        return make_step(self.ctx.ids, target, formula, value, self.t, self.k, self.value_of, closed, note)

    def steps(self) -> list[Step]:
        """Every forward value, then along the sweep each local derivative and each ∂loss/∂node."""
        g, notes, wrt = self.ctx.graph, self.ctx.notes, frozenset(self.ctx.graph.wrt)
        out = [
            self.step(Sym(n.name), n.expr, float(self.val[n.name]))
            for n in g.nodes.values()
            if n.expr is not None
        ]
        for gr in self.ctx.gradients:
            n = gr.node
            if g.is_unit(n) and n not in wrt:
                continue  # a loss term: ∂loss/∂term = 1, nothing to work out
            for edge in gr.edges:
                if edge[0] != gr.direct:
                    out.append(
                        self.step(local(g, *edge), g.local[edge], self.loc[edge], note=notes.note(edge[0]))
                    )
            note = notes.note(gr.direct) if gr.direct else ""
            closed = self.ctx.closed.get(n) if n in wrt else None
            out.append(self.step(Deriv(g.loss, n), gr.formula, self.grad[n], closed, note))
        return out
