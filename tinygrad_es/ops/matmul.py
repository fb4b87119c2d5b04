"""Productos: ``MatMul`` (la semántica de ``np.matmul``: 1-D, 2-D y por lotes), ``Linear`` (la capa
lineal en un nodo), ``Cross`` (producto vectorial) y ``Einsum`` (suma de Einstein)."""
import math

import numpy as np

from ..autograd import ArrayFunction, TensorBase
from ..kernels import gemm
from ..kernels import linear as KLin
from ._namespace import namespace


def _mm(a, b):
    """``a @ b`` con BLAS de un hilo repartida entre hilos (``kernels.gemm``) cuando son matrices o lotes
    de matrices flotantes del mismo tipo con los mismos ejes de lote; si no, ``np.matmul``. Con lotes
    de matrices pequeñas, los hilos de OpenBLAS se esperan en cada una (medido en la máquina
    compartida con (64, 128, 32)·(64, 32, 128): 1,5 ms así frente a 30-300 ms con ``np.matmul``)."""
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        return a @ b  # tensores (derivadas de orden superior): el grafo lo registra Tensor.__matmul__
    if (a.ndim >= 2 and b.ndim >= 2 and a.dtype == b.dtype and a.dtype in (np.float32, np.float64)
            and (b.ndim == 2 or a.shape[:-2] == b.shape[:-2])):
        if a.ndim <= 3 and b.ndim <= 3:
            return gemm.matmul(a, b)
        lead = a.shape[:-2]
        a3 = a.reshape((-1,) + a.shape[-2:])
        b3 = b if b.ndim == 2 else b.reshape((-1,) + b.shape[-2:])
        return gemm.matmul(a3, b3).reshape(lead + (a.shape[-2], b.shape[-1]))
    return np.matmul(a, b)

__all__ = ["MatMul", "Linear", "Cross", "Einsum", "parse_einsum"]

# Capas lineales pequeñas (≤ 2²² multiplicaciones: la última capa de un clasificador, 128·2048·10 o
# 64·128·10): en float64 y un redondeo. Cuesta ~2× la SGEMM de un hilo en esos productos (0,3 ms
# más en 128·2048·10; medido con la máquina cargada, mucho ruido). La SGEMM acumula en float32 y su
# error depende de la suerte del orden de las sumas (OpenBLAS y MKL no suman igual): en la última
# capa llega a los logits y de ahí a todos los gradientes (CNN de CIFAR, lote 128: ∂L/∂b de la
# lineal a 8,1·10⁻⁸ del float64 con la SGEMM, PyTorch 6,1·10⁻⁸, así 2,9·10⁻⁸).
EXACT_MACS = 1 << 22
# ∂b con el núcleo de ``kernels/linear.py`` a partir de estas filas (lineales sobre secuencias): con
# pocas filas (las CNN del curso, lote 64) numpy ya tarda poco y el núcleo sería una compilación más
# en su arranque en frío.
SUM_KERNEL_ROWS = 512


def _small_f32(a, b):
    """¿Las dos float32 y el producto ``a @ b`` pequeño? (``a`` (M, K), ``b`` (K, N); sin generador
    ni ``all()``: se pregunta en cada GEMM de una capa lineal)."""
    return (a.dtype == np.float32 and b.dtype == np.float32
            and a.shape[0] * a.shape[1] * b.shape[1] <= EXACT_MACS)


def _linear_mm(a, b, bias=None):
    """``a @ b (+ bias)`` para la capa lineal: en float64 con un redondeo si es pequeña."""
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):  # orden superior
        return _mm(a, b) if bias is None else _mm(a, b) + bias
    if _small_f32(a, b):
        out = gemm.matmul(a.astype(np.float64), b.astype(np.float64))
        if bias is not None:
            out += bias
        return out.astype(np.float32)
    out = gemm.matmul_k(a, b) if a.dtype == b.dtype else a @ b  # K largo: por bloques (kernels/gemm.MAX_K)
    if bias is not None:
        out += bias
    return out


def _weight_grad(g2, x2):
    """∂W = g2ᵀ @ x2: pequeña, en float64 (``_linear_mm``); larga sobre muchas filas (una lineal sobre
    una secuencia), la suma por bloques de ``kernels.gemm.matmul_rows``."""
    if not isinstance(g2, np.ndarray) or _small_f32(g2.T, x2):
        return _linear_mm(g2.T, x2)
    return gemm.matmul_rows(g2, x2) if g2.dtype == x2.dtype else g2.T @ x2


class MatMul(ArrayFunction):
    """C = A @ B: ∂L/∂A = G @ Bᵀ, ∂L/∂B = Aᵀ @ G (1-D como vectores fila/columna, lotes con broadcasting)."""

    bilinear = True  # forward_ad: J·(ȧ, ḃ) = f(ȧ, b) + f(a, ḃ), dos forwards
    differentiable = True
    reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"matmul (@) no admite escalares: formas {tuple(a.shape)} y {tuple(b.shape)}; usa *")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise RuntimeError(f"formas incompatibles en '@': {tuple(a.shape)} y {tuple(b.shape)} "
                               f"(la última dimensión de la izquierda, {ka}, debe coincidir con "
                               f"la penúltima de la derecha, {kb})")
        try:
            out = _mm(a, b)
        except ValueError:
            raise RuntimeError(f"formas incompatibles en '@': {tuple(a.shape)} y {tuple(b.shape)} "
                               f"(las dimensiones de lote no hacen broadcasting)") from None
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = namespace(g)
        # Los vectores 1-D se tratan como matrices (1,k) o (k,1), como hace matmul.
        a2 = a.reshape((1,) + tuple(a.shape)) if a.ndim == 1 else a
        b2 = b.reshape(tuple(b.shape) + (1,)) if b.ndim == 1 else b
        out2 = np.broadcast_shapes(tuple(a2.shape[:-2]), tuple(b2.shape[:-2])) + (a2.shape[-2], b2.shape[-1])
        g2 = g.reshape(out2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = xp.unbroadcast(_mm(g2, xp.swapaxes(b2, -1, -2)), tuple(a2.shape)).reshape(tuple(a.shape))
        if ctx.needs_input_grad[1]:
            gb = xp.unbroadcast(_mm(xp.swapaxes(a2, -1, -2), g2), tuple(b2.shape)).reshape(tuple(b.shape))
        return ga, gb


def _as_rows(x):
    """``x`` (..., k) como matriz (filas, k); con tamaños 0 (``reshape(-1, 0)`` no sabe cuántas filas)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


class Linear(ArrayFunction):
    """y = x @ Wᵀ + b (la capa lineal de PyTorch, en un solo nodo), ``x`` (..., entradas),
    ``W`` (salidas, entradas), ``b`` (salidas,) opcional:

        ∂L/∂x = G @ W,   ∂L/∂W = Gᵀ @ x,   ∂L/∂b = Σ_filas G

    (con ``x`` y ``G`` aplanados a matrices). Frente a ``x @ W.T + b`` ahorra dos nodos y
    da ∂L/∂W ya contiguo, con la disposición del parámetro (como PyTorch), en vez de la
    traspuesta de una GEMM que el optimizador tendría que recorrer a saltos."""

    bilinear = True  # forward_ad: J·(ȧ, ḃ) = f(ȧ, b) + f(a, ḃ), dos forwards
    differentiable = True
    reads = ((1,), (0,), ())

    @staticmethod
    def forward(ctx, x, w, b=None):
        x2 = _as_rows(x) if x.ndim != 2 else x
        out = _linear_mm(x2, w.T, b)
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        # 2-D: el array tal cual (una vista obligaría a apply a buscar con qué entrada comparte memoria)
        return out if x.ndim == 2 else out.reshape(x.shape[:-1] + (w.shape[0],))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        g2 = g.reshape(_as_rows(x).shape[0], w.shape[0])
        need = ctx.needs_input_grad
        if (g2.__class__ is np.ndarray and g2.flags.c_contiguous and x.dtype == np.float32
                and _small_f32(g2, w)):
            return Linear._backward_exact(ctx, g2, x, w, need)
        dx = _linear_mm(g2, w).reshape(x.shape) if need[0] else None
        dw = _weight_grad(g2, _as_rows(x)) if need[1] else None
        if not ctx.has_bias:
            return dx, dw
        if not need[2]:
            return dx, dw, None
        # Σ de las filas en float64 (numpy suma las filas en orden: con float32 pierde ~√N ulps); con muchas
        # filas (una secuencia), el núcleo que convierte y suma en una pasada (los mismos bits)
        if g2.shape[0] >= SUM_KERNEL_ROWS and g2.dtype == np.float32 and g2.flags.c_contiguous:
            return dx, dw, KLin.sum_rows_f64(g2)
        return dx, dw, g2.sum(axis=0, dtype=np.float64).astype(g2.dtype)

    @staticmethod
    def _backward_exact(ctx, g2, x, w, need):
        """El backward de una lineal pequeña en float32 (``_small_f32``: ∂x y ∂W tienen las mismas
        multiplicaciones), con los mismos bits que ``_linear_mm`` por separado pero G pasada a float64
        una sola vez para ∂x, ∂W y ∂b (Σ de las filas de G en float64: los mismos sumandos en el
        mismo orden que ``g2.sum(axis=0, dtype=float64)``)."""
        g64 = g2.astype(np.float64)
        dx = gemm.matmul(g64, w.astype(np.float64)).astype(np.float32).reshape(x.shape) if need[0] else None
        dw = (gemm.matmul(g64.T, _as_rows(x).astype(np.float64)).astype(np.float32)
              if need[1] else None)
        if not ctx.has_bias:
            return dx, dw
        return dx, dw, (g64.sum(axis=0).astype(np.float32) if need[2] else None)


class Cross(ArrayFunction):
    """Producto vectorial a lo largo de ``dim`` (tamaño 3). ∂/∂a = b × g; ∂/∂b = g × a."""

    differentiable = True
    reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b, dim=-1):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return np.cross(*np.broadcast_arrays(a, b), axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = namespace(g)
        d = ctx.dim
        return xp.cross(b, g, axis=d), xp.cross(g, a, axis=d)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_einsum(equation, shapes):
    """Ecuación explícita sin ``...`` (letras únicas para los ejes de la elipsis) y tamaño de cada
    letra. Errores en castellano para ecuaciones mal formadas."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: la ecuación '{equation}' tiene {len(ins)} operandos y se dieron {len(shapes)}")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shp in zip(ins, shapes):
        if any(not (c.isalpha() or c == ".") for c in s):
            raise ValueError(f"einsum: subíndice no válido en '{s}' (sólo letras y '...')")
        named = len(s.replace("...", ""))
        if "..." in s:
            n_ell = max(n_ell, len(shp) - named)
        elif named != len(shp):
            raise ValueError(f"einsum: el operando '{s}' tiene {named} subíndices pero {len(shp)} dimensiones")
    ell = "".join(free[:n_ell])
    new_ins = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            k = len(shp) - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k:] if k else "")
        new_ins.append(s)
    if arrow:
        rhs = rhs.replace("...", ell)  # sin "..." en la salida, los ejes de la elipsis se suman
    else:
        counts = {}
        for s in new_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    sizes = {}
    for s, shp in zip(new_ins, shapes):
        for c, n in zip(s, shp):
            if c not in sizes or sizes[c] == 1:
                sizes[c] = n
            elif n != 1 and n != sizes[c]:  # tamaño 1 hace broadcasting (también con 0)
                raise RuntimeError(f"einsum: el subíndice '{c}' tiene tamaños distintos: {sizes[c]} y {n}")
    for c in rhs:
        if c not in sizes:
            raise ValueError(f"einsum: el subíndice de salida '{c}' no aparece en ningún operando")
    return new_ins, rhs, sizes


class Einsum(ArrayFunction):
    """Suma de Einstein. ∂/∂Aₖ = einsum de g con los demás operandos hacia los subíndices de Aₖ
    (con unos para las letras que sólo aparecen en Aₖ, y devuelto a la diagonal si Aₖ repite
    letra, p. ej. ``"ii->i"``)."""

    differentiable = True
    reads = "others"

    @staticmethod
    def forward(ctx, *arrays, ins=(), out="", sizes=None):
        ops = [np.broadcast_to(a, tuple(sizes[c] for c in s)) for a, s in zip(arrays, ins)]
        ctx.ins, ctx.out, ctx.sizes = ins, out, sizes
        ctx.save_for_backward(*arrays)
        res = np.einsum(",".join(ins) + "->" + out, *ops, optimize=len(ops) > 2)
        return np.asarray(res, dtype=arrays[0].dtype)

    @staticmethod
    def backward(ctx, g):
        ins, out, sizes = ctx.ins, ctx.out, ctx.sizes
        graph = not isinstance(g, np.ndarray)
        ops = [np.broadcast_to(a, tuple(sizes[c] for c in s)) if not graph else a
               for a, s in zip(ctx.saved_tensors, ins)]
        grads = []
        for k, s in enumerate(ins):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            uniq = "".join(dict.fromkeys(s))
            others = [(ins[j], ops[j]) for j in range(len(ops)) if j != k]
            present = set(out).union(*[set(t) for t, _ in others])
            ones = [(c, np.ones(sizes[c], dtype=g.dtype if not graph else g._data.dtype)) for c in uniq
                    if c not in present]
            if graph:  # constantes como tensores sin gradiente
                ones = [(c, TensorBase._wrap(a)) for c, a in ones]
            subs = [out] + [t for t, _ in others] + [c for c, _ in ones]
            arrs = [g] + [a for _, a in others] + [a for _, a in ones]
            if graph:  # orden superior: la misma suma de Einstein, registrada
                if uniq != s:
                    raise RuntimeError("la derivada segunda de 'Einsum' con subíndices repetidos en un operando "
                                       "(una diagonal, como 'ii->i') no está implementada")
                grads.append(Einsum.apply(*arrs, ins=tuple(subs), out=uniq, sizes=sizes))
                continue
            gu = np.einsum(",".join(subs) + "->" + uniq, *arrs, optimize=len(arrs) > 2)
            if uniq != s:  # letras repetidas: el gradiente vive en la diagonal
                full = np.zeros(tuple(sizes[c] for c in s), dtype=g.dtype)
                grids = np.ogrid[tuple(slice(0, sizes[c]) for c in uniq)]
                full[tuple(grids[uniq.index(c)] for c in s)] = gu
                gu = full
            grads.append(gu)
        return tuple(grads)
