"""The diagnosis of `check` on the independent student model's sheets (issue #23).

Generates N seeded sheets (default 1,200) with tests/student_sheets.py over the bundled trainable
problems × slips × styles (full, sparse, updated parameters only) × rounding habits × spellings,
grades each as `backtutor check` does, and prints: false alarms on correct sheets, first-error
placement, named-slip precision, recall per slip and per style, carried-forward accuracy, and
misconceptions counted against slips made; each against issue #23's target, then the same without the
six slips the catalogue gains with the issue. Nothing is timed.
Run: python bench/bench_diagnosis.py [N] [SEED]
"""

from __future__ import annotations

import sys

from _util import ROOT

sys.path.insert(0, str(ROOT))

from tests.diagnosis import TARGETS, Metrics, grade, measure, sheets, table


def targets(m: Metrics) -> list[str]:
    checks = [
        ("false alarms on correct sheets", m.false_alarms, TARGETS["false_alarms"], m.false_alarms == 0),
        ("first own error placed", m.first_error.value, TARGETS["first_error"], None),
        ("named-slip precision", m.precision.value, TARGETS["precision"], None),
        ("recall, full and sparse", m.recall(("full", "sparse")).value, TARGETS["recall_full_sparse"], None),
        ("recall, updated parameters only", m.recall(("updates",)).value, TARGETS["recall_updates"], None),
        ("carried called carried", m.carried.value, TARGETS["carried"], None),
        ("misconceptions = slips made", m.misconceptions.value, TARGETS["misconceptions"], None),
    ]
    out = []
    for what, value, target, ok in checks:
        ok = value >= target if ok is None else ok
        shown = f"{value}" if isinstance(value, int) else f"{100 * value:.1f} %"
        want = f"{target}" if isinstance(target, int) else f"≥ {100 * target:.1f} %"
        out.append(f"  {what:34} {shown:>9}   target {want:9} {'OK' if ok else 'below'}")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2023
    graded = grade(sheets(n, seed))
    for title, without in (("every slip", False), ("without the six new slips", True)):
        m = measure(graded, without_new=without)
        print(f"== {title}")
        print("\n".join(targets(m)))
        print(table(m))
        print()


if __name__ == "__main__":
    main()
