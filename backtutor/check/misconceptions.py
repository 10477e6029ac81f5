"""How many misconceptions a sheet shows: the same slip made again is counted once, where it first
showed (the scalar checker and the arrays' alike), and a map's wrong cells that one slip explains all
of are that slip's."""

from __future__ import annotations

import dataclasses

from .explain import about
from .slips.catalogue import ARITHMETIC
from .verdicts import Verdict


class Seen:
    """The slips a sheet has shown so far: the same slip made again is the same misconception. A
    verdict that lists several slips is the same as an earlier one that names or lists any of them,
    each slip with what the student is told (η left out is not 2 left out, though both are
    missing_factor)."""

    def __init__(self) -> None:
        self.named: dict[tuple[str, str], str] = {}  # (slip, what the student is told) ↦ where first
        self.listed: dict[tuple[str, str], str] = {}  # a slip listed among several ↦ where first

    def mark(self, v: Verdict) -> Verdict:
        """The wrong verdict marked with where its misconception first showed, if it did before."""
        if v.confidence == "two slips":  # the first sure, the second one of the others
            keys = [(n, about(t)) for n, t in zip(v.candidates, v.told, strict=True)]
            before = [self.named.get(k) or self.listed.get(k, "") for k in keys]
            listed = [k not in self.named for k in keys]  # only ever one of several
            self.named.setdefault(keys[0], v.id)
            for k in keys[1:]:
                (self.named if len(keys) == 2 else self.listed).setdefault(k, v.id)
            j = next((j for j in range(1, len(keys)) if before[j]), 1)
            first, second = before[0], before[j]
            # both the alternatives of one earlier verdict, which showed one of them: one is new
            one = first == second and listed[0] and listed[j]
            if first and second and not one:
                told = f"{v.explanation} (again, as in {first})"
                return dataclasses.replace(v, again=first, explanation=told)
            repeated = tuple(n for n, b in ((keys[0][0], first), (keys[j][0], second)) if b)
            return dataclasses.replace(v, repeated=repeated[:1] if one else repeated)
        again = self.again(v)
        if not again:
            return v
        return dataclasses.replace(v, again=again, explanation=f"{v.explanation} (again, as in {again})")

    def again(self, v: Verdict) -> str:
        """Where this verdict's slip first showed, or "" (and it is remembered)."""
        if v.candidates:
            keys = [(n, about(t)) for n, t in zip(v.candidates, v.told, strict=True)]
            first = next(
                (self.named.get(k) or self.listed[k] for k in keys if k in self.named or k in self.listed), ""
            )
            for k in keys:
                self.listed.setdefault(k, v.id)
            return first
        if not v.slip or v.slip == ARITHMETIC.name:
            return ""
        key = (v.slip, about(v.explanation))
        first = self.named.get(key) or self.listed.get(key, "")
        self.named.setdefault(key, v.id)
        return first


def one_slip_per_map(ordered: list[Verdict]) -> list[Verdict]:
    """A map answered as a matrix whose wrong cells one slip explains every one of (the kernel
    flipped), and no other slip does: that slip named in each, not the list each cell alone allows."""
    wrong: dict[str, list[int]] = {}
    for k, v in enumerate(ordered):
        if v.status == "wrong" and v.element:
            wrong.setdefault(v.element.split("[")[0], []).append(k)
    out = list(ordered)
    for name, cells in wrong.items():
        # the same slip told the same way in each cell: one rule for the whole map
        each = [
            set(zip(v.candidates, v.told, strict=True)) or {(v.slip, v.explanation)}
            for v in map(ordered.__getitem__, cells)
        ]
        shared = {(slip, told) for slip, told in set.intersection(*each) if slip}
        if len(cells) < 2 or len(shared) != 1:
            continue
        ((slip, told),) = shared
        for k in cells:
            whole = f"{told} (it gives every wrong cell of {name})"
            out[k] = dataclasses.replace(
                ordered[k], explanation=whole, slip=slip, confidence="one slip", candidates=(), told=()
            )
    return out
