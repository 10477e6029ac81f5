"""The run: every update of every epoch, worked out in Steps where the working is shown and by the
compiled code alone everywhere else, then the Solution. `solve` is the entry point.
(The package is not called solve/ so that `backtutor.solve` stays the function.)"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ..problem.load import Problem
from .context import Context
from .diagnose import during, failure
from .optimize import Optimizing
from .plan import Plan
from .records import Epoch, Solution, Step, Value, Worked
from .updates import batch_steps, reduce, update_steps
from .working import Example

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)


def solve(
    problem: Problem,
    epochs: int | None = None,
    shown: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Work the problem. `shown`: update steps (1-based) whose full working to keep; by default
    every update of a one-epoch run, none of a longer one (see `Plan`)."""
    return _Run(Context.of(problem, epochs), shown).run(progress)


def solve_by_hand(problem: Problem) -> Solution:
    """The working a student does by hand: every update of a one-epoch run (as `solve` shows it),
    the first update of a longer one. Answer sheets, their grading, the quiz and the variants'
    worksheets all use it, so their step ids agree."""
    return solve(problem, shown=Plan.of(problem).default_shown or (1,))


class _Run:
    def __init__(self, ctx: Context, shown: Iterable[int] | None) -> None:
        self.ctx = ctx
        self.shown = ctx.plan.shown(shown)
        g = ctx.graph
        self.params = [float(ctx.problem.parameters[n]) for n in g.params]  # what the numbers use
        self.shown_params: dict[str, Value] = dict(ctx.problem.parameters)  # what the working prints
        position = {name: i for i, name in enumerate(g.params)}  # not params.index: O(n²) at 7,000 of them
        self.train = [position[n] for n in g.trainable]
        training = ctx.problem.training
        self.lr = float(training.learning_rate) if training else 0.0
        # any rule but plain SGD: its state and its working (plain SGD keeps the code below)
        self.optimizing = (
            Optimizing(ctx, training.optimizer, training.learning_rate)
            if training and not training.optimizer.plain
            else None
        )
        self.steps: list[Step] = []
        self.worked: list[Worked] = []
        self.parameters_during: dict[int, dict[str, Value]] = {}
        self.stale = False  # shown_params lag behind params after fast updates (synced when shown)
        # what every update reads, looked up once: a long run is millions of these updates
        self.fast, self.loss = ctx.program.fast, ctx.program.loss
        self.examples, self.mean = ctx.examples, ctx.mean

    def run(self, progress: Progress | None) -> Solution:
        ctx, plan = self.ctx, self.ctx.plan
        shown = set(self.shown)
        history = [Epoch(0, self._safe_loss(0), tuple(self.params))]
        tracked = [history[0]] if plan.tracks_updates else []
        stride, t = plan.history_stride, 0
        for epoch in range(1, plan.epochs + 1):
            for batch in plan.batches:
                t += 1
                if t in shown:
                    self._worked_update(t, batch)
                else:
                    self._fast_update(t, batch)
                if tracked:  # epochs completed, the loss and the parameters after update t
                    done = t // plan.updates_per_epoch
                    tracked.append(Epoch(done, self._loss(), tuple(self.params), t))
            if epoch % stride == 0 or epoch == plan.epochs:
                history.append(Epoch(epoch, self._safe_loss(epoch), tuple(self.params), t))
            if progress:
                progress(epoch, plan.epochs)
        if not plan.training:
            self._worked_update(1, plan.batches[0])
        ctx.notes.loss_convention()
        return Solution(
            ctx.problem,
            ctx.graph,
            tuple(self.steps),
            tuple(history),
            plan,
            self.shown,
            tuple(ctx.notes.conventions),
            tuple(self.worked),
            self.parameters_during,
            tuple(tracked),
        )

    def _worked_update(self, t: int, batch: tuple[int, ...]) -> None:
        """Update t with its working: each example, the batch's sums, the parameter updates."""
        ctx = self.ctx
        self._sync()
        self.parameters_during[t] = dict(self.shown_params)
        examples = [
            Example(ctx, t, j if len(batch) > 1 else None, index, self.params, self.shown_params)
            for j, index in enumerate(batch, start=1)
        ]
        for example in examples:
            self.steps += example.steps()
            self.worked.append(example.worked)
        grads = [example.grad for example in examples]
        if len(batch) > 1:
            self.steps += batch_steps(ctx, t, [example.loss for example in examples], grads)
        if ctx.problem.training:
            if self.optimizing:
                steps, new = self.optimizing.worked_steps(t, self.shown_params, grads)
            else:
                steps = update_steps(
                    ctx, t, ctx.problem.training.learning_rate, self.params, self.shown_params, grads
                )
                new = [step.value for step in steps]
            self.steps += steps
            for i, value in zip(self.train, new, strict=True):
                self.params[i] = value
                self.shown_params[ctx.graph.params[i]] = value

    def _fast_update(self, t: int, batch: tuple[int, ...]) -> None:
        """Update t by the compiled code alone: the batch's gradient sum, then one SGD step. (Long
        runs are this loop: one example's update takes no list but the gradients.)"""
        if len(batch) == 1:
            total = self._gradients(t, batch[0])
        else:
            total = [0.0] * len(self.train)
            for index in batch:
                total = [a + b for a, b in zip(total, self._gradients(t, index), strict=True)]
        if self.optimizing:
            grads = [gi / len(batch) for gi in total] if self.mean else total
            self.optimizing.fast(t, self.params, self.train, grads)
        else:
            params, scale = self.params, self.lr / len(batch) if self.mean else self.lr
            for i, gi in zip(self.train, total, strict=True):
                params[i] -= scale * gi
        self.stale = True

    def _gradients(self, t: int, index: int) -> list[float]:
        """The gradients of the trainable parameters on one example, at update t."""
        try:
            loss, gr = self.fast(self.examples[index], self.params)
        except (ArithmeticError, ValueError) as e:
            raise failure(self.ctx, during(self.ctx, t), index, self.params, str(e), t) from None
        if not math.isfinite(loss + sum(gr)):  # inf or nan as soon as one of them is
            raise failure(self.ctx, during(self.ctx, t), index, self.params, t=t)
        return gr

    def _sync(self) -> None:
        """The parameters the working prints, once fast updates have moved them."""
        if self.stale:
            for i in self.train:
                self.shown_params[self.ctx.graph.params[i]] = self.params[i]
            self.stale = False

    def _loss(self) -> float:
        """The loss over the whole data set now, NaN where it cannot be computed: recording the
        loss after every update must never stop a run that the per-epoch losses let finish."""
        ctx = self.ctx
        try:
            return reduce([ctx.program.loss(x, self.params) for x in ctx.examples], ctx.mean)
        except (ArithmeticError, ValueError):
            return math.nan

    def _safe_loss(self, epoch: int) -> float:
        """The loss over the whole data set after `epoch` epochs; a run that diverges stops here."""
        try:
            loss = reduce([self.loss(x, self.params) for x in self.examples], self.mean)
            if math.isfinite(loss):
                return loss
        except (ArithmeticError, ValueError):
            pass
        return self._loss_failure(epoch)

    def _loss_failure(self, epoch: int) -> float:
        """The loss again, one example at a time, to say which one fails and how."""
        ctx = self.ctx
        when = f"after epoch {epoch}" if epoch else ("before training" if ctx.plan.training else "")
        losses = []
        for index, x in enumerate(ctx.examples):
            try:
                losses.append(ctx.program.loss(x, self.params))
            except (ArithmeticError, ValueError) as e:
                raise failure(ctx, when, index, self.params, str(e), None if epoch else 1) from None
        loss = reduce(losses, ctx.mean)
        if not math.isfinite(loss):
            bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), 0)
            raise failure(ctx, when, bad, self.params, f"the loss became {loss}", None if epoch else 1)
        return loss
