"""What the hostile-input tests share: a CLI run that fails fast instead of hanging (a pipe read by
mistake would block forever), and the special files a student or a roster can hand in."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from backtutor.cli.app import app

DEADLINE = 10.0  # seconds: every hostile input ends in a result or one message well within this


def run_within(*args: object, stdin: str | None = None) -> Result:
    """The command's result; fails the test when it has not ended within DEADLINE (an alarm interrupts
    even a blocked read, and `quiz` needs the main thread for its signals) or raised a traceback."""

    def too_slow(signum: int, frame: object) -> None:
        raise TimeoutError(f"{args[0]} did not end within {DEADLINE} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def special(kind: str, path: Path) -> Path:
    """`path` made into a named pipe, a link to /dev/zero, a link to a folder, or a dangling link."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.symlink_to(path.parent)
    else:
        path.symlink_to(path.parent / "missing")
    return path


SPECIAL = ("fifo", "zero", "folder", "dangling")
