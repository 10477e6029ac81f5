"""Forward rules of the op table in float64 that neither overflow nor warn: exp of a large number
is inf, σ and softplus of ±1000 are exact, softmax subtracts the largest input first. Problems in
the domain (log of a negative number, 0 to a negative power) raise with a message for the user."""

from __future__ import annotations

import math


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(x: float) -> float:
    if x > 0:
        return math.log(x)
    if x == 0:
        return -math.inf
    raise ValueError(f"log of a negative number ({x!r})")


def power(a: float, b: float) -> float:
    try:
        r: float | complex = a**b  # complex for a negative base and a fractional power
    except OverflowError:
        return math.inf
    except ZeroDivisionError:
        raise ZeroDivisionError(f"0 raised to a negative power ({b!r})") from None
    if isinstance(r, complex):
        raise ValueError(f"a negative number raised to a fractional power ({a!r}^{b!r})")
    return r


def softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def softmax(k: int, *z: float) -> float:
    m = max(z)
    es = [math.exp(v - m) for v in z]
    return es[k] / sum(es)


def fsum(*v: float) -> float:
    return math.fsum(v) if len(v) > 2 else v[0] + v[1]


def prod(*v: float) -> float:
    return math.prod(v)
