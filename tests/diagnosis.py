"""The diagnosis measured (issue #23): the student model's sheets (student_sheets.py) graded by
backtutor's checker, and what the reports get right against each sheet's truth. Shared by
tests/test_diagnosis.py (a small corpus, the targets asserted) and bench/bench_diagnosis.py (≥ 1,000
sheets, printed)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .student_model import Plan, load
from .student_sheets import STYLES, Sheet, corpus
from .student_slips import NEW

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = (
    "q4",
    "q4_momentum",
    "relu_regression",
    "relu_regression_adam",
    "relu_class",
    "softmax_classifier",
    "tanh_network",
    "logistic_bce",
    "schiendorfer_matrix",
    "chain_fw",
)

# each slip of the student model ↦ the catalogue's names that are right for it ("name~words": the slip
# of that name whose explanation says those words)
ACCEPT: dict[str, frozenset[str]] = {
    "sign": frozenset({"sign"}),
    "plus_update": frozenset({"plus_update"}),
    "missing_lr": frozenset({"missing_factor~learning rate"}),
    "sigma_for_derivative": frozenset({"sigma_for_derivative"}),
    "missing_act_deriv": frozenset(
        {"missing_factor~activation derivative", "missing_factor~∂f/∂x2", "missing_factor~∂x2/∂x1"}
    ),
    "factor_two": frozenset({"factor_two", "missing_factor~factor 2"}),
    "updated_weights": frozenset({"updated_weights"}),
    "swap_inputs": frozenset({"swapped_weights"}),
    "other_unit_weight": frozenset({"swapped_weights"}),
    "transposed": frozenset({"transposed"}),
    "arithmetic": frozenset({"arithmetic"}),
    "momentum_form": frozenset({"momentum_form"}),
    "state_restarted": frozenset({"state_restarted"}),
    "bias_correction": frozenset({"bias_correction"}),
    "beta_swapped": frozenset({"beta_swapped"}),
    "missing_root": frozenset({"missing_root"}),
    "W_for_WT": frozenset({"W_for_WT", "transpose"}),
    "input_missing": frozenset({"input_missing", "missing_input", "missing_factor~the input"}),
    "bias_left_out": frozenset({"bias_left_out", "missing_bias"}),
    "net_for_out": frozenset({"net_for_out"}),
    "softmax_diagonal": frozenset({"softmax_diagonal"}),
    "one_example": frozenset({"one_example"}),
}

TARGETS = {
    "false_alarms": 0,
    "first_error": 0.99,
    "precision": 0.95,
    "recall_full_sparse": 0.85,
    "recall_updates": 0.70,
    "carried": 0.995,
    "misconceptions": 0.98,
}


def plans() -> list[Plan]:
    return [load(ROOT / "problems" / f"{p}.yaml") for p in PROBLEMS]


def sheets(n: int, seed: int) -> list[Sheet]:
    return list(corpus(plans(), n, seed))


def grade(batch: Iterable[Sheet]) -> list[tuple[Sheet, object]]:
    """Each sheet written to a file as a student hands it in and graded as `backtutor check` grades it."""
    import backtutor
    from backtutor.check import Checker, read_sheet

    checkers: dict[str, Checker] = {}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, sheet in enumerate(batch):
            if sheet.problem not in checkers:
                checkers[sheet.problem] = Checker(
                    backtutor.solve(ROOT / "problems" / f"{sheet.problem}.yaml")
                )
            checker = checkers[sheet.problem]
            path = Path(tmp) / f"sheet{i}.yaml"
            path.write_text("".join(f'"{k}": {v}\n' for k, v in sheet.answers.items()), encoding="utf-8")
            out.append((sheet, checker.grade(read_sheet(path, checker.sol), str(path))))
    return out


@dataclass
class Ratio:
    hit: int = 0
    of: int = 0

    def add(self, ok: bool) -> None:
        self.hit += ok
        self.of += 1

    @property
    def value(self) -> float:
        return self.hit / self.of if self.of else 1.0

    def __str__(self) -> str:
        return f"{100 * self.value:5.1f} % ({self.hit}/{self.of})"


@dataclass
class Metrics:
    sheets: int = 0
    correct_sheets: int = 0
    false_alarms: int = 0
    first_error: Ratio = field(default_factory=Ratio)
    precision: Ratio = field(default_factory=Ratio)
    precision_no_arithmetic: Ratio = field(default_factory=Ratio)
    recall_slip: dict[str, Ratio] = field(default_factory=dict)  # named alone, or listed among several
    recall_style: dict[str, Ratio] = field(default_factory=dict)
    named_alone: dict[str, Ratio] = field(default_factory=dict)  # by style: named alone only
    listed: int = 0  # verdicts listing several slips
    listed_with_truth: int = 0
    carried: Ratio = field(default_factory=Ratio)
    misconceptions: Ratio = field(default_factory=Ratio)
    misnamed: Counter[tuple[str, str]] = field(default_factory=Counter)  # (truth, named) when wrong
    over_counted: Counter[str] = field(default_factory=Counter)

    def recall(self, styles: Sequence[str]) -> Ratio:
        found = [self.recall_style[s] for s in styles if s in self.recall_style]
        return Ratio(sum(r.hit for r in found), sum(r.of for r in found))


def measure(graded: Iterable[tuple[Sheet, object]], without_new: bool = False) -> Metrics:
    m = Metrics()
    for sheet, report in graded:
        if without_new and NEW & set(sheet.slips):
            continue
        m.sheets += 1
        verdicts = {v.id: v for v in report.verdicts}  # type: ignore[attr-defined]
        if not sheet.slips:
            m.correct_sheets += 1
            m.false_alarms += any(v.status != "right" for v in verdicts.values())
            continue
        order = [v.id for v in report.verdicts]  # type: ignore[attr-defined]
        first = min(sheet.own, key=order.index)
        m.first_error.add(report.first_error is not None and report.first_error.id == first)  # type: ignore[attr-defined]
        for v in verdicts.values():
            shows = sheet.own.get(v.id, set())
            if v.confidence == "two slips":  # two slips named: the first sure, the second one of the rest
                ok = paired(v, shows)
                m.precision.add(ok)
                m.precision_no_arithmetic.add(ok)
                if not ok:
                    m.misnamed[("/".join(sorted(shows)) or "(not own)", "+".join(v.candidates))] += 1
            elif v.status == "wrong" and v.candidates:
                m.listed += 1
                m.listed_with_truth += any(accepted(v, s) for s in shows)
            if v.status == "wrong" and v.slip:
                ok = any(accepted(v, s) for s in shows)
                m.precision.add(ok)
                if v.slip != "arithmetic":
                    m.precision_no_arithmetic.add(ok)
                if not ok:
                    m.misnamed[("/".join(sorted(shows)) or "(not own)", v.slip)] += 1
        for s in sheet.slips:
            steps = [verdicts[i] for i, shows in sheet.own.items() if s in shows]
            named = any(accepted(v, s) for v in steps)
            m.recall_slip.setdefault(s, Ratio()).add(named)
            m.recall_style.setdefault(sheet.style, Ratio()).add(named)
            alone = any(v.slip and accepted(v, s) for v in steps)
            m.named_alone.setdefault(sheet.style, Ratio()).add(alone)
        for i, t in sheet.truth.items():
            if t == "carried":
                m.carried.add(verdicts[i].status == "carried")
        ok = report.misconceptions == len(set(sheet.slips))  # type: ignore[attr-defined]
        m.misconceptions.add(ok)
        if not ok:
            m.over_counted["/".join(sheet.slips)] += 1
    return m


def paired(v: Any, shows: set[str]) -> bool:
    """Does a verdict naming two slips name two slips made, the first as its sure one?"""
    names = [{e.partition("~")[0] for e in ACCEPT[s]} for s in shows]
    sure, others = v.candidates[0], set(v.candidates[1:])
    return any(sure in a and any(others & b for b in names if b is not a) for a in names)


def accepted(v: Any, slip: str) -> bool:
    """Does the verdict name the slip made (or list it among several)?"""
    for entry in ACCEPT[slip]:
        name, _, words = entry.partition("~")
        if name in v.candidates or (v.slip == name and words in v.explanation):
            return True
    return False


def table(m: Metrics) -> str:
    lines = [
        f"sheets: {m.sheets} ({m.correct_sheets} correct)",
        f"false alarms on correct sheets: {m.false_alarms}",
        f"first own error at the right step: {m.first_error}",
        f"named-slip precision: {m.precision}; without 'arithmetic': {m.precision_no_arithmetic}",
        f"recall on full and sparse sheets: {m.recall(('full', 'sparse'))}; "
        f"updated parameters only: {m.recall(('updates',))}",
        f"carried answers called carried: {m.carried}",
        f"misconceptions counted = slips made: {m.misconceptions}",
        f"verdicts listing several slips: {m.listed} ({m.listed_with_truth} with the slip made among them)",
        "recall named alone, per style: "
        + ", ".join(f"{s} {m.named_alone[s]}" for s in STYLES if s in m.named_alone),
        "recall per style: " + ", ".join(f"{s} {m.recall_style[s]}" for s in STYLES if s in m.recall_style),
        "recall per slip:",
        *(f"  {s:22} {r}" for s, r in sorted(m.recall_slip.items())),
        "named wrongly (truth → named), most often:",
        *(f"  {t} → {n}: {c}" for (t, n), c in m.misnamed.most_common(12)),
        "misconceptions miscounted, by slips made: "
        + ", ".join(f"{k} {c}" for k, c in m.over_counted.most_common(8)),
    ]
    return "\n".join(lines)
