"""The coordinate order of points (x, then y, then position) from one sort of packed 64-bit keys.

``np.lexsort((y, x))`` orders points by x, then y, equal points in input order; the analyses sort their
weighted points that way so that row order never matters (and every sum over them adds in the same order).
:func:`coordinate_order` gives the same permutation at a fraction of the cost: each point's x is mapped to an
unsigned integer with the same order (the IEEE 754 bit pattern, sign-flipped), its lowest bits are replaced by
the point's position, and the keys are sorted by value (``np.sort``, vectorised, several times faster than an
``argsort``). Points whose x agree in all but those lowest bits — equal x, mostly — come out in input order;
only the groups among them whose x and y are not already in order are sorted again with ``np.lexsort``.

:func:`cell_coordinate_order` does the same within raster cells (the density sums each cell's MW in coordinate
order), without a comparison sort: keys of the cell and where the point lies across it are put in order by a radix
sort (``np.argsort(kind="stable")`` on 16-bit digits, which numpy sorts by counting in linear time); points that
share both come out in input order and are put in coordinate order afterwards, as above.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cell_coordinate_order", "coordinate_order"]

_U64 = np.uint64
_SIGN = _U64(1 << 63)
#: Bits of one radix digit of :func:`cell_coordinate_order` (numpy counts 16-bit keys in linear time).
_DIGIT_BITS = 16


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
    shift = _position_bits(n)
    if x.min() > 0.0:  # the usual case (RD x): positive floats order as their bit patterns already
        keys = x.view(_U64) >> shift
    else:
        keys = _ordered_bits(x)
        keys >>= shift
    keys <<= shift
    order, high = _sort_with_positions(keys, shift)
    return _order_groups(order, high, x, y)


def cell_coordinate_order(cell: np.ndarray, cells: int, fraction: np.ndarray, x: np.ndarray, y: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the points by cell, then in coordinate order within each cell (x, then y, then position).

    Within every cell the same order as :func:`coordinate_order` (what a sum per cell in that order needs). Each
    point's key holds its cell and, in the bits below, its place across the cell (``fraction``, at least 8 bits);
    the keys are put in order by a least-significant-digit radix sort, each pass a stable sort of 16-bit digits
    (``np.argsort(kind="stable")``, a counting sort in numpy): two passes for up to 2**24 cells. Points that share
    cell and place are then in input order; the runs among them whose x and y are not are put in coordinate
    order, as in :func:`coordinate_order`.

    Parameters
    ----------
    cell : ndarray of int
        Each point's cell, ``0 ≤ cell < cells``.
    cells : int
        The number of cells.
    fraction : ndarray of float
        Each point's place across its cell from 0 to 1, non-decreasing in x among the points of one cell (e.g.
        ``(x − west) / cell_m − column``); only speeds the sort up (values beyond 0 and 1 count as 0 and 1).
    x, y : ndarray of float
        Finite coordinates.

    Returns
    -------
    order : ndarray of intp
        The permutation.
    sorted_cell : ndarray of int64
        ``cell[order]``.

    Examples
    --------
    >>> cell = np.array([1, 0, 1, 1, 0])
    >>> x = np.array([7.0, 2.0, 6.0, 6.0, 1.0])
    >>> y = np.array([0.0, 0.0, 9.0, 3.0, 0.0])
    >>> order, sorted_cell = cell_coordinate_order(cell, 2, x % 5 / 5, x, y)
    >>> order.tolist(), sorted_cell.tolist()  # cell 0: x 1 (@4), 2 (@1); cell 1: x 6 y 3 (@3), x 6 y 9 (@2), x 7
    ([4, 1, 3, 2, 0], [0, 0, 1, 1, 1])
    """
    cell = np.asarray(cell).astype(np.int64, copy=False)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size < 2:
        order = np.arange(x.size, dtype=np.intp)
        return order, cell[order]
    # One key per point: the cell above, the place across the cell below, in as many 16-bit digits as the cell
    # and 8 bits of place need (two for up to 2**24 cells); the place takes the bits left, at least 8.
    cell_bits = max(1, (int(cells) - 1).bit_length())
    key_bits = min(64, -(-(cell_bits + 8) // _DIGIT_BITS) * _DIGIT_BITS)
    key_type = np.uint32 if key_bits <= 32 else _U64  # half the memory to move for up to 2**24 cells
    place_bits = key_type(key_bits - cell_bits)
    place = np.multiply(fraction, float(2 ** int(place_bits)))  # exact: a power of two
    np.clip(place, 0.0, float(2 ** int(place_bits) - 1), out=place)  # a fraction of 1 into the last place
    key = cell.astype(key_type)
    key <<= place_bits
    key |= place.astype(key_type)  # non-decreasing in x within a cell, as the fraction is
    del place
    order = np.argsort(key.astype(np.uint16), kind="stable")  # the lowest digit (the cast keeps the low 16 bits)
    for shift in range(_DIGIT_BITS, key_bits, _DIGIT_BITS):
        digit = (key >> key_type(shift)).astype(np.uint16)
        order = order[np.argsort(digit[order], kind="stable")]  # stable: the lower digits' order stays within
    high = key[order]
    del key
    order = _order_groups(order, high, x, y)
    high >>= place_bits
    return order, high.astype(np.int64, copy=False)


def _position_bits(n: int) -> np.uint64:
    """How many low bits of a key hold a position among ``n``."""
    return _U64(max(1, (n - 1).bit_length()))


def _sort_with_positions(keys: np.ndarray, shift: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Sort ``keys`` (low ``shift`` bits zero) with each one's position in those bits: the order and the high bits.

    Equal keys come out in input order. ``keys`` is the caller's scratch array.
    """
    keys |= np.arange(keys.size, dtype=_U64)
    keys.sort()
    high = keys >> shift
    keys &= (_U64(1) << shift) - _U64(1)
    return keys.view(np.int64).astype(np.intp, copy=False), high  # positions < 2**63: the same as signed


def _order_groups(order: np.ndarray, high: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Put each run of equal ``high`` (in input order so far) in coordinate order, in place in ``order``.

    Runs of equal high bits hold points in input order, which is already their coordinate order unless some
    neighbour decreases in (x, y); only the runs with such a pair are sorted again.
    """
    same = high[1:] == high[:-1]
    if not same.any():
        return order
    at = np.flatnonzero(same)
    a, b = order[at], order[at + 1]
    xa, xb = x[a], x[b]
    wrong = (xa > xb) | ((xa == xb) & (y[a] > y[b]))  # input order (a < b) is right unless (x, y) decreases
    if not wrong.any():
        return order
    # The runs as runs of consecutive pairs: a run of k points is k - 1 pairs at consecutive places.
    run = np.cumsum(np.r_[True, at[1:] != at[:-1] + 1]) - 1  # run of each pair
    redo = np.zeros(int(run[-1]) + 1, dtype=bool)
    redo[run[wrong]] = True
    first_pair = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])  # each run's first pair
    begin = at[first_pair][redo]  # slots of each run to sort again: begin … end (inclusive)
    end = at[np.r_[first_pair[1:], at.size] - 1][redo] + 1
    length = end - begin + 1
    slots = np.repeat(begin - np.cumsum(length) + length, length) + np.arange(int(length.sum()))
    sub = order[slots]
    # Stable, by run (high bits, already sorted), then x, then y: equal points keep their input order.
    order[slots] = sub[np.lexsort((y[sub], x[sub], high[slots]))]
    return order
