"""The op table's numeric rules and local derivatives, the safe parser and the printer.

Oracles: math identities, sympy.diff of each op's definition, and central finite differences.
"""

import math
import warnings
from fractions import Fraction

import pytest
import sympy

from backtutor.engine.compile import compile_formula
from backtutor.engine.expr import Call, Function, Num, Sym
from backtutor.engine.formula import latex, text
from backtutor.engine.notation import latex_name
from backtutor.engine.ops import OPS, diff, evaluate
from backtutor.engine.parse import ParseError, parse


def test_sigmoid_softplus_exp_do_not_overflow_or_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert OPS["sigmoid"].forward(1000.0) == 1.0
        assert OPS["sigmoid"].forward(-1000.0) == pytest.approx(0.0, abs=1e-300)
        assert OPS["softplus"].forward(1000.0) == 1000.0
        assert OPS["softplus"].forward(-1000.0) == pytest.approx(0.0, abs=1e-300)
        assert OPS["exp"].forward(1000.0) == math.inf
        assert OPS["softmax"].forward(0, 1000.0, 0.0) == 1.0
        assert OPS["swish"].forward(-1000.0) == pytest.approx(0.0, abs=1e-300)


# every op's local derivative against sympy.diff and finite differences: tests/test_tables.py


def test_relu_derivative_at_zero_is_zero_and_leaky_is_slope():
    assert evaluate(diff(parse("relu(x)"), "x"), {"x": 0.0}) == 0.0
    assert evaluate(diff(parse("leaky_relu(x, 0.1)"), "x"), {"x": 0.0}) == pytest.approx(0.1)
    assert evaluate(diff(parse("leaky_relu(x, 0.1)"), "x"), {"x": 2.0}) == 1.0


A, B, C = sympy.symbols("a b c")
BINARY = {
    "a*b/c - a^3": A * B / C - A**3,
    "(a + b)^c": (A + B) ** C,
    "a/(b - c*a)": A / (B - C * A),
    "-a*b + exp(a - c)": -A * B + sympy.exp(A - C),
    "max(a, b)*c": sympy.Max(A, B) * C,
    "a^-2 + log(b)": A**-2 + sympy.log(B),
}


@pytest.mark.parametrize("formula", sorted(BINARY))
def test_binary_ops_match_sympy(formula):
    e = parse(formula)
    env = {"a": 1.7, "b": 0.6, "c": 2.3}
    at = {A: env["a"], B: env["b"], C: env["c"]}
    for name, symbol in zip("abc", (A, B, C), strict=True):
        want = float(sympy.diff(BINARY[formula], symbol).subs(at))
        assert evaluate(diff(e, name), env) == pytest.approx(want, rel=1e-12)


def _sympy(e):
    if isinstance(e, Num):
        return sympy.Rational(e.value)
    if isinstance(e, Sym):
        return sympy.Symbol(e.name)
    return OPS[e.op].sympy([_sympy(a) for a in e.args], e.param)


PARAMS = {"slope": lambda f: Fraction(1, 10), "component": lambda f: 1, "function": lambda f: f}


def test_a_compiled_formula_matches_sympy_and_gives_evaluates_bits():
    """The check command works each step's formula compiled; every op, its param, constants, a
    long sum (fsum) and a shared subexpression must give exactly evaluate's float."""
    a, b, c = Sym("a"), Sym("b"), Sym("c")
    shared = Call("sigmoid", (Call("sub", (a, b)),))
    slope = Call("leaky_relu", (Call("neg", (c,)),), Fraction(1, 10))
    parts = [Call(op.name, (a, b, c)[: op.arity or 3]) for op in OPS.values()]
    scaled = Function("scaled_asinh", parse("asinh(x)/5 + 1/2"))
    parts = [p if not OPS[p.op].param else Call(p.op, p.args, PARAMS[OPS[p.op].param](scaled)) for p in parts]
    e = Call("add", (*parts, shared, Call("mul", (shared, Num(Fraction(1, 3)), slope)), Num(0.1)))
    env = {"a": 1.7, "b": 0.6, "c": 2.3}
    place = {id(leaf): i for i, leaf in enumerate((a, b, c))}
    compiled = compile_formula(e, place)
    got = compiled(list(env.values()))
    assert got == pytest.approx(float(_sympy(e).subs({A: 1.7, B: 0.6, C: 2.3})), rel=1e-12)
    assert got == evaluate(e, env)
    assert compile_formula(a, place)([3.5, 0.0, 0.0]) == 3.5
    with pytest.raises(OverflowError):
        compile_formula(Call("add", (a, Num(Fraction(10) ** 400))), place)


def test_softmax_partials_are_softmax_times_kronecker_minus_softmax():
    z = (Sym("z1"), Sym("z2"), Sym("z3"))
    env = {"z1": 0.3, "z2": -1.2, "z3": 2.0}
    s = [OPS["softmax"].forward(k, *env.values()) for k in range(3)]
    for k in range(3):
        e = Call("softmax", z, k)
        for j in range(3):
            want = s[k] * ((1.0 if j == k else 0.0) - s[j])
            assert evaluate(diff(e, f"z{j + 1}"), env) == pytest.approx(want, rel=1e-12)


def test_derivatives_read_as_a_person_writes_them():
    assert text(diff(parse("1/2*(t - o)^2"), "o")) == "−(t − o)"
    assert text(diff(parse("(y - f)^2"), "f")) == "−2·(y − f)"
    assert text(diff(parse("w3*sigmoid(x2)"), "x2")) == "w3·σ(x2)·(1 − σ(x2))"
    assert text(diff(parse("-(t*log(o))"), "o")) == "−t/o"
    assert text(diff(parse("w1*i1 + w2*i2 + b1"), "w1")) == "i1"


def test_printer_keeps_the_users_order_and_writes_latex():
    e = parse("w1*i1 + w2*i2 + b1")
    assert text(e) == "w1·i1 + w2·i2 + b1"
    assert latex(e) == r"w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1}"
    assert latex_name("out_h1") == r"\mathrm{out}_{h1}"
    assert latex_name("E_total") == r"E_{\mathrm{total}}"
    assert text(parse("a - (b - c)")) == "a − (b − c)"
    assert text(Num(Fraction(3, 20))) == "0.15"
    assert text(Num(-0.5)) == "−0.5"


def test_parser_accepts_what_students_paste():
    assert parse("w1·x − 2×y²") == parse("w1*x - 2*y^2").__class__(
        "sub",
        (
            Call("mul", (Sym("w1"), Sym("x"))),
            Call("mul", (Num(Fraction(2), "2"), Call("pow", (Sym("y"), Num(Fraction(2)))))),
        ),
    )
    assert parse("σ(x)") == parse("sigmoid(x)")
    assert parse("x**2") == parse("x^2")


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('ls')",
        "().__class__",
        "x.__class__",
        "w1; import os",
        "lambda: 1",
        "__class__",
        "eval(x)",
        "x[0]",
        "'text'",
        "1e99999",
        "",
        "(" * 100 + "x" + ")" * 100,
        "x" * 3000,
        "sigmoid",
        "exp(x, y)",
        "leaky_relu(x, y)",
    ],
)
def test_parser_refuses_anything_outside_the_whitelist(formula):
    with pytest.raises(ParseError):
        parse(formula)
