"""The loss per epoch as a figure (PNG, SVG or PDF), drawn with matplotlib: the optional extra
`backtutor[plot]`, imported only here and only when a plot is asked for."""

from __future__ import annotations

from io import BytesIO

from ...arrays.records import ArraySolution
from ...errors import InputError
from ...solution import Solution


def loss_curve(sol: Solution | ArraySolution, kind: str = "png") -> bytes:
    """The loss on the whole data set after each epoch (epoch 0: before training), of either
    engine's run."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display; must come before anything draws
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(
            "--plot needs matplotlib, which is not installed: pip install 'backtutor[plot]'"
        ) from None
    if isinstance(sol, Solution):
        epochs, losses, name = [e.epoch for e in sol.history], [e.loss for e in sol.history], sol.graph.loss
    else:  # the array engine's: before training, then after each epoch
        epochs, losses, name = list(range(len(sol.history))), list(sol.history), sol.problem.loss
    fig = Figure(figsize=(6.4, 4), dpi=150, layout="constrained")
    ax = fig.subplots()
    ax.plot(epochs, losses, marker="o" if len(epochs) <= 30 else None, markersize=3, linewidth=1.5)
    if min(losses) > 0 and max(losses) > 100 * min(losses):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{name} ({getattr(sol.problem, 'reduction', 'sum')} over the data set)")
    title = sol.problem.title or sol.problem.path
    ax.set_title(title.replace("$", r"\$"), fontsize=10)
    ax.grid(True, alpha=0.3)
    out = BytesIO()
    fig.savefig(out, format=kind)
    return out.getvalue()
