"""Factorizaciones de ``torch.linalg`` (``tinygrad_es.linalg`` las reexporta), con gradiente y lotes:
``cholesky``, ``qr``, ``eigh``, ``eigvalsh``, ``svd``, ``svdvals``, ``pinv``, ``lstsq``,
``matrix_rank``, ``cond`` y ``slogdet``. Las derivadas están en ``ops/decompositions.py``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import return_types as RT
from .._random import default_rng
from ..autograd import TensorBase
from ..ops import decompositions as D
from ..ops import eig as E
from ..ops.rnn import Piece
from .linalg import LinAlgError, _square, inv, matrix_norm
from .out import write_out

__all__ = ["cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "eigvals", "eig", "svd", "svdvals", "pinv", "lstsq", "matrix_rank",
           "cond", "slogdet", "logdet", "svd_lowrank", "pca_lowrank"]


def _matrix(A, op):
    """Un (lote de) matrices de coma flotante, como lo exige PyTorch."""
    if not isinstance(A, TensorBase):
        raise TypeError(f"linalg.{op}: la entrada debe ser un Tensor, no {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{op}: la entrada A debe tener al menos 2 dimensiones, y tiene {A.ndim}")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: se esperaba un tensor de coma flotante, y es {A.dtype} (usa .float())")


def _pieces(flat, *shapes):
    """Corta el vector plano de una factorización en sus matrices (vistas con gradiente)."""
    out, start = [], 0
    for shape in shapes:
        out.append(Piece.apply(flat, start=start, shape=tuple(shape)))
        start += int(np.prod(shape))
    return out


def cholesky(A, *, upper=False, out=None):
    """El factor de Cholesky: L triangular inferior con A = L·Lᵀ (``upper=True``: U = Lᵀ, A = Uᵀ·U).
    Sólo se lee el triángulo inferior de A.

    Args:
        A: (lote de) matrices simétricas definidas positivas ``(..., n, n)``.
        upper: devolver el factor triangular superior.

    Lanza ``LinAlgError`` si A no es definida positiva (dice el orden del menor que falla).
    Derivada: Ā = L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹ (Φ: triángulo inferior con la diagonal a la mitad, simetrizado).
    En PyTorch: ``torch.linalg.cholesky``.

    >>> torch.linalg.cholesky(torch.tensor([[4., 2.], [2., 2.]]))   # tensor([[2., 0.], [1., 1.]])
    """
    _square(A, "cholesky")
    try:
        L = D.Cholesky.apply(A)
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"linalg.cholesky: no se pudo completar la factorización porque la entrada no es "
                          f"definida positiva (el menor principal de orden {e.args[0]} no es definido "
                          f"positivo)") from None
    L = L.mT if upper else L
    return L if out is None else write_out("cholesky", out, L)


def cholesky_ex(A, *, upper=False, check_errors=False):
    """Como ``cholesky`` pero sin lanzar: devuelve ``(L, info)``; ``info`` es 0 si todo fue bien o el
    orden del primer menor que no es definido positivo (entonces L no es válida). En PyTorch:
    ``torch.linalg.cholesky_ex``.

    >>> torch.linalg.cholesky_ex(torch.tensor([[1., 2.], [2., 1.]])).info   # tensor(2, dtype=torch.int32)
    """
    _square(A, "cholesky_ex")
    batch = tuple(A.shape[:-2])
    mats = np.reshape(A._data, (int(np.prod(batch)),) + tuple(A.shape[-2:]))
    info = np.array([D.not_positive_definite(m[None]) or 0 for m in mats], dtype=np.int32).reshape(batch)
    if info.any():
        if check_errors:
            cholesky(A)  # lanza el error con el orden del menor
        low = np.tril(np.nan_to_num(A._data))
        return RT.linalg_cholesky_ex(TensorBase._wrap(low), TensorBase._wrap(info))
    return RT.linalg_cholesky_ex(cholesky(A, upper=upper), TensorBase._wrap(info))


def qr(A, mode="reduced"):
    """La factorización QR: A = Q·R con Q de columnas ortonormales y R triangular superior.

    Args:
        A: ``(..., m, n)``.
        mode: ``"reduced"`` (Q de m×k, R de k×n, k = min(m, n)), ``"complete"`` (Q de m×m, R de m×n) o
            ``"r"`` (sólo R; Q sale vacía y no se puede derivar).

    Derivada (m ≥ n): Ā = (Q̄ + Q·copyltu(R·R̄ᵀ − Q̄ᵀ·Q))·R⁻ᵀ. En PyTorch: ``torch.linalg.qr``.

    >>> Q, R = torch.linalg.qr(torch.tensor([[3., 1.], [4., 2.]]))   # R[0, 0] = -5
    """
    _matrix(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"linalg.qr: mode debe ser 'reduced', 'complete' o 'r', y es {mode!r}")
    if mode == "r":
        return RT.linalg_qr(TensorBase._wrap(np.empty((0,), A._data.dtype)), D.OnlyR.apply(A))
    *batch, m, n = A.shape
    k = min(m, n) if mode == "reduced" else m
    flat = D.QR.apply(A, mode=mode)
    return RT.linalg_qr(*_pieces(flat, (*batch, m, k), (*batch, k, n)))


def _uplo(UPLO, op):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.{op}: UPLO debe ser 'L' o 'U', y es {UPLO!r}")


def eigh(A, UPLO="L"):
    """Valores y vectores propios de una matriz simétrica: A = V·diag(λ)·Vᵀ, λ ascendentes.

    Args:
        A: ``(..., n, n)`` simétrica (sólo se lee el triángulo ``UPLO``: ``"L"`` inferior, ``"U"`` superior).

    Devuelve ``(eigenvalues, eigenvectors)`` (las columnas de V). Derivada:
    Ā = V·(diag(λ̄) + ½(VᵀV̄ − V̄ᵀV) ⊘ (λⱼ − λᵢ))·Vᵀ (con λ repetidos la parte de V̄ no está definida).
    En PyTorch: ``torch.linalg.eigh``.

    >>> torch.linalg.eigh(torch.tensor([[2., 1.], [1., 2.]])).eigenvalues   # tensor([1., 3.])
    """
    _square(A, "eigh")
    _uplo(UPLO, "eigh")
    *batch, n, _ = A.shape
    flat = D.Eigh.apply(A, UPLO=UPLO)
    return RT.linalg_eigh(*_pieces(flat, (*batch, n), (*batch, n, n)))


def eigvalsh(A, UPLO="L"):
    """Los valores propios (ascendentes) de una matriz simétrica; derivada Ā = V·diag(λ̄)·Vᵀ. En PyTorch:
    ``torch.linalg.eigvalsh``.

    >>> torch.linalg.eigvalsh(torch.tensor([[2., 1.], [1., 2.]]))   # tensor([1., 3.])
    """
    _square(A, "eigvalsh")
    _uplo(UPLO, "eigvalsh")
    return D.Eigh.apply(A, UPLO=UPLO, vectors=False)


def svd(A, full_matrices=True, *, driver=None):
    """La descomposición en valores singulares A = U·diag(S)·Vh (S descendentes).

    Args:
        A: ``(..., m, n)``.
        full_matrices: U de m×m y Vh de n×n (``True``, por defecto como PyTorch) o de m×k y k×n
            (``False``, k = min(m, n)).

    Devuelve ``(U, S, Vh)``. Derivada: la de ``ops/decompositions.SVD`` (con valores singulares
    repetidos la parte de Ū, V̄ no está definida; las columnas de más de ``full_matrices`` se ignoran).
    En PyTorch: ``torch.linalg.svd``.

    >>> torch.linalg.svd(torch.tensor([[3., 0.], [0., 4.]])).S   # tensor([4., 3.])
    """
    _matrix(A, "svd")
    *batch, m, n = A.shape
    k = min(m, n)
    mu, nv = (m, n) if full_matrices else (k, k)
    flat = D.SVD.apply(A, full_matrices=bool(full_matrices))
    return RT.linalg_svd(*_pieces(flat, (*batch, m, mu), (*batch, k), (*batch, nv, n)))


def svdvals(A, *, driver=None):
    """Los valores singulares (descendentes); derivada Ā = U·diag(S̄)·Vh. En PyTorch: ``torch.linalg.svdvals``.

    >>> torch.linalg.svdvals(torch.tensor([[3., 0.], [0., 4.]]))   # tensor([4., 3.])
    """
    _matrix(A, "svdvals")
    return D.SVDVals.apply(A)


def _tolerances(A, atol, rtol, op):
    """``(atol, rtol)`` de PyTorch: sin ninguno, rtol = ε·max(m, n); con ``atol`` y sin ``rtol``, rtol = 0."""
    def value(t):
        if t is None:
            return 0.0
        if isinstance(t, TensorBase):
            if t.numel() != 1:
                raise RuntimeError(f"linalg.{op}: sólo se admiten tolerancias escalares (la de forma "
                                   f"{tuple(t.shape)} no lo es)")
            return float(t._data.reshape(()))
        return float(t)
    if rtol is None:
        rtol = np.finfo(A._data.dtype).eps * max(A.shape[-2:]) if atol is None or value(atol) <= 0 else 0.0
    return value(atol), value(rtol)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    """La pseudoinversa de Moore-Penrose A⁺ (por la SVD; valores singulares ≤ max(atol, rtol·σ_max)
    cuentan como 0).

    Args:
        A: ``(..., m, n)``; devuelve ``(..., n, m)``.
        atol, rtol: tolerancias (sin ninguna, rtol = ε·max(m, n), como PyTorch). ``rcond`` es el nombre
            antiguo de ``rtol``.
        hermitian: A simétrica (usa ``eigh``).

    Derivada (rango constante): Ā = −Pᵀ·Ḡ·Pᵀ + (I − A·P)·Ḡᵀ·P·Pᵀ + Pᵀ·P·Ḡᵀ·(I − P·A), P = A⁺.
    En PyTorch: ``torch.linalg.pinv``.

    >>> torch.linalg.pinv(torch.tensor([[2., 0.], [0., 0.]]))   # tensor([[0.5, 0.], [0., 0.]])
    """
    _matrix(A, "pinv")
    if rcond is not None:
        rtol = rcond
    if hermitian:
        _square(A, "pinv")
    a, r = _tolerances(A, atol, rtol, "pinv")
    res = D.Pinv.apply(A, atol=a, rtol=r, hermitian=bool(hermitian))
    return res if out is None else write_out("pinv", out, res)


def lstsq(A, B, rcond=None, *, driver=None):
    """La solución de mínimos cuadrados X = argmin ‖A·X − B‖ (por la pseudoinversa).

    Args:
        A: ``(..., m, n)``; B: ``(..., m, k)``.
        rcond: tolerancia relativa de los valores singulares (por defecto ε·max(m, n)).
        driver: ``"gelsy"`` (por defecto en CPU, como PyTorch), ``"gels"``, ``"gelsd"`` o ``"gelss"``: sólo
            decide qué campos se rellenan, como en PyTorch.

    Devuelve ``(solution, residuals, rank, singular_values)``: ``residuals`` (‖A·X − B‖² por columna) sólo si
    m > n, A tiene rango completo y el driver no es ``gelsy``; ``rank`` salvo con ``gels``;
    ``singular_values`` con ``gelsd``/``gelss``. Derivada: la de A⁺·B. En PyTorch: ``torch.linalg.lstsq``.

    >>> torch.linalg.lstsq(torch.tensor([[1.], [1.]]), torch.tensor([[1.], [3.]])).solution   # tensor([[2.]])
    """
    _matrix(A, "lstsq")
    if not isinstance(B, TensorBase):
        raise TypeError(f"linalg.lstsq: B debe ser un Tensor, no {type(B).__name__}")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"linalg.lstsq: driver debe ser 'gels', 'gelsy', 'gelsd' o 'gelss', y es {driver!r}")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.lstsq: A y B deben tener el mismo dtype, y son {A.dtype} y {B.dtype}")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"linalg.lstsq: B debe tener tantas filas como A ({A.shape[-2]}), y sus formas son "
                           f"{tuple(A.shape)} y {tuple(B.shape)}")
    X = pinv(A, rtol=rcond) @ Bm
    m, n = A.shape[-2:]
    dtype = A._data.dtype
    empty = TensorBase._wrap(np.empty((0,), dtype))
    no_residuals = X.reshape(-1)[:0]  # vacío, pero en el grafo como en PyTorch (residuals es derivable)
    s = np.linalg.svd(A._data, compute_uv=False)
    tol = (np.finfo(dtype).eps * max(m, n) if rcond is None else rcond) * s.max(axis=-1, initial=0.0)
    rank_np = (s > tol[..., None]).sum(axis=-1).astype(np.int64)
    rank = empty.long() if driver == "gels" else TensorBase._wrap(rank_np)
    sv = TensorBase._wrap(s.astype(dtype)) if driver in ("gelsd", "gelss") else empty
    residuals = no_residuals
    if m > n and driver != "gelsy" and bool((rank_np == n).all()):
        residuals = ((A @ X - Bm) ** 2).sum(-2)
    return RT.linalg_lstsq(X.squeeze(-1) if vector else X, residuals, rank, sv)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """El rango numérico: cuántos valores singulares superan max(atol, rtol·σ_max) (sin tolerancias,
    rtol = ε·max(m, n)). Devuelve un tensor int64. En PyTorch: ``torch.linalg.matrix_rank``.

    >>> torch.linalg.matrix_rank(torch.ones(3, 3))   # tensor(1)
    """
    _matrix(A, "matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    a, r = _tolerances(A, atol, rtol, "matrix_rank")
    data = A._data
    s = np.abs(np.linalg.eigvalsh(data)) if hermitian else np.linalg.svd(data, compute_uv=False)
    cut = np.maximum(a, r * s.max(axis=-1, initial=0.0))
    return TensorBase._wrap((s > cut[..., None]).sum(axis=-1).astype(np.int64))


def cond(A, p=None):
    """El número de condición κ(A) = ‖A‖·‖A⁻¹‖ (``p`` ``None``/2: σ_max/σ_min; −2: σ_min/σ_max; ``"fro"``,
    ``"nuc"``, ±1, ±inf con la inversa). En PyTorch: ``torch.linalg.cond``.

    >>> torch.linalg.cond(torch.tensor([[1., 0.], [0., 4.]]))   # tensor(4.)
    """
    _matrix(A, "cond")
    if p is None or (isinstance(p, numbers.Number) and abs(p) == 2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return small / big if p == -2 else big / small
    _square(A, "cond")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def slogdet(A):
    """``(sign, logabsdet)`` con det(A) = sign·e^logabsdet, sin calcular det(A) (no desborda con matrices
    grandes). Derivada de logabsdet: A⁻ᵀ. En PyTorch: ``torch.linalg.slogdet``.

    >>> torch.linalg.slogdet(torch.tensor([[2., 0.], [0., -3.]]))   # (sign=tensor(-1.), logabsdet=tensor(1.7918))
    """
    _square(A, "slogdet")
    batch = tuple(A.shape[:-2])
    sign, logabs = _pieces(D.SlogDet.apply(A), batch, batch)
    return RT.linalg_slogdet(sign, logabs)  # sign, en el grafo con derivada 0 (como PyTorch)


def logdet(A):
    """log(det(A)) desde ``slogdet`` (no desborda): ``nan`` si det < 0, ``−inf`` si es 0. Derivada: A⁻ᵀ.
    En PyTorch: ``torch.logdet``.

    >>> torch.logdet(torch.tensor([[2., 0.], [0., 3.]]))   # tensor(1.7918)
    """
    sign, logabs = slogdet(A)
    return logabs.masked_fill(sign < 0, float("nan"))


def _approximate_basis(A, q, niter, generator=None):
    """Q (m×q) de columnas ortonormales con rango(A) ≈ rango(Q·Qᵀ·A): A·R con R gaussiana y ``niter``
    iteraciones de potencia, ortonormalizando con QR en cada paso (Halko, Martinsson y Tropp, 2011)."""
    shape = tuple(A.shape[:-2]) + (A.shape[-1], q)
    R = TensorBase._wrap(default_rng(generator).standard_normal(shape).astype(A._data.dtype))
    Q = qr(A @ R).Q
    for _ in range(niter):
        Q = qr(A.mT @ Q).Q
        Q = qr(A @ Q).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """SVD aproximada de rango ``q`` por proyecciones aleatorias: ``(U, S, V)`` con A ≈ U·diag(S)·Vᵀ
    (``M``: se usa A − M). Derivada: la de las QR y la SVD que la componen. En PyTorch: ``torch.svd_lowrank``
    (los números aleatorios son de tinygrad_es: U y V difieren de los de PyTorch, no lo que reconstruyen).

    >>> U, S, V = torch.svd_lowrank(torch.randn(100, 30), q=5)
    """
    _matrix(A, "svd_lowrank")
    if M is not None:
        A = A - M
    m, n = A.shape[-2:]
    q = min(int(q), m, n) if q is not None else min(6, m, n)
    if m < n:  # sobre Aᵀ, y se intercambian U y V
        U, S, V = svd_lowrank(A.mT, q, niter)
        return V, S, U
    Q = _approximate_basis(A, q, niter)
    U, S, Vh = svd(Q.mT @ A, full_matrices=False)
    return Q @ U, S, Vh.mT


def pca_lowrank(A, q=None, center=True, niter=2):
    """PCA aproximada: ``svd_lowrank`` de A centrada (restando la media de cada columna si ``center``).
    Devuelve ``(U, S, V)``: las columnas de V son las componentes principales. En PyTorch:
    ``torch.pca_lowrank``.

    >>> U, S, V = torch.pca_lowrank(torch.randn(100, 10), q=3)
    """
    _matrix(A, "pca_lowrank")
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if not 0 <= q <= min(m, n):
        raise ValueError(f"pca_lowrank: q debe estar entre 0 y min(m, n) = {min(m, n)}, y es {q}")
    if niter < 0:
        raise ValueError(f"pca_lowrank: niter debe ser ≥ 0, y es {niter}")
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter)


def _general(A, op):
    _matrix(A, op)
    _square(A, f"linalg.{op}")
    if A._data.dtype.itemsize < 4:
        raise RuntimeError(f"linalg.{op}: se esperaba float32 o float64, y es {A.dtype}")
    if not np.isfinite(A._data).all():
        raise RuntimeError(f"linalg.{op}: la matriz tiene valores infinitos o nan (LAPACK geev no los admite)")


def eigvals(A, *, out=None):
    """Los valores propios de una matriz cuadrada cualquiera (no hace falta que sea simétrica: si lo
    es, ``eigvalsh`` es más rápida y real): complejos, ``complex64`` para float32 y ``complex128`` para
    float64, en el orden de LAPACK ``geev`` (el de PyTorch). Derivada: Ā = Re(V⁻ᴴ·diag(Ḡ)·Vᴴ)
    (``ops/eig.py``). En PyTorch: ``torch.linalg.eigvals``.

    >>> torch.linalg.eigvals(torch.tensor([[0., -1.], [1., 0.]]))   # tensor([0.+1.j, 0.-1.j])
    """
    _general(A, "eigvals")
    res = E.Eigvals.apply(A)
    return res if out is None else write_out("eigvals", out, res)


def eig(A, *, out=None):
    """``(eigenvalues, eigenvectors)`` de una matriz cuadrada cualquiera: A·V = V·diag(λ), complejos, las
    columnas de V de norma 1 (las de LAPACK ``geev``, como PyTorch). Derivada: la de ``ops/eig.py``
    (la pérdida no puede depender de la fase de cada vector: si depende, ``RuntimeError`` como
    PyTorch). En PyTorch: ``torch.linalg.eig``.

    >>> torch.linalg.eig(torch.tensor([[2., 0.], [0., 3.]])).eigenvalues   # tensor([2.+0.j, 3.+0.j])
    """
    _general(A, "eig")
    *batch, n, _ = A.shape
    flat = E.Eig.apply(A)
    res = RT.linalg_eig(*_pieces(flat, (*batch, n), (*batch, n, n)))
    return res if out is None else write_out("eig", out, res)
