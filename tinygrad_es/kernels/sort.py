"""Los algoritmos de ordenación de la biblioteca estándar de C++ (libstdc++) que usa PyTorch en la
CPU, portados a numba para devolver **los mismos índices en los empates**.

``torch.sort`` (sin ``stable=True``), ``torch.topk`` y ``torch.mode`` ordenan pares (valor, índice)
con ``std::sort`` / ``std::nth_element`` / montículos comparando sólo el valor: con valores repetidos
el índice que sale depende del algoritmo concreto (introsort con pivote mediana de tres, ordenación
por inserción por debajo de 16 elementos...). Aquí se reproduce paso a paso.

``kthvalue`` usa la selección rápida (quickselect) de ``Sorting.cpp`` de PyTorch, también aquí.

Comparadores (``kind``): 0 ascendente con nan al final, 1 descendente con nan al principio,
2 ``a < b`` a secas (el de ``mode``).
"""
import numpy as np
from numba import njit

_THRESHOLD = 16


@njit(cache=True)
def comp(kind, a, b):
    if kind == 0:
        return (a == a and b != b) or a < b
    if kind == 1:
        return (a != a and b == b) or a > b
    return a < b


@njit(cache=True)
def swap(v, ix, i, j):
    v[i], v[j] = v[j], v[i]
    ix[i], ix[j] = ix[j], ix[i]


@njit(cache=True)
def lg(n):
    r = 0
    while n > 1:
        n >>= 1
        r += 1
    return r


@njit(cache=True)
def move_median_to_first(v, ix, result, a, b, c, kind):
    if comp(kind, v[a], v[b]):
        if comp(kind, v[b], v[c]):
            swap(v, ix, result, b)
        elif comp(kind, v[a], v[c]):
            swap(v, ix, result, c)
        else:
            swap(v, ix, result, a)
    elif comp(kind, v[a], v[c]):
        swap(v, ix, result, a)
    elif comp(kind, v[b], v[c]):
        swap(v, ix, result, c)
    else:
        swap(v, ix, result, b)


@njit(cache=True)
def partition_pivot(v, ix, first, last, kind):
    mid = first + (last - first) // 2
    move_median_to_first(v, ix, first, first + 1, mid, last - 1, kind)
    lo, hi, piv = first + 1, last, first
    while True:
        while comp(kind, v[lo], v[piv]):
            lo += 1
        hi -= 1
        while comp(kind, v[piv], v[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        swap(v, ix, lo, hi)
        lo += 1


@njit(cache=True)
def linear_insert(v, ix, last, kind):
    val, vi = v[last], ix[last]
    nxt = last - 1
    while comp(kind, val, v[nxt]):
        v[last], ix[last] = v[nxt], ix[nxt]
        last = nxt
        nxt -= 1
    v[last], ix[last] = val, vi


@njit(cache=True)
def insertion_sort(v, ix, first, last, kind):
    if first == last:
        return
    for i in range(first + 1, last):
        if comp(kind, v[i], v[first]):
            val, vi = v[i], ix[i]
            for j in range(i, first, -1):
                v[j], ix[j] = v[j - 1], ix[j - 1]
            v[first], ix[first] = val, vi
        else:
            linear_insert(v, ix, i, kind)


@njit(cache=True)
def push_heap(v, ix, first, hole, top, val, vi, kind):
    parent = (hole - 1) // 2
    while hole > top and comp(kind, v[first + parent], val):
        v[first + hole], ix[first + hole] = v[first + parent], ix[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole], ix[first + hole] = val, vi


@njit(cache=True)
def adjust_heap(v, ix, first, hole, length, val, vi, kind):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(kind, v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole], ix[first + hole] = v[first + child], ix[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole], ix[first + hole] = v[first + child - 1], ix[first + child - 1]
        hole = child - 1
    push_heap(v, ix, first, hole, top, val, vi, kind)


@njit(cache=True)
def make_heap(v, ix, first, last, kind):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        adjust_heap(v, ix, first, parent, length, v[first + parent], ix[first + parent], kind)
        if parent == 0:
            return
        parent -= 1


@njit(cache=True)
def pop_heap_to(v, ix, first, last, result, kind):
    val, vi = v[result], ix[result]
    v[result], ix[result] = v[first], ix[first]
    adjust_heap(v, ix, first, 0, last - first, val, vi, kind)


@njit(cache=True)
def heap_select(v, ix, first, middle, last, kind):
    make_heap(v, ix, first, middle, kind)
    for i in range(middle, last):
        if comp(kind, v[i], v[first]):
            pop_heap_to(v, ix, first, middle, i, kind)


@njit(cache=True)
def sort_heap(v, ix, first, last, kind):
    while last - first > 1:
        last -= 1
        pop_heap_to(v, ix, first, last, last, kind)


@njit(cache=True)
def std_sort(v, ix, first, last, kind):
    if last - first < 2:
        return
    stack = np.empty((2 * lg(last - first) + 64, 3), dtype=np.int64)
    sp = 0
    stack[0, 0], stack[0, 1], stack[0, 2] = first, last, 2 * lg(last - first)
    sp = 1
    while sp > 0:
        sp -= 1
        f, l, depth = stack[sp, 0], stack[sp, 1], stack[sp, 2]
        while l - f > _THRESHOLD:
            if depth == 0:
                heap_select(v, ix, f, l, l, kind)
                sort_heap(v, ix, f, l, kind)
                break
            depth -= 1
            cut = partition_pivot(v, ix, f, l, kind)
            stack[sp, 0], stack[sp, 1], stack[sp, 2] = cut, l, depth
            sp += 1
            l = cut
    if last - first > _THRESHOLD:
        insertion_sort(v, ix, first, first + _THRESHOLD, kind)
        for i in range(first + _THRESHOLD, last):
            linear_insert(v, ix, i, kind)
    else:
        insertion_sort(v, ix, first, last, kind)


@njit(cache=True)
def nth_element(v, ix, first, nth, last, kind):
    if first == last or nth == last:
        return
    depth = 2 * lg(last - first)
    while last - first > 3:
        if depth == 0:
            heap_select(v, ix, first, nth + 1, last, kind)
            swap(v, ix, first, nth)
            return
        depth -= 1
        cut = partition_pivot(v, ix, first, last, kind)
        if cut <= nth:
            first = cut
        else:
            last = cut
    insertion_sort(v, ix, first, last, kind)


@njit(cache=True)
def sort_rows(vals, kind):
    rows, n = vals.shape
    out = np.empty((rows, n), dtype=np.int64)
    v = np.empty(n, dtype=vals.dtype)
    ix = np.empty(n, dtype=np.int64)
    for r in range(rows):
        for j in range(n):
            v[j] = vals[r, j]
            ix[j] = j
        std_sort(v, ix, 0, n, kind)
        out[r] = ix
    return out


@njit(cache=True)
def _topk_rows(vals, k, kind, sort_out):
    rows, n = vals.shape
    out = np.empty((rows, k), dtype=np.int64)
    if k == 0:
        return out
    heap = k * 64 <= n
    v = np.empty(n, dtype=vals.dtype)
    ix = np.empty(n, dtype=np.int64)
    for r in range(rows):
        for j in range(n):
            v[j] = vals[r, j]
            ix[j] = j
        if heap:  # std::partial_sort: montículo con los k primeros y ordenación del montículo
            heap_select(v, ix, 0, k, n, kind)
            sort_heap(v, ix, 0, k, kind)
        else:
            nth_element(v, ix, 0, k - 1, n, kind)
            if sort_out:
                std_sort(v, ix, 0, k - 1, kind)
        for j in range(k):
            out[r, j] = ix[j]
    return out


def _prep(rows):
    """float64 o int64: la conversión conserva el orden y los empates, y numba sólo compila dos
    variantes de cada función."""
    return np.ascontiguousarray(rows, dtype=np.float64 if rows.dtype.kind == "f" else np.int64)


def std_sort_rows(rows: np.ndarray, kind: int) -> np.ndarray:
    """Permutación que deja cada fila como ``std::sort`` de pares (valor, índice)."""
    return sort_rows(_prep(rows), kind)


def topk_rows(rows: np.ndarray, k: int, largest: bool, sort_out: bool = True) -> np.ndarray:
    """Índices de ``topk`` por fila, como ``topk_impl_loop`` de PyTorch."""
    return _topk_rows(_prep(rows), int(k), 1 if largest else 0, bool(sort_out))


# --------------------------------------------------------------------------
# quickselect de PyTorch (Sorting.cpp), para que kthvalue elija el mismo índice en los empates
# --------------------------------------------------------------------------
@njit(cache=True)
def _gt(x, y):  # "mayor o nan": el orden de PyTorch
    return (x != x and y == y) or x > y


@njit(cache=True)
def _quickselect_rows(vals, k):
    rows, n = vals.shape
    out = np.empty(rows, dtype=np.int64)
    arr = np.empty(n, dtype=vals.dtype)
    ind = np.empty(n, dtype=np.int64)
    for r in range(rows):
        for j in range(n):
            arr[j] = vals[r, j]
            ind[j] = j
        lo, hi = 0, n - 1
        while True:
            if hi <= lo:
                break
            if hi == lo + 1:
                if _gt(arr[lo], arr[hi]):
                    arr[lo], arr[hi] = arr[hi], arr[lo]
                    ind[lo], ind[hi] = ind[hi], ind[lo]
                break
            p = (lo + hi) >> 1
            arr[p], arr[lo + 1] = arr[lo + 1], arr[p]
            ind[p], ind[lo + 1] = ind[lo + 1], ind[p]
            if _gt(arr[lo + 1], arr[hi]):
                arr[lo + 1], arr[hi] = arr[hi], arr[lo + 1]
                ind[lo + 1], ind[hi] = ind[hi], ind[lo + 1]
            if _gt(arr[lo], arr[hi]):
                arr[lo], arr[hi] = arr[hi], arr[lo]
                ind[lo], ind[hi] = ind[hi], ind[lo]
            if _gt(arr[lo + 1], arr[lo]):
                arr[lo + 1], arr[lo] = arr[lo], arr[lo + 1]
                ind[lo + 1], ind[lo] = ind[lo], ind[lo + 1]
            i, j = lo + 1, hi
            piv = arr[lo]
            while True:
                i += 1
                while _gt(piv, arr[i]):
                    i += 1
                j -= 1
                while _gt(arr[j], piv):
                    j -= 1
                if j < i:
                    break
                arr[i], arr[j] = arr[j], arr[i]
                ind[i], ind[j] = ind[j], ind[i]
            arr[lo], arr[j] = arr[j], arr[lo]
            ind[lo], ind[j] = ind[j], ind[lo]
            if j <= k:
                lo = i
            if j >= k:
                hi = j - 1
        out[r] = ind[k]
    return out


def kth_rows(rows: np.ndarray, k: int) -> np.ndarray:
    """Índice del k-ésimo menor (k desde 0) de cada fila, con el quickselect de PyTorch."""
    return _quickselect_rows(_prep(rows), k)
