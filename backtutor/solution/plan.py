"""How a run is laid out before it starts: epochs, batches, update counts and which updates are worked.

The solver loops over it, and the CLI checks `--steps` and sizes its progress bar with it, so the
counts are worked out in this one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from ..problem.limits import MAX_SHOWN, too_long, too_much_working
from ..problem.load import Problem

DEFAULT_SHOWN = 50  # a one-epoch run shows the working of up to this many updates
MAX_HISTORY = 10_000  # epochs recorded in Solution.history at most (evenly spaced, plus the last)
MAX_HISTORY_NUMBERS = 1_000_000  # parameter values the history holds at most (fewer epochs for big models)
# update_history, the loss and parameters after every update, is kept for short runs only: a slider
# of more than 1,000 positions shows nothing more, and a loss per update must not slow a long run
MAX_TRACKED_UPDATES = 1_000
MAX_TRACKED_LOSSES = 10_000  # example losses spent on it at most


@dataclass(frozen=True)
class Plan:
    """What a run does: epochs, the examples of each update, and how much history it records."""

    training: bool  # False: one worked pass over the data, no update
    epochs: int  # epochs trained; 0 without training
    batch_size: int  # examples per update (the whole data set without training)
    batches: tuple[tuple[int, ...], ...]  # the examples (0-based) of each update of an epoch
    recorded: int = MAX_HISTORY  # epochs the history records at most
    size: int = 1  # the graph's size, what each worked example costs (problem/limits.py)

    @classmethod
    def of(cls, problem: Problem, epochs: int | None = None) -> Plan:
        """The plan of a problem's run; `epochs` overrides the file's."""
        training = problem.training
        n = len(problem.data)
        size = training.batch_size if training else n
        batches = tuple(tuple(range(i, min(i + size, n))) for i in range(0, n, size))
        if training and epochs is not None and (why := too_long(epochs, n, problem.size)):
            raise InputError(f"--epochs: {why}")
        recorded = min(MAX_HISTORY, max(1, MAX_HISTORY_NUMBERS // max(1, len(problem.parameters))))
        epochs = (epochs or training.epochs) if training else 0
        return cls(training is not None, epochs, size, batches, recorded, max(1, problem.size))

    @property
    def updates_per_epoch(self) -> int:
        return len(self.batches)

    @property
    def updates(self) -> int:
        """Update steps in the whole run (1 without training: the one worked pass)."""
        return self.epochs * len(self.batches) if self.training else 1

    @property
    def default_shown(self) -> tuple[int, ...]:
        """Every update of a one-epoch run (up to DEFAULT_SHOWN, and as many as MAX_SHOWN allows),
        none of a longer one."""
        most = MAX_SHOWN // (self.batch_size * self.size)  # 0: the model is too large to show
        return tuple(range(1, min(self.updates, DEFAULT_SHOWN, most) + 1)) if self.epochs <= 1 else ()

    def shown(self, wanted: Iterable[int] | None = None) -> tuple[int, ...]:
        """The updates whose working to keep: those wanted that exist (None: the default)."""
        if not self.training:
            return (1,)
        chosen = self.default_shown if wanted is None else wanted
        shown = tuple(sorted({t for t in chosen if 1 <= t <= self.updates}))
        what = f"the working of {len(shown):,} update(s) (--steps)"
        if wanted is not None and (why := too_much_working(len(shown) * self.batch_size, self.size, what)):
            raise InputError(why)
        return shown

    @property
    def tracks_updates(self) -> bool:
        """Record the loss and parameters after every update, not only each epoch: when an epoch
        has several updates and the run is short enough that a loss per update costs little."""
        examples = sum(len(b) for b in self.batches)
        short = self.updates <= MAX_TRACKED_UPDATES and self.updates * examples <= MAX_TRACKED_LOSSES
        return self.training and len(self.batches) > 1 and short

    @property
    def history_stride(self) -> int:
        """Long runs record every stride-th epoch (and the last) so history stays under `recorded`."""
        return max(1, -(-self.epochs // self.recorded))
