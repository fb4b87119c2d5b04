"""Factorizaciones de matrices (las de ``torch.linalg``) con su derivada: Cholesky, QR, eigh, SVD,
valores singulares, pseudoinversa y ``slogdet``. Todas sobre los dos últimos ejes (lotes delante).

Las que devuelven varias matrices (QR, eigh, SVD) dan **un** vector plano con todas ellas una tras otra;
la capa de ``_tensor`` lo corta en trozos con ``Piece`` (como la LSTM): el gradiente de los trozos que no
se usan llega como ceros. Las fórmulas son las de PyTorch (``FunctionsManual.cpp``) en el caso real.
"""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["Cholesky", "QR", "Eigh", "SVD", "SVDVals", "Pinv", "SlogDet", "OnlyR",
           "not_positive_definite", "sym_lower"]


def _t(a):
    return np.swapaxes(a, -1, -2)


def sym_lower(a):
    """La matriz simétrica que tiene el triángulo inferior de ``a`` (lo que leen ``cholesky``/``eigh``)."""
    low = np.tril(a)
    return low + _t(np.tril(a, -1))


def not_positive_definite(a):
    """El orden del primer menor principal que no es definido positivo (como lo cuenta PyTorch), o ``None``."""
    for m in np.reshape(a, (int(np.prod(a.shape[:-2])),) + a.shape[-2:]):
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return k
    return None


class Cholesky(ArrayFunction):
    """L con A = L·Lᵀ (A simétrica definida positiva; se lee su triángulo inferior).

    Derivada: con P = tril(Lᵀ·Ḡ) y Φ = ½(P + tril(P, −1)ᵀ) (simétrica), Ā = L⁻ᵀ·Φ·L⁻¹."""

    @staticmethod
    def forward(ctx, a):
        with np.errstate(all="ignore"):
            try:
                l = np.linalg.cholesky(sym_lower(a))
            except np.linalg.LinAlgError:
                raise np.linalg.LinAlgError(not_positive_definite(sym_lower(a))) from None
        ctx.save_for_backward(l)
        return l

    @staticmethod
    def backward(ctx, g):
        (l,) = ctx.saved_tensors
        p = np.tril(_t(l) @ np.tril(g))
        phi = 0.5 * (p + _t(np.tril(p, -1)))
        x = np.linalg.solve(_t(l), phi)              # L⁻ᵀ·Φ
        return _t(np.linalg.solve(_t(l), _t(x)))     # (L⁻ᵀ·Φ)·L⁻¹


def _copyltu(m):
    """tril(M) + tril(M, −1)ᵀ: el triángulo inferior copiado arriba."""
    return np.tril(m) + _t(np.tril(m, -1))


class QR(ArrayFunction):
    """A = Q·R (``mode`` ``"reduced"`` o ``"complete"``); devuelve Q y R planos, uno tras otro.

    Derivada (m ≥ n, Q de m×n): con M = R·R̄ᵀ − Q̄ᵀ·Q, Ā = (Q̄ + Q·copyltu(M))·R⁻ᵀ.
    Con m < n se parte A = [X | Y] (X cuadrada): Ȳ = Q·R̄_Y y X se deriva como el caso cuadrado con
    Q̄ + Y·R̄_Yᵀ. No está definida con ``mode="complete"`` y m > n (como PyTorch)."""

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        q, r = np.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        ctx.shapes = (q.shape, r.shape)
        return np.concatenate([q.reshape(-1), r.reshape(-1)])

    @staticmethod
    def backward(ctx, g):
        a, q, r = ctx.saved_tensors
        nq = q.size
        gq, gr = g[:nq].reshape(q.shape), g[nq:].reshape(r.shape)
        m, n = a.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: la descomposición QR no es derivable con mode='complete' y más filas "
                               f"que columnas (A es {m}×{n}); usa mode='reduced'")
        if m >= n:
            return QR._square_or_tall(q, r, gq, gr)
        x_gr, y_gr = gr[..., :, :m], gr[..., :, m:]
        y = a[..., :, m:]
        gy = q @ y_gr
        gx = QR._square_or_tall(q, r[..., :, :m], gq + y @ _t(y_gr), x_gr)
        return np.concatenate([gx, gy], axis=-1)

    @staticmethod
    def _square_or_tall(q, r, gq, gr):
        mm = r @ _t(gr) - _t(gq) @ q
        b = gq + q @ _copyltu(mm)
        return _t(np.linalg.solve(r, _t(b)))  # B·R⁻ᵀ


class Eigh(ArrayFunction):
    """Valores propios (ascendentes) λ y vectores propios V de una A simétrica (se lee el triángulo
    ``UPLO``); devuelve λ y V planos, uno tras otro.

    Derivada: Ā = V·(diag(λ̄) + ½(Vᵀ·V̄ − V̄ᵀ·V) ⊘ E)·Vᵀ con E_ij = λ_j − λ_i (sólo con λ distintos
    si V̄ ≠ 0, como PyTorch)."""

    @staticmethod
    def forward(ctx, a, UPLO="L", vectors=True):
        if vectors or ctx.requires_grad:  # el backward necesita V
            w, v = np.linalg.eigh(a, UPLO=UPLO)
            ctx.save_for_backward(w, v)
        else:
            w = np.linalg.eigvalsh(a, UPLO=UPLO)
        return np.concatenate([w.reshape(-1), v.reshape(-1)]) if vectors else w

    @staticmethod
    def backward(ctx, g):
        w, v = ctx.saved_tensors
        gw = g[:w.size].reshape(w.shape)
        inner = np.zeros(v.shape, dtype=v.dtype)
        if g.size > w.size:
            gv = g[w.size:].reshape(v.shape)
            if gv.any():
                vg = _t(v) @ gv
                e = w[..., None, :] - w[..., :, None]
                idx = np.arange(w.shape[-1])
                e[..., idx, idx] = 1
                with np.errstate(all="ignore"):
                    inner = 0.5 * (vg - _t(vg)) / e
                inner[..., idx, idx] = 0
        idx = np.arange(w.shape[-1])
        inner[..., idx, idx] += gw
        return v @ inner @ _t(v)


class SVD(ArrayFunction):
    """A = U·diag(S)·Vh; devuelve U, S y Vh planos, uno tras otro (con ``full_matrices`` las columnas de
    más de U o Vh no tienen derivada definida: se ignoran, como PyTorch).

    Derivada (k = min(m, n), E_ij = S_j² − S_i², F = 1/E fuera de la diagonal, V = Vhᵀ):
    Ā = U·[(F∘(UᵀŪ − ŪᵀU))·S + diag(S̄) + S·(F∘(VᵀV̄ − V̄ᵀV))]·Vᵀ + (I − UUᵀ)·Ū·S⁻¹·Vᵀ
    + U·S⁻¹·V̄ᵀ·(I − VVᵀ)."""

    @staticmethod
    def forward(ctx, a, full_matrices=True):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return np.concatenate([u.reshape(-1), s.reshape(-1), vh.reshape(-1)])

    @staticmethod
    def backward(ctx, g):
        u, s, vh = ctx.saved_tensors
        gu = g[:u.size].reshape(u.shape)
        gs = g[u.size:u.size + s.size].reshape(s.shape)
        gvh = g[u.size + s.size:].reshape(vh.shape)
        k = s.shape[-1]
        u, gu, vh, gvh = u[..., :, :k], gu[..., :, :k], vh[..., :k, :], gvh[..., :k, :]
        idx = np.arange(k)
        if not (gu.any() or gvh.any()):
            return (u * gs[..., None, :]) @ vh
        v, gv = _t(vh), _t(gvh)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None]
        e[..., idx, idx] = 1
        inner = np.zeros(s.shape + (k,), dtype=s.dtype)
        with np.errstate(all="ignore"):
            if gu.any():
                ug = _t(u) @ gu
                inner += ((ug - _t(ug)) / e) * s[..., None, :]
            if gvh.any():
                vg = _t(v) @ gv
                inner += s[..., :, None] * ((vg - _t(vg)) / e)
        inner[..., idx, idx] = gs
        ga = u @ inner @ vh
        m, n = u.shape[-2], vh.shape[-1]
        with np.errstate(all="ignore"):
            if m > k and gu.any():
                gus = gu / s[..., None, :]
                ga += (gus - u @ (_t(u) @ gus)) @ vh
            if n > k and gvh.any():
                gvs = gvh / s[..., :, None]  # S⁻¹·V̄ᵀ
                ga += u @ (gvs - (gvs @ v) @ vh)
        return ga


class SVDVals(ArrayFunction):
    """Los valores singulares S (descendentes). Derivada: Ā = U·diag(S̄)·Vh."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s

    @staticmethod
    def backward(ctx, g):
        u, vh = ctx.saved_tensors
        return (u * g[..., None, :]) @ vh


class Pinv(ArrayFunction):
    """A⁺, la pseudoinversa de Moore-Penrose (valores singulares ≤ max(atol, rtol·σ_max) cuentan como 0).

    Derivada (rango constante; P = A⁺, G = Ā⁺):
    Ā = −Pᵀ·G·Pᵀ + (I − A·P)·Gᵀ·P·Pᵀ + Pᵀ·P·Gᵀ·(I − P·A)."""

    @staticmethod
    def forward(ctx, a, atol=0.0, rtol=0.0, hermitian=False):
        if hermitian:
            w, v = np.linalg.eigh(a)
            cut = np.maximum(atol, rtol * np.abs(w).max(axis=-1, initial=0.0))[..., None]
            with np.errstate(all="ignore"):
                inv = np.where(np.abs(w) > cut, 1 / w, 0).astype(a.dtype)
            p = (v * inv[..., None, :]) @ _t(v)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            cut = np.maximum(atol, rtol * s.max(axis=-1, initial=0.0))[..., None]
            with np.errstate(all="ignore"):
                inv = np.where(s > cut, 1 / s, 0).astype(a.dtype)
            p = (_t(vh) * inv[..., None, :]) @ _t(u)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        pt, gt = _t(p), _t(g)
        ga = -(pt @ g @ pt)
        ga += (gt - a @ (p @ gt)) @ (p @ pt)
        ga += (pt @ p) @ (gt - (gt @ p) @ a)
        return ga


class SlogDet(ArrayFunction):
    """``sign`` y log|det(A)| sin pasar por det(A) (que desborda), planos uno tras otro (``sign`` no
    tiene derivada). Derivada de log|det|: Ā = G·A⁻ᵀ (0 si A es singular, como PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        ctx.save_for_backward(a, sign)
        return np.concatenate([np.reshape(sign, -1), np.reshape(logabs, -1)]).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, sign = ctx.saved_tensors
        g = g[np.size(sign):].reshape(np.shape(sign))
        singular = (np.asarray(sign) == 0)[..., None, None]
        safe = np.where(singular, np.eye(a.shape[-1], dtype=a.dtype), a)
        inv_t = _t(np.linalg.inv(safe))
        return np.where(singular, 0, g[..., None, None] * inv_t).astype(a.dtype)


class OnlyR(ArrayFunction):
    """R de ``qr(mode="r")``: sin Q no hay derivada (PyTorch lanza el mismo error al derivar)."""

    @staticmethod
    def forward(ctx, a):
        return np.linalg.qr(a, mode="r")

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("linalg.qr: la derivada depende de Q, que no se calcula con mode='r'; usa "
                           "linalg.qr(A, mode='reduced') si vas a derivar a través de linalg.qr")
