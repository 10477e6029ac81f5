"""Generated sigmoid networks for the benchmarks: N_INPUTS inputs, then layers of given widths, one
bias per layer, a half_sse loss, one example and one online update (a large symbolic working)."""

from __future__ import annotations

import random
from itertools import pairwise

N_INPUTS = 8


def problem_yaml(widths: list[int], seed: int = 0) -> str:
    """A sigmoid network: N_INPUTS inputs, then layers of the given widths, one bias per layer."""
    rng = random.Random(seed)

    def num() -> str:
        return f"{rng.uniform(-0.5, 0.5):.3f}"

    inputs = [f"x{i}" for i in range(1, N_INPUTS + 1)]
    lines = [f"title: generated {N_INPUTS}-{'-'.join(map(str, widths))} sigmoid network"]
    lines.append(f"inputs: [{', '.join(inputs)}]")
    lines.append("network:")
    params: list[tuple[str, str]] = []
    previous = len(inputs)
    units: list[str] = []
    for li, width in enumerate(widths, start=1):
        lines += ["  - activation: sigmoid", "    units:"]
        bias = f"b{li}"
        units = []
        for j in range(1, width + 1):
            unit = f"u{li}_{j}"
            weights = [f"w{li}_{j}_{k}" for k in range(1, previous + 1)]
            lines.append(f"      {unit}: {{weights: [{', '.join(weights)}], bias: {bias}}}")
            params += [(w, num()) for w in weights]
            units.append(unit)
        params.append((bias, num()))
        previous = width
    lines.append("parameters:")
    lines += [f"  {name}: {value}" for name, value in params]
    example = [f"{x}: {rng.uniform(0, 1):.3f}" for x in inputs]
    example += [f"target_{u}: {rng.uniform(0.05, 0.95):.3f}" for u in units]
    lines.append(f"data:\n  - {{{', '.join(example)}}}")
    lines.append("loss: {kind: half_sse, name: E_total}")
    lines.append("training: {learning_rate: 0.5, mode: online, epochs: 1}")
    return "\n".join(lines) + "\n"


def edges(widths: list[int]) -> int:
    sizes = [N_INPUTS, *widths]
    return sum(a * b for a, b in pairwise(sizes))
