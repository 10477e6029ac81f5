"""Names as students write them, mapped to the problem's: W1[1] and W⁽¹⁾₁ for W1_1, θ1 for theta1,
ŷ and y_hat for the output y_hat (or out_y_hat). Both sides are reduced to one key (Greek spelled
out, hats and sub/superscripts made plain, brackets and underscores dropped); a key that two of the
problem's names share maps to neither."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..engine.expr import Call, Expr, Sym

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_PLAIN = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789", "_[](){},^⁽⁾₍₎ ")


def key(name: str) -> str:
    """The spelling-free form of a name: W1[1,2], W⁽¹⁾₁₂ and W1_12 → W112; ŷ, y^, y_hat → yhat."""
    s = unicodedata.normalize("NFD", name).replace("\u0302", "hat")
    if s.endswith("^"):
        s = s[:-1] + "hat"
    s = "".join(GREEK.get(c, c) for c in s)
    return s.translate(_PLAIN)


class NameMap:
    """Resolves a student's spelling to one of the problem's names."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)
        by_key: dict[str, set[str]] = {}
        for n in self.names:
            by_key.setdefault(key(n), set()).add(n)
        self.by_key = {k: next(iter(v)) for k, v in by_key.items() if len(v) == 1}

    def resolve(self, written: str) -> str | None:
        """The problem's name for `written`, or for the unit it names (ŷ → out_y_hat); None if none."""
        if written in self.names:
            return written
        k = key(written)
        return self.by_key.get(k) or self.by_key.get("out" + k)

    def rename(self, e: Expr) -> Expr:
        """The formula with every name it can resolve written as the problem writes it."""
        if isinstance(e, Sym):
            name = self.resolve(e.name)
            return Sym(name, e.example) if name and name != e.name else e
        if isinstance(e, Call):
            return Call(e.op, tuple(self.rename(a) for a in e.args), e.param)
        return e
