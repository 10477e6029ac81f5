"""The array file reader: .npz, .npy and .csv read with their dtypes, and every bad file refused with
one FileError naming the file and the array (never an object array unpickled)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from backtutor.errors import InputError
from backtutor.problem.array_files import MAX_CELLS, read_arrays
from backtutor.problem.files import FileError

from .hostile_files import SPECIAL, special


def refused(path: object, *words: str, finite: bool = True) -> str:
    with pytest.raises(FileError) as e:
        read_arrays(str(path), finite=finite)
    message = str(e.value)
    assert isinstance(e.value, InputError)
    for w in words:
        assert w in message, message
    return message


def test_npz_npy_and_csv_are_read_with_their_dtypes(tmp_path):
    x = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    y = np.array([1, 0, 2], dtype=np.int64)
    np.savez_compressed(tmp_path / "d.npz", x=x, y=y)
    got = read_arrays(tmp_path / "d.npz")
    assert set(got.arrays) == {"x", "y"}
    assert got.arrays["x"].dtype == np.float32 and np.array_equal(got.arrays["x"], x)
    assert np.array_equal(got.get("y", (None,), integer=True), y)
    np.save(tmp_path / "w.npy", np.asfortranarray(x.T))
    assert np.array_equal(read_arrays(tmp_path / "w.npy").get("w", (4, 3)), x.T)
    (tmp_path / "t.csv").write_text("a, b\n1, 2.5\n\n-3,4e-1\n")
    t = read_arrays(tmp_path / "t.csv")
    assert t.columns == ("a", "b")
    assert t.get("t", (2, 2)).tolist() == [[1.0, 2.5], [-3.0, 0.4]]


def test_a_wrong_shape_dtype_or_missing_array_names_the_file_the_array_and_the_shapes(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((16, 191)), y=np.zeros(16))
    got = read_arrays(tmp_path / "d.npz")
    with pytest.raises(FileError) as e:
        got.get("x", (None, 192))
    assert str(e.value) == f"{tmp_path / 'd.npz'}: array 'x': shape (16, 191); expected (any, 192)"
    with pytest.raises(FileError, match=r"d\.npz: array 'y': dtype float64; expected integers"):
        got.get("y", integer=True)
    with pytest.raises(FileError, match=r"d\.npz: there is no array 'W1' \(the file's arrays: x, y\)"):
        got.get("W1")


def test_an_object_array_is_refused_and_never_unpickled(tmp_path, monkeypatch):
    np.savez(tmp_path / "evil.npz", x=np.zeros(2), obj=np.array([{"a": 1}, None], dtype=object))
    np.save(tmp_path / "evil.npy", np.array([1, "a"], dtype=object), allow_pickle=True)

    def never(*args: object, **kw: object) -> None:
        raise AssertionError("unpickled")

    monkeypatch.setattr(pickle, "load", never)
    monkeypatch.setattr(pickle, "loads", never)
    refused(tmp_path / "evil.npz", "evil.npz: array 'obj': dtype object is not numbers")
    refused(tmp_path / "evil.npy", "evil.npy: array 'evil': dtype object")


@pytest.mark.parametrize(
    "value",
    [np.array(["a", "b"]), np.array([1 + 2j]), np.zeros(2, dtype=[("a", "f8")]), np.array(["2020"], "M8[D]")],
)
def test_text_complex_records_and_dates_are_not_numbers(tmp_path, value):
    np.savez(tmp_path / "d.npz", v=value)
    refused(tmp_path / "d.npz", "d.npz: array 'v': dtype", "is not numbers")


def test_nan_in_data_is_refused_with_where_but_kept_in_answers(tmp_path):
    x = np.ones((3, 4))
    x[1, 2] = np.nan
    np.savez(tmp_path / "d.npz", x=x)
    refused(tmp_path / "d.npz", "d.npz: array 'x': nan at [1, 2]; data must be finite numbers")
    assert np.isnan(read_arrays(tmp_path / "d.npz", finite=False).arrays["x"][1, 2])
    (tmp_path / "c.csv").write_text("1,2\n3,inf\n")
    refused(tmp_path / "c.csv", "array 'c': inf at [1, 1]")


def test_bad_csv_rows_and_cells_name_the_line(tmp_path):
    (tmp_path / "r.csv").write_text("1,2\n3\n")
    refused(tmp_path / "r.csv", "r.csv:2: 1 values; the first row has 2")
    (tmp_path / "c.csv").write_text("x,y\n1,2\n3,oops\n")
    refused(tmp_path / "c.csv", "c.csv:3: column 2: 'oops' is not a number")
    (tmp_path / "e.csv").write_text("x,y\n")
    refused(tmp_path / "e.csv", "holds no numbers")


@pytest.mark.parametrize("kind", SPECIAL)
def test_pipes_devices_folders_and_dangling_links_are_refused(tmp_path, kind):
    path = special(kind, tmp_path / "d.npz")
    message = refused(path, "d.npz")
    assert "not a regular file" in message or "cannot read" in message


def test_a_link_to_a_regular_file_is_followed(tmp_path):
    np.save(tmp_path / "real.npy", np.arange(3.0))
    (tmp_path / "x.npy").symlink_to(tmp_path / "real.npy")
    assert read_arrays(tmp_path / "x.npy").arrays["x"].tolist() == [0.0, 1.0, 2.0]


def test_huge_files_and_compressed_bombs_are_refused_before_they_are_read(tmp_path):
    big = tmp_path / "big.npy"
    with open(big, "wb") as f:
        f.truncate(70_000_000)
    refused(big, "big.npy: file is larger than 64 MB")
    # a header promising more numbers than the cap, compressed to a few kB: refused from its header
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (MAX_CELLS + 1,)}
    )
    with (
        # the fastest level: 80 MB of zeros still compress to a third of a MB, in a third of the time
        zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
        z.open("x.npy", "w", force_zip64=True) as member,
    ):
        member.write(header.getvalue())
        for _ in range(80):
            member.write(bytes(1_000_000))
    assert os.path.getsize(tmp_path / "bomb.npz") < 1_000_000
    refused(tmp_path / "bomb.npz", "array 'x': shape (8000001,): too many numbers")


def test_truncated_and_foreign_files(tmp_path):
    np.save(tmp_path / "t.npy", np.zeros((10, 10)))
    (tmp_path / "t.npy").write_bytes((tmp_path / "t.npy").read_bytes()[:-8])
    refused(tmp_path / "t.npy", "array 't': shape (10, 10) does not match the data stored")
    (tmp_path / "z.npz").write_bytes(b"PK not a zip")
    refused(tmp_path / "z.npz", "z.npz: not a valid .npz file")
    (tmp_path / "n.npy").write_bytes(b"\x93NUMPY nonsense")
    refused(tmp_path / "n.npy", "n.npy: array 'n': not a NumPy array")
    (tmp_path / "x.txt").write_text("1,2")
    refused(tmp_path / "x.txt", "x.txt: not an array file; give a .npz, .npy or .csv file")
