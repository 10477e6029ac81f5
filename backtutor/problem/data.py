"""The data set and the training settings: one value per input and target in every example, and a
batch size and epoch count the data set can hold."""

from __future__ import annotations

from fractions import Fraction

from ..engine.expr import Expr
from ..engine.optimizers import CONSTANT_KEYS, OPTIMIZERS, WEIGHT_DECAY, Settings
from .checker import Located, SpecReader
from .limits import MAX_SIZE, graph_size, too_long, too_much_working
from .records import Training
from .schema import MAX_EXAMPLES, TrainingFile


def examples(c: SpecReader, targets: tuple[str, ...]) -> tuple[dict[str, Fraction], ...]:
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
            listed = ", ".join(missing[:8]) + (f", … ({len(missing)} in all)" if len(missing) > 8 else "")
            raise c.fail(("data", i), f"example {i + 1} has no value for {listed}")
    return tuple(dict(ex) for ex in s.data)


def check_size(c: SpecReader, model: list[tuple[str, Expr]], leaves: int) -> int:
    """The size of the model's graph (limits.py), within MAX_SIZE."""
    size = graph_size(model, leaves)
    key = next(k for k in ("network", "expressions", "layers", "loss") if getattr(c.spec, k) is not None)
    if size > MAX_SIZE:
        raise c.fail(
            (key,),
            f"model too large: its graph has size {size:,} (leaves, nodes and the size of their "
            f"formulas; at most {MAX_SIZE:,})",
        )
    return size


def training(c: SpecReader, n_examples: int, size: int) -> Training | None:
    """The training settings; a file without them gets one worked pass over the whole data set."""
    t = c.spec.training
    if t is None:
        if why := too_much_working(n_examples, size, "the worked pass over the data"):
            raise c.fail(("data",), why)
        return None
    batch = batch_size(c, t, n_examples)
    if why := too_long(t.epochs, n_examples, size):
        raise c.fail(("training", "epochs"), why)
    return Training(t.learning_rate, t.mode, batch, t.epochs, optimizer(c, t))


def batch_size(c: Located, t: TrainingFile, n_examples: int) -> int:
    """The examples per update: 1 online, the data set in batch mode, batch_size in minibatch."""
    if t.mode == "minibatch":
        if t.batch_size is None:
            raise c.fail(("training",), "mode 'minibatch' needs batch_size")
        batch = t.batch_size
    elif t.batch_size is not None:
        raise c.fail(("training", "batch_size"), "batch_size goes with mode 'minibatch'")
    else:
        batch = 1 if t.mode == "online" else n_examples
    if batch > n_examples:
        raise c.fail(
            ("training", "batch_size"), f"batch_size {batch} is larger than the data set ({n_examples})"
        )
    return batch


def optimizer(c: Located, t: TrainingFile) -> Settings:
    """The optimizer and its constants (the table's defaults for those not given), each in range."""
    spec = t.optimizer
    where: tuple[str, ...] = ("training", "optimizer")
    form = spec.form or "pytorch"
    if (spec.kind, form) not in OPTIMIZERS:
        owner = next(o for o in OPTIMIZERS.values() if o.form == form)
        raise c.fail((*where, "form"), f"form '{form}' goes with kind '{owner.kind}' ({owner.summary})")
    entry = OPTIMIZERS[(spec.kind, form)]
    own = {k.key: k for k in entry.constants}
    constants = entry.defaults
    for key in CONSTANT_KEYS:
        value = getattr(spec, key)
        if value is None:
            continue
        if key not in own:
            has = f"its constants: {', '.join(own)}" if own else "it has no constants"
            raise c.fail((*where, key), f"'{key}' is not a constant of {spec.kind} ({has})")
        if why := own[key].refusal(value):
            raise c.fail((*where, key), why)
        constants[key] = value
    if blamed := entry.needs(constants):
        raise c.fail((*where, blamed[0]), blamed[1])
    decay = t.weight_decay if t.weight_decay is not None else entry.weight_decay
    if why := WEIGHT_DECAY.refusal(decay):
        raise c.fail(("training", "weight_decay"), why)
    return Settings(spec.kind, constants, decay, form)
