"""Backward de la convolución 2-D: ∂L/∂x, ∂L/∂w y ∂L/∂b con el algoritmo que ``dispatch.py`` eligió
para cada uno (``ConvState.algo`` y ``algo_w``), sobre lo que el forward guardó.

* Winograd (``winograd_f2.py`` / ``winograd_f4.py``): por trozos de imágenes (``CHUNK_BYTES``), con
  ``dU`` de los trozos sumado en float64;
* directo (``direct.py`` y ``direct_weight_grad.py``): depthwise, grupos, dilatadas;
* 1×1: una GEMM por imagen;
* im2col imagen a imagen (``im2col_image.py``) o del lote entero (``im2col.py``); con 5×5 o más y stride 1,
  ∂L/∂w (y ∂L/∂x con pocos canales) sin im2col, sobre la rejilla ancha (``direct_weight_grad.wide_dw``,
  ``wide_input_grad.py``); en las 3×3 de ≤ 32 canales de salida con planos grandes (las dos primeras
  etapas de ResNet), ∂L/∂x con la correlación directa de ``g`` con los pesos volteados (``_flipped_input_grad``,
  ``flipped_input_grad.py``).
"""
import numba
import numpy as np

from .. import gemm as G
from ..workspace import workspace
from . import direct as D
from . import direct_weight_grad as DW
from . import flipped_input_grad as FX
from . import im2col_image as IC
from . import wide_input_grad as WX
from .dispatch import _WINO, _group_matmul, _im2col, _images_per_job, _subsample, wide_dw_3x3
from .im2col import col2im, nol_to_ol, pad_input
from .taps import input_grad_by_taps

DW_PARTS = 4  # sumas parciales del gradiente de pesos directo (fijas: mismo resultado con 1 o 2 hilos)
# Bytes de los buffers de un trozo de imágenes en los backward que recorren el lote por trozos
# (Winograd): la memoria de trabajo queda acotada sea cual sea el lote (antes, las transformadas del
# lote entero: 75 MB de los 95 MB que añadía un paso de la CNN de CIFAR). Medido (∂L/∂w en un hilo,
# tiempo de CPU, ms con 1/2/4 MB/lote entero): 32→64 a 16² (lote 128) 18,3/16,6/16,4/17,2; 64→128 a 8²
# 14,6/14,3/13,2/12,3; 256→256 a 13² (lote 8) 28,0/27,3/23,7/20,1. Con 2 MB el paso de la CNN del curso
# añade 28 MB de RSS frente a 30 con 4 MB (PyTorch: 31).
CHUNK_BYTES = 2 * 2**20


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
        taps, need_x = input_grad_by_taps(g, state), False
    if state.algo == state.algo_w:
        dx, dw = _BACKWARD[state.algo](g, state, need_x, need_w, state.algo)
    else:
        dx = _BACKWARD[state.algo](g, state, True, False, state.algo)[0] if need_x else None
        dw = _BACKWARD[state.algo_w](g, state, False, True, state.algo_w)[1] if need_w else None
    return (dx if taps is None else taps), dw, db


def chunk_images(n, per_image_bytes, budget=None):
    """Imágenes por trozo para que los buffers de un trozo no pasen de ``budget`` bytes (al menos 1)."""
    budget = CHUNK_BYTES if budget is None else budget
    return max(1, min(n, budget // max(1, per_image_bytes)))


def _backward_winograd(g, st, need_x, need_w, algo):
    """Por trozos de imágenes: las transformadas ``V`` y ``dM`` de un trozo (no las del lote entero:
    16·(C + O)·teselas por imagen, 75 MB en la CNN de CIFAR con lote 128) y, por trozo, las 16 GEMM de
    ``dU``, que se suman en float64 (un redondeo al final, como ∂L/∂x imagen a imagen)."""
    n, c, h, wd = st.x_shape
    o = st.w.shape[0]
    mod, nxi = _WINO[algo]
    th, tw = mod.tiles(*st.out_hw)
    T = th * tw
    if st.kind == "winograd":  # forward Winograd (sólo con algo=): V del lote entero ya hecho
        Vall, U = st.saved
        x = None
    else:  # el forward fue directo: las transformadas se hacen aquí, trozo a trozo
        (x,) = st.saved
        Vall, U = None, (mod.weight_transform(st.w) if need_x else None)
    nb = chunk_images(n, nxi * (c + o) * T * g.itemsize)
    rows = nb * T
    V = workspace.get_rows((nxi, c, rows), g.dtype, streams=nxi, group=c) if need_w and x is not None else None
    dM = workspace.get_rows((nxi, o, rows), g.dtype, streams=nxi, group=o)
    dV = workspace.get_rows((nxi, c, rows), g.dtype, streams=nxi, group=c) if need_x else None
    dU = np.zeros((nxi, o, c), np.float64) if need_w else None
    part = np.empty((nxi, o, c), g.dtype) if need_w else None
    dx = np.empty(st.x_shape, g.dtype) if need_x else None
    for n0 in range(0, n, nb):
        n1 = min(n, n0 + nb)
        r = (n1 - n0) * T
        dMc = dM[:, :, :r]
        mod.grad_output_transform(g[n0:n1], th, tw, dMc)
        if need_w:
            if x is not None:
                Vc = V[:, :, :r]
                mod.input_transform(x[n0:n1], st.padding[0], st.padding[1], th, tw, Vc)
            else:
                Vc = Vall[:, :, n0 * T:n1 * T]
            G.matmul(dMc, Vc.transpose(0, 2, 1), out=part)
            dU += part
        if need_x:
            dVc = dV[:, :, :r]
            G.matmul(U.transpose(0, 2, 1), dMc, out=dVc)
            dx[n0:n1] = mod.input_transform_adjoint(dVc, n1 - n0, h, wd, st.padding[0], st.padding[1], th, tw)
    dw = mod.weight_transform_adjoint(dU, o, c).astype(g.dtype) if need_w else None
    for a in (V, dM, dV):
        workspace.put_rows(a)
    return dx, dw


def _backward_direct(g, st, need_x, need_w, algo="direct"):
    n, c, h, wd = st.x_shape
    o, cg, kh, kw = st.w.shape
    groups = st.groups
    og = o // groups
    ph, pw = st.padding
    wp = wd + 2 * pw
    if st.kind == "padded":
        (xp,) = st.saved
        tmp = None
    else:
        (x,) = st.saved
        xp = tmp = workspace.get(D.phase_shape(x.shape, st.padding, (1, 1))[0], x.dtype)
        D.phase_pad(x, ph, pw, 1, 1, xp)
    oh, ow = st.out_hw
    dh, dwl = st.dilation
    dx = dw = None
    if need_w:
        # gradiente en la rejilla de ancho wp (ceros en las columnas sobrantes)
        gf = workspace.get((n, o, oh, wp), g.dtype)
        pad_input(g, 0, 0, gf)
        gf3, xf = gf.reshape(n, o, oh * wp), xp.reshape(n, c, -1)
        thi = (oh - 1) * wp + ow
        ntap = cg * kh * kw
        sh, ch = D.tap_table(cg, kh, kw, dh, dwl, wp)
        # acumuladores en float64: la suma recorre N·OH·OW posiciones (en float32 perdía hasta ~2×
        # lo que pierde PyTorch en la dilatada (h)); cuesta poco, las cargas siguen en float32
        if ntap <= 27:
            acc = np.empty((o, sh.size), np.float64)
            DW.flat_dw(gf3, xf, cg, og, sh, ch, thi, acc)
        else:
            acc = np.zeros((DW_PARTS, o + 3, -(-ntap // 16) * 16), np.float64)
            DW.flat_dw_gemm(gf3, xf, cg, og, sh, ch, ntap, thi, acc)
            acc = acc[:, :o].sum(axis=0)
        workspace.put(gf)
        dw = np.ascontiguousarray(acc[:, :ntap], dtype=g.dtype).reshape(st.w.shape)
    workspace.put(tmp)
    if need_x:
        ph_, pw_ = (kh - 1) * dh, (kw - 1) * dwl
        wg = wp + pw_
        # la rejilla de dx: relleno de (kh−1)·dh arriba y abajo, más las filas de cola del núcleo
        gp = workspace.get((n, o, h + 2 * ph + 2 * ph_ + D.tail_rows(wg), wg), g.dtype)
        pad_input(g, ph_, pw_, gp)
        sh, ch = D.tap_table(og, kh, kw, dh, dwl, wg)
        # pesos volteados y con los papeles de entrada/salida cambiados dentro de cada grupo
        wflip = st.w.reshape(groups, og, cg, kh, kw)[:, :, :, ::-1, ::-1].transpose(0, 2, 1, 3, 4)
        # pesos en float64: el núcleo acumula las og·kh·kw contribuciones en float64 (un redondeo)
        wt = D.pad_taps(np.ascontiguousarray(wflip, dtype=np.float64).reshape(c, og * kh * kw))
        dx = np.empty((n, c, h, wd), g.dtype)
        gpf = gp.reshape(n, o, -1)
        if c == groups:
            D.flat_corr1(gpf, og, sh, ch, wt, np.zeros(c), dx, wg, ph, pw)
        else:
            D.flat_corr(gpf, og, cg, sh, ch, wt, np.zeros(c), dx, wg, ph, pw)
        workspace.put(gp)
    return dx, dw


def _backward_1x1(g, st, need_x, need_w, algo="gemm1x1"):
    n, c, h, wd = st.x_shape
    o = st.w.shape[0]
    (x,) = st.saved
    oh, ow = st.out_hw
    L = oh * ow
    g3 = g.reshape(n, o, L)
    dx = dw = None
    if need_x:
        dxs = G.matmul(st.w.reshape(o, c).T, g3).reshape(n, c, oh, ow)
        if (oh, ow) == (h, wd):
            dx = dxs
        else:  # con stride: las posiciones que no se leyeron tienen gradiente 0
            dx = np.zeros(st.x_shape, g.dtype)
            dx[:, :, ::st.stride[0], ::st.stride[1]] = dxs
    if need_w:
        # una GEMM por imagen (K = H·W) y la suma de las imágenes en float64: mismo tiempo que una
        # GEMM con K = N·H·W (sin trasponer g ni x) y 1,2-2,3× menos error (medido en (f))
        x3 = _subsample(x, st.stride).reshape(n, c, L)
        part = G.matmul(g3, x3.transpose(0, 2, 1))
        dw = part.sum(axis=0, dtype=np.float64).astype(g.dtype).reshape(st.w.shape)
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


def _wide_weight_grad(g, x, st):
    """∂L/∂w sin im2col (``direct_weight_grad.wide_dw``) por ``DW_PARTS`` partes fijas de las imágenes
    (sumadas en orden en float64: el mismo resultado con 1 o 2 hilos). ``None`` si no es finito: las
    columnas de relleno de la rejilla ancha multiplican 0 por la entrada y, si ésta tiene inf o nan,
    darían nan donde no lo hay; entonces decide el camino exacto (im2col)."""
    o, c, kh, kw = st.w.shape
    swap, rows, cols = DW.dw_blocking(o, c * kh * kw)

    def part(bounds):
        acc = np.zeros((rows, cols), np.float64)
        DW.wide_dw(x, g, bounds[0], bounds[1], kh, kw, st.padding[0], st.padding[1], swap, acc)
        return acc

    accs = IC._run(IC._parts(x.shape[0], DW_PARTS), part)
    acc = accs[0]
    for a in accs[1:]:
        acc = acc + a
    dw = np.ascontiguousarray(acc[:o, :c * kh * kw], dtype=g.dtype).reshape(st.w.shape)
    return dw if np.isfinite(dw).all() else None


def _wide_input_grad(g, st):
    """∂L/∂x sin im2col ni col2im (``wide_input_grad.wide_dx``), imágenes repartidas entre los hilos
    (cada una se escribe entera en su trabajo: el resultado no depende de los hilos)."""
    wp = WX.pack_weights(st.w)
    dx = np.empty(st.x_shape, g.dtype)
    IC._run(IC._parts(st.x_shape[0], IC.PARTS),
            lambda b: WX.wide_dx(g, wp, b[0], b[1], st.padding[0], st.padding[1], dx))
    return dx


def _wide_applies(st):
    """∂L/∂w por la rejilla ancha: stride y dilatación 1, sin grupos; núcleos de 5×5 o más, y las 3×3
    con pocos canales y al menos 3 de entrada (``dispatch.wide_dw_3x3``: ResNet, las CNN de CIFAR y de
    voz). No la 1→32 de la CNN del curso (sería 0,73× im2col a 28²): compilar ``wide_dw`` cuesta 2,8 s de
    CPU frente a 1,35 s de ``im2col_image`` en su arranque en frío (objetivo ≤ 10 s), por 0,5 ms de un
    paso de ~28."""
    o, c, kh, kw = st.w.shape
    return (st.stride == (1, 1) and st.dilation == (1, 1) and st.groups == 1
            and (kh * kw >= 25 or wide_dw_3x3(c, o, kh, kw)))


def _wide_dx_applies(st):
    """∂L/∂x por la rejilla ancha sólo donde se midió mejor (un hilo, tiempo de CPU, nuevo/im2col
    imagen a imagen): 5×5 con pocas entradas y salidas, LeNet 6→16 a 14² 0,62 (0,83× PyTorch),
    6→32 0,90. Con más canales pierde (16→32 5×5 1,27; 3×3 de ResNet/CIFAR 1,15-2,65; AlexNet 64→192
    5×5 2,9 y con 1,2× el error de PyTorch: sumas de O·kh·kw términos en float32)."""
    o, c, kh, kw = st.w.shape
    return _wide_applies(st) and kh * kw >= 25 and c * kh * kw <= 160 and o <= 32 and np.isfinite(st.w).all()


def _flipped_input_grad(g, st):
    """∂L/∂x de una convolución de stride 1 como la correlación directa de ``g`` con los pesos volteados
    y traspuestos y relleno ``k − 1 − p`` (``flipped_input_grad.partial_corr_pad``, con sumas parciales
    por tandas de 18 taps): ``dx[c] = Σ_o Σ_ij w[o, c, i, j] · g[o, y + p − i, x + p − j]``. Sin ``dcols``
    ni col2im."""
    o, c, kh, kw = st.w.shape
    wflip = st.w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    wt = D.pad_taps(np.ascontiguousarray(wflip, dtype=g.dtype).reshape(c, o * kh * kw))
    pad = (kh - 1 - st.padding[0], kw - 1 - st.padding[1])
    hq, wq = D.compact_pitch(g.shape, pad, (1, 1), (kh, kw))
    sh, ch = D.tap_table(o, kh, kw, 1, 1, wq)
    dx = np.empty(st.x_shape, g.dtype)
    # (las imágenes por trabajo no cambian el resultado: cada posición hace las mismas operaciones)
    per_job = _images_per_job(hq * wq, g.shape[0], numba.get_num_threads())
    FX.partial_corr_pad(g, pad[0], pad[1], hq, wq, per_job, sh, ch, wt, dx)
    return dx


def _flipped_dx_applies(st):
    """∂L/∂x por la correlación directa volteada sólo donde se midió más rápida que el im2col imagen a
    imagen (un hilo, tiempo de CPU, lote 128, nuevo/im2col): 3×3 con ≤ 32 canales de salida y planos de
    16×16 o más, como las dos primeras etapas de ResNet (16→16 a 32² 0,61; 32→32 a 16² 0,78-0,80; con 2
    hilos 0,77). Con más canales de salida o planos pequeños empata o pierde (32→64 a 16² 0,97-1,01;
    64→64 a 8² 0,97-0,98 y a 14² 0,95-0,96; 64→128 a 8² 1,11-1,29): las columnas y filas de relleno de la
    rejilla son posiciones calculadas y descartadas. Error (frente a float64, dividido por el de PyTorch,
    peor de 3 semillas, g normal / g ≥ 0): 16→16 a 32² 0,39/0,54, 32→32 a 16² 0,47/0,63 (im2col
    0,45/0,55 y 0,56/0,64). Pesos finitos: las filas de relleno de ``g`` (0) por un peso inf darían nan."""
    o, c, kh, kw = st.w.shape
    oh, ow = st.out_hw
    return (st.stride == (1, 1) and st.dilation == (1, 1) and st.groups == 1 and kh == kw == 3
            and 16 <= c and o <= 32 and oh * ow >= 256 and all(p <= k - 1 for p, k in zip(st.padding, (kh, kw)))
            and np.isfinite(st.w).all())


def _backward_im2col(g, st, need_x, need_w, algo):
    if algo == "im2col_img":
        (x,) = st.saved
        wide = _wide_applies(st)
        dw = _wide_weight_grad(g, x, st) if need_w and wide else None
        # (con pesos no finitos no: las columnas de relleno, g = 0, darían 0·inf = nan en otras posiciones)
        dx = None
        if need_x and _wide_dx_applies(st):
            dx = _wide_input_grad(g, st)
        elif need_x and _flipped_dx_applies(st):
            dx = _flipped_input_grad(g, st)
        rest_x, rest_w = need_x and dx is None, need_w and dw is None
        if rest_x or rest_w:
            ix, iw = IC.backward(g, x, st.w, st.stride, st.padding, st.dilation, st.groups, rest_x, rest_w)
            dx, dw = (ix if rest_x else dx), (iw if rest_w else dw)
        return dx, dw
    dx = dw = None
    if need_w:
        if st.kind == "cols":
            (cols,) = st.saved
            dw = _dw_from_cols(g, cols, st.w.shape, st.groups)
        else:
            (x,) = st.saved
            o, cg, kh, kw = st.w.shape
            cols = _im2col(x, kh, kw, st.stride, st.padding, st.dilation, *st.out_hw)
            dw = _dw_from_cols(g, cols, st.w.shape, st.groups)
            workspace.put_rows(cols)
    if need_x:
        dx = conv2d_input_grad(g, st.w, st.x_shape, st.stride, st.padding, st.dilation, st.groups)
    return dx, dw


_BACKWARD = {"winograd": _backward_winograd, "winograd4": _backward_winograd, "direct": _backward_direct,
             "gemm1x1": _backward_1x1, "im2col": _backward_im2col, "im2col_img": _backward_im2col}


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
