"""Gradescope: the autograder zip (`export gradescope`) and what it runs per submission (`autograde`).

The zip holds, at its root (Gradescope's "Autograder Specifications"):
  setup.sh          run once when Gradescope builds the image: a Python ≥ 3.11 (apt-get when the image
                    has none), a venv at /autograder/venv, and backtutor's dependencies from PyPI
                    (requirements.txt). backtutor itself is not downloaded: its source is in the zip.
  run_autograder    run per submission: `python -m backtutor autograde /autograder` with the zip's
                    source on PYTHONPATH; BACKTUTOR_AUTOGRADER_ROOT and BACKTUTOR_PYTHON override the
                    folder and the interpreter (to try it locally).
  backtutor/        the package's source, as installed where the zip was made
  problem.yaml      the problem; with a roster, also roster.csv and the seed (autograder.json)
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InputError
from ..problem.files import read_bytes, read_text
from .common import ProblemArg, RosterOpt, SeedOpt, failing
from .outputs import check_output, write_atomic

if TYPE_CHECKING:
    from ..problem.roster import Student

CONFIG = "autograder.json"
SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (with network access).
set -euo pipefail
ROOT="${BACKTUTOR_AUTOGRADER_ROOT:-/autograder}"
PY=""
for p in python3.13 python3.12 python3.11; do
  if command -v "$p" >/dev/null; then PY="$p"; break; fi
done
if [ -z "$PY" ]; then
  apt-get update && apt-get install -y python3.11 python3.11-venv
  PY=python3.11
fi
if ! "$PY" -m venv "$ROOT/venv"; then
  apt-get update && apt-get install -y "$PY-venv" && "$PY" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/pip" install --no-cache-dir -r "$ROOT/source/requirements.txt"
"""
RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade the sheet in submission/, write results/results.json.
ROOT="${BACKTUTOR_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${BACKTUTOR_PYTHON:-$ROOT/venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$ROOT/source${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m backtutor autograde "$ROOT"
"""


def autograder_zip(file: Path, roster: Path | None, seed: int | None) -> bytes:
    """The zip's bytes; the problem (and roster) are checked first, as `variants` and `check` read them."""
    config: dict[str, Any] = {"problem": "problem.yaml", "roster": None, "seed": None}
    if roster is not None:
        from ..problem.roster import read_roster
        from ..problem.variants import read_base, seed_for

        read_roster(roster)
        config.update(roster="roster.csv", seed=seed_for(read_base(file), seed))
    else:
        from ..problem.load import load

        problem = load(file)
        if problem.variants:
            raise InputError(
                f"{file} has variants: give --roster (and --seed) so that each submission is graded "
                "against its own student's variant"
            )
        if problem.assignment:  # a pattern that matches no step: refused now, not on every submission
            from ..solution import solve_by_hand
            from ..solution.asked import asked

            asked(solve_by_hand(problem))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", SETUP.encode(), executable=True)
        _add(z, "run_autograder", RUN.encode(), executable=True)
        _add(z, "requirements.txt", _requirements().encode())
        _add(z, CONFIG, json.dumps(config, indent=2).encode())
        _add(z, "problem.yaml", read_bytes(file))
        if roster is not None:
            _add(z, "roster.csv", read_bytes(roster, give="a .csv file"))
        package = Path(__file__).resolve().parent.parent  # backtutor/, this file is in cli/
        for path in sorted(package.rglob("*")):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and path.suffix in (".py", ".css", ".js", ".typed")
            ):
                _add(z, f"backtutor/{path.relative_to(package).as_posix()}", path.read_bytes())
    return buffer.getvalue()


def _add(z: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes every time
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    z.writestr(info, data)


def _requirements() -> str:
    """backtutor's own dependencies (no extras), from its installed metadata."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        needed = [r for r in requires("backtutor") or [] if "extra ==" not in r]
    except PackageNotFoundError:
        raise InputError(
            "backtutor's package metadata is not installed; install backtutor with pip first"
        ) from None
    return "\n".join(needed) + "\n"


def autograde(root: Path) -> dict[str, Any]:
    """Grade the submitted sheet under root/submission; the results.json object (never raises on a
    student's input: an unreadable sheet gets 0 points and says why)."""
    from ..render.reports.gradescope import failed

    try:
        config = json.loads(read_text(root / "source" / CONFIG, give="the zip's autograder.json"))
        sheet = _submitted(root / "submission")
        return _grade(root, config, sheet)
    except (InputError, OSError, ValueError) as e:
        return failed(str(e))
    except Exception as e:  # results.json must be written whatever a submission holds
        return failed(f"it could not be graded ({type(e).__name__})")


MAX_FILES = 1_000  # files looked at in a submission


def _submitted(folder: Path) -> Path:
    """The submission's answer sheet: its answers.yaml (or answers.md, …), or its one sheet (.yaml, or a
    write-up: .md, .tex, .txt, .ipynb). Links to folders are not followed, and a sheet that is a link
    to a file outside the submission is refused before it is read (its content would reach the
    student-visible output)."""
    from ..check.batch import SHEET_SUFFIXES

    found: list[Path] = []
    for n, (where, _, files) in enumerate(os.walk(folder)):
        found += [Path(where, f) for f in files if Path(f).suffix.lower() in SHEET_SUFFIXES]
        if n + len(found) > MAX_FILES:
            raise InputError(
                f"more than {MAX_FILES:,} files in the submission; upload only your answers.yaml"
            )
    found.sort()
    if not found:
        raise InputError(
            "no answer sheet (.yaml, .md, .tex, .txt or .ipynb) in the submission; upload the answers.yaml "
            "you filled in, or your write-up"
        )
    named = [p for p in found if p.stem == "answers"]
    if len(named) != 1 and len(found) != 1:
        listed = ", ".join(str(p.relative_to(folder)) for p in found[:5])
        raise InputError(f"several answer sheets in the submission ({listed}); upload only your answers.yaml")
    sheet = (named or found)[0]
    if not sheet.resolve().is_relative_to(folder.resolve()):
        raise InputError(
            f"{sheet.relative_to(folder)} is a link to a file outside the submission; upload the file itself"
        )
    return sheet


def _grade(root: Path, config: dict[str, Any], sheet: Path) -> dict[str, Any]:
    from ..check import Checker
    from ..check.batch import RosterChecker, grade_one
    from ..problem.load import load
    from ..problem.roster import read_roster
    from ..problem.variants import read_base
    from ..render.reports.gradescope import failed, results
    from ..solution import solve_by_hand

    problem = root / "source" / config["problem"]
    if not config.get("roster"):
        checker = Checker(solve_by_hand(load(problem)))
        outcome, student = grade_one(checker, sheet), ""
    else:
        students = read_roster(root / "source" / config["roster"])
        roster = RosterChecker(read_base(problem), int(config["seed"]), students, None, None)
        who = _from_metadata(root / "submission_metadata.json", students)
        outcome, found, graded = roster.grade(sheet, who)
        if graded is None:
            return failed(str(outcome))
        checker, student = graded, found.id if found else ""
    return failed(outcome) if isinstance(outcome, str) else results(outcome, checker.sol, student)


def _from_metadata(path: Path, students: Sequence[Student]) -> Student | None:
    """The roster's student whose id (or email) Gradescope's submission metadata names, if any (None
    when the metadata cannot be read or names nobody on the roster: the sheet's own line says then)."""
    try:
        data = json.loads(read_bytes(path, give="Gradescope's submission_metadata.json"))
    except (InputError, ValueError, RecursionError):
        return None
    users = data.get("users") if isinstance(data, dict) else None
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict):
            continue
        keys = {
            str(user.get(k)).strip().lower() for k in ("sid", "email") if isinstance(user.get(k), str | int)
        }
        for s in students:
            if s.id.lower() in keys or (s.email and s.email.lower() in keys):
                return s
    return None


export_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Export to other tools.")


@export_app.command("gradescope")
def export_gradescope(
    file: ProblemArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip to write, e.g. autograder.zip.")],
    roster: RosterOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Build a Gradescope autograder zip that grades a submitted answer sheet with `check`."""

    with failing():
        check_output(output, (file, *([roster] if roster else [])))
        write_atomic(output, autograder_zip(file, roster, seed))
    print(f"wrote {output}: upload it as the assignment's autograder (docs/guide/gradescope.md)")


def autograde_command(
    root: Annotated[Path, typer.Argument(help="The autograder folder.")] = Path("/autograder"),
) -> None:
    """Run by the zip's run_autograder: grade root/submission, write root/results/results.json."""
    from ..render.reports.gradescope import render_results

    text = render_results(autograde(root))
    with failing():
        (root / "results").mkdir(parents=True, exist_ok=True)
        write_atomic(root / "results" / "results.json", text)
    print(text, end="")
