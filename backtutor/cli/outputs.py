"""Writing outputs safely: only to a regular file or a new path, atomically, never over one of the
run's inputs, with the permissions a new file normally gets (umask) or the existing file's own; every
error names the user's path, never the hidden temporary file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import InputError


def write_atomic(path: Path, content: str | bytes, inputs: tuple[Path, ...] = ()) -> None:
    """Write via a temporary file and a rename, so an error never leaves a partial file. Only a
    regular file or a new path is written (never a device, a pipe or one of the run's `inputs`);
    a new file gets the permissions umask gives, an existing one keeps its own. Errors name `path`."""
    check_output(path, inputs)
    try:
        mode = _mode_for(path)
        fd, tmp = tempfile.mkstemp(dir=path.absolute().parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from None
    try:
        binary = isinstance(content, bytes)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as f:
            f.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The mode the written file gets: an existing regular file's own, else what umask leaves of 0o666."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file; write to a file or a new path")
    return stat.S_IMODE(st.st_mode)


def check_output(output: Path | None, inputs: tuple[Path, ...]) -> None:
    """Refuse an output before any work: one of the run's input files (the same file by any path),
    something that is not a regular file (a device, a pipe, a folder), or a path in no folder."""
    if output is None:
        return
    for i in inputs:
        if output.absolute() == i.absolute() or _same_file(output, i):
            raise InputError(f"{output}: refusing to overwrite {i}, an input of this run, with the output")
    _mode_for(output)
    if not output.absolute().parent.is_dir():
        raise InputError(f"{output}: cannot write (no folder {output.absolute().parent})")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()
