"""The explore page at the limit of the working shown: `backtutor explore FILE -o PAGE` for generated
sigmoid networks whose size is just within MAX_SHOWN (examples worked step by step × size ≤ 6,000;
one example), against `backtutor solve FILE -f json`, the same working for programs, the two run
alternately. Target (issue #19): the page is at most 5 MB (it embeds the Solution and the working's
MathML, deflated); its bytes are printed beside the time, and the ratio says what the page costs
beyond the JSON. Not a test: one run takes tens of seconds on a busy machine.
Run: python bench/bench_explore.py [N]   (N rounds, default 1)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _network import problem_yaml
from _util import alternate, backtutor_cmd, command, ratio, rounds, table, verdict

from backtutor.problem.limits import MAX_SHOWN
from backtutor.problem.load import load

BYTES_TARGET = 5_000_000
NETWORKS = ([16] * 5, [12] * 9)  # 8 inputs; sizes 5,263 and 5,779: wide and deep, both at the limit


def main() -> None:
    n = rounds(1)
    bt = backtutor_cmd()
    rows = []
    with tempfile.TemporaryDirectory(prefix="backtutor-bench-") as tmp:
        for widths in NETWORKS:
            name = f"8-{'-'.join(map(str, widths))}"
            problem, page = Path(tmp, f"{name}.yaml"), Path(tmp, f"{name}.html")
            problem.write_text(problem_yaml(widths), encoding="utf-8")
            size = load(problem).size
            assert size <= MAX_SHOWN < size * 1.2, f"{name}: size {size} is not at the limit"
            t = alternate(
                {
                    "json": command([*bt, "solve", str(problem), "-f", "json"]),
                    "explore": command([*bt, "explore", str(problem), "-o", str(page)]),
                },
                n,
                warmup=0,
            )
            mb = page.stat().st_size / 1e6
            rows.append(
                (
                    f"explore {name} (size {size:,}): page {mb:.2f} MB",
                    t["explore"].seconds(),
                    ratio(t["explore"], t["json"]).ratio(),
                    f"page <= {BYTES_TARGET / 1e6:.0f} MB",
                    verdict(mb * 1e6 <= BYTES_TARGET),
                )
            )
    table(rows)


if __name__ == "__main__":
    main()
