"""What `load` returns: a problem checked and in one shape, whatever notation its file used."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..engine.expr import Expr
from ..engine.losses import LOSSES
from ..engine.optimizers import Settings
from ..errors import InputError
from .assignment import QuestionSpec

if TYPE_CHECKING:
    from ..cnn.table import ShapeTable  # a type only: the CNN code loads for files that use it


@dataclass(frozen=True)
class Training:
    """A problem's training settings as validated: learning rate, mode, batch size, epochs, optimizer."""

    learning_rate: Fraction
    mode: str
    batch_size: int
    epochs: int
    optimizer: Settings = field(default_factory=Settings)  # plain SGD unless the file chose another


@dataclass(frozen=True)
class Problem:
    """What a problem file says, checked and in one shape whatever notation it used."""

    path: str
    title: str
    description: str
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    parameters: dict[str, Fraction]
    frozen: frozenset[str]
    model: tuple[tuple[str, Expr], ...]  # named expressions, each after what it uses
    loss: str
    loss_kind: str
    reduction: str  # how per-example losses combine over a batch: "sum" or "mean"
    data: tuple[dict[str, Fraction], ...]
    training: Training | None
    input_gradients: tuple[str, ...]
    layers: tuple[tuple[str, ...], ...] = field(default=())  # node names by layer, for display
    tolerance: tuple[float, float] | None = None  # (rtol, atol) for `check`, when the file sets one
    architecture: ShapeTable | None = None  # the file's `architecture`, worked (see cnn/shapes.py)
    # node ↦ how to read its working, shown with the first local derivative of such a node (conv, pooling)
    notes: dict[str, str] = field(default_factory=dict)
    derivations: bool = False  # each rule's first use shows its derivation too (`diff`)
    size: int = 0  # leaves, nodes and formula sizes of the graph, what a run's cost grows with (limits.py)
    variants: bool = False  # the file has a `variants:` section (each student grades against their own)
    assignment: tuple[QuestionSpec, ...] = ()  # the file's `assignment:` questions (solution/asked.py)
    maps: tuple[str, ...] = ()  # convolution on numbers: the layers whose maps `outputs:` asks for

    @property
    def forward_only(self) -> bool:
        """No loss (a conv and pooling exercise): the forward pass alone, nothing differentiated."""
        return LOSSES[self.loss_kind].forward_only

    def require_loss(self, what: str) -> None:
        """An InputError for `what` (an option or a command) when the problem has no loss."""
        if self.forward_only:
            raise InputError(
                f"{what}: {self.path} has no loss (no 'loss' field), so only its forward pass is worked; "
                "add a 'loss' with its targets and data to train or differentiate"
            )

    @property
    def targets_distributions(self) -> bool:
        """Each example's targets are ≥ 0 and sum to 1, exactly (a probability distribution)."""
        for example in self.data:
            values = [example[t] for t in self.targets]
            if any(v < 0 for v in values) or sum(values, Fraction(0)) != 1:
                return False
        return True
