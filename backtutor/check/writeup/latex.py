"""Maths as students type it (LaTeX, Unicode, plain text), made plain in the tutor's notation:
`\\frac{\\partial E_{total}}{\\partial w_5}` → `dE_total/dw_5`, `w_5^{(new)}` → `w_5+`,
`W^{[1]}_{12}` → `W_1_12` (the layer first, as the problem's names put it), `3.59 \\times 10^{-1}` →
`3.59e-1`. Matrices are cut out whole (`⟦0⟧`) so that their `\\\\` and `&` do not split equations.
Only regular expressions and a brace matcher: nothing here evaluates anything."""

from __future__ import annotations

import re

from ..names import GREEK

_COMMANDS = {f"\\{name}": letter for letter, name in GREEK.items()} | {"\\varepsilon": "ε", "\\varphi": "φ"}
_COMMANDS |= {"\\cdot": "*", "\\times": "*", "\\ast": "*", "\\approx": "=", "\\simeq": "=", "\\dagger": "+",
              "\\prime": "'", "\\partial": "∂", "\\exp": "exp", "\\ln": "ln", "\\log": "log",
              "\\tanh": "tanh", "\\max": "max", "\\nabla": "∇", "\\mathrm": "", "\\text": "",
              "\\mathbf": "", "\\mathit": "", "\\boldsymbol": "", "\\operatorname": "", "\\bm": "",
              "\\displaystyle": "", "\\left": "", "\\right": "", "\\bigl": "", "\\bigr": "",
              "\\Bigl": "", "\\Bigr": "", "\\big": "", "\\Big": "", "\\textbf": "", "\\textit": "",
              "\\quad": " ", "\\qquad": " ", "\\nonumber": "", "\\notag": ""}  # fmt: skip
_UNICODE = str.maketrans({"×": "*", "·": "*", "⋅": "*", "∙": "*", "−": "-", "–": "-", "≈": "=", "†": "+",
                          "⁺": "+", "′": "'", "\u2009": " ", "\u202f": " ", "\u00a0": " ", "\u2002": " ",
                          "\u2003": " ", "{": "{", "}": "}"})  # fmt: skip
_COMMAND = re.compile(r"\\[A-Za-z]+|\\[,;:! ]")
_THIN_IN_NUMBER = re.compile(r"(?<=\d)(?:\\[,;:!]|[\u2009\u202f])(?=\d)")
_MATRIX = re.compile(r"\\begin\{([pbvB]?matrix|array)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}", re.S)
_FRAC = re.compile(r"\\[dt]?frac\s*")
_LABEL = re.compile(r"\\(?:label|tag|ref|eqref)\{[^{}]*\}")
_UPDATED_SUP = re.compile(
    r"\^\s*\{?\s*(?:\((?:new|t\s*\+\s*1)\)|new|\+|\*|†|\\dagger)\s*\}?|_\{?new\}?(?![\w])"
)
_LAYER = re.compile(r"([A-Za-zα-ω][A-Za-z]*)((?:_\{?\w+\}?)?)\^\{?\s*[\[(](\d+)[\])]\s*\}?((?:_\{?\w+\}?)?)")
_HAT = re.compile(r"\\(?:hat|widehat)\s*\{?\s*([A-Za-zα-ω])\s*\}?")
_EXP = re.compile(r"(?<![\w.])e\s*\^(?=\()")
_POWER10 = re.compile(r"(\d[\d.]*)\s*\*\s*10\s*\^\s*\{?\s*([-+]?\d+)\s*\}?")
_SUBSCRIPT = re.compile(r"_\{(\w+)\}")
_SUPERSCRIPT = re.compile(r"\^\{([^{}]*)\}")
_DERIV = re.compile(r"[∂d]\s*([A-Za-zα-ω][\w']*)\s*/\s*[∂d]\s*([A-Za-zα-ω][\w']*)")


def cut_matrices(text: str, mark: str = "") -> tuple[str, list[list[list[str]]]]:
    """The text with each matrix environment replaced by ⟦k⟧ (and `mark` for each line break it
    held, so that lines can still be counted), and the matrices' cells as written."""
    matrices: list[list[list[str]]] = []

    def cut(m: re.Match[str]) -> str:
        rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip() and not r.strip().startswith("\\hline")]
        matrices.append([[c.strip() for c in r.split("&")] for r in rows])
        return f" ⟦{len(matrices) - 1}⟧ " + mark * m.group(0).count("\n")

    return _MATRIX.sub(cut, text), matrices


def _group(text: str, i: int) -> tuple[str, int]:
    """The braced group (or single character) at text[i], and where it ends."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] != "{":
        return text[i], i + 1
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j], j + 1
    return text[i + 1 :], len(text)


def _fractions(text: str) -> str:
    """\\frac{a}{b} → (a)/(b), and ∂-fractions → ∂a/∂b (one name over one name: a derivative)."""
    out, i = [], 0
    for m in _FRAC.finditer(text):
        if m.start() < i:
            continue
        top, j = _group(text, m.end())
        bottom, k = _group(text, j)
        top, bottom = _fractions(top), _fractions(bottom)
        deriv = _DERIV.fullmatch(f"{top}/{bottom}".replace("{", "").replace("}", "").strip())
        out += [text[i : m.start()], deriv.group(0) if deriv else f"({top})/({bottom})"]
        i = k
    return "".join(out) + text[i:]


def plain(text: str) -> str:
    """One equation's maths in plain notation (matrices already cut out)."""
    s = _LABEL.sub("", _THIN_IN_NUMBER.sub("", text)).translate(_UNICODE)
    s = _HAT.sub(r"\1_hat", s)
    s = _COMMAND.sub(lambda m: _COMMANDS.get(m.group(0), " " if m.group(0)[1] in ",;:! " else m.group(0)), s)
    s = _POWER10.sub(r"\1e\2", s)
    s = _UPDATED_SUP.sub("+", s)
    s = _LAYER.sub(lambda m: f"{m.group(1)}_{m.group(3)}{m.group(2) or m.group(4)}", s)
    s = _SUBSCRIPT.sub(r"_\1", s)
    s = _fractions(s)
    s = s.replace("&", "").replace("\\\\", " ")
    s = _SUPERSCRIPT.sub(r"^(\1)", s)
    s = _EXP.sub("exp", s).replace("{", "").replace("}", "").replace("\\", "")
    s = re.sub(r"(?<![\w.])10\^\(?([-+]?\d+)\)?", r"1e\1", s)
    s = re.sub(r"∂\s*", "d", _DERIV.sub(lambda m: f"d{m.group(1)}/d{m.group(2)}", s))
    return " ".join(s.split())
