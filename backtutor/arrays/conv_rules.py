"""The array engine's rules for convolution and pooling, on one image laid out channels × height ×
width (PyTorch's layout without the batch axis): forward and backward, with stride and zero padding.

A convolution is PyTorch's conv2d, a cross-correlation: out[f, h, w] = b[f] + Σ_c,i,j K[f, c, i, j] ·
x[c, h·s + i, w·s + j] on x zero-padded by p. Windows are strided views of the maps (no
copy), copied once into columns for a convolution's matrix product (im2col; the run keeps them for
the kernel's gradient); each backward sends every output's gradient back through the window it was
computed from, all windows' parts summed into their cells by one bincount, and pooling combines one
strided view per cell of its window."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def padded(X: Array, padding: int) -> Array:
    """x with `padding` zeros around each map."""
    if not padding:
        return X
    return np.pad(X, ((0, 0), (padding, padding), (padding, padding)))


def windows(X: Array, kh: int, kw: int, stride: int) -> Array:
    """Every kh × kw window of each map that a stride-s pass reads: channels × Ho × Wo × kh × kw."""
    c, h, w = X.shape
    s0, s1, s2 = X.strides
    shape = (c, (h - kh) // stride + 1, (w - kw) // stride + 1, kh, kw)
    strides = (s0, s1 * stride, s2 * stride, s1, s2)
    return np.lib.stride_tricks.as_strided(X, shape, strides, writeable=False)


def columns(X: Array, kh: int, kw: int, stride: int) -> Array:
    """im2col: each window a column, (C·kh·kw) × (Ho·Wo), in the order of K[f].ravel(): one copy of
    the windows, then a convolution is one matrix product."""
    win = windows(X, kh, kw, stride)
    c, ho, wo = win.shape[:3]
    return win.transpose(0, 3, 4, 1, 2).reshape(c * kh * kw, ho * wo)


def conv2d(
    X: Array,
    K: Array,
    b: Array | None = None,
    *,
    stride: int = 1,
    padding: int = 0,
    cols: Array | None = None,
) -> Array:
    """The maps K ⋆ x + b: F × Ho × Wo for F kernels of C × kh × kw on C × H × W. `cols`, when the
    caller has it, is `columns(padded(X, padding), kh, kw, stride)` (the run makes it once for the
    forward and the kernel's gradient)."""
    f, _, kh, kw = K.shape
    x = padded(X, padding)
    ho, wo = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = K.reshape(f, -1) @ (columns(x, kh, kw, stride) if cols is None else cols)
    if b is not None:
        out += b[:, None]  # in place: the product is a new array
    return out.reshape(f, ho, wo)


def _scatter(shape: tuple[int, ...], parts: Any, stride: int, padding: int) -> Array:
    """Sum each offset (i, j)'s part, parts[:, i, j] of C × kh × kw × Ho × Wo, into the cells that
    offset read: the padded image's gradient (one bincount over every part's cell), then the padding
    cut off."""
    c, kh, kw, ho, wo = parts.shape
    hp, wp = shape[1] + 2 * padding, shape[2] + 2 * padding
    cells = _cells(c, hp, wp, kh, kw, ho, wo, stride)
    sums = np.bincount(cells, np.ravel(parts), c * hp * wp)  # float64 (the weights'), typed as ints
    grad = sums.astype(np.float64, copy=False).reshape(c, hp, wp)
    return grad[:, padding : padding + shape[1], padding : padding + shape[2]]


@lru_cache(maxsize=16)
def _cells(c: int, hp: int, wp: int, kh: int, kw: int, ho: int, wo: int, stride: int) -> NDArray[np.intp]:
    """The flat index, in a C × hp × wp image, of the cell each element of a C × kh × kw × Ho × Wo
    stack of parts reads: channel·hp·wp + (h·s + i)·wp + w·s + j (a function of the shapes alone,
    so kept for the next pass)."""
    ch, i, j, h, w = np.ix_(np.arange(c), np.arange(kh), np.arange(kw), np.arange(ho), np.arange(wo))
    cells = (ch * hp + i + h * stride) * wp + j + w * stride
    cells.flags.writeable = False
    return cells.ravel()


def conv2d_input_gradient(G: Array, K: Array, X: Array, *, stride: int = 1, padding: int = 0) -> Array:
    """∂E/∂x: each output's gradient times the kernel, summed into the window it read (the full
    convolution of G with K; x gives the shape)."""
    f, c, kh, kw = K.shape
    parts = (K.reshape(f, -1).T @ G.reshape(f, -1)).reshape(c, kh, kw, *G.shape[1:])
    return _scatter(X.shape, parts, stride, padding)


def conv2d_weight_gradient(
    G: Array, X: Array, K: Array, *, stride: int = 1, padding: int = 0, cols: Array | None = None
) -> Array:
    """∂E/∂K[f, c, i, j] = Σ_h,w G[f, h, w] · x[c, h·s + i, w·s + j] (K gives the kernel's size;
    `cols` the forward's columns of x, as conv2d takes them, else they are made again)."""
    if cols is None:
        cols = columns(padded(X, padding), K.shape[2], K.shape[3], stride)
    return (G.reshape(G.shape[0], -1) @ cols.T).reshape(K.shape)


def conv2d_bias_gradient(G: Array) -> Array:
    """∂E/∂b[f]: the sum of map f's gradient."""
    return np.asarray(G.sum(axis=(1, 2)), dtype=np.float64)


def pool(X: Array, *, kind: str, size: int, stride: int) -> Array:
    """Average or max pooling of each map over size × size windows."""
    ho, wo = (X.shape[1] - size) // stride + 1, (X.shape[2] - size) // stride + 1
    combine = np.add if kind == "avg" else np.maximum
    out = np.array(X[:, : stride * (ho - 1) + 1 : stride, : stride * (wo - 1) + 1 : stride], dtype=np.float64)
    for i in range(size):  # each cell of the windows, as one strided view of every map
        for j in range(1 if i == 0 else 0, size):
            combine(
                out,
                X[:, i : i + stride * (ho - 1) + 1 : stride, j : j + stride * (wo - 1) + 1 : stride],
                out=out,
            )
    if kind == "avg":
        out /= size * size
    return out


def pool_gradient(G: Array, X: Array, *, kind: str, size: int, stride: int) -> Array:
    """∂E/∂x: an average sends each window's gradient / size² to every cell of it; a max sends it to
    the cell that was the maximum (the first, in row order, when several tie, as PyTorch does)."""
    if kind == "avg" and stride == size:  # windows side by side: each gradient fills its own window
        c, ho, wo = G.shape
        tiles = np.broadcast_to((G / (size * size))[:, :, None, :, None], (c, ho, size, wo, size))
        grad = np.zeros(X.shape)  # the cells no window reads (an odd last row or column) stay 0
        grad[:, : ho * size, : wo * size] = tiles.reshape(c, ho * size, wo * size)
        return grad
    if kind == "avg":
        parts = np.broadcast_to(G[:, None, None] / (size * size), (G.shape[0], size, size, *G.shape[1:]))
        return _scatter(X.shape, parts, stride, 0)
    win = windows(X, size, size, stride)
    first = win.reshape(*win.shape[:3], size * size).argmax(axis=-1)  # C × Ho × Wo
    chosen = np.arange(size * size)[:, None, None, None] == first  # (size·size) × C × Ho × Wo
    parts = np.where(chosen, G, 0.0).reshape(size, size, *G.shape).transpose(2, 0, 1, 3, 4)
    return _scatter(X.shape, parts, stride, 0)


def back_linear(W: Array, D: Array) -> Array:
    """∂E/∂a of a dense layer's input, Wᵀ·δ: where that input is not an activation's output (the
    flattened maps), so no f′ follows."""
    return W.T @ D


def flatten(X: Array) -> Array:
    """A stack of maps as one column: the input of a dense layer (channel first, as torch.flatten)."""
    return X.reshape(-1, 1)


def unflatten(G: Array, X: Array) -> Array:
    """A column's gradient back in the maps' shape (x gives it)."""
    return G.reshape(X.shape)


CONV_RULES: dict[str, Callable[..., Array]] = {
    "conv2d": conv2d,
    "conv2d_input_gradient": conv2d_input_gradient,
    "conv2d_weight_gradient": conv2d_weight_gradient,
    "conv2d_bias_gradient": conv2d_bias_gradient,
    "pool": pool,
    "pool_gradient": pool_gradient,
    "back_linear": back_linear,
    "flatten": flatten,
    "unflatten": unflatten,
}
