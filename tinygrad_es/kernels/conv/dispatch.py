"""Convolución 2-D: elige por forma el algoritmo y orquesta sus núcleos.

El **forward** es siempre el núcleo directo (``direct.py``, con las fases de la entrada si hay
stride): es equivariante por traslación bit a bit, así que dos ventanas iguales de la entrada dan
la misma salida y los empates exactos del max-pooling siguen siendo empates (como en float64 y en
PyTorch); Winograd y la GEMM de BLAS no lo son y, con imágenes reales (zonas planas), eso llevaba el
gradiente del max-pooling a otro elemento. El **backward** (donde no hay decisiones discretas) se
elige por velocidad y error medidos (``choose_backward``). ``algo=`` fuerza el mismo algoritmo en
los dos sentidos (los tests y el benchmark comparan cada uno con la referencia).

Algoritmos:

* ``"winograd4"`` / ``"winograd"``: 3×3, stride 1, sin dilatación ni grupos, con
  bastantes canales: F(4×4, 3×3) (``winograd_f4.py``, 4× menos productos) o F(2×2, 3×3)
  (``winograd_f2.py``, 2,25×, más exacto en float32); las GEMM las hace BLAS.
* ``"direct"``: núcleo directo sobre planos aplanados (``direct.py``), sin ``cols``; escribe
  la salida ya en (N, O, H, W) con el sesgo. Todos los forward; en el backward, con
  ``C/G·kh·kw`` pequeño (la primera capa, 5×5 sobre RGB, depthwise, dilatadas...).
* ``"gemm1x1"``: 1×1 de stride 1 sin relleno: una GEMM por imagen, sin im2col.
* ``"im2col_img"`` / ``"im2col"``: el caso general (stride, dilatación, grupos): im2col +
  GEMM imagen a imagen, en la caché (``im2col_image.py``), con salidas grandes; si no,
  im2col del lote entero y una GEMM por grupo (``im2col.py``), como la traspuesta.

Cada ``forward`` devuelve ``(out, state)``; ``state`` (``ConvState``) guarda lo que
necesita su backward y se devuelve a la reserva con ``conv_release``.
"""
import numba
import numpy as np

from .. import gemm as G
from ..workspace import workspace
from . import direct as D
from . import im2col_image as IC
from . import winograd_f2 as WG
from . import winograd_f4 as WG4
from .im2col import col2im, im2col, nol_to_ol, ol_to_nol, pad_input
from .taps import input_grad_by_taps

ALGOS = ("winograd", "winograd4", "direct", "gemm1x1", "im2col", "im2col_img")
_WINO = {"winograd": (WG, 16), "winograd4": (WG4, 36)}
DW_PARTS = 4  # sumas parciales del gradiente de pesos directo (fijas: mismo resultado con 1 o 2 hilos)
# Con C/G·kh·kw ≤ ACC64_TAPS (la primera capa sobre 1 o 3 canales, depthwise) el forward directo
# acumula en float64 y redondea una vez: el error baja de ~7·10⁻⁸ a 2,5·10⁻⁸ (el del redondeo) por
# un 20-50 % más de tiempo en capas baratas (medido en un hilo: 3→32 a 32² 6,3 → 9,4 ms; 1→32 a 28²
# 1,5 → 1,9 ms; depthwise 32 a 28² 2,2 → 2,7 ms). Tras la primera capa viene el primer max-pooling,
# donde un casi-empate mal resuelto manda el gradiente a otro píxel: medido en la CNN de CIFAR con
# imágenes reales (12 lotes de 128), 9 elementos con otro ganador en el primer pooling con PyTorch,
# 6 acumulando en float32 y 4 así (el mínimo: redondear la convolución exacta da lo mismo).
ACC64_TAPS = 32
# Bytes de los buffers de un trozo de imágenes en los backward que recorren el lote por trozos
# (Winograd): la memoria de trabajo queda acotada sea cual sea el lote (antes, las transformadas del
# lote entero: 75 MB de los 95 MB que añadía un paso de la CNN de CIFAR). Medido (∂L/∂w en un hilo,
# tiempo de CPU, ms con 1/2/4 MB/lote entero): 32→64 a 16² (lote 128) 18,3/16,6/16,4/17,2; 64→128 a 8²
# 14,6/14,3/13,2/12,3; 256→256 a 13² (lote 8) 28,0/27,3/23,7/20,1. Con 2 MB el paso de la CNN del curso
# añade 28 MB de RSS frente a 30 con 4 MB (PyTorch: 31).
CHUNK_BYTES = 2 * 2**20
# Posiciones por trabajo del forward directo: con planos pequeños se apilan varias imágenes para que
# el bucle interno (un tap sobre las posiciones) sea largo; medido en un hilo (tiempo de CPU) frente a
# una imagen por trabajo (mismo resultado bit a bit): 64→64 3×3 a 8×8 9,6 → 7,7 ms; a 5×8 7,6 → 5,6;
# 32→64 3×3 stride 2 a 16² 6,5 → 5,2 (PyTorch: 3,7, 2,3 y 2,3 ms)
STACK_POSITIONS = 1024


def conv_output_size(size: int, k: int, stride: int, pad: int, dilation: int = 1) -> int:
    """Regla de PyTorch: ⌊(size + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1."""
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


class ConvState:
    """Lo que el backward de una convolución necesita del forward. ``algo`` es el algoritmo de
    ∂L/∂x del backward y ``algo_w`` el de ∂L/∂w; ``saved`` lo que usan (la entrada ``x`` si el
    forward no calculó nada aprovechable: el backward prepara lo suyo a partir de ella)."""
    __slots__ = ("algo", "algo_w", "x_shape", "w", "stride", "padding", "dilation", "groups", "out_hw", "saved",
                 "owned", "kind")

    def __init__(self, algo, x_shape, w, stride, padding, dilation, groups, out_hw, saved, owned, kind="x",
                 algo_w=None):
        self.algo, self.algo_w, self.x_shape, self.w = algo, algo_w or algo, x_shape, w
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.out_hw, self.saved, self.owned = out_hw, saved, owned
        self.kind = kind  # qué hay en saved: "x", "padded", "winograd" (V, U) o "cols"


def choose_algo(x_shape, w_shape, stride, padding, dilation, groups):
    """Algoritmo del forward: siempre ``"direct"`` (el único equivariante por traslación; véase
    arriba). Medido en un hilo frente a PyTorch (oneDNN): 0,9-1,2× con planos de ≥ 13×13."""
    return "direct"


def choose_backward(x_shape, w_shape, stride, padding, dilation, groups):
    """Algoritmos ``(de ∂L/∂x, de ∂L/∂w)`` del backward: los más rápidos medidos (véase
    benchmarks/conv.py) entre los que no se alejan del float64 más que PyTorch. En las 3×3 con
    bastantes canales, ∂L/∂w con Winograd F(2×2) (0,1-0,3× el error de PyTorch; F(4×4) lo superaba)
    y ∂L/∂x con im2col imagen a imagen (0,5-0,7×): el ∂L/∂x de F(2×2) y el directo llegaban a 1,2×
    el de PyTorch (sumas largas o transformadas que cancelan), el de F(4×4) a 5-8×."""
    c = x_shape[1]
    o, cg, kh, kw = w_shape
    if tuple(stride) != (1, 1):
        algo = _im2col_kind(x_shape, w_shape, stride, padding, dilation)
    elif kh == kw == 3 and tuple(dilation) == (1, 1) and groups == 1 and c >= 16 and o >= 16:
        return "im2col_img", "winograd"
    elif kh == kw == 1 and tuple(padding) == (0, 0) and groups == 1:
        algo = "gemm1x1"
    elif groups > 1 or tuple(dilation) != (1, 1):
        algo = "direct"
    elif cg * kh * kw <= 160:
        # pocas entradas (las primeras capas, LeNet): im2col imagen a imagen, medido en un hilo con
        # tiempo de CPU (directo → im2col_img, ms): ∂L/∂w 3→32 3×3 a 32² (lote 128) 27 → 8; 1→32 a 28²
        # 3,7 → 1,7; 3→16 a 32² 6,3 → 3,0; 6→16 5×5 a 14² ∂L/∂x 3,2 → 1,5 y ∂L/∂w 2,8 → 2,4
        algo = "im2col_img"
    else:
        algo = _im2col_kind(x_shape, w_shape, stride, padding, dilation)
    return algo, algo


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
    falso: nadie hará backward y los buffers vuelven ya a la reserva). ``algo`` fuerza el
    algoritmo del forward y del backward; sin él, forward directo y backward de ``choose_backward``."""
    stride, padding, dilation = tuple(stride), tuple(padding), tuple(dilation)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = conv_output_size(wd, kw, stride[1], padding[1], dilation[1])
    bwd, bwd_w = (algo, algo) if algo else choose_backward(x.shape, w.shape, stride, padding, dilation, groups)
    algo = algo or choose_algo(x.shape, w.shape, stride, padding, dilation, groups)
    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(w)
    bias = _bias(b, o, x.dtype)
    out = np.empty((n, o, oh, ow), dtype=x.dtype)
    ph, pw = padding
    saved, owned, kind = (x,), [], "x"  # por defecto el backward parte de la entrada
    if algo in _WINO:
        mod, nxi = _WINO[algo]
        th, tw = mod.tiles(oh, ow)
        V = workspace.get_rows((nxi, c, n * th * tw), x.dtype, streams=nxi, group=c)
        mod.input_transform(x, ph, pw, th, tw, V)
        U = mod.weight_transform(w)
        M = workspace.get_rows((nxi, o, n * th * tw), x.dtype, streams=nxi, group=o)
        G.matmul(U, V, out=M)
        mod.output_transform(M, th, tw, bias, out)
        workspace.put_rows(M)
        saved, owned, kind = (V, U), [V], "winograd"
    elif algo == "direct":
        keep = bwd == bwd_w == "direct" and stride == (1, 1)  # su backward usa la misma entrada rellenada
        xq = _direct_forward(x, w, bias, stride, padding, dilation, groups, out, keep)
        if keep:
            saved, owned, kind = (xq,), [xq], "padded"
    elif algo == "gemm1x1":
        G.matmul(w.reshape(o, c), x.reshape(n, c, h * wd), out=out.reshape(n, o, oh * ow))
        if b is not None:
            out += bias[None, :, None, None]
    elif algo == "im2col_img":
        out = IC.forward(x, w, bias, stride, padding, dilation, groups, (oh, ow))
    elif algo == "im2col":
        cols = _im2col(x, kh, kw, stride, padding, dilation, oh, ow)
        y = workspace.get_rows((o, n * oh * ow), x.dtype)
        _group_matmul(w.reshape(o, -1), cols, y, groups)
        ol_to_nol(y, n, o, oh * ow, bias, out.reshape(n, o, oh * ow))
        workspace.put_rows(y)
        saved, owned, kind = (cols,), [cols], "cols"
    else:
        raise ValueError(f"algoritmo de convolución desconocido: {algo!r} (opciones: {ALGOS})")
    state = ConvState(bwd, x.shape, w, stride, padding, dilation, groups, (oh, ow), saved, owned, kind, bwd_w)
    if not save:
        conv_release(state)
        state = None
    return out, state


def _direct_forward(x, w, bias, stride, padding, dilation, groups, out, keep=False):
    """Núcleo directo (``direct.py``) sobre la entrada rellenada (y partida en fases si hay
    stride). Con ``keep`` devuelve ese buffer de la reserva (con filas de cola para el redondeo
    del núcleo), que el backward directo reutiliza; sin él, y con imágenes de sobra para los hilos,
    el relleno se hace dentro del núcleo imagen a imagen (``flat_corr_pad``: ni el buffer del lote
    ni su pasada aparte, que costaba ~0,2 s por paso en ResNet-20) y devuelve ``None``."""
    o, cg, kh, kw = w.shape
    n = x.shape[0]
    shape, (hq, wq) = D.phase_shape(x.shape, padding, stride)
    sh, ch = D.tap_table(cg, kh, kw, dilation[0], dilation[1], wq, stride[0], stride[1])
    wt = D.pad_taps(w.reshape(o, -1))
    if cg * kh * kw <= ACC64_TAPS:  # el núcleo acumula en el dtype de los pesos
        wt, bias = wt.astype(np.float64), bias.astype(np.float64)
    cq = cg * stride[0] * stride[1]  # canales (fases) por grupo
    threads = numba.get_num_threads()
    if not keep and o != groups and n >= 2 * threads:
        # imágenes por trabajo: las que hagan falta para ~STACK_POSITIONS posiciones (planos pequeños),
        # sin bajar de 2 trabajos por hilo
        per_job = max(1, min(-(-STACK_POSITIONS // (hq * wq)), n // (2 * threads)))
        D.flat_corr_pad(x, padding[0], padding[1], stride[0], stride[1], hq, wq, per_job, cq, o // groups,
                        sh, ch, wt, bias, out)
        return None
    xq = workspace.get(shape, x.dtype)
    D.phase_pad(x, padding[0], padding[1], stride[0], stride[1], xq)
    xf = xq.reshape(n, shape[1], -1)
    if o == groups:
        D.flat_corr1(xf, cq, sh, ch, wt, bias, out, wq, 0, 0)
    else:
        D.flat_corr(xf, cq, o // groups, sh, ch, wt, bias, out, wq, 0, 0)
    if keep:
        return xq
    workspace.put(xq)
    return None


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
            D.flat_dw(gf3, xf, cg, og, sh, ch, thi, acc)
        else:
            acc = np.zeros((DW_PARTS, o + 3, -(-ntap // 16) * 16), np.float64)
            D.flat_dw_gemm(gf3, xf, cg, og, sh, ch, ntap, thi, acc)
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
    L = h * wd
    x3 = x.reshape(n, c, L)
    g3 = g.reshape(n, o, L)
    dx = dw = None
    if need_x:
        dx = G.matmul(st.w.reshape(o, c).T, g3).reshape(n, c, h, wd)
    if need_w:
        # una GEMM por imagen (K = H·W) y la suma de las imágenes en float64: mismo tiempo que una
        # GEMM con K = N·H·W (sin trasponer g ni x) y 1,2-2,3× menos error (medido en (f))
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


def _backward_im2col(g, st, need_x, need_w, algo):
    if algo == "im2col_img":
        (x,) = st.saved
        return IC.backward(g, x, st.w, st.stride, st.padding, st.dilation, st.groups, need_x, need_w)
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
