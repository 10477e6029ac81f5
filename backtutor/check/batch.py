"""A class's sheets at once: each sheet graded on its own (one broken sheet never stops the batch),
on every core for a big class, the reports in the sheets' order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import InputError
from .grade import Checker
from .sheet import read_sheet
from .verdicts import Report

PARALLEL_FROM = 200  # sheets; fewer are graded in this process (starting workers costs more)
Outcome = Report | str  # a report, or why the sheet could not be checked

_checker: Checker | None = None  # the workers' Checker, inherited when they are forked


def grade_one(checker: Checker, path: Path) -> Outcome:
    try:
        return checker.grade(read_sheet(path, checker.sol), str(path))
    except InputError as e:
        return str(e)
    except Exception as e:  # one pathological sheet must not stop a class's batch
        return f"{path}: could not be checked ({type(e).__name__}: {e})"


def _grade_chunk(paths: Sequence[Path]) -> list[Outcome]:
    assert _checker is not None
    return [grade_one(_checker, p) for p in paths]


def grade_all(checker: Checker, paths: Sequence[Path]) -> Iterator[Outcome]:
    """Each sheet's outcome, in order."""
    workers = min(os.cpu_count() or 1, 8)
    fork = "fork" in multiprocessing.get_all_start_methods()
    if len(paths) < PARALLEL_FROM or workers < 2 or not fork:
        yield from (grade_one(checker, p) for p in paths)
        return
    global _checker
    _checker = checker
    size = -(-len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for outcomes in pool.map(_grade_chunk, chunks):
                yield from outcomes
    finally:
        _checker = None
