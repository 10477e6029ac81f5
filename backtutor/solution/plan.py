"""How a run is laid out before it starts: epochs, batches, update counts and which updates are worked.

The solver loops over it, and the CLI checks `--steps` and sizes its progress bar with it, so the
counts are worked out in this one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..problem.load import Problem

DEFAULT_SHOWN = 50  # a one-epoch run shows the working of up to this many updates
MAX_HISTORY = 10_000  # epochs recorded in Solution.history at most (evenly spaced, plus the last)


@dataclass(frozen=True)
class Plan:
    training: bool  # False: one worked pass over the data, no update
    epochs: int  # epochs trained; 0 without training
    batch_size: int  # examples per update (the whole data set without training)
    batches: tuple[tuple[int, ...], ...]  # the examples (0-based) of each update of an epoch

    @classmethod
    def of(cls, problem: Problem, epochs: int | None = None) -> Plan:
        """The plan of a problem's run; `epochs` overrides the file's."""
        training = problem.training
        n = len(problem.data)
        size = training.batch_size if training else n
        batches = tuple(tuple(range(i, min(i + size, n))) for i in range(0, n, size))
        return cls(training is not None, (epochs or training.epochs) if training else 0, size, batches)

    @property
    def updates_per_epoch(self) -> int:
        return len(self.batches)

    @property
    def updates(self) -> int:
        """Update steps in the whole run (1 without training: the one worked pass)."""
        return self.epochs * len(self.batches) if self.training else 1

    @property
    def default_shown(self) -> tuple[int, ...]:
        """Every update of a one-epoch run (up to DEFAULT_SHOWN), none of a longer one."""
        return tuple(range(1, min(self.updates, DEFAULT_SHOWN) + 1)) if self.epochs <= 1 else ()

    def shown(self, wanted: Iterable[int] | None = None) -> tuple[int, ...]:
        """The updates whose working to keep: those wanted that exist (None: the default)."""
        if not self.training:
            return (1,)
        chosen = self.default_shown if wanted is None else wanted
        return tuple(sorted({t for t in chosen if 1 <= t <= self.updates}))

    @property
    def history_stride(self) -> int:
        """Long runs record every stride-th epoch (and the last) so history stays under MAX_HISTORY."""
        return max(1, -(-self.epochs // MAX_HISTORY))
