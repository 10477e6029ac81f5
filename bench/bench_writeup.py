"""Free-text sheets (issue #22): what reading and grading a write-up costs.

1. `backtutor check problems/q4.yaml writeup.md` on a 200-line write-up (every step of q4 as a
   textbook writes it, `$$\\frac{\\partial E_{total}}{\\partial w_5} = 0.0822$$`, between lines of prose)
   against `check` of a one-line YAML sheet, alternately: the difference of the medians is what the
   write-up costs beyond `check`'s start-up. Target: < 0.3 s (printed with the ratio).
2. A class: `check q4 SHEETS/ --csv grades.csv` on 1,000 Markdown sheets against the same 1,000 sheets
   as YAML (bench_check.py's answers: a quarter right, the rest with slips), alternately. Target:
   ratio ≤ 3.
Run: python bench/bench_writeup.py [N]   (N rounds, default 5)
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from _util import alternate, backtutor_cmd, command, ratio, rounds, table, verdict
from bench_check import SHEETS, answer_sets

LINES = 200
EXTRA_TARGET = 0.3  # seconds beyond check's start-up
CLASS_TARGET = 3.0


def tex(name: str) -> str:
    """A q4 quantity as a textbook writes it: ∂E_total/∂w5 as \\frac{\\partial E_{total}}{\\partial w_5}."""
    if "/" in name:
        of, wrt = name[1:].split("/d")
        return f"\\frac{{\\partial {tex(of)}}}{{\\partial {tex(wrt)}}}"
    if name.endswith("+"):
        return f"{tex(name[:-1])}^+"
    m = re.fullmatch(r"([A-Za-z]+)_?(\w+)?", name)
    assert m, name
    return f"{m.group(1)}_{{{m.group(2)}}}" if m.group(2) else m.group(1)


def writeup(answers: dict[str, str], lines: int = LINES) -> str:
    """The answers as a Markdown write-up: a display equation per step between lines of prose, padded
    with prose to `lines` lines."""
    out = ["# Homework 3: backpropagation by hand", ""]
    for name, value in answers.items():  # prose without numbers: a number not graded is listed
        out += ["Next, the quantity below, from the ones above.", f"$${tex(name)} = {value}$$", ""]
    out += ["The working ends here; the rest is notes."] * (lines - len(out))
    return "\n".join(out[:lines]) + "\n"


def main() -> None:
    n = rounds(5)
    bt = backtutor_cmd()
    sets = answer_sets()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        one, long = folder / "one.yaml", folder / "writeup.md"
        one.write_text('"out_h1": 0.5933\n', encoding="utf-8")
        long.write_text(writeup(sets[0]), encoding="utf-8")
        yaml_class, md_class = folder / "yaml", folder / "md"
        yaml_class.mkdir()
        md_class.mkdir()
        for i, sheet in enumerate(sets):
            text = "".join(f'"{k}": {v}\n' for k, v in sheet.items())
            (yaml_class / f"student{i:04d}.yaml").write_text(text, encoding="utf-8")
            (md_class / f"student{i:04d}.md").write_text(writeup(sheet, 3 * len(sheet) + 2), encoding="utf-8")
        check = [*bt, "check", "problems/q4.yaml"]
        t = alternate(
            {
                "one": command([*check, str(one)]),
                "long": command([*check, str(long)], ok_codes=(0, 1)),
                "yaml": command([*check, str(yaml_class), "--csv", f"{tmp}/y.csv"], ok_codes=(0, 1)),
                "md": command([*check, str(md_class), "--csv", f"{tmp}/m.csv"], ok_codes=(0, 1)),
            },
            n,
        )
    extra = t["long"].median - t["one"].median
    r_long, r_class = ratio(t["long"], t["one"]), ratio(t["md"], t["yaml"])
    table(
        [
            ("check q4, a one-line YAML sheet (baseline)", t["one"].seconds(), "1", "", ""),
            (
                f"check q4, a {LINES}-line Markdown write-up",
                t["long"].seconds(),
                r_long.ratio(),
                f"< {EXTRA_TARGET} s beyond: {extra:.3f} s",
                verdict(extra < EXTRA_TARGET),
            ),
            (f"check q4, {SHEETS} YAML sheets (baseline)", t["yaml"].seconds(), "1", "", ""),
            (
                f"check q4, the same {SHEETS} as Markdown",
                t["md"].seconds(),
                r_class.ratio(),
                f"<= {CLASS_TARGET} x baseline",
                verdict(r_class.median <= CLASS_TARGET),
            ),
        ]
    )


if __name__ == "__main__":
    main()
