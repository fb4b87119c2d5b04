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
  la salida ya en (N, O, H, W) con el sesgo. Todos los forward; en el backward, depthwise, grupos y
  dilatadas.
* ``"gemm1x1"``: 1×1 sin relleno: una GEMM por imagen, sin im2col (con stride, sobre la entrada
  submuestreada).
* ``"im2col_img"`` / ``"im2col"``: el caso general (stride; y las capas con pocas entradas, como
  las primeras): im2col + GEMM imagen a imagen, en la caché (``im2col_image.py``), con salidas grandes; si no,
  im2col del lote entero y una GEMM por grupo (``im2col.py``), como la traspuesta.

Cada ``forward`` devuelve ``(out, state)``; ``state`` (``ConvState``) guarda lo que
necesita su backward (``backward.py``) y se devuelve a la reserva con ``conv_release``.
"""
import numba
import numpy as np

from .. import gemm as G
from ..workspace import workspace
from . import direct as D
from . import direct_blocked as DB
from . import im2col_image as IC
from . import winograd_f2 as WG
from . import winograd_f4 as WG4
from .im2col import im2col, ol_to_nol, pad_input

ALGOS = ("winograd", "winograd4", "direct", "gemm1x1", "im2col", "im2col_img")
_WINO = {"winograd": (WG, 16), "winograd4": (WG4, 36)}
# Con C/G·kh·kw ≤ ACC64_TAPS (la primera capa sobre 1 o 3 canales, depthwise) el forward directo
# acumula en float64 y redondea una vez: el error baja de ~7·10⁻⁸ a 2,5·10⁻⁸ (el del redondeo) por
# un 20-50 % más de tiempo en capas baratas (medido en un hilo: 3→32 a 32² 6,3 → 9,4 ms; 1→32 a 28²
# 1,5 → 1,9 ms; depthwise 32 a 28² 2,2 → 2,7 ms). Tras la primera capa viene el primer max-pooling,
# donde un casi-empate mal resuelto manda el gradiente a otro píxel: medido en la CNN de CIFAR con
# imágenes reales (12 lotes de 128), 9 elementos con otro ganador en el primer pooling con PyTorch,
# 6 acumulando en float32 y 4 así (el mínimo: redondear la convolución exacta da lo mismo).
ACC64_TAPS = 32
# Posiciones por trabajo del forward directo: con planos pequeños se apilan varias imágenes para que
# el bucle interno (un tap sobre las posiciones) sea largo; medido en un hilo (tiempo de CPU) frente a
# una imagen por trabajo (mismo resultado bit a bit): 64→64 3×3 a 8×8 9,6 → 7,7 ms; a 5×8 7,6 → 5,6;
# 32→64 3×3 stride 2 a 16² 6,5 → 5,2 (PyTorch: 3,7, 2,3 y 2,3 ms)
STACK_POSITIONS = 1024
# 3×3 de stride 1 con C·O ≤ WIDE_DW_3X3 (la primera etapa de ResNet): ∂L/∂w por la rejilla ancha
# (``direct_weight_grad.wide_dw``) en vez de Winograd F(2×2). Medido en un hilo, tiempo de CPU, ms
# rejilla/Winograd/PyTorch: 16→16 a 32² (lote 128) 10,3/19,3/13,2; 16→16 a 16² 3,5/5,0/3,2; 16→32 a 32²
# (lote 64) 9,8/14,6/10,8; con más canales empata o pierde (32→32 a 16² 12,0/12,3; 32→64 a 16² 23,0/19,5;
# 64→64 a 32² 34,9/32,1). Error 0,03-0,05× el de PyTorch (Winograd 0,08-0,17×). También las primeras capas
# sobre 3 canales (im2col imagen a imagen antes): 3→16 a 32² (lote 128) 3,4/6,8 (PyTorch 3,7); 3→32 6,6/9,2
# (6,7). No la 1→32 de la CNN del curso: compilar ``wide_dw`` (2,8 s de CPU) entraría en su arranque en frío.
WIDE_DW_3X3 = 512


def wide_dw_3x3(c, o, kh, kw):
    """¿∂L/∂w de esta 3×3 (stride y dilatación 1, sin grupos) por la rejilla ancha? (``WIDE_DW_3X3``)"""
    return kh == kw == 3 and c >= 3 and o >= 16 and c * o <= WIDE_DW_3X3


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
    (salvo con pocos canales, ``WIDE_DW_3X3``: por la rejilla ancha, 0,03-0,05×)
    y ∂L/∂x con im2col imagen a imagen (0,5-0,7×): el ∂L/∂x de F(2×2) y el directo llegaban a 1,2×
    el de PyTorch (sumas largas o transformadas que cancelan), el de F(4×4) a 5-8×."""
    c = x_shape[1]
    o, cg, kh, kw = w_shape
    if kh == kw == 1 and tuple(padding) == (0, 0) and groups == 1:
        # también con stride (los atajos de ResNet): ∂L/∂w con una GEMM por imagen sumada en float64;
        # el im2col del lote entero la hacía con K = N·OH·OW en float32 y se alejaba del float64 1,4× lo
        # que PyTorch (caso "conv_s" de tests/test_precision_kernels.py)
        algo = "gemm1x1"
    elif tuple(stride) != (1, 1):
        algo = _im2col_kind(x_shape, w_shape, stride, padding, dilation)
    elif kh == kw == 3 and tuple(dilation) == (1, 1) and groups == 1 and c >= 16 and o >= 16:
        return "im2col_img", ("im2col_img" if wide_dw_3x3(c, o, kh, kw) else "winograd")
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
        xs = _subsample(x, stride)
        G.matmul(w.reshape(o, c), xs.reshape(n, c, oh * ow), out=out.reshape(n, o, oh * ow))
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


def _images_per_job(positions, n, threads):
    """Imágenes por trabajo de ``flat_corr_pad``: las que quepan enteras en ``STACK_POSITIONS``
    posiciones de la rejilla (planos pequeños: un solo trozo de ``direct.TC``), sin bajar de 2 trabajos
    por hilo. Redondeando hacia arriba, el último trozo de cada trabajo tenía unas decenas de
    posiciones; medido (un hilo, CPU, forward, hacia abajo/hacia arriba): 64→64 a 8² 0,95, 32→32 a 16²
    0,97, 64→128 a 8² 0,97, 32→64 a 13² (CNN del curso) 0,91; con 2 048 posiciones, 0,99-1,03."""
    return max(1, min(STACK_POSITIONS // positions, n // (2 * threads)))


def _direct_forward(x, w, bias, stride, padding, dilation, groups, out, keep=False):
    """Núcleo directo (``direct.py``) sobre la entrada rellenada (y partida en fases si hay
    stride). Con ``keep`` devuelve ese buffer de la reserva (con filas de cola para el redondeo
    del núcleo), que el backward directo reutiliza; sin él, y con imágenes de sobra para los hilos,
    el relleno se hace dentro del núcleo imagen a imagen (``flat_corr_pad``: ni el buffer del lote
    ni su pasada aparte, que costaba ~0,2 s por paso en ResNet-20) y devuelve ``None``."""
    o, cg, kh, kw = w.shape
    n = x.shape[0]
    if kh == kw == 1 and padding == (0, 0) and stride != (1, 1) and not keep:
        # 1×1 sin relleno (los atajos de ResNet): sólo cuenta la fase (0, 0) de la entrada; se toma ya
        # submuestreada en vez de copiar todas las fases (las mismas operaciones: el mismo resultado)
        x = np.ascontiguousarray(x[:, :, ::stride[0], ::stride[1]])
        stride = (1, 1)
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
        if stride == (1, 1):  # relleno compartido entre imágenes y filas vecinas: menos posiciones de más
            hq, wq = D.compact_pitch(x.shape, padding, dilation, (kh, kw))
            sh, ch = D.tap_table(cg, kh, kw, dilation[0], dilation[1], wq)
        per_job = _images_per_job(hq * wq, n, threads)
        if DB.applies(x, w.shape, stride, dilation, groups, keep):  # muchos canales, planos pequeños: NCHW8c
            DB.forward(x, w, bias, padding, hq, wq, per_job, out)
            return None
        if wt.dtype != x.dtype:  # entrada float32 acumulando en float64: los pesos float64 van aparte
            lo_w, lo_b, hi_w, hi_b = wt[:0].astype(x.dtype), bias[:0].astype(x.dtype), wt, bias
        else:  # (una sola especialización del núcleo para las dos clases de capa)
            lo_w, lo_b, hi_w, hi_b = wt, bias, np.empty((0, wt.shape[1])), np.empty(0)
        D.flat_corr_pad(x, padding[0], padding[1], stride[0], stride[1], hq, wq, per_job, cq, o // groups,
                        sh, ch, lo_w, lo_b, hi_w, hi_b, out)
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


def _subsample(x, stride):
    """``x[:, :, ::sh, ::sw]`` contiguo: lo único que lee una 1×1 sin relleno con stride."""
    if tuple(stride) == (1, 1):
        return x
    return np.ascontiguousarray(x[:, :, ::stride[0], ::stride[1]])


def _im2col(x, kh, kw, stride, padding, dilation, oh, ow):
    n, c = x.shape[:2]
    xp, tmp = _padded(x, *padding)
    cols = workspace.get_rows((c * kh * kw, n * oh * ow), x.dtype, streams=kh * kw)
    im2col(xp, kh, kw, stride[0], stride[1], dilation[0], dilation[1], oh, ow, cols)
    if tmp:
        workspace.put(xp)
    return cols
