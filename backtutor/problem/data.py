"""The data set and the training settings: one value per input and target in every example, and a
batch size and epoch count the data set can hold."""

from __future__ import annotations

from fractions import Fraction

from .checker import Checker
from .records import Training
from .schema import MAX_EXAMPLES, MAX_UPDATES


def examples(c: Checker, targets: tuple[str, ...]) -> tuple[dict[str, Fraction], ...]:
    s = c.spec
    needed = list(s.inputs) + list(targets)
    if not needed:
        if s.data:
            raise c.fail(("data",), "this model has no inputs or targets, so it takes no data")
        return ({},)
    if not s.data:
        raise c.fail(("data",), f"the data set is empty; give at least one example with {', '.join(needed)}")
    if len(s.data) > MAX_EXAMPLES:
        raise c.fail(("data",), f"at most {MAX_EXAMPLES} examples")
    for i, ex in enumerate(s.data):
        for key in ex:
            if key not in needed:
                raise c.fail(
                    ("data", i, key), f"'{key}' is not an input or target (expected {', '.join(needed)})"
                )
        missing = [n for n in needed if n not in ex]
        if missing:
            raise c.fail(("data", i), f"example {i + 1} has no value for {', '.join(missing)}")
    return tuple(dict(ex) for ex in s.data)


def training(c: Checker, n_examples: int) -> Training | None:
    t = c.spec.training
    if t is None:
        return None
    if t.mode == "minibatch":
        if t.batch_size is None:
            raise c.fail(("training",), "mode 'minibatch' needs batch_size")
        size = t.batch_size
    elif t.batch_size is not None:
        raise c.fail(("training", "batch_size"), "batch_size goes with mode 'minibatch'")
    else:
        size = 1 if t.mode == "online" else n_examples
    if size > n_examples:
        raise c.fail(
            ("training", "batch_size"), f"batch_size {size} is larger than the data set ({n_examples})"
        )
    if t.epochs * n_examples > MAX_UPDATES:
        raise c.fail(("training", "epochs"), f"at most {MAX_UPDATES:,} example passes in all")
    return Training(t.learning_rate, t.mode, size, t.epochs)
