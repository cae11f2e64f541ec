"""The coordinate order of points (x, then y, then position) from one sort of packed 64-bit keys.

``np.lexsort((y, x))`` orders points by x, then y, equal points in input order; the analyses sort their
weighted points that way so that row order never matters (and every sum over them adds in the same order).
:func:`coordinate_order` gives the same permutation at a fraction of the cost: each point's x is mapped to an
unsigned integer with the same order (the IEEE 754 bit pattern, sign-flipped), its lowest bits are replaced by
the point's position, and the keys are sorted by value (``np.sort``, vectorised, several times faster than an
``argsort``). Points whose x agree in all but those lowest bits — equal x, mostly — come out in input order;
only the groups among them whose x and y are not already in order are sorted again with ``np.lexsort``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["coordinate_order"]

_U64 = np.uint64
_SIGN = _U64(1 << 63)


def _ordered_bits(x: np.ndarray) -> np.ndarray:
    """Unsigned integers with the order of the finite floats ``x`` (−0.0 and 0.0 the same)."""
    bits = (np.asarray(x, dtype=np.float64) + 0.0).view(_U64)  # + 0.0 turns −0.0 into 0.0
    # Non-negative floats order as their bit patterns: set the sign bit to put them above every negative one.
    # Negative floats order in reverse: flip all bits. The arithmetic shift makes all ones of a negative's sign.
    flip = (bits.view(np.int64) >> 63).view(_U64)
    flip |= _SIGN
    bits ^= flip
    return bits


def coordinate_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Positions of the points by x, then y, equal points in input order: ``np.lexsort((y, x))``.

    Parameters
    ----------
    x, y : ndarray of float
        Finite coordinates, one per point.

    Returns
    -------
    ndarray of intp
        The permutation that sorts the points; identical to ``np.lexsort((y, x))``.

    Examples
    --------
    >>> x = np.array([3.0, 1.0, 2.0, 1.0, -0.0, 0.0])
    >>> y = np.array([0.0, 5.0, 1.0, 4.0, 9.0, 8.0])
    >>> coordinate_order(x, y).tolist()  # x = 0 twice (−0.0 is 0.0): y 8 before y 9; x = 1: y 4 before y 5
    [5, 4, 3, 1, 2, 0]
    >>> np.lexsort((y, x)).tolist()
    [5, 4, 3, 1, 2, 0]
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.size
    if n < 2:
        return np.arange(n, dtype=np.intp)
    shift = _U64(max(1, (n - 1).bit_length()))  # bits that hold a position
    low = (_U64(1) << shift) - _U64(1)
    keys = _ordered_bits(x)
    keys &= ~low
    keys |= np.arange(n, dtype=_U64)
    keys.sort()
    order = (keys & low).astype(np.intp)
    high = keys >> shift
    same = high[1:] == high[:-1]  # neighbours whose x agree above the position bits: in input order so far
    if not same.any():
        return order
    at = np.flatnonzero(same)
    a, b = order[at], order[at + 1]
    xa, xb = x[a], x[b]
    wrong = (xa > xb) | ((xa == xb) & (y[a] > y[b]))  # input order (a < b) is right unless (x, y) decreases
    if not wrong.any():
        return order
    # Sort again the groups of equal high bits that hold a wrong pair. The groups are contiguous and ordered by
    # x among themselves, so one sort of their points in place keeps every group in its own slots; a stable sort
    # by (x, y) keeps each group's equal points in input order, as they came.
    # The groups as runs of consecutive pairs: a group of k points is k - 1 pairs at consecutive places.
    run = np.cumsum(np.r_[True, at[1:] != at[:-1] + 1]) - 1  # run (group) of each pair
    redo = np.zeros(int(run[-1]) + 1, dtype=bool)
    redo[run[wrong]] = True
    first_pair = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])  # each run's first pair
    begin = at[first_pair][redo]  # slots of each group to sort again: begin … end (inclusive)
    end = at[np.r_[first_pair[1:], at.size] - 1][redo] + 1
    length = end - begin + 1
    slots = np.repeat(begin - np.cumsum(length) + length, length) + np.arange(int(length.sum()))
    sub = order[slots]
    order[slots] = sub[np.lexsort((y[sub], x[sub]))]
    return order
