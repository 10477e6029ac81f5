"""Answer sheets → verdicts: right, carried forward from an earlier error, or an error of its own,
with the likely slip.

Every diagnosis is a hypothesis confirmed by recomputation: the step is worked again from the
student's own earlier numbers, with one rule altered (a sign, a dropped factor, + for −, the
already-updated weights, …), and the slip is named only when that reproduces the student's number.

Tolerance, unless the problem file or the command line sets rtol/atol: a number is right when it
is the correct value rounded the way it was written (to its k decimals, or k significant figures in
e-notation). It is also right when it follows from the student's own earlier answers (allowing
for their rounding) or from the correct inputs rounded to as many decimals as the answer has.
"""

from __future__ import annotations

import difflib
import functools
import math
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.expr import ONE, Call, Deriv, Expr, Num, Sym, names
from ..engine.formula import format_number, text
from ..engine.losses import LOSSES
from ..engine.ops import OPS, evaluate
from ..engine.parse import ParseError, parse
from ..problem import yamlfile
from ..problem.yamlfile import FileError
from ..solution import ETA, Solution, Step

_NUMBER = re.compile(r"[-+]?(\d+)?(?:\.(\d*))?(?:[eE]([-+]?\d{1,3}))?")
_UPDATED = re.compile(r"(_new|_plus|'|\^\+|\^\{\+\}|_\+)$")
_SUFFIX = re.compile(r"(.*?)((?:\[\d+\])?(?:@\d+)?)")
_GRADIENT = re.compile(r"d([A-Za-z]\w*)/d([A-Za-z]\w*)")


@dataclass(frozen=True, slots=True)
class Answer:
    id: str  # canonical step id
    written: str
    value: float | None = None  # a number answer
    unit: float = 0.0  # one unit in the last digit written
    formula: Expr | None = None  # a formula answer


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    answer: str
    expected: str
    status: str  # "right", "carried" (wrong only because an earlier answer was) or "wrong"
    explanation: str = ""
    slip: str = ""  # sign, missing_factor, factor_two, sigma_for_derivative, plus_update,
    # updated_weights, swapped, swapped_weights, extra_factor, early_rounding, arithmetic
    source: str = ""  # for "carried": the first error it comes from


@dataclass(frozen=True)
class Report:
    sheet: str
    verdicts: tuple[Verdict, ...]
    first_error: Verdict | None = None

    @property
    def right(self) -> int:
        return sum(v.status == "right" for v in self.verdicts)

    @property
    def score(self) -> str:
        return f"{self.right}/{len(self.verdicts)}"


@dataclass
class _Hypothesis:
    """An altered rule, applied while recomputing a step (and, when `deep`, what it depends on)."""

    slip: str
    explanation: str
    formula: Callable[[Step], Expr] = field(default=lambda s: s.formula)
    leaf: Callable[[Step, Expr, float], float] = field(default=lambda s, leaf, v: v)
    deep: bool = False


class SheetError(FileError):
    pass


# ---- reading sheets ------------------------------------------------------------------------------
def read_sheet(path: str | Path, sol: Solution) -> list[Answer]:
    """Answers in a sheet, keyed by canonical step id; blanks (`~`) are left out."""
    data, lines = yamlfile.read(path, raw=True)
    name = str(path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise SheetError(name, "an answer sheet maps step ids to answers, e.g. 'dE/dw5: 0.0822'", 1)
    known = {s.id for s in sol.steps}
    answers = []
    for key, written in data.items():
        line = lines.get((key,))
        step_id = key if key in known else canonical_id(key, known, sol.graph.loss)
        if step_id is None:
            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise SheetError(name, f"no step with id {key!r}{hint}", line, key)
        if written is None or written == "":
            continue
        if not isinstance(written, str):
            raise SheetError(name, "expected a number or a formula", line, key)
        try:
            answers.append(parse_answer(step_id, written, sol))
        except ParseError as e:
            raise SheetError(name, str(e), line, key) from None
    return answers


def canonical_id(key: str, known: set[str], loss: str) -> str | None:
    """The step id a student meant: w5_new, w5' → w5+; dEtotal/dw5, ∂E/∂w5 → dE_total/dw5."""
    k = key.strip().replace(" ", "").replace("∂", "d").replace("⁺", "+").replace("′", "'")
    if k in known:
        return k
    m = _SUFFIX.fullmatch(k)
    base, suffix = (m.group(1), m.group(2)) if m else (k, "")
    base = _UPDATED.sub("+", base)
    g = _GRADIENT.fullmatch(base)
    if g and g.group(1) in _loss_aliases(loss):
        base = f"d{loss}/d{g.group(2)}"
    candidate = base + suffix
    return candidate if candidate in known else None


def _loss_aliases(loss: str) -> set[str]:
    return {loss, loss.replace("_", ""), loss.split("_")[0], "E", "L", "J", "C", "Etotal", "E_total", "Loss"}


@functools.lru_cache(maxsize=8192)  # a class writes many of the same numbers
def _number(written: str) -> tuple[float, float] | None:
    """(value, one unit in its last written digit) of a number answer, else None."""
    w = written.strip().replace("−", "-")
    if "^" in w:
        w = w.replace("×10^", "e").replace("*10^", "e")
    m = _NUMBER.fullmatch(w)
    if not m or not (m.group(1) or m.group(2)):
        return None
    decimals = len(m.group(2) or "")
    exponent = int(m.group(3) or 0)
    dotted = "." in w or m.group(3) is not None
    return float(w), 10.0 ** (exponent - decimals) if dotted else 1.0


def parse_answer(step_id: str, written: str, sol: Solution) -> Answer:
    number = _number(written)
    if number is not None:
        return Answer(step_id, written, *number)
    formula = parse(written)
    unknown = [n for n in names(formula) if n not in sol.graph.nodes]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(sol.graph.nodes), n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise ParseError(f"unknown name {unknown[0]!r}{hint}", written, 1)
    return Answer(step_id, written, formula=formula)


# ---- grading -----------------------------------------------------------------------------------
class Checker:
    """Grades sheets against one Solution (solved once, however many sheets)."""

    def __init__(self, sol: Solution, rtol: float | None = None, atol: float | None = None) -> None:
        self.sol = sol
        self.index = {s.id: s for s in sol.steps}
        self.order = {s.id: i for i, s in enumerate(sol.steps)}
        tol = (rtol, atol) if rtol is not None or atol is not None else sol.problem.tolerance
        self.tolerance = (tol[0] or 0.0, tol[1] or 0.0) if tol else None
        self.updated = {
            (s.update, s.target.name): s.value  # type: ignore[union-attr]
            for s in sol.steps
            if s.phase == "update"
        }
        self.squared_loss = LOSSES[sol.problem.loss_kind].squared
        self.expected = {s.id: format_number(s.value) for s in sol.steps}
        self.siblings: dict[tuple[int, int | None, str], list[Step]] = {}
        for s in sol.steps:
            self.siblings.setdefault((s.update, s.example, s.phase), []).append(s)

    def close(self, a: Answer, value: float, slack: float = 0.0) -> bool:
        """Equal to `value` rounded the way `a` was written (or within rtol/atol), ± slack."""
        assert a.value is not None
        if not math.isfinite(value):
            return False
        if self.tolerance:
            rtol, atol = self.tolerance
            return abs(a.value - value) <= atol + rtol * abs(value) + slack
        return abs(a.value - value) <= 0.5 * a.unit * (1 + 1e-9) + slack

    def grade(self, answers: Iterable[Answer], sheet: str = "") -> Report:
        given = sorted(answers, key=lambda a: self.order[a.id])
        numbers = {a.id: a for a in given if a.value is not None}
        student = {i: a.value for i, a in numbers.items()}
        verdicts: dict[str, Verdict] = {}
        for a in given:
            step = self.index[a.id]
            if a.formula is not None:
                verdicts[a.id] = self.grade_formula(a, step)
            else:
                verdicts[a.id] = self.grade_number(a, step, student, verdicts, numbers)
        ordered = tuple(verdicts[a.id] for a in given)
        first = next((v for v in ordered if v.status == "wrong"), None)
        return Report(sheet, ordered, first)

    def grade_number(
        self,
        a: Answer,
        step: Step,
        student: dict[str, float],
        verdicts: dict[str, Verdict],
        numbers: dict[str, Answer],
    ) -> Verdict:
        def verdict(status: str, explanation: str = "", slip: str = "", source: str = "") -> Verdict:
            return Verdict(a.id, a.written, self.expected[step.id], status, explanation, slip, source)

        if self.close(a, step.value):
            return verdict("right")
        decimals = max(0, round(-math.log10(a.unit))) if not self.tolerance else None
        from_yours = self.recompute(step, student)
        slack = self.rounding_slack(step, student, numbers, from_yours)
        consistent = self.close(a, from_yours, slack) or (
            decimals is not None and self.close(a, self.recompute(step, student, _rounded(decimals)))
        )
        wrong_inputs = [d for d in step.depends_on if d in verdicts and verdicts[d].status != "right"]
        if consistent and not wrong_inputs:
            return verdict("right", "right from your own rounded values")
        if consistent:
            d = verdicts[wrong_inputs[0]]
            source = d.source or d.id
            return verdict(
                "carried", f"method right; carried forward from the error in {source}", source=source
            )
        for other in self.siblings[(step.update, step.example, step.phase)]:
            if other.id != step.id and self.close(a, other.value):
                return verdict(
                    "wrong", f"this is the value of {other.id}: two units' weights swapped?", "swapped"
                )
        direct = {d: student[d] for d in step.depends_on if d in student}
        for h in self.hypotheses(step):
            # a deep hypothesis is tried from all the student's numbers and from the direct ones only,
            # since their rounding of deeper steps can hide the slip
            tries = (student, direct) if h.deep else (student,)
            if any(self.close(a, self.recompute(step, given, h), slack) for given in tries):
                return verdict("wrong", h.explanation, h.slip)
        if any(d in verdicts for d in step.depends_on) and not wrong_inputs:
            expected = format_number(from_yours)
            return verdict(
                "wrong", f"your inputs are right but the result is not: it should be {expected}", "arithmetic"
            )
        for d in range(1, min(decimals or 4, 4)):
            if self.close(a, self.recompute(step, student, _rounded(d))):
                h = _rounded(d)
                return verdict("wrong", h.explanation, h.slip)
        return verdict("wrong", "no common slip reproduces this number")

    def rounding_slack(
        self, step: Step, student: dict[str, float], numbers: dict[str, Answer], base: float
    ) -> float:
        """How far the step moves when each of the student's inputs moves by half its last digit."""
        slack = 0.0
        for d in step.depends_on:
            if d in numbers:
                nudged = dict(student)
                nudged[d] += 0.5 * numbers[d].unit
                slack += abs(self.recompute(step, nudged) - base)
        return slack if math.isfinite(slack) else 0.0

    # ---- recomputation under a hypothesis --------------------------------------------------------
    def recompute(self, step: Step, student: dict[str, float], h: _Hypothesis | None = None) -> float:
        memo: dict[str, float] = {}

        def value(sid: str) -> float:
            if sid in student:
                return student[sid]
            s = self.index.get(sid)
            if s is None or h is None or not h.deep:
                return s.value if s is not None else math.nan
            if sid not in memo:
                memo[sid] = work(s)
            return memo[sid]

        def work(s: Step) -> float:
            env: dict[Expr, float] = {}
            for leaf, lid, v in s.leaves:
                known = value(lid) if lid else float(v)
                env[leaf] = h.leaf(s, leaf, known) if h else known
            formula = h.formula(s) if h else s.formula
            try:
                return evaluate(formula, env.__getitem__)
            except (ArithmeticError, ValueError):
                return math.nan

        return work(step)

    def hypotheses(self, step: Step) -> Iterator[_Hypothesis]:
        t, formula = step.update, step.formula
        if step.phase == "update":
            yield _Hypothesis(
                "plus_update",
                "updated with + instead of −: the step must go against the gradient, w − η·∂E/∂w",
                formula=lambda s: Call("add", s.formula.args) if s is step else s.formula,  # type: ignore[union-attr]
            )
        if step.phase == "backward" and self.updated:

            def updated(s: Step, leaf: Expr, v: float) -> float:
                if s.phase == "backward" and isinstance(leaf, Sym):
                    return self.updated.get((t, leaf.name), v)
                return v

            yield _Hypothesis(
                "updated_weights",
                "used the already-updated weights (w⁺) in the backward pass; every gradient must use "
                "the weights of the forward pass",
                leaf=updated,
                deep=True,
            )
        if step.phase == "backward":
            yield _Hypothesis(
                "sigma_for_derivative",
                "used σ instead of its derivative σ′ = σ·(1 − σ)",
                formula=lambda s: _drop_one_minus_sigma(s.formula) if s.phase == "backward" else s.formula,
                deep=True,
            )
        for path, factor in _factors(formula):
            yield _Hypothesis(
                "missing_factor",
                f"left out the factor {self.describe(factor)}",
                formula=lambda s, path=path: _replace(s.formula, path, ONE) if s is step else s.formula,
            )
        if self.squared_loss and step.phase != "forward":
            yield _scaled(step, 2, "factor_two", "a factor 2 too many (the ½ of the squared loss?)")
            yield _scaled(step, 0.5, "factor_two", "a factor 2 missing (the ½ or the 2 of the squared loss?)")
        yield _scaled(step, -1, "sign", "sign error")
        params = [
            leaf
            for leaf, lid, _ in step.leaves
            if isinstance(leaf, Sym) and leaf.name in self.sol.graph.params
        ]
        for i, p in enumerate(params):
            for q in params[i + 1 :]:
                yield _swapped(step, p, q)
        for leaf, _, v in step.leaves:
            if isinstance(v, int | float) and abs(float(v)) not in (0.0, 1.0):
                yield _scaled(step, float(v), "extra_factor", f"an extra factor {text(leaf)}")
        if step.phase == "forward":
            for p in params:
                for other, value in self.param_values(step.update).items():
                    if other != p.name:
                        yield _substituted(step, p, other, value)

    def param_values(self, t: int) -> dict[str, float]:
        """Every parameter's value during update t (before that update)."""
        first = {name: float(v) for name, v in self.sol.problem.parameters.items()}
        return {name: self.updated.get((t - 1, name), v) for name, v in first.items()}

    def describe(self, factor: Expr) -> str:
        g = self.sol.graph
        if isinstance(factor, Deriv):
            node = g.nodes.get(factor.of)
            d = f"∂{factor.of}/∂{factor.wrt}"
            if factor.of != g.loss and node and isinstance(node.expr, Call) and not OPS[node.expr.op].infix:
                return f"{d} (the activation derivative)"
            if node and g.nodes[factor.wrt].kind == "param":
                return f"{d} (the input that multiplies {factor.wrt})"
            return d
        if factor == ETA:
            return "η (the learning rate)"
        if isinstance(factor, Sym) and g.nodes.get(factor.name) and g.nodes[factor.name].kind == "input":
            return f"{factor.name} (the input)"
        return text(factor)

    # ---- formulas --------------------------------------------------------------------------------
    def grade_formula(self, a: Answer, step: Step) -> Verdict:
        expected = step.closed_form if step.closed_form is not None else step.formula
        if any(isinstance(leaf, Deriv) for leaf, _, _ in step.leaves) and step.closed_form is None:
            return Verdict(a.id, a.written, "(a number)", "wrong", "give a number for this step")
        assert a.formula is not None
        verdict = formulas_equal(a.formula, expected, self.sol)
        shown = text(expected)
        if verdict:
            return Verdict(a.id, a.written, shown, "right", verdict)
        if formulas_equal(Call("neg", (a.formula,)), expected, self.sol):
            return Verdict(a.id, a.written, shown, "wrong", "sign error", "sign")
        return Verdict(a.id, a.written, shown, "wrong", "not equal to the expected formula")


def formulas_equal(answer: Expr, expected: Expr, sol: Solution, points: int = 5) -> str:
    """'' when different; else how equality was established (SymPy, or random points)."""
    rng = random.Random(0)
    g = sol.graph
    for _ in range(points):
        env = {n.name: rng.uniform(0.2, 0.9) for n in g.nodes.values() if n.expr is None}
        try:
            for n in g.computed:
                env[n.name] = evaluate(n.expr, env)  # type: ignore[arg-type]
            a, b = evaluate(answer, env), evaluate(expected, env)
        except (ArithmeticError, ValueError):
            continue
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return ""
    from ..engine.sympy_form import equal

    return "equal to the expected formula" if equal(answer, expected, g) else "equal at 5 random points"


def _rounded(d: int) -> _Hypothesis:
    return _Hypothesis(
        "early_rounding",
        f"rounded too early: the inputs of this step were rounded to {d} decimals",
        leaf=lambda s, leaf, v: round(v, d),
    )


def _scaled(step: Step, factor: float, slip: str, explanation: str) -> _Hypothesis:
    scale = Num(factor)
    return _Hypothesis(
        slip, explanation, formula=lambda s: Call("mul", (scale, s.formula)) if s is step else s.formula
    )


def _swapped(step: Step, p: Sym, q: Sym) -> _Hypothesis:
    values = {leaf: float(v) for leaf, _, v in step.leaves}

    def leaf(s: Step, x: Expr, v: float) -> float:
        return values[q] if x == p else values[p] if x == q else v

    return _Hypothesis("swapped_weights", f"the weights {p.name} and {q.name} are swapped", leaf=leaf)


def _substituted(step: Step, p: Sym, other: str, value: float) -> _Hypothesis:
    def leaf(s: Step, x: Expr, v: float) -> float:
        return value if x == p else v

    return _Hypothesis(
        "swapped_weights", f"used {other} where {p.name} belongs (weights of two units mixed up?)", leaf=leaf
    )


def _factors(e: Expr, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Expr]]:
    """Every factor of every product in e, with its position."""
    if isinstance(e, Call):
        for i, a in enumerate(e.args):
            if e.op == "mul" and not _is_one_minus_sigma(a):
                yield (*path, i), a
            yield from _factors(a, (*path, i))


def _replace(e: Expr, path: tuple[int, ...], new: Expr) -> Expr:
    if not path:
        return new
    assert isinstance(e, Call)
    i = path[0]
    return Call(e.op, (*e.args[:i], _replace(e.args[i], path[1:], new), *e.args[i + 1 :]), e.param)


def _is_one_minus_sigma(e: Expr) -> bool:
    return (
        isinstance(e, Call)
        and e.op == "sub"
        and e.args[0] == ONE
        and isinstance(e.args[1], Call)
        and e.args[1].op == "sigmoid"
    )


def _drop_one_minus_sigma(e: Expr) -> Expr:
    if not isinstance(e, Call):
        return e
    args = tuple(_drop_one_minus_sigma(a) for a in e.args)
    if e.op == "mul":
        args = tuple(a for a in args if not _is_one_minus_sigma(a)) or (ONE,)
    return Call(e.op, args, e.param)


def reports_csv(reports: list[Report], ids: list[str]) -> str:
    """One row per sheet: score, first error, and the verdict of every step id anyone answered."""
    import csv
    import io

    answered = set().union(*({v.id for v in r.verdicts} for r in reports)) if reports else set()
    columns = [i for i in ids if i in answered]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sheet", "right", "answered", "first_error", "first_error_slip", *columns])
    for r in reports:
        status = {v.id: v.status for v in r.verdicts}
        first = r.first_error
        writer.writerow(
            [r.sheet, r.right, len(r.verdicts), first.id if first else "", first.slip if first else "",
             *(status.get(c, "") for c in columns)]
        )  # fmt: skip
    return buffer.getvalue()
