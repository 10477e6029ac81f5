"""How names and numbers are written: the user's notation kept, with subscripts, hats and Greek
letters set properly in LaTeX and MathML (out_h1 → out_{h1}, x_1_1 → x_{1,1}, y_hat → ŷ), and computed
values with `precision` significant digits. `formula.py` writes whole expressions with these."""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from functools import lru_cache

_GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
    "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "rho": "ρ",
    "kappa": "κ", "xi": "ξ", "zeta": "ζ", "nu": "ν", "chi": "χ",
}  # fmt: skip
_GREEK = set(_GREEK_LETTERS)


def format_number(v: Fraction | float, precision: int = 9) -> str:
    """A value with `precision` significant digits; integers and short exact decimals in full."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        d = v.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1:  # a decimal as typed, e.g. micrograd's 6.8813735870195432 (as read: 16 digits)
            for digits in (15, 16, 17):
                text = f"{float(v):.{digits}g}"
                if Fraction(text) == v:
                    return text
        return f"{v.numerator}/{v.denominator}"
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{precision}g}"


def shown_number(v: Fraction | float, precision: int) -> str:
    """format_number, except that a computed value that is not a whole number never prints as one
    (0.99999989 at 4 digits reads 0.9999999, not 1, which would claim it exact). Rounding noise of
    float arithmetic (1 − 4e−16) is not a difference: such a value prints as the whole number."""
    text = format_number(v, precision)
    if isinstance(v, float) and math.isfinite(v) and abs(v - round(v)) > 1e-12 * max(1.0, abs(v)):
        while text.lstrip("-").isdigit() and precision < 17:
            precision += 1
            text = format_number(v, precision)
    return text


def split_name(name: str) -> list[tuple[str, bool]]:
    """A name's parts, the first its base and the others its subscript, each with whether it wears a
    hat: out_h1 → out, h1; w5 → w, 5; x_1_1 → x, 1, 1; y_hat → ŷ; z_y_hat → z, ŷ. A name that does
    not split cleanly (a leading or doubled underscore) is one part."""
    parts: list[tuple[str, bool]] = []
    for word in name.split("_"):
        if word == "hat" and parts and not parts[-1][1]:
            parts[-1] = (parts[-1][0], True)
        else:
            parts.append((word, False))
    if len(parts) == 1 and not parts[0][1]:
        m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
        if m:
            parts = [(m.group(1), False), (m.group(2), False)]
    return parts if all(word for word, _ in parts) else [(name, False)]


def _latex_part(word: str, hat: bool, base: bool) -> str:
    if word in _GREEK:
        out = rf"\{word}"
    elif (
        len(word) == 1
        or re.fullmatch(r"[A-Za-z]\d+", word)
        or (not base and (len(word) <= 2 or word.isdigit()))
    ):
        out = word
    else:
        escaped = word.replace("_", r"\_")
        out = rf"\mathrm{{{escaped}}}"
    if not hat:
        return out
    return rf"\hat{{{out}}}" if len(word) == 1 or word in _GREEK else rf"\widehat{{{out}}}"


_LAYERED = re.compile(
    r"(.+?)_?⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾((?:[₀-₉]|_(?=[₀-₉]))*)"
)  # a matrix element or unit: W⁽¹⁾₁₂, z_⁽²⁾₁
_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉_", "01234567890123456789,")


def _layered(name: str) -> tuple[str, str, str] | None:
    """W⁽¹⁾₁₂ → (W, 1, 12): the base, the layer and the index written as superscript and subscript."""
    m = _LAYERED.fullmatch(name)
    return (m.group(1), m.group(2).translate(_DIGITS), m.group(3).translate(_DIGITS)) if m else None


@lru_cache(maxsize=4096)  # names recur in every formula
def latex_name(name: str) -> str:
    """out_h1 → \\mathrm{out}_{h1}, x_1_1 → x_{1,1}, y_hat → \\hat{y}, sigma → \\sigma,
    W⁽¹⁾₁₂ → W^{(1)}_{12}."""
    if name == "η":
        return r"\eta"
    layered = _layered(name)
    if layered:
        base, layer, index = layered
        return f"{latex_name(base)}^{{({layer})}}" + (f"_{{{index}}}" if index else "")
    (base, hat), *subs = split_name(name)
    out = _latex_part(base, hat, True)
    if not subs:
        return out
    return f"{out}_{{{','.join(_latex_part(w, h, False) for w, h in subs)}}}"


def hatted(letter: str) -> str | None:
    """A letter with a circumflex as one character (ŷ), or None when Unicode has none."""
    out = unicodedata.normalize("NFC", letter + "\u0302")
    return out if len(out) == 1 and letter.isalpha() else None


@lru_cache(maxsize=4096)  # names recur in every formula
def text_name(name: str) -> str:
    """A name as text: as typed, except that a Greek letter spelt out is the letter (beta1 → β1,
    as LaTeX sets it) and a one-letter part ending in _hat wears its hat (ŷ, z_ŷ)."""
    parts = split_name(name)
    base = parts[0][0]
    if base in _GREEK_LETTERS and name.startswith(base):
        name = _GREEK_LETTERS[base] + name[len(base) :]
        parts = [(_GREEK_LETTERS[base], parts[0][1]), *parts[1:]]
    if not any(hat for _, hat in parts):
        return name
    return "_".join((hatted(w) or f"{w}_hat") if hat else w for w, hat in parts)


@lru_cache(maxsize=4096)  # names recur in every formula
def mathml_name(name: str) -> str:
    """A name as MathML, split like `latex_name`: out_h1 → out with subscript h1, w5 → w₅,
    x_1_1 → x with subscript 1,1, y_hat → ŷ."""
    if name == "η":
        return "<mi>η</mi>"
    layered = _layered(name)
    if layered:
        base, layer, index = layered
        sup = f"<mrow><mo>(</mo><mn>{layer}</mn><mo>)</mo></mrow>"
        if not index:
            return f"<msup>{mathml_name(base)}{sup}</msup>"
        return f"<msubsup>{mathml_name(base)}<mn>{index}</mn>{sup}</msubsup>"
    (base, hat), *subs = split_name(name)
    base_ml = _mathml_part(_GREEK_LETTERS.get(base, base), hat)
    if not subs:
        return base_ml
    parts = [_mathml_part(w, h) for w, h in subs]
    comma = '<mo separator="true">,</mo>'
    sub_ml = parts[0] if len(parts) == 1 else f"<mrow>{comma.join(parts)}</mrow>"
    return f"<msub>{base_ml}{sub_ml}</msub>"


def _mathml_part(word: str, hat: bool) -> str:
    if not hat:
        return f"<mn>{word}</mn>" if word.isdigit() else f"<mi>{word}</mi>"
    one = hatted(word) if len(word) == 1 else None
    return f"<mi>{one}</mi>" if one else f'<mover accent="true"><mi>{word}</mi><mo>^</mo></mover>'


def mathml_number(text: str) -> str:
    """A formatted number ("0.15", "-1/2", "1.5e-05", "inf") as one MathML element."""
    sign, body = ("<mo>−</mo>", text[1:]) if text.startswith("-") else ("", text)
    if body in ("inf", "nan"):
        out = "<mi>∞</mi>" if body == "inf" else "<mi>NaN</mi>"
    elif "/" in body:
        p, q = body.split("/")
        out = f"<mfrac><mn>{p}</mn><mn>{q}</mn></mfrac>"
    elif "e" in body:
        mant, _, exp = body.partition("e")
        power = int(exp)
        exponent = f"<mrow><mo>−</mo><mn>{-power}</mn></mrow>" if power < 0 else f"<mn>{power}</mn>"
        out = f"<mrow><mn>{mant}</mn><mo>×</mo><msup><mn>10</mn>{exponent}</msup></mrow>"
    else:
        out = f"<mn>{body}</mn>"
    return f"<mrow>{sign}{out}</mrow>" if sign else out
