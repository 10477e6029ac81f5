"""backtutor quiz: each step asked, graded at once as `check` grades it, hints, carrying on from the
student's own value or the correct one, an early end, the saved sheet, and a real pseudo-terminal.

The expected numbers are Mazur's published q4 figures ("A Step by Step Backpropagation Example",
2015; /work/shared/reference/textbook-problems.md, section 1) rounded as a student would, or worked
here by hand from the published rule with a slip applied; none comes from the code under test.
"""

import io
import os
import re
import select
import signal
import sys
import time

from rich.console import Console
from typer.testing import CliRunner

import backtutor
from backtutor.check import quiz as q
from backtutor.cli.app import app
from backtutor.cli.quiz import run

from .conftest import PROBLEMS, ROOT

runner = CliRunner()
WIDE = {"COLUMNS": "300"}  # one line per verdict
Q4 = str(PROBLEMS / "q4.yaml")

# Mazur (2015), update 1, to 4 decimals; net_h2 = w3·i1 + w4·i2 + b1 = 0.25·0.05 + 0.3·0.1 + 0.35
NET_H2 = 0.25 * 0.05 + 0.3 * 0.1 + 0.35
FORWARD = ["0.3775", f"{NET_H2:.4f}", "0.5933", "0.5969", "1.1059", "0.7514"]  # net_h1 … out_o1
TO_DW5 = [*FORWARD, "0.7414", "0.1868", "0.5933", "0.0822"]  # … ∂E/∂out_o1, σ′, ∂net_o1/∂w5, ∂E/∂w5


def quiz(*args: str, lines: list[str]):
    lines_in = "".join(f"{line}\n" for line in lines)
    return runner.invoke(app, ["quiz", Q4, *args], input=lines_in, env=WIDE)


def score(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Score:"))


def test_all_right_gives_the_full_score():
    result = quiz("--only", "dE_total/dw5", lines=TO_DW5)
    assert result.exit_code == 0, result.output
    assert result.output.count("✓ right") == 10
    assert "Score: 10/10 right, 0 own errors, 0 carried forward" in result.output
    assert "first error" not in result.output and "not asked" not in result.output
    # one update: the headings do not number it
    assert "\nforward pass\n" in result.output and "(update 1)" not in result.output


def test_a_wrong_answer_then_own_value_carries_forward():
    # out_o1 written 0.76 (published 0.75136507). From it: ∂E/∂out_o1 = −(0.01 − 0.76) = 0.75; σ′
    # is worked from net_o1, so it stays the published 0.186815602; ∂E/∂net_o1 = 0.75 × 0.186815602
    own = -(0.01 - 0.76)
    lines = [*FORWARD[:5], "0.76", "o", f"{own:.4f}", "0.1868", f"{own * 0.186815602:.4f}"]
    result = quiz("--only", "dE_total/dnet_o1", lines=lines)
    assert result.exit_code == 1
    out = result.output
    assert "0.76  ✗ wrong (expected 0.75136507)" in out
    # the hint: the formula, then the numbers substituted (the student's own net_o1)
    assert out.index("hint: out_o1 = σ(net_o1)") < out.index("hint: = σ(1.1059)")
    assert out.count("↪ carried") == 2 and "0.1868  ✓ right" in out
    assert "method right; carried forward from the error in out_o1" in out
    assert "Score: 6/9 right, 1 own error (1 distinct misconception), 2 carried forward" in score(out)
    assert "first error: out_o1" in score(out)


def test_a_wrong_answer_then_the_correct_value():
    # going on from the correct out_o1: the published ∂E/∂out_o1 = 0.74136507 is right, and the
    # numbers substituted in the next hint are the correct out_o1 = 0.75136507
    lines = [*FORWARD[:5], "0.76", "0.75", "c", "hint", "hint", "0.7414"]
    result = quiz("--only", "dE_total/dout_o1", lines=lines)
    out = result.output
    assert "o (or Enter): go on from your value; c: from the correct one" in out  # 0.75 is no choice
    assert "hint: ∂E_total/∂out_o1 = −(target_o1 − out_o1)" in out
    assert "hint: = −(0.01 − 0.75136507)" in out
    assert "0.7414  ✓ right" in out and "carried" not in out.split("0.7414")[1]
    assert "Score: 6/7 right, 1 own error" in score(out)


def test_the_slip_is_named():
    # ∂E/∂w5 without σ′: 0.74136507 × 0.593269992 (Mazur's numbers); and the sign turned
    backward = TO_DW5[6:9]
    missing = f"{0.74136507 * 0.593269992:.4f}"
    result = quiz("--only", "dE_total/dw5", "--phases", "backward", lines=[*backward, missing])
    assert "left out the factor ∂out_o1/∂net_o1 (the activation derivative)" in result.output
    assert "hint: = 0.7414 × 0.1868 × 0.5933" in result.output  # the student's own factors
    result = quiz("--only", "dE_total/dw5", "--phases", "backward", lines=[*backward, "-0.0822"])
    assert "-0.0822  ✗ wrong (expected 0.0821670406): sign error" in result.output


def test_hint_shows_the_formula_then_the_numbers_then_no_more():
    result = quiz("--only", "net_h1", lines=["hint", "hint", "hint", "0.3775"])
    out = result.output
    first, second = (
        out.index("hint: net_h1 = w1·i1 + w2·i2 + b1"),
        out.index("hint: = 0.15 × 0.05 + 0.2 × 0.1 + 0.35"),
    )
    assert first < second < out.index("no more hints") < out.index("0.3775  ✓ right")
    assert "Score: 1/1 right" in out and result.exit_code == 0


def test_a_formula_answer_and_an_unreadable_line():
    lines = ["1 +* 2", "sigmoid(net_o1)*(1 - sigmoid(net_o1))"]
    result = quiz("--only", "dout_o1/dnet_o1", "--phases", "backward", lines=lines)
    assert "cannot read that" in result.output
    assert "sigmoid(net_o1)*(1 - sigmoid(net_o1))  ✓ right" in result.output
    assert "Score: 1/1 right" in result.output


def test_early_end_gives_the_score_so_far_and_the_saved_sheet_checks_the_same(tmp_path):
    sheet = tmp_path / "answers.yaml"
    # net_h2 written 0.3952 (published rule: 0.3925), then skip out_h1, then the input ends
    result = quiz("--save", str(sheet), lines=["0.3775", "0.3952", "o", "skip"])
    assert "Traceback" not in result.output and result.exit_code == 1
    assert "1 skipped, " in result.output and "not asked" in result.output
    quiz_score = score(result.output)
    assert quiz_score.startswith("Score: 1/2 right, 1 own error")
    text = sheet.read_text(encoding="utf-8")
    assert '"net_h1": 0.3775' in text and '"net_h2": 0.3952' in text and '"out_h1": ~' in text
    checked = runner.invoke(app, ["check", Q4, str(sheet)], env=WIDE)
    assert checked.exit_code == 1
    assert re.sub(r" at \S+:\d+", "", score(checked.output)) == quiz_score  # check says where it was written


def test_quit_and_a_bad_phase():
    result = quiz("--only", "net_o1", lines=["0.3775", "quit", "0.5"])
    assert "Score: 1/1 right" in result.output and "4 not asked" in result.output
    result = quiz("--phases", "forwards", lines=[])
    assert result.exit_code == 2 and "--phases: unknown phase 'forwards'" in result.output


def test_ctrl_c_stops_with_the_score_so_far():
    sol = backtutor.solve(Q4)
    lines = iter(["0.3775", f"{NET_H2:.4f}"])

    def read(prompt):
        line = next(lines, None)
        if line is None:
            raise KeyboardInterrupt
        return line

    state = run(q.start(sol), Console(file=io.StringIO()), read)
    assert state.stopped and state.position == 2
    assert q.report(state).summary == "2/2 right, 0 own errors, 0 carried forward"


def test_the_quiz_logic_without_a_terminal():
    sol = backtutor.solve(Q4)
    quiz_ = q.start(sol, [sol.step("out_o1"), sol.step("dE_total/dout_o1")])
    state, verdict = q.answer(quiz_, q.QuizState(), "0.76")
    assert verdict.status == "wrong" and state.pending is not None and q.question(quiz_, state) is None
    state = q.choose(quiz_, state, own=True)
    state, verdict = q.answer(quiz_, state, "0.75")  # −(0.01 − 0.76)
    assert verdict.status == "carried" and verdict.source == "out_o1"
    assert q.question(quiz_, state) is None and q.written(state) == {
        "out_o1": "0.76",
        "dE_total/dout_o1": "0.75",
    }


def _expect(fd: int, pattern: str, seen: list[str], timeout: float = 30, required: bool = True) -> str:
    """Read the terminal until `pattern` shows (escape codes removed); "" when it does not and is
    not required."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "".join(seen))
        if pattern in text:
            return text
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen.append(os.read(fd, 4096).decode("utf-8", "replace"))
            except OSError:
                break
    if not required:
        return ""
    raise AssertionError(f"{pattern!r} not shown; the terminal showed:\n{''.join(seen)}")


def _signal_state(pid: int) -> str:
    """The lines of /proc/PID/status that say which signals a process blocks, ignores and catches."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return " ".join(line.strip() for line in f if line.startswith(("SigBlk", "SigIgn", "SigCgt")))
    except OSError as e:
        return str(e)


def test_in_a_real_pseudo_terminal():
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the quiz on the pseudo-terminal (never back into pytest)
        try:
            # as a shell starts it: Ctrl-C's SIGINT neither ignored nor blocked (both are inherited
            # through exec, and a test run earlier in this worker process may have left either)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
            os.chdir(ROOT)
            os.environ.update(COLUMNS="200", TERM="xterm")
            command = ["-m", "backtutor", "quiz", "problems/q4.yaml", "--only", "net_o1"]
            os.execv(sys.executable, [sys.executable, *command])
        finally:
            os._exit(127)
    seen: list[str] = []
    try:
        _expect(fd, "[1/5] net_h1 = ?", seen)
        os.write(fd, b"0.3775\n")
        _expect(fd, "0.3775  ✓ right", seen)
        _expect(fd, "[2/5] net_h2 = ?", seen)
        os.write(fd, b"0.3952\n")  # published rule: 0.3925
        _expect(fd, "✗ wrong (expected 0.3925)", seen)
        _expect(fd, "go on from your value 0.3952", seen)
        os.write(fd, b"c\n")
        _expect(fd, "[3/5] out_h1 = ?", seen)
        # Ctrl-C. CPython's input() notices a SIGINT that lands just before it blocks in the read
        # only at the next key (a person presses Ctrl-C again): so does this test, after a while
        time.sleep(0.2)
        os.write(fd, b"\x03")
        text = _expect(fd, "first error: net_h2", seen, timeout=5, required=False)
        if not text:
            os.write(fd, b"\x03")
            text = _expect(fd, "first error: net_h2", seen, required=False)
        assert text, f"Ctrl-C ignored; the quiz's signal state: {_signal_state(pid)}\n{''.join(seen)}"
    finally:
        end = time.monotonic() + 30  # a loaded machine may take a while to exit; a hang is killed
        done, status = os.waitpid(pid, os.WNOHANG)
        while not done and time.monotonic() < end:
            time.sleep(0.1)
            done, status = os.waitpid(pid, os.WNOHANG)
        if not done:  # the quiz did not end: stop it (it was started here), then collect it
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert "Score: 1/2 right, 1 own error" in text and "3 not asked" in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert os.waitstatus_to_exitcode(status) == 1
