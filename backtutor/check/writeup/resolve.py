"""A quantity named in textbook notation → the step it is, through the resolver YAML sheets use
(`canonical_id`, `NameMap`): plain names (`out_h1`, `dE_total/dw_5`, `w_5+`), then the textbook's
own shorthands (δ_o1 for ∂E/∂net_o1, σ'(net_h1) for ∂out_h1/∂net_h1), then another case where that
is unambiguous (W_5 for w5). A name that fits several steps (E beside E_o1 and E_total) is ambiguous.

Steps are resolved to their base id, without the `[k]` of an example or the `@t` of an update: which
occurrence is which is the reader's rule (the k-th time a quantity is given), not the name's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...solution import Solution
from ..matrix_answers import MatrixIds
from ..names import NameMap, key
from ..sheet import canonical_id

_SUFFIX = re.compile(r"(?:\[\d+\])?(?:@\d+)?$")
_DELTA = re.compile(r"(?:δ|delta)_?(.+)")
_PRIME = re.compile(r"(?:σ|sigma|f|g|φ|h|relu|ReLU|tanh|act)'\((.+)\)")
_LEARNING_RATE = {"η", "eta", "α", "alpha", "lr"}


class _Folded(NameMap):
    """A NameMap that ignores case: W_5 for w5, where no two of the problem's names fold together."""

    def __init__(self, names: set[str]) -> None:
        super().__init__(names)
        by_key: dict[str, set[str]] = {}
        for n in self.names:
            by_key.setdefault(key(n).casefold(), set()).add(n)
        self.by_key = {k: next(iter(v)) for k, v in by_key.items() if len(v) == 1}

    def resolve(self, written: str) -> str | None:
        k = key(written).casefold()
        return self.by_key.get(k) or self.by_key.get("out" + k)


@dataclass(frozen=True, slots=True)
class Resolved:
    base: str | None = None  # the step's id without [k] and @t
    candidates: tuple[str, ...] = ()  # when the name fits several steps
    given: bool = False  # a number the problem gives (w5, η): recognised, not graded


class Resolver:
    """Resolves a Solution's names; built once per Solution (a class of write-ups shares it)."""

    def __init__(self, sol: Solution, matrices: MatrixIds) -> None:
        self.sol, self.loss = sol, sol.graph.loss
        self.ids: dict[str, list[str]] = {}  # base ↦ its ids, in working order
        for s in sol.steps:
            self.ids.setdefault(_SUFFIX.sub("", s.id), []).append(s.id)
        self.bases = set(self.ids)
        nodes = set(sol.graph.nodes)
        self.names, self.folded = NameMap(nodes), _Folded(nodes)
        self.given = {n.name for n in sol.graph.nodes.values() if n.expr is None}
        self.matrices: dict[str, list[str]] = {}
        for grid_id in matrices.grids:
            self.matrices.setdefault(_SUFFIX.sub("", grid_id), []).append(grid_id)
        self.matrix_names = matrices.names if matrices.grids else NameMap(())
        self._cache: dict[str, Resolved] = {}

    def resolve(self, written: str) -> Resolved:
        found = self._cache.get(written)
        if found is None:
            found = self._cache[written] = self._resolve(written)
        return found

    def matrix(self, written: str) -> str | None:
        """The base id of the matrix or vector quantity a name means (dE/dW_1 → dE/dW1), if any."""
        return canonical_id(written, set(self.matrices), self.loss, self.matrix_names)

    def _resolve(self, w: str) -> Resolved:
        for names in (self.names, self.folded):
            found = canonical_id(w, self.bases, self.loss, names)
            if found:
                return Resolved(found)
        shorthand = self._shorthand(w)
        if shorthand is not None:
            return shorthand
        if w in _LEARNING_RATE or self.names.resolve(w) in self.given or self.folded.resolve(w) in self.given:
            return Resolved(given=True)
        word = w.rstrip("+'")
        fits = sorted(b for b in self.bases if "/" not in b and b.startswith(word + "_"))
        if len(fits) > 1:
            return Resolved(candidates=tuple(fits))
        return Resolved(fits[0]) if fits else Resolved()

    def _shorthand(self, w: str) -> Resolved | None:
        """δ_X (∂loss/∂ of X's pre-activation) and σ'(X) (the activation's derivative at X)."""
        delta, prime = _DELTA.fullmatch(w), _PRIME.fullmatch(w)
        if delta:
            unit = delta.group(1).strip("_")
            tries = [f"d{self.loss}/d{p}{unit}" for p in ("net_", "z_", "net", "z")]
        elif prime:
            of = self.resolve(prime.group(1).strip())
            if of.base is None:
                return None
            tries = [
                b for b in self.bases if b.endswith("/d" + of.base) and not b.startswith(f"d{self.loss}/")
            ]
        else:
            return None
        found = sorted({r for t in tries if (r := canonical_id(t, self.bases, self.loss, self.names))})
        if len(found) > 1:
            return Resolved(candidates=tuple(found))
        return Resolved(found[0]) if found else None
