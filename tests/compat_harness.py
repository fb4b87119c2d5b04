"""La tarjeta de compatibilidad con PyTorch sobre su propia base de datos OpInfo.

``torch.testing._internal.common_methods_invocations.op_db`` (viene en la rueda de torch) describe
cada operador de PyTorch con sus entradas de ejemplo (``sample_inputs``), sus entradas erróneas
(``error_inputs``) y si tiene derivada. Para cada OpInfo cuyo operador ofrece tinygrad_es (como
``torch.X``, ``Tensor.X`` o ``F.X``, por su nombre o un alias) este módulo:

1. convierte cada entrada de ejemplo de torch a tinygrad_es (los tensores con su dtype y
   ``requires_grad``; el mismo tensor de torch dos veces es el mismo tensor nuestro),
2. llama a los dos y compara valor (``assert_close`` con las tolerancias por defecto de PyTorch para
   el dtype), dtype y forma de cada salida,
3. con entradas de coma flotante que piden gradiente, compara el gradiente de cada entrada para un
   mismo gradiente de salida aleatorio (y, si ``second_order``, el de segundo orden),
4. ejecuta cada ``error_input`` y comprueba que tinygrad_es también lanza (y si la clase coincide).

Cada fallo se clasifica: ``unsupported`` (NotImplementedError, TypeError por un argumento que no
conocemos, un dtype que no tenemos), ``error`` (otra excepción donde PyTorch funciona) o
**silencioso**: ``value``, ``dtype``, ``shape``, ``structure`` (otra clase de salida) o ``grad``.

Lo usan ``tests/test_compat_opinfo.py`` (una muestra acotada, en CI) y ``benchmarks/compat.py``
(el barrido completo, que escribe ``benchmarks/results/compat.json``). Las diferencias conocidas
se excusan SÓLO en ``tests/known_differences.md`` (``load_known``), cada una con su razón.
"""
from __future__ import annotations

import builtins
import contextlib
import dataclasses
import fnmatch
import math
import pathlib
import re
import signal
import types
import warnings

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
KNOWN_FILE = HERE / "known_differences.md"

SILENT = ("value", "dtype", "shape", "structure", "grad", "grad2")
KINDS = ("pass", "unsupported", "error") + SILENT
DTYPES = ("float32", "float64", "int64", "bool")

# --------------------------------------------------------------------------------------------
# familias (la tabla del README)
# --------------------------------------------------------------------------------------------
FAMILIES = ("pointwise", "reductions", "shape/indexing", "linalg", "nn.activations", "nn.losses",
            "nn.conv/pool", "nn.norm", "nn.padding", "nn.interpolation", "nn.other", "other")
COURSE = FAMILIES[:10]

_REDUCTIONS = set("""sum mean prod var std var_mean std_mean amax amin aminmax max min argmax argmin logsumexp
norm median nanmedian mode kthvalue count_nonzero all any nansum nanmean cumsum cumprod cummax cummin
logcumsumexp softmax log_softmax quantile nanquantile""".split())
_SHAPE = set("""reshape reshape_as view view_as permute transpose swapaxes swapdims squeeze unsqueeze flatten
unflatten expand expand_as broadcast_to broadcast_tensors repeat tile cat stack hstack vstack dstack
column_stack row_stack split split_with_sizes tensor_split hsplit vsplit dsplit chunk unbind flip fliplr
flipud roll rot90 narrow narrow_copy select select_scatter slice_scatter diagonal_scatter index_select
index_add index_copy index_fill index_put index_reduce gather scatter scatter_add scatter_reduce take
take_along_dim masked_fill masked_scatter masked_select __getitem__ tril triu diag diag_embed diagonal
diagflat movedim moveaxis T mT H mH t contiguous clone nonzero argwhere where unfold unfold_copy
atleast_1d atleast_2d atleast_3d ravel squeeze_copy unsqueeze_copy t_copy expand_copy permute_copy
view_copy transpose_copy flatten block_diag trace tril_indices triu_indices cartesian_prod combinations
sort argsort msort topk unique unique_consecutive searchsorted bucketize resize_ resize_as_ as_strided
as_strided_scatter new_empty new_zeros new_ones new_full new_empty_strided empty_like zeros_like
ones_like full_like meshgrid""".split())
_LINALG = set("""matmul mm bmm mv dot vdot inner outer ger kron addmm addmv addbmm baddbmm addr tensordot
einsum cross det logdet slogdet inverse cholesky cholesky_inverse cholesky_solve lu lu_solve lu_unpack
svd qr pinverse matrix_exp triangular_solve chain_matmul geqrf ormqr orgqr symeig""".split())
_LOSS = re.compile(r"(_loss|cross_entropy|nll_loss|kl_div|binary_cross_entropy.*)$")
_ACT = set("""relu relu6 elu selu celu gelu silu mish softplus softsign softshrink hardshrink tanhshrink
hardtanh hardswish hardsigmoid leaky_relu prelu rrelu glu logsigmoid threshold softmin softmax log_softmax
sigmoid tanh""".split())
_CONVPOOL = re.compile(r"(conv\w*|\w*pool\w*|unfold|fold|pixel_shuffle|pixel_unshuffle|channel_shuffle)$")
_NORM = set("batch_norm layer_norm group_norm instance_norm rms_norm local_response_norm normalize".split())
_INTERP = re.compile(r"(interpolate|upsample\w*|grid_sample|affine_grid)$")


def family(op) -> str:
    name = op.name
    base = name.split(".")[-1]
    if name.startswith("nn.functional."):
        fn = name[len("nn.functional."):].split(".")[0]
        if _LOSS.search(fn):
            return "nn.losses"
        if fn in _ACT:
            return "nn.activations"
        if _CONVPOOL.fullmatch(fn):
            return "nn.conv/pool"
        if fn in _NORM:
            return "nn.norm"
        if fn == "pad":
            return "nn.padding"
        if _INTERP.fullmatch(fn):
            return "nn.interpolation"
        return "nn.other"
    if name.startswith("linalg.") or name in _LINALG:
        return "linalg"
    if name in ("softmax", "log_softmax", "sigmoid", "special.softmax", "special.log_softmax"):
        return "nn.activations"
    cls = type(op).__name__
    if cls == "ReductionOpInfo" or base in _REDUCTIONS:
        return "reductions"
    if cls in ("UnaryUfuncInfo", "BinaryUfuncInfo") and not name.startswith(("special.", "fft.")):
        return "pointwise"
    if cls == "ShapeFuncInfo" or name in _SHAPE:
        return "shape/indexing"
    if name in ("clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "nan_to_num",
                "isclose", "allclose", "equal", "where", "logical_not", "isin", "heaviside", "copysign",
                "sgn", "sign", "float_power", "polar", "xlogy", "frexp", "ldexp"):
        return "pointwise"
    return "other"


def full_name(op) -> str:
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


# --------------------------------------------------------------------------------------------
# resolver: ¿qué ofrece tinygrad_es para este OpInfo?
# --------------------------------------------------------------------------------------------
def _lookup(ns, dotted):
    obj = ns
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def resolve(op, tg):
    """``(callable, cómo)`` con la versión de tinygrad_es del operador de ``op`` o ``None``.

    ``cómo`` es ``"torch.X"``, ``"F.X"``, ``"Tensor.X"`` o ``"lambda"`` (los OpInfo cuyo ``op`` es
    una lambda de PyTorch como ``lambda x, *a: x.view(*a)``: se ejecuta la misma lambda con
    ``torch``/``F`` apuntando a tinygrad_es)."""
    fn = op.op
    tname = type(fn).__name__
    if getattr(fn, "__name__", "") == "<lambda>" or (
            tname == "function" and getattr(fn, "__module__", "").endswith("common_methods_invocations")):
        try:
            env = dict(fn.__globals__)
            env.update(torch=tg, F=tg.nn.functional)
            new = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
            new.__kwdefaults__ = fn.__kwdefaults__
        except Exception:  # noqa: BLE001
            return None
        # sólo si los nombres que usa existen en tinygrad_es (x.view → Tensor.view, torch.einsum → tg.einsum)
        # sólo si cada nombre que usa existe (x.view → Tensor.view, torch.einsum → tinygrad_es.einsum)
        for attr in set(fn.__code__.co_names) - {"torch", "F"}:
            if attr in env or hasattr(builtins, attr):
                continue
            if all(getattr(ns, attr, None) is None for ns in (tg, tg.nn, tg.nn.functional, tg.Tensor,
                                                              getattr(tg, "linalg", None), getattr(tg, "fft", None))):
                return None
        return new, "lambda"
    if tname in ("_JittedFunction", "OpOverload", "OpOverloadPacket"):
        return None
    names = [op.name] + [a.name for a in getattr(op, "aliases", ())]
    method_only = tname in ("method_descriptor", "wrapper_descriptor", "getset_descriptor") or \
        getattr(fn, "__module__", "") == "torch._tensor"
    for n in names:
        if n.startswith("nn.functional."):
            f = _lookup(tg.nn.functional, n[len("nn.functional."):])
            if callable(f):
                return f, "F." + n[len("nn.functional."):]
            continue
        if not method_only:
            f = _lookup(tg, n)
            if callable(f) and not isinstance(f, type):
                return f, "torch." + n
        if "." not in n and callable(getattr(tg.Tensor, n, None)):
            return getattr(tg.Tensor, n), "Tensor." + n
    return None


# --------------------------------------------------------------------------------------------
# conversión torch → tinygrad_es
# --------------------------------------------------------------------------------------------
class Unconvertible(Exception):
    """Un argumento de la muestra que tinygrad_es no puede representar (p. ej. un dtype complejo)."""


def make_converter(torch, tg):
    memo = {}

    def dtype_of(dt):
        name = str(dt).split(".")[-1]
        d = getattr(tg, name, None)
        if d is None or not isinstance(d, tg.dtype):
            raise Unconvertible(f"dtype {name}")
        return d

    def conv(x):
        if isinstance(x, torch.Tensor):
            key = id(x)
            if key in memo:
                return memo[key][1]
            if x.layout != torch.strided:
                raise Unconvertible(f"tensor {x.dtype}/{x.layout}")
            d = dtype_of(x.dtype)
            try:
                arr = x.detach().resolve_conj().resolve_neg().numpy().copy()
                t = tg.tensor(arr, dtype=d)
            except Exception as e:  # noqa: BLE001 - p. ej. más de 32 dimensiones para numpy
                raise Unconvertible(f"tensor {tuple(x.shape)}: {e}") from None
            if x.requires_grad:
                t.requires_grad_(True)
            memo[key] = (x, t)  # se guarda x para que su id no se reutilice
            return t
        if isinstance(x, torch.dtype):
            return dtype_of(x)
        if isinstance(x, torch.Size):
            return tuple(x)
        if isinstance(x, torch.device):
            return str(x)
        if isinstance(x, torch.memory_format) and isinstance(getattr(tg, str(x).split(".")[-1], None),
                                                             getattr(tg, "memory_format", ())):
            return getattr(tg, str(x).split(".")[-1])
        if isinstance(x, torch.layout) and x == torch.strided and getattr(tg, "strided", None) is not None:
            return tg.strided
        if isinstance(x, (torch.memory_format, torch.layout, torch.Generator)):
            raise Unconvertible(type(x).__name__)
        if isinstance(x, torch.nn.Module):  # p. ej. distance_function=nn.PairwiseDistance(): la nuestra
            cls = getattr(tg.nn, type(x).__name__, None)
            if cls is None or any(True for _ in x.parameters()) or any(True for _ in x.buffers()):
                raise Unconvertible(type(x).__name__)
            m = cls()
            for name in getattr(x, "__constants__", ()):
                if hasattr(m, name):
                    setattr(m, name, conv(getattr(x, name)))
            return m
        if dataclasses.is_dataclass(x) and not isinstance(x, type):  # p. ej. nn.LinearCrossEntropyOptions: la nuestra
            cls = getattr(tg.nn, type(x).__name__, None)
            if cls is None:
                raise Unconvertible(type(x).__name__)
            return cls(**{f.name: conv(getattr(x, f.name)) for f in dataclasses.fields(x)})
        if isinstance(x, (list, tuple)):
            out = [conv(v) for v in x]
            return type(x)(out) if type(x) in (list, tuple) else type(x)(*out)
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, slice):
            return slice(conv(x.start), conv(x.stop), conv(x.step))
        return x

    conv.memo = memo
    return conv


# --------------------------------------------------------------------------------------------
# comparación
# --------------------------------------------------------------------------------------------
class Mismatch(Exception):
    def __init__(self, kind, msg):
        super().__init__(msg)
        self.kind = kind


def _flatten_out(x, torch, tg):
    """Lista de hojas (tensores o números) de una salida: tuplas, listas, named tuples."""
    if isinstance(x, (torch.Tensor, tg.Tensor)):
        return [x]
    if isinstance(x, (tuple, list)) and not isinstance(x, torch.Size) and not isinstance(x, tg.Size):
        out = []
        for v in x:
            out.extend(_flatten_out(v, torch, tg))
        return out
    return [x]


def _to_numpy(t, torch, tg):
    if isinstance(t, torch.Tensor):
        return _tnp(t)
    if isinstance(t, tg.Tensor):
        return np.asarray(t.detach()._data)
    return t


def _tnp(t):
    """ndarray de un tensor de torch (también los ZeroTensor que devuelve ``autograd.grad``)."""
    return t.detach().resolve_conj().resolve_neg().numpy(force=True)


def tolerances(torch, dtype_name):
    # las de torch.testing.assert_close por defecto
    return {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
            "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}.get(dtype_name, (0, 0))


# operadores aleatorios (o de memoria sin inicializar): sólo se comparan forma, dtype y estructura
_RANDOM = re.compile(r"(empty\w*|new_empty\w*|rand\w*|normal\w*|uniform|bernoulli|multinomial|exponential|"
                     r"geometric|cauchy|log_normal|nn\.functional\.(\w*dropout\w*|rrelu))(\..*)?$")


def is_random(op) -> bool:
    return bool(_RANDOM.fullmatch(op.name))


def op_status(rec) -> str:
    """La clase de un operador en la tarjeta: ``differs`` (algún resultado distinto sin error: valor,
    dtype, forma, estructura o gradiente), ``error`` (alguna muestra que PyTorch acepta lanza aquí),
    ``matches`` (todas coinciden) o ``untested`` (ninguna muestra aplicable o que pase). Los fallos excusados en
    ``known_differences.md`` no cuentan."""
    live = [f for f in rec["failures"] if not f.get("excused") and f["kind"] != "error_input"]
    if any(f["kind"] in SILENT for f in live):
        return "differs"
    if any(f["kind"] in ("unsupported", "error") for f in live):
        return "error"
    if not rec["samples"].get("pass"):  # ninguna muestra aplicable (o todas excusadas)
        return "untested"
    return "matches"


def compare_values(ref, got, torch, tg, what="salida", values=True):
    """Lanza ``Mismatch`` si ``got`` (tinygrad_es) no es ``ref`` (torch): estructura, forma, dtype, valor."""
    R, G = _flatten_out(ref, torch, tg), _flatten_out(got, torch, tg)
    if len(R) != len(G):
        raise Mismatch("structure", f"{what}: {len(R)} resultados en torch y {len(G)} en tinygrad_es")
    for i, (r, g) in enumerate(zip(R, G)):
        if isinstance(r, torch.Tensor):
            if not isinstance(g, tg.Tensor):
                if isinstance(g, (int, float, bool, np.generic)) and r.ndim == 0:
                    raise Mismatch("structure", f"{what}[{i}]: torch da un tensor 0-D y tinygrad_es {type(g).__name__}")
                raise Mismatch("structure", f"{what}[{i}]: torch da un tensor y tinygrad_es {type(g).__name__}")
            if tuple(r.shape) != tuple(g.shape):
                raise Mismatch("shape", f"{what}[{i}]: forma {tuple(r.shape)} en torch y {tuple(g.shape)}")
            rn = str(r.dtype).split(".")[-1]
            gn = str(g.dtype).split(".")[-1]
            if rn != gn:
                raise Mismatch("dtype", f"{what}[{i}]: dtype {rn} en torch y {gn}")
            if values:
                a, b = _to_numpy(r, torch, tg), _to_numpy(g, torch, tg)
                _close(a, b, rn, f"{what}[{i}]", torch)
        elif isinstance(r, (bool, int, float)) or r is None:
            if isinstance(g, tg.Tensor):
                raise Mismatch("structure", f"{what}[{i}]: torch da {type(r).__name__} y tinygrad_es un tensor")
            if isinstance(r, bool) != isinstance(g, (bool, np.bool_)) or (r is None) != (g is None):
                raise Mismatch("structure", f"{what}[{i}]: torch da {r!r} y tinygrad_es {g!r}")
            if r is not None and not (r == g or (isinstance(r, float) and math.isnan(r) and math.isnan(g))):
                if isinstance(r, float) and math.isclose(r, g, rel_tol=1.3e-6, abs_tol=1e-5):
                    continue
                raise Mismatch("value", f"{what}[{i}]: torch da {r!r} y tinygrad_es {g!r}")
        elif isinstance(r, torch.Size):
            if tuple(r) != tuple(g):
                raise Mismatch("value", f"{what}[{i}]: torch da {tuple(r)} y tinygrad_es {g!r}")
        else:
            if r != g:
                raise Mismatch("value", f"{what}[{i}]: torch da {r!r} y tinygrad_es {g!r}")


def _close(a, b, dtype_name, what, torch, kind="value"):
    rtol, atol = tolerances(torch, dtype_name)
    a = np.asarray(a)
    b = np.asarray(b)
    if kind in ("grad", "grad2") and a.size and a.dtype.kind == "f":
        # un gradiente es una suma de productos (matmul, conv, expand): su error de redondeo es
        # relativo al mayor sumando, no al resultado; se escala atol con el mayor gradiente.
        with np.errstate(all="ignore"):
            fin = np.abs(a[np.isfinite(a)])
        atol = atol * max(1.0, float(fin.max()) if fin.size else 1.0)
    if a.dtype.kind in "biu":
        if not np.array_equal(a, b):
            bad = np.argwhere(a != b)[:1]
            raise Mismatch(kind, f"{what}: {int((a != b).sum())} valores distintos (p. ej. en {bad.tolist()}: "
                                 f"torch {a[tuple(bad[0])] if bad.size else ''}, tinygrad_es "
                                 f"{b[tuple(bad[0])] if bad.size else ''})")
        return
    if a.dtype.kind == "c" or b.dtype.kind == "c":  # complejos: parte real e imaginaria, una tras otra
        a, b = a.astype(np.complex128), b.astype(np.complex128)
        a = np.stack([a.real, a.imag], -1)
        b = np.stack([b.real, b.imag], -1)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(all="ignore"):
        both_nan = np.isnan(a64) & np.isnan(b64)
        same_inf = np.isinf(a64) & (a64 == b64)
        ok = both_nan | same_inf | (np.abs(a64 - b64) <= atol + rtol * np.abs(a64))
    if not ok.all():
        idx = tuple(np.argwhere(~ok)[0])
        raise Mismatch(kind, f"{what}: {int((~ok).sum())} de {ok.size} valores distintos (p. ej. en {list(idx)}: "
                             f"torch {a64[idx]!r}, tinygrad_es {b64[idx]!r}; rtol {rtol}, atol {atol})")


# --------------------------------------------------------------------------------------------
# ejecutar una muestra
# --------------------------------------------------------------------------------------------
class Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return

    def handler(signum, frame):
        raise Timeout(f"más de {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def classify_exception(e) -> str:
    if isinstance(e, (NotImplementedError, Unconvertible)):
        return "unsupported"
    if isinstance(e, TypeError) and re.search(r"unexpected keyword|got an unexpected|positional argument|"
                                              r"missing \d+ required|takes \d+|no (está|es) soportad|no admit",
                                              str(e)):
        return "unsupported"
    if isinstance(e, AttributeError):
        return "unsupported"
    return "error"


def _float_leaves(x, torch):
    return [t for t in _flatten_out(x, torch, torch) if isinstance(t, torch.Tensor) and t.is_floating_point()
            and t.requires_grad]


def _torch_fractional_samples(op, sample, torch):
    """Las muestras ``u`` que sortea ``F.fractional_max_pool{2,3}d`` de PyTorch cuando no se le dan: el OpInfo
    lo llama tras ``manual_seed(42)`` (``wrapper_set_seed``) y dibuja ``rand(N, C, n)``. Nuestro generador no
    es el de PyTorch, así que se le pasan las mismas con ``_random_samples=``: con ellas la salida y los
    índices tienen que ser los de PyTorch, bit a bit. ``None`` para el resto de operadores."""
    m = re.fullmatch(r"nn\.functional\.fractional_max_pool([23])d", op.name)
    if not m or "_random_samples" in sample.kwargs or not isinstance(sample.input, torch.Tensor):
        return None
    n, x = int(m.group(1)), sample.input
    if x.dim() < n + 1:
        return None
    batch = 1 if x.dim() == n + 1 else x.size(0)
    return torch.rand(batch, x.size(-n - 1), n, dtype=x.dtype, generator=torch.Generator().manual_seed(42))


def run_sample(op, ours, sample, torch, tg, dtype_name, check_grad=True, second_order=False, seed=0):
    """``(tipo, mensaje)`` de una muestra: ``("pass", "")`` si todo coincide."""
    conv = make_converter(torch, tg)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = op(sample.input, *sample.args, **sample.kwargs)
    except Exception:  # noqa: BLE001 - PyTorch no la acepta: la muestra no cuenta
        return "skip", "PyTorch lanza"
    try:
        a_in = conv(sample.input)
        a_args = conv(sample.args)
        a_kw = conv(sample.kwargs)
        drawn = _torch_fractional_samples(op, sample, torch)
        if drawn is not None:
            a_kw["_random_samples"] = conv(drawn)
    except Unconvertible as e:
        return "unsupported", f"argumento no representable: {e}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = ours(a_in, *a_args, **a_kw)
    except Timeout:
        raise
    except Exception as e:  # noqa: BLE001
        return classify_exception(e), f"{type(e).__name__}: {str(e)[:300]}"
    try:
        ref_p = sample.output_process_fn_grad(ref)
        try:
            got_p = sample.output_process_fn_grad(got)
        except Exception:  # noqa: BLE001 - la función de salida usa algo de torch
            got_p = got
        compare_values(ref_p, got_p, torch, tg, values=not is_random(op))
    except Mismatch as m:
        return m.kind, str(m)
    if is_random(op) or not (check_grad and dtype_name.startswith("float") and op.supports_autograd):
        return "pass", ""
    return _check_grad(ref_p, got_p, conv, torch, tg, dtype_name, second_order, seed)


def _check_grad(ref, got, conv, torch, tg, dtype_name, second_order, seed):
    leaves = [(x, t) for x, t in conv.memo.values() if x.requires_grad and x.is_floating_point()]
    if not leaves:
        return "pass", ""
    R, G = _flatten_out(ref, torch, tg), _flatten_out(got, torch, tg)
    pairs = [(r, g) for r, g in zip(R, G) if isinstance(r, torch.Tensor) and r.requires_grad
             and r.is_floating_point()]
    if not pairs:
        return "pass", ""
    gen = torch.Generator().manual_seed(seed)
    gouts = [torch.randn(r.shape, generator=gen, dtype=r.dtype) for r, _ in pairs]
    try:
        tgrads = torch.autograd.grad([r for r, _ in pairs], [x for x, _ in leaves], gouts, allow_unused=True,
                                     create_graph=second_order)
    except Exception:  # noqa: BLE001 - torch no deriva esta muestra
        return "pass", ""
    outs, gs = [], []
    for (r, g), go in zip(pairs, gouts):
        if not isinstance(g, tg.Tensor) or not g.requires_grad:
            return "grad", "la salida de tinygrad_es no tiene grafo (requires_grad=False) y la de torch sí"
        outs.append(g)
        gs.append(tg.tensor(go.numpy(), dtype=g.dtype))
    try:
        ograds = tg.autograd.grad(outs, [t for _, t in leaves], gs, allow_unused=True, create_graph=second_order)
    except Exception as e:  # noqa: BLE001
        return ("unsupported" if classify_exception(e) == "unsupported" else "error"), \
            f"backward: {type(e).__name__}: {str(e)[:300]}"
    for i, ((x, t), tg_g, og) in enumerate(zip(leaves, tgrads, ograds)):
        a = np.zeros(tuple(x.shape)) if tg_g is None else _tnp(tg_g)
        b = np.zeros(tuple(x.shape)) if og is None else np.asarray(og.detach()._data)
        if a.shape != b.shape:
            return "grad", f"gradiente de la entrada {i}: forma {a.shape} en torch y {b.shape}"
        try:
            _close(a, b, str(x.dtype).split(".")[-1], f"gradiente de la entrada {i}", torch, kind="grad")
        except Mismatch as m:
            return m.kind, str(m)
    if second_order:
        return _check_grad2(leaves, tgrads, ograds, torch, tg, dtype_name, seed)
    return "pass", ""


def _check_grad2(leaves, tgrads, ograds, torch, tg, dtype_name, seed):
    """Segundo orden: ∂/∂x de Σ v·(∂L/∂x) con un v aleatorio, en torch y en tinygrad_es."""
    gen = torch.Generator().manual_seed(seed + 1)
    tr, orr, vs = [], [], []
    for (x, t), a, b in zip(leaves, tgrads, ograds):
        if a is None or not a.requires_grad:
            continue
        if b is None or not b.requires_grad:
            return "grad2", "la derivada de tinygrad_es no tiene grafo (create_graph=True) y la de torch sí"
        v = torch.randn(a.shape, generator=gen, dtype=a.dtype)
        tr.append(a)
        orr.append(b)
        vs.append(v)
    if not tr:
        return "pass", ""
    try:
        t2 = torch.autograd.grad(tr, [x for x, _ in leaves], vs, allow_unused=True)
    except Exception:  # noqa: BLE001
        return "pass", ""
    try:
        o2 = tg.autograd.grad(orr, [t for _, t in leaves], [tg.tensor(v.numpy()) for v in vs], allow_unused=True)
    except Exception as e:  # noqa: BLE001
        return ("unsupported" if classify_exception(e) == "unsupported" else "error"), \
            f"segundo orden: {type(e).__name__}: {str(e)[:300]}"
    for i, (x, a, b) in enumerate(zip([x for x, _ in leaves], t2, o2)):
        a = np.zeros(tuple(x.shape)) if a is None else _tnp(a)
        b = np.zeros(tuple(x.shape)) if b is None else np.asarray(b.detach()._data)
        try:
            _close(a, b, dtype_name, f"derivada segunda de la entrada {i}", torch, kind="grad2")
        except Mismatch as m:
            return m.kind, str(m)
    return "pass", ""


def run_error_input(op, ours, err, torch, tg):
    """``(tipo, mensaje)``: ``"matched"`` (misma clase), ``"raised"`` (otra clase), ``"silent"``
    (no lanza), ``"skip"``."""
    conv = make_converter(torch, tg)
    s = err.sample_input
    try:
        a_in, a_args, a_kw = conv(s.input), conv(s.args), conv(s.kwargs)
    except Unconvertible as e:
        return "skip", str(e)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours(a_in, *a_args, **a_kw)
    except Timeout:
        raise
    except Exception as e:  # noqa: BLE001
        if isinstance(e, err.error_type):
            return "matched", ""
        return "raised", f"{type(e).__name__} en lugar de {err.error_type.__name__}: {str(e)[:200]}"
    return "silent", f"no lanza (torch: {err.error_type.__name__} «{err.error_regex[:120]}»)"


def run_op(op, tg, ours=None, how=None, dtypes=DTYPES, max_samples=None, max_errors=None, timeout=60,
           second_order=False, known=()):
    """Pasa todas las muestras (y entradas erróneas) de un OpInfo por tinygrad_es y PyTorch.

    ``ours`` sustituye a la función que ``resolve`` encontraría (así un test comprueba que la tarjeta
    detecta una implementación equivocada). Devuelve el registro del operador (``op``, ``family``,
    ``as``, contadores ``samples``/``grads``/``errors``, ``failures`` y ``status``) o ``None`` si
    tinygrad_es no lo ofrece."""
    import collections

    import torch
    name = full_name(op)
    if ours is None:
        res = resolve(op, tg)
        if res is None:
            return None
        ours, how = res
    rec = {"op": name, "family": family(op), "as": how or getattr(ours, "__name__", "?"),
           "samples": collections.Counter(), "grads": collections.Counter(), "errors": collections.Counter(),
           "failures": []}
    supported = {str(d).split(".")[-1] for d in op.supported_dtypes("cpu")}
    for dname in dtypes:
        if dname not in supported:
            continue
        tdt = getattr(torch, dname)
        grad = dname.startswith("float") and op.supports_autograd
        try:
            torch.manual_seed(0)
            samples = []
            for s in op.sample_inputs("cpu", tdt, requires_grad=grad):
                samples.append(s)
                if max_samples and len(samples) >= max_samples:
                    break
        except Exception as e:  # noqa: BLE001
            rec["failures"].append({"dtype": dname, "kind": "skip", "msg": f"sample_inputs: {e}"[:200]})
            continue
        for i, s in enumerate(samples):
            torch.manual_seed(i)
            tg.manual_seed(i)
            try:
                with time_limit(timeout):
                    kind, msg = run_sample(op, ours, s, torch, tg, dname, second_order=second_order, seed=i)
            except Timeout as e:
                kind, msg = "error", f"Timeout: {e}"
            if kind == "skip":
                continue
            rec["samples"]["total"] += 1
            # la muestra cuenta como «pasa» en el valor si sólo falla su gradiente
            rec["samples"]["pass" if kind in ("grad", "grad2") else kind] += 1
            if grad and kind in ("pass", "grad", "grad2"):
                rec["grads"]["total"] += 1
                rec["grads"][kind] += 1
            if kind != "pass":
                desc = describe(s)
                rec["failures"].append({"dtype": dname, "kind": kind, "sample": desc[:300], "msg": msg,
                                        "excused": excused(known, name, kind, dname, desc + " " + msg)})
    try:
        errs = list(op.error_inputs("cpu"))
    except Exception:  # noqa: BLE001
        errs = []
    for e in errs[:max_errors] if max_errors else errs:
        try:
            with time_limit(timeout):
                kind, msg = run_error_input(op, ours, e, torch, tg)
        except Timeout as ex:
            kind, msg = "silent", f"Timeout: {ex}"
        if kind == "skip":
            continue
        rec["errors"]["total"] += 1
        rec["errors"][kind] += 1
        if kind == "silent":
            desc = describe(e.sample_input)
            rec["failures"].append({"dtype": "*", "kind": "error_input", "sample": desc[:300], "msg": msg,
                                    "excused": excused(known, name, "error_input", "*", desc + " " + msg)})
    rec["status"] = op_status(rec)
    return rec


# --------------------------------------------------------------------------------------------
# diferencias conocidas
# --------------------------------------------------------------------------------------------
_KIND_ES = {"valor": "value", "dtype": "dtype", "forma": "shape", "estructura": "structure",
            "gradiente": "grad", "gradiente2": "grad2", "no soportado": "unsupported", "error": "error",
            "error_input": "error_input", "*": "*"}


def load_known(path=KNOWN_FILE):
    """Las filas de la tabla de ``known_differences.md``: ``[(patrón de operador, tipo, dtypes, patrón
    de muestra, razón)]``.

    Formato de cada fila: ``| operador | tipo | dtypes | muestra | razón |``; el operador admite
    comodines (``nn.functional.pad.*``), el tipo es ``valor``, ``dtype``, ``forma``, ``estructura``,
    ``gradiente``, ``gradiente2``, ``no soportado``, ``error``, ``error_input`` o ``*``; dtypes es
    ``*`` o una lista separada por comas; muestra es ``*`` o un texto que debe aparecer en la
    descripción de la muestra o del fallo. Toda fila necesita una razón."""
    rows = []
    if not pathlib.Path(path).exists():
        return rows
    in_table = False
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s.startswith("|"):
            in_table = False
            continue
        cells = [c.strip().strip("`") for c in s.strip("|").split("|")]
        if len(cells) != 5:
            continue
        if cells[0] == "operador" or set(cells[0]) <= set("-: "):
            in_table = True
            continue
        if not in_table:
            continue
        opat, kind, dts, spat, reason = cells
        if kind not in _KIND_ES:
            raise ValueError(f"known_differences.md: tipo desconocido {kind!r} en la fila {line!r}")
        if not reason:
            raise ValueError(f"known_differences.md: la fila {line!r} no tiene razón")
        rows.append((opat, _KIND_ES[kind], dts, spat, reason))
    return rows


def excused(known, opname, kind, dtype_name, text):
    for opat, k, dts, spat, reason in known:
        if not fnmatch.fnmatchcase(opname, opat):
            continue
        if k != "*" and k != kind:
            continue
        if dts != "*" and dtype_name not in [d.strip() for d in dts.split(",")]:
            continue
        if spat != "*" and spat not in text:
            continue
        return reason
    return None


def describe(sample) -> str:
    def d(x):
        if hasattr(x, "shape") and hasattr(x, "dtype"):
            return f"T{tuple(x.shape)}"
        if isinstance(x, (list, tuple)):
            return "[" + ", ".join(d(v) for v in x) + "]"
        return repr(x)
    kw = ", ".join(f"{k}={d(v)}" for k, v in sample.kwargs.items())
    return f"{d(sample.input)}, args={d(sample.args)}" + (f", {kw}" if kw else "")
