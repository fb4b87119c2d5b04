"""Convolución 2-D: elige por forma el algoritmo y orquesta sus núcleos.

Algoritmos (``conv2d_forward(..., algo=None)`` elige; ``algo=`` lo fuerza en los tests):

* ``"winograd4"`` / ``"winograd"``: 3×3, stride 1, sin dilatación ni grupos, con
  bastantes canales: F(4×4, 3×3) (``winograd_f4.py``, 4× menos productos) o F(2×2, 3×3)
  (``winograd_f2.py``, 2,25×, más exacto en float32); las GEMM las hace BLAS.
* ``"direct"``: stride 1 con ``C/G·kh·kw`` pequeño (la primera capa, 5×5 sobre RGB,
  depthwise, dilatadas...): núcleo directo sobre planos aplanados (``direct.py``), sin
  ``cols``; escribe la salida ya en (N, O, H, W) con el sesgo.
* ``"gemm1x1"``: 1×1 de stride 1 sin relleno: una GEMM por imagen, sin im2col.
* ``"im2col_img"`` / ``"im2col"``: el caso general (stride, dilatación, grupos): im2col +
  GEMM imagen a imagen, en la caché (``im2col_image.py``), con salidas grandes; si no,
  im2col del lote entero y una GEMM por grupo (``im2col.py``), como la traspuesta.

Cada ``forward`` devuelve ``(out, state)``; ``state`` (``ConvState``) guarda lo que
necesita su backward y se devuelve a la reserva con ``conv_release``.
"""
import numpy as np

from .. import gemm as G
from ..workspace import workspace
from . import direct as D
from . import im2col_image as IC
from . import winograd_f2 as WG
from . import winograd_f4 as WG4
from .im2col import col2im, im2col, nol_to_ol, ol_to_nol, pad_input

ALGOS = ("winograd", "winograd4", "direct", "gemm1x1", "im2col", "im2col_img")
_WINO = {"winograd": (WG, 16), "winograd4": (WG4, 36)}
DW_PARTS = 4  # sumas parciales del gradiente de pesos directo (fijas: mismo resultado con 1 o 2 hilos)


def conv_output_size(size: int, k: int, stride: int, pad: int, dilation: int = 1) -> int:
    """Regla de PyTorch: ⌊(size + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1."""
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


class ConvState:
    """Lo que el backward de una convolución necesita del forward."""
    __slots__ = ("algo", "x_shape", "w", "stride", "padding", "dilation", "groups", "out_hw", "saved", "owned")

    def __init__(self, algo, x_shape, w, stride, padding, dilation, groups, out_hw, saved, owned):
        self.algo, self.x_shape, self.w = algo, x_shape, w
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.out_hw, self.saved, self.owned = out_hw, saved, owned


def choose_algo(x_shape, w_shape, stride, padding, dilation, groups):
    """Algoritmo más rápido medido para esta forma (véase benchmarks/conv.py)."""
    c = x_shape[1]
    o, cg, kh, kw = w_shape
    if tuple(stride) != (1, 1):
        return _im2col_kind(x_shape, w_shape, stride, padding, dilation)
    if kh == kw == 3 and tuple(dilation) == (1, 1) and groups == 1 and c >= 16 and o >= 16:
        # F(4×4) hace la mitad de trabajo en las GEMM y mueve menos memoria, pero sus teselas
        # de 4 desperdician más en los bordes y sus transformadas pesan con pocos canales.
        # Medido (f+b, F4/F2): 32→64 a 11² 0,95; 16→32 y 32→32 a 28² 0,90; 128→128 a 28² 0,77;
        # 64→64 a 14² 1,12 (teselas: 16² frente a 14²); 16→16 a 11² 1,09.
        oh, ow = (conv_output_size(n, 3, 1, p) for n, p in zip(x_shape[2:], padding))
        waste2 = (2 * -(-oh // 2)) * (2 * -(-ow // 2))
        waste4 = (4 * -(-oh // 4)) * (4 * -(-ow // 4))
        return "winograd4" if o >= 32 and waste4 <= 1.05 * waste2 else "winograd"
    if kh == kw == 1 and tuple(padding) == (0, 0) and groups == 1:
        return "gemm1x1"
    if cg * kh * kw <= 160 or cg == 1:
        return "direct"
    return _im2col_kind(x_shape, w_shape, stride, padding, dilation)


def _im2col_kind(x_shape, w_shape, stride, padding, dilation):
    """im2col imagen a imagen (en la caché) con salidas grandes y bastantes taps; si no, im2col
    de todo el lote y una GEMM ancha. Medido (f+b, imagen a imagen / lote): 32→64 3×3 s2 de 28²
    0,85; 32→64 de 16² 0,85; con salidas de 2×2 a 7×7 1,1-3,4 (GEMM estrechas) y con 3 canales
    de entrada (K = 27) 1,3."""
    o, cg, kh, kw = w_shape
    L = 1
    for size, k, s, p, d in zip(x_shape[2:], w_shape[2:], stride, padding, dilation):
        L *= conv_output_size(size, k, s, p, d)
    return "im2col_img" if L >= 64 and cg * kh * kw >= 64 else "im2col"


def conv_release(state):
    """Devuelve a la reserva los buffers guardados para el backward."""
    if state is None or state.owned is None:
        return
    for a in state.owned:  # sólo los buffers sacados de la reserva, nunca la entrada del usuario
        workspace.put_rows(a)
    state.saved = state.owned = None


def _bias(b, o, dtype):
    return np.zeros(o, dtype) if b is None else np.ascontiguousarray(b, dtype=dtype)


def _padded(x, ph, pw, extra_h=0, extra_w=0):
    """Entrada rellenada (buffer de la reserva) o la propia ``x`` si no hace falta."""
    n, c, h, w = x.shape
    if ph == pw == extra_h == extra_w == 0:
        return np.ascontiguousarray(x), False
    xp = workspace.get((n, c, h + 2 * ph + extra_h, w + 2 * pw + extra_w), x.dtype)
    pad_input(np.ascontiguousarray(x), ph, pw, xp)
    return xp, True


def _group_matmul(a, b, out, groups):
    """out[g] = a[g] @ b[g] con las filas de cada grupo contiguas (una GEMM si G = 1)."""
    if groups == 1:
        return G.matmul(a, b, out=out)
    G.matmul(a.reshape(groups, a.shape[0] // groups, -1), b.reshape(groups, b.shape[0] // groups, -1),
             out=out.reshape(groups, out.shape[0] // groups, -1))
    return out


# ---- forward ------------------------------------------------------------------------------
def conv2d_forward(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, algo=None,
                   save=True):
    """Convolución (correlación cruzada, como PyTorch) de ``x`` (N, C, H, W) con ``w``
    (O, C/groups, kh, kw). Devuelve ``(out, state)`` (``state`` es ``None`` si ``save`` es
    falso: nadie hará backward y los buffers vuelven ya a la reserva)."""
    stride, padding, dilation = tuple(stride), tuple(padding), tuple(dilation)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = conv_output_size(wd, kw, stride[1], padding[1], dilation[1])
    algo = algo or choose_algo(x.shape, w.shape, stride, padding, dilation, groups)
    w = np.ascontiguousarray(w)
    bias = _bias(b, o, x.dtype)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    ph, pw = padding
    if algo in _WINO:
        mod, nxi = _WINO[algo]
        th, tw = mod.tiles(oh, ow)
        V = workspace.get_rows((nxi, c, n * th * tw), x.dtype, streams=nxi, group=c)
        mod.input_transform(np.ascontiguousarray(x), ph, pw, th, tw, V)
        U = mod.weight_transform(w)
        M = workspace.get_rows((nxi, o, n * th * tw), x.dtype, streams=nxi, group=o)
        G.matmul(U, V, out=M)
        mod.output_transform(M, th, tw, bias, out)
        workspace.put_rows(M)
        saved, owned = (V, U), [V]
    elif algo == "direct":
        xp, tmp = _padded(x, ph, pw)
        hp, wp = xp.shape[2], xp.shape[3]
        sh, ch = D.tap_table(cg, kh, kw, dilation[0], dilation[1], wp)
        wt = D.pad_taps(w.reshape(o, -1))
        xf = xp.reshape(n, c, hp * wp)
        if o == groups:
            D.flat_corr1(xf, cg, sh, ch, wt, bias, out, wp, 0, 0)
        else:
            D.flat_corr(xf, cg, o // groups, sh, ch, wt, bias, out, wp, 0, 0)
        saved, owned = (xp,), [xp] if tmp else []
    elif algo == "gemm1x1":
        x3 = np.ascontiguousarray(x).reshape(n, c, h * wd)
        G.matmul(w.reshape(o, c), x3, out=out.reshape(n, o, oh * ow))
        if b is not None:
            out += bias[None, :, None, None]
        saved, owned = (x3,), []
    elif algo == "im2col_img":
        xc = np.ascontiguousarray(x)
        out = IC.forward(xc, w, bias, stride, padding, dilation, groups, (oh, ow))
        saved, owned = (xc,), []
    elif algo == "im2col":
        cols = _im2col(x, kh, kw, stride, padding, dilation, oh, ow)
        y = workspace.get_rows((o, n * oh * ow), x.dtype)
        _group_matmul(w.reshape(o, -1), cols, y, groups)
        ol_to_nol(y, n, o, oh * ow, bias, out.reshape(n, o, oh * ow))
        workspace.put_rows(y)
        saved, owned = (cols,), [cols]
    else:
        raise ValueError(f"algoritmo de convolución desconocido: {algo!r} (opciones: {ALGOS})")
    state = ConvState(algo, x.shape, w, stride, padding, dilation, groups, (oh, ow), saved, owned)
    if not save:
        conv_release(state)
        state = None
    return out, state


def _im2col(x, kh, kw, stride, padding, dilation, oh, ow):
    n, c = x.shape[:2]
    xp, tmp = _padded(x, *padding)
    cols = workspace.get_rows((c * kh * kw, n * oh * ow), x.dtype, streams=kh * kw)
    im2col(xp, kh, kw, stride[0], stride[1], dilation[0], dilation[1], oh, ow, cols)
    if tmp:
        workspace.put(xp)
    return cols


# ---- backward -----------------------------------------------------------------------------
def conv2d_backward(gout, state, need_x=True, need_w=True, need_b=True):
    """Gradientes ``(dx, dw, db)`` (``None`` donde no se piden). No libera ``state``
    (el grafo puede retenerse); eso lo hace ``conv_release``."""
    g = np.ascontiguousarray(gout, dtype=state.w.dtype)
    db = g.sum(axis=(0, 2, 3)) if need_b else None
    dx = dw = None
    taps = None
    if need_x and not np.isfinite(g).all():
        # un gradiente inf o nan: las transformadas (Winograd, rejillas con ceros) restan o multiplican por 0
        # y darían nan donde PyTorch da inf; dx se suma tap a tap
        taps, need_x = _backward_x_by_taps(g, state), False
    if state.algo in _WINO:
        dx, dw = _backward_winograd(g, state, need_x, need_w)
    elif state.algo == "direct":
        dx, dw = _backward_direct(g, state, need_x, need_w)
    elif state.algo == "gemm1x1":
        dx, dw = _backward_1x1(g, state, need_x, need_w)
    else:
        dx, dw = _backward_im2col(g, state, need_x, need_w)
    return (dx if taps is None else taps), dw, db


def _backward_x_by_taps(g, st):
    """∂L/∂x sumando, para cada posición (u, v) del núcleo, Σ_o g[n, o, i, j]·w[o, c, u, v] en
    x[n, c, i·s − p + u·d, j·s − p + v·d]: sin transformadas (un gradiente inf da inf, como PyTorch)."""
    n, c, h, wd = st.x_shape
    o, cg, kh, kw = st.w.shape
    og = o // st.groups
    (sh, sw), (dh, dwl), (ph, pw) = st.stride, st.dilation, st.padding
    oh, ow = st.out_hw
    dxp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), g.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(st.groups):
            gk, wk = g[:, k * og:(k + 1) * og], st.w[k * og:(k + 1) * og]
            for u in range(kh):
                for v in range(kw):
                    dxp[:, k * cg:(k + 1) * cg, u * dh:u * dh + (oh - 1) * sh + 1:sh,
                        v * dwl:v * dwl + (ow - 1) * sw + 1:sw] += np.einsum("noij,oc->ncij", gk, wk[:, :, u, v])
    return np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + wd])


def _backward_winograd(g, st, need_x, need_w):
    n, c, h, wd = st.x_shape
    o = st.w.shape[0]
    mod, nxi = _WINO[st.algo]
    V, U = st.saved
    th, tw = mod.tiles(*st.out_hw)
    dM = workspace.get_rows((nxi, o, n * th * tw), g.dtype, streams=nxi, group=o)
    mod.grad_output_transform(g, th, tw, dM)
    dx = dw = None
    if need_w:
        dw = mod.weight_transform_adjoint(G.matmul(dM, V.transpose(0, 2, 1)), o, c)
    if need_x:
        dV = workspace.get_rows(V.shape, g.dtype, streams=nxi, group=c)
        G.matmul(U.transpose(0, 2, 1), dM, out=dV)
        dx = mod.input_transform_adjoint(dV, n, h, wd, st.padding[0], st.padding[1], th, tw)
        workspace.put_rows(dV)
    workspace.put_rows(dM)
    return dx, dw


def _backward_direct(g, st, need_x, need_w):
    n, c, h, wd = st.x_shape
    o, cg, kh, kw = st.w.shape
    groups = st.groups
    og = o // groups
    (xp,) = st.saved
    hp, wp = xp.shape[2], xp.shape[3]
    oh, ow = st.out_hw
    dh, dwl = st.dilation
    dx = dw = None
    if need_w:
        # gradiente en la rejilla de ancho wp (ceros en las columnas sobrantes)
        gf = workspace.get((n, o, oh, wp), g.dtype)
        pad_input(g, 0, 0, gf)
        gf3, xf = gf.reshape(n, o, oh * wp), xp.reshape(n, c, hp * wp)
        thi = (oh - 1) * wp + ow
        ntap = cg * kh * kw
        sh, ch = D.tap_table(cg, kh, kw, dh, dwl, wp)
        if ntap <= 27:
            acc = np.empty((o, sh.size), g.dtype)
            D.flat_dw(gf3, xf, cg, og, sh, ch, thi, acc)
        else:
            acc = np.zeros((DW_PARTS, o + 3, -(-ntap // 16) * 16), g.dtype)
            D.flat_dw_gemm(gf3, xf, cg, og, sh, ch, ntap, thi, acc)
            acc = acc[:, :o].sum(axis=0)
        workspace.put(gf)
        dw = np.ascontiguousarray(acc[:, :ntap]).reshape(st.w.shape)
    if need_x:
        ph_, pw_ = (kh - 1) * dh, (kw - 1) * dwl
        gp = workspace.get((n, o, hp + ph_, wp + pw_), g.dtype)
        pad_input(g, ph_, pw_, gp)
        wg = wp + pw_
        sh, ch = D.tap_table(og, kh, kw, dh, dwl, wg)
        # pesos volteados y con los papeles de entrada/salida cambiados dentro de cada grupo
        wflip = st.w.reshape(groups, og, cg, kh, kw)[:, :, :, ::-1, ::-1].transpose(0, 2, 1, 3, 4)
        wt = D.pad_taps(np.ascontiguousarray(wflip).reshape(c, og * kh * kw))
        dx = np.empty((n, c, h, wd), g.dtype)
        gpf = gp.reshape(n, o, -1)
        if c == groups:
            D.flat_corr1(gpf, og, sh, ch, wt, np.zeros(c, g.dtype), dx, wg, st.padding[0], st.padding[1])
        else:
            D.flat_corr(gpf, og, cg, sh, ch, wt, np.zeros(c, g.dtype), dx, wg, st.padding[0], st.padding[1])
        workspace.put(gp)
    return dx, dw


def _backward_1x1(g, st, need_x, need_w):
    n, c, h, wd = st.x_shape
    o = st.w.shape[0]
    (x3,) = st.saved
    L = h * wd
    g3 = g.reshape(n, o, L)
    dx = dw = None
    if need_x:
        dx = G.matmul(st.w.reshape(o, c).T, g3).reshape(n, c, h, wd)
    if need_w:
        gt = workspace.get((o, n * L), g.dtype)
        nol_to_ol(g3, n, o, L, gt)
        xt = workspace.get((c, n * L), g.dtype)
        nol_to_ol(x3, n, c, L, xt)
        dw = G.matmul(gt, xt.T).reshape(st.w.shape)
        workspace.put(gt)
        workspace.put(xt)
    return dx, dw


def _dw_from_cols(g, cols, w_shape, groups):
    """dW[g] = gᵀ[g] (O/G × N·L) @ cols[g]ᵀ (N·L × C/G·kh·kw), una GEMM por grupo."""
    o = w_shape[0]
    n, _, oh, ow = g.shape
    L = oh * ow
    gt = workspace.get((o, n * L), g.dtype)
    nol_to_ol(g.reshape(n, o, L), n, o, L, gt)
    dw = np.empty((groups, o // groups, cols.shape[0] // groups), g.dtype)
    G.matmul(gt.reshape(groups, o // groups, n * L), cols.reshape(groups, -1, n * L).transpose(0, 2, 1), out=dw)
    workspace.put(gt)
    return dw.reshape(w_shape)


def _backward_im2col(g, st, need_x, need_w):
    if st.algo == "im2col_img":
        (x,) = st.saved
        return IC.backward(g, x, st.w, st.stride, st.padding, st.dilation, st.groups, need_x, need_w)
    (cols,) = st.saved
    dx = dw = None
    if need_w:
        dw = _dw_from_cols(g, cols, st.w.shape, st.groups)
    if need_x:
        dx = conv2d_input_grad(g, st.w, st.x_shape, st.stride, st.padding, st.dilation, st.groups)
    return dx, dw


def conv2d_input_grad(g, w, x_shape, stride, padding, dilation, groups):
    """dx de la convolución por im2col traspuesto: ``dcols = Wᵀ g`` y col2im. Es también el
    forward de la convolución traspuesta (``ConvTranspose2d``)."""
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    _, _, oh, ow = g.shape
    L = oh * ow
    gt = workspace.get((o, n * L), g.dtype)
    nol_to_ol(np.ascontiguousarray(g).reshape(n, o, L), n, o, L, gt)
    dcols = workspace.get_rows((c * kh * kw, n * L), g.dtype, streams=kh * kw)
    wt = np.ascontiguousarray(w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1))
    _group_matmul(wt.reshape(groups * cg * kh * kw, o // groups), gt, dcols, groups)
    dx = col2im(dcols, n, c, h, wd, kh, kw, stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], oh, ow)
    workspace.put_rows(dcols)
    workspace.put(gt)
    return dx
