"""What a run may cost, so that everything within the limits finishes in about 10 s and 1 GB on a
2-core machine (docs/reference/limits.md lists each with the time it allows).

A run's cost grows with the size of its graph: its leaves, its nodes and every number, name and
operation of their formulas, which is what the compiled code computes on every example pass and what
the working writes out when an update is shown. So the limits are on that size, on the training
(epochs × examples × size) and on the working shown (examples worked × size); each is applied the
same way to the file and to the command line. Measured on a busy 2-core machine: one example pass
costs about 0.2 µs per unit of size (plus about 8 µs), one worked example about 0.7 ms per unit of
size in the slowest format (terminal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..engine.expr import Expr, size

if TYPE_CHECKING:
    from .array_records import ArrayProblem
    from .checker import Located

MAX_SIZE = 30_000  # leaves, nodes and formula sizes of a model's graph
MAX_WORK = 20_000_000  # epochs × examples × (size + PASS_OVERHEAD): about 5 s of training
PASS_OVERHEAD = 40  # what one example pass costs beyond its graph, in units of size
MAX_SHOWN = 6_000  # examples worked step by step × size: about 5 s in the slowest format


def graph_size(model: Iterable[tuple[str, Expr]], leaves: int) -> int:
    """Leaves, nodes and the size of each node's formula (every number, name and operation in it:
    what the compiled code computes and the working writes out)."""
    return leaves + sum(1 + size(e) for _, e in model)


def most_epochs(examples: int, size: int) -> int:
    """The most epochs MAX_WORK allows for this data set and graph."""
    return max(1, MAX_WORK // (examples * (size + PASS_OVERHEAD)))


def too_long(epochs: int, examples: int, size: int) -> str:
    """Why a run of `epochs` is refused, or "" when it is within MAX_WORK."""
    most = most_epochs(examples, size)
    if epochs <= most:
        return ""
    return (
        f"{epochs:,} epochs is too long a run for this model and data set (at most {most:,}: "
        f"{examples:,} example(s) through a graph of size {size:,} per epoch)"
    )


def too_much_working(worked: int, size: int, what: str) -> str:
    """Why showing `worked` examples step by step is refused, or "" when it is within MAX_SHOWN."""
    if worked * size <= MAX_SHOWN:
        return ""
    most = MAX_SHOWN // size
    if most == 0:
        return (
            f"the model's graph (size {size:,}) is too large to work step by step (at most "
            f"{MAX_SHOWN:,}); it can only be trained, without its working (a 'training' section, no --steps)"
        )
    return f"{what} would work {worked:,} examples of a graph of size {size:,} step by step; at most {most:,}"


# A matrix network worked by the array engine (arrays/): its cost grows with the numbers it holds.
# Measured on the busy 2-core machine (docs/guide/matrix-networks.md): the 38 epochs allowed of the
# bundled 784-128-10 MLP over 500 examples (2.0e9 units of work) take 9–10 CPU-s and 82 MB; JSON
# writes about half a million numbers of working a second, at about 140 bytes each at its peak.
BY_HAND = 200  # weights of a network of W matrices that `solve` works number by number by default
MAX_ARRAY_WORK = 2_000_000_000  # epochs × examples × (weights + ARRAY_OVERHEAD): about 10 s
ARRAY_OVERHEAD = 2_000  # what one example costs beyond its weights, in units of a weight
MAX_ARRAY_SHOWN = 4_000_000  # numbers the working of the shown updates holds: JSON in about 8 s, 500 MB


def array_numbers(problem: ArrayProblem) -> int:
    """The numbers one shown update's working holds: five per unit and example (z, a, its dropout,
    ∇a E, δ), and each parameter with its gradient and the optimizer's quantities."""
    batch = problem.training.batch_size if problem.training else problem.examples
    quantities = 2 + (len(problem.training.optimizer.optimizer.quantities) + 1 if problem.training else 0)
    return 5 * batch * sum(layer.units for layer in problem.layers) + quantities * problem.weights


def most_arrays_shown(problem: ArrayProblem) -> int:
    """How many updates' working MAX_ARRAY_SHOWN allows."""
    return MAX_ARRAY_SHOWN // max(1, array_numbers(problem))


def arrays_too_long(problem: ArrayProblem, epochs: int) -> str:
    """Why a run of `epochs` of a matrix network is refused, or "" when it is within MAX_ARRAY_WORK."""
    cost = problem.examples * (problem.weights + ARRAY_OVERHEAD)
    if epochs * cost <= MAX_ARRAY_WORK:
        return ""
    most = max(1, MAX_ARRAY_WORK // cost)
    return (
        f"{epochs:,} epochs is too long a run for this network and data set (at most {most:,}: "
        f"{problem.examples:,} examples through {problem.weights:,} weights per epoch)"
    )


def check_arrays(c: Located, problem: ArrayProblem) -> None:
    """A matrix network's run within MAX_ARRAY_WORK, and its working within MAX_ARRAY_SHOWN."""
    t = problem.training
    if why := arrays_too_long(problem, t.epochs if t else 1):
        raise c.fail(("training", "epochs") if t else ("data",), why)
    if most_arrays_shown(problem) < 1:
        raise c.fail(
            ("network",),
            f"the working of one update of this network holds {array_numbers(problem):,} numbers; at "
            f"most {MAX_ARRAY_SHOWN:,} (a smaller batch, or fewer units)",
        )
