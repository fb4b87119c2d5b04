"""Paridad con PyTorch de cada operación de la tabla ``CASES``: las mismas entradas aleatorias a
``torch`` y a ``tinygrad_es`` con el mismo código (escrito con la API de PyTorch), y se comparan la
salida (valores, forma, dtype) y luego los gradientes de cada entrada flotante (también si son
``None``). Se salta entero si PyTorch no está instalado."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_es as tg  # noqa: E402
from helpers import F  # noqa: E402

R = np.random.default_rng(1234)
INF = float("inf")


def rn(*shape):
    return R.standard_normal(shape)


def pos(*shape):
    return np.abs(R.standard_normal(shape)) + 0.5


def unit(*shape):
    return R.uniform(-0.9, 0.9, shape)


def ints(*shape, lo=-5, hi=6):
    return R.integers(lo, hi, shape)


def distinct(*shape):
    return R.permutation(int(np.prod(shape))).reshape(shape) * 0.37 - 1.1


def ties(*shape, k=3):
    return R.integers(0, k, shape).astype(np.float64)


def idx(shape, hi):
    return R.integers(0, hi, shape)


def spd(n, batch=()):
    a = R.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


CASES = []


def case(name, fn, *inputs):
    CASES.append(pytest.param(fn, inputs, id=f"{name}-{len(CASES)}"))


# ---- elemento a elemento -------------------------------------------------------------------------
for n, gen in [("sin", rn), ("cos", rn), ("tan", unit), ("asin", unit), ("acos", unit), ("atan", rn),
               ("sinh", rn), ("cosh", rn), ("tanh", rn), ("asinh", rn), ("acosh", lambda *s: pos(*s) + 1),
               ("atanh", unit), ("log2", pos), ("log10", pos), ("log1p", pos), ("exp2", rn), ("expm1", rn),
               ("rsqrt", pos), ("reciprocal", pos), ("square", rn), ("erf", rn), ("erfc", rn), ("sign", rn),
               ("floor", lambda *s: rn(*s) * 3), ("ceil", lambda *s: rn(*s) * 3),
               ("round", lambda *s: rn(*s) * 3), ("trunc", lambda *s: rn(*s) * 3),
               ("frac", lambda *s: rn(*s) * 3), ("nan_to_num", rn), ("abs", rn), ("sgn", rn), ("fix", rn)]:
    case(n, lambda L, x, n=n: getattr(L, n)(x), gen(3, 4))
    case(n + "_method", lambda L, x, n=n: getattr(x, n)(), gen(2, 3))
    if n not in ("frac",):
        case(n + "_int", lambda L, x, n=n: getattr(L, n)(x), ints(5))
case("round_half_even", lambda L, x: L.round(x), np.array([0.5, 1.5, 2.5, -0.5, -2.5]))
case("round_decimals", lambda L, x: L.round(x, decimals=2), rn(4) * 10)
case("abs_at_zero", lambda L, x: x.abs() + x.sign() + x.round() + x.floor(), np.array([0.0, 1.0, -2.0]))
case("nan_to_num_args", lambda L, x: L.nan_to_num(x, nan=1.0, posinf=5.0, neginf=-5.0),
     np.array([np.nan, INF, -INF, 2.0]))
case("isnan_family", lambda L, x: L.stack([L.isnan(x), L.isinf(x), L.isfinite(x), L.isposinf(x),
                                           L.isneginf(x), L.signbit(x)]), np.array([np.nan, INF, -INF, 1.0, -0.0]))
case("isclose", lambda L, a, b: L.isclose(a, b, rtol=1e-3, atol=1e-4), np.array([1.0, 2.0, np.nan, INF]),
     np.array([1.0005, 2.1, np.nan, INF]))
case("isclose_equal_nan", lambda L, a, b: L.isclose(a, b, equal_nan=True), np.array([1.0, np.nan]),
     np.array([1.0, np.nan]))
for n in ("atan2", "hypot", "logaddexp", "fmod", "remainder", "arctan2"):
    case(n, lambda L, a, b, n=n: getattr(L, n)(a, b), rn(3, 4) * 4, pos(1, 4) * 2)
    case(n + "_bcast", lambda L, a, b, n=n: getattr(a, n)(b), rn(2, 1, 3), pos(4, 1) + 1)
for n in ("fmod", "remainder", "floor_divide", "atan2"):
    case(n + "_int", lambda L, a, b, n=n: getattr(L, n)(a, b), ints(6), np.array([3, -2, 4, 5, -3, 2]))
    case(n + "_int_scalar", lambda L, a, n=n: getattr(L, n)(a, 3) if n != "atan2" else L.atan2(a, a), ints(6))
case("mod_op", lambda L, a, b: (a % b) + (a % 1.5) + (a % -2.0), rn(3, 4) * 5, pos(3, 4))
case("mod_neg_int", lambda L, a: (a % 3, a % -3, 7 % a.clamp(min=1)), ints(6))
case("floordiv_op", lambda L, a, b: (a.detach() // b.detach(), a.detach() // 2.0, 5.0 // b.detach()),
     rn(3, 4) * 5, pos(3, 4))
case("floordiv_int", lambda L, a: (a // 3, a // -2, 7 // a.clamp(min=1)), ints(6))
for mode in ("trunc", "floor"):
    case("div_" + mode, lambda L, a, b, m=mode: L.div(a, b, rounding_mode=m), rn(3, 4) * 5, rn(3, 4))
    case("div_" + mode + "_int", lambda L, a, b, m=mode: a.div(b, rounding_mode=m), ints(6), np.array([3, -2, 4, 5, -3, 2]))
case("div_none", lambda L, a, b: L.div(a, b, rounding_mode=None), rn(3), pos(3))
case("lerp_scalar", lambda L, a, b: L.lerp(a, b, 0.3), rn(3, 4), rn(3, 4))
case("lerp_big_weight", lambda L, a, b: a.lerp(b, 0.8), rn(3, 4), rn(4))
case("lerp_tensor", lambda L, a, b, w: L.lerp(a, b, w), rn(3, 4), rn(3, 4), R.uniform(-0.5, 1.5, (3, 4)))
case("trig_chain", lambda L, x: (x.sin() * x.cos() + x.atan()).exp2().log1p().expm1(), rn(5))
case("transcendental_int_dtype", lambda L, x: (L.sin(x), L.exp2(x), L.rsqrt(x.abs() + 1), L.erf(x), L.log2(x.abs() + 1)),
     ints(4))
case("true_div_int", lambda L, a, b: a / b, ints(4), np.array([1, 2, -3, 4]))

# ---- lógicas y de bits ----------------------------------------------------------------------------
for n in ("logical_and", "logical_or", "logical_xor"):
    case(n, lambda L, a, b, n=n: getattr(L, n)(a, b), ints(3, 4, lo=-1, hi=2), ints(4, lo=-1, hi=2))
    case(n + "_float", lambda L, a, b, n=n: getattr(L, n)(a.detach(), b), rn(3), ints(3, lo=0, hi=2))
case("logical_not", lambda L, a: (L.logical_not(a), L.logical_not(a > 0)), ints(5, lo=-1, hi=2))
for n in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    case(n, lambda L, a, b, n=n: getattr(L, n)(a, b), ints(3, 4, lo=-20, hi=20), ints(4, lo=-20, hi=20))
    case(n + "_bool", lambda L, a, b, n=n: getattr(L, n)(a > 0, b > 0), ints(5), ints(5))
    case(n + "_mixed", lambda L, a, b, n=n: getattr(L, n)(a, b > 0), ints(5, lo=-9, hi=9), ints(5))
case("bit_operators", lambda L, a, b: ((a & b) | (a ^ 3), ~a, (2 & a) + (5 | a) + (1 ^ a), True ^ (a > 0)),
     ints(6, lo=-30, hi=30), ints(6, lo=-30, hi=30))
case("shifts", lambda L, a, b: (a << b, a >> b, 1 << b, a.bitwise_left_shift(2), (a > 0) << 1),
     ints(6, lo=-30, hi=30), ints(6, lo=0, hi=8))
case("bitwise_not", lambda L, a: (L.bitwise_not(a), ~(a > 0)), ints(5))

# ---- activaciones ---------------------------------------------------------------------------------
case("gelu", lambda L, x: F(L).gelu(x), rn(4, 5) * 3)
case("gelu_tanh", lambda L, x: F(L).gelu(x, approximate="tanh"), rn(4, 5) * 3)
for n, args in [("silu", ()), ("elu", (1.3,)), ("celu", (0.7,)), ("selu", ()), ("softsign", ()), ("mish", ()),
                ("hardsigmoid", ()), ("hardswish", ()), ("hardtanh", (-0.5, 1.5)), ("relu6", ()),
                ("logsigmoid", ()), ("tanhshrink", ()), ("softshrink", (0.3,)), ("hardshrink", (0.3,))]:
    case(n, lambda L, x, n=n, a=args: getattr(F(L), n)(x, *a), rn(4, 5) * 4)
case("activation_kinks", lambda L, x: (F(L).hardtanh(x), F(L).relu6(x + 1), F(L).hardsigmoid(x * 3),
                                       F(L).hardswish(x * 3), F(L).elu(x), F(L).celu(x, 2.0), F(L).selu(x)),
     np.array([-1.0, 0.0, 1.0, 5.0]))
case("softplus", lambda L, x: F(L).softplus(x), rn(4, 5) * 10)
case("softplus_beta", lambda L, x: F(L).softplus(x, beta=2.0, threshold=5.0), rn(4, 5) * 5)
case("softmin", lambda L, x: F(L).softmin(x, dim=0), rn(4, 5))
case("softmin_last", lambda L, x: F(L).softmin(x, dim=-1), rn(2, 3, 4))
case("prelu_channels", lambda L, x, w: F(L).prelu(x, w), rn(2, 3, 4), pos(3) * 0.2)
case("prelu_single", lambda L, x, w: F(L).prelu(x, w), rn(5), pos(1) * 0.2)
case("glu", lambda L, x: F(L).glu(x), rn(3, 6))
case("glu_dim0", lambda L, x: F(L).glu(x, 0), rn(4, 3))
case("threshold", lambda L, x: F(L).threshold(x, 0.1, -2.0), rn(6))

# ---- indexado ---------------------------------------------------------------------------------------
case("gather", lambda L, x, i: L.gather(x, 1, i), rn(3, 4), idx((3, 5), 4))
case("gather_small_index", lambda L, x, i: x.gather(0, i), rn(4, 3), idx((2, 2), 4))
case("gather_neg_dim", lambda L, x, i: x.gather(-1, i), rn(2, 3, 4), idx((2, 3, 2), 4))
case("scatter", lambda L, x, s, i: x.scatter(1, i, s), rn(3, 5), rn(3, 2), np.array([[0, 1], [2, 4], [3, 0]]))
case("scatter_value", lambda L, x, i: L.scatter(x, 0, i, 2.5), rn(3, 4), np.array([[0, 1, 2, 0]]))
case("scatter_add", lambda L, x, s, i: L.scatter_add(x, 0, i, s), rn(3, 4), rn(5, 4), idx((5, 4), 3))
for red in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        case(f"scatter_reduce_{red}_{inc}", lambda L, x, s, i, r=red, c=inc: x.scatter_reduce(0, i, s, r, include_self=c),
             rn(3, 4), rn(6, 4), idx((6, 4), 3))
case("scatter_reduce_ties", lambda L, x, s, i: x.scatter_reduce(1, i, s, "amax"), ties(2, 3), ties(2, 4),
     idx((2, 4), 3))
case("scatter_reduce_prod_zeros", lambda L, x, s, i: x.scatter_reduce(0, i, s, "prod"),
     np.array([[1.0, 0.0, 2.0]]), np.array([[0.0, 3.0, 0.0], [2.0, 0.0, 1.5]]), np.zeros((2, 3), np.int64))
case("scatter_reduce_int_mean", lambda L, x, s, i: x.scatter_reduce(0, i, s, "mean"), ints(3, 4), ints(5, 4),
     idx((5, 4), 3))
case("index_select", lambda L, x, i: L.index_select(x, 1, i), rn(3, 5), np.array([4, 0, 4, 2]))
case("index_select_0d", lambda L, x, i: x.index_select(0, i), rn(3, 2), np.array(1))
case("index_add", lambda L, x, s, i: x.index_add(1, i, s, alpha=-2.0), rn(3, 5), rn(3, 4), np.array([4, 0, 4, 2]))
case("index_fill", lambda L, x, i: x.index_fill(0, i, -1.5), rn(4, 3), np.array([3, 0]))
case("masked_fill", lambda L, x: x.masked_fill(x > 0.2, -1.0), rn(3, 4))
case("masked_fill_bcast", lambda L, x, m: L.masked_fill(x, m, 3.0), rn(3, 4), R.random(4) > 0.5)
case("masked_fill_tensor_value", lambda L, x, v: x.masked_fill(x < 0, v), rn(3, 4), np.array(0.7))
case("causal_mask", lambda L, s: s.masked_fill(L.ones(4, 4).tril() == 0, float("-inf")).softmax(-1), rn(2, 4, 4))
case("masked_select", lambda L, x: L.masked_select(x, x > 0), rn(3, 4))
case("masked_select_bcast", lambda L, x, m: x.masked_select(m), rn(4), R.random((3, 4)) > 0.5)
case("nonzero", lambda L, x: (L.nonzero(x), x.nonzero(as_tuple=True), L.argwhere(x)), ints(3, 4, lo=0, hi=2))
case("nonzero_0d", lambda L, x: (x.nonzero(), x.nonzero(as_tuple=True)), np.array(3))
case("take", lambda L, x, i: L.take(x, i), rn(3, 4), np.array([[0, -1], [5, 11]]))
case("where_one_arg", lambda L, x: L.where(x > 0), rn(3, 4))
case("where_method", lambda L, x, y: x.where(x > 0, y), rn(3, 4), rn(4))
case("count_nonzero", lambda L, x: (L.count_nonzero(x), L.count_nonzero(x, dim=0)), ints(3, 4, lo=0, hi=2))
case("inplace_indexing", lambda L, x: (x * 1).masked_fill_(x > 0, 0.0).index_add_(0, L.tensor([0, 0]), x[:2])
     .scatter_(1, L.tensor([[0], [1], [2]]), 5.0), rn(3, 4))

# ---- ordenación y selección ----------------------------------------------------------------------------
for nm, gen in (("rand", distinct), ("ties", ties)):
    case("sort_" + nm, lambda L, x: L.sort(x, dim=-1), gen(3, 7))
    case("sort_desc_" + nm, lambda L, x: x.sort(0, descending=True), gen(5, 3))
    case("sort_stable_" + nm, lambda L, x: L.sort(x, dim=1, descending=True, stable=True), gen(3, 25))
    case("sort_big_ties_" + nm, lambda L, x: x.sort(-1), gen(2, 40))
    case("argsort_" + nm, lambda L, x: L.argsort(x, dim=1, descending=True), gen(3, 30))
    case("topk_" + nm, lambda L, x: L.topk(x, 3), gen(4, 6))
    case("topk_small_" + nm, lambda L, x: x.topk(2, dim=0, largest=False), gen(5, 3))
    case("topk_heap_" + nm, lambda L, x: x.topk(2), gen(2, 200))
    case("topk_unsorted_" + nm, lambda L, x: x.topk(4, sorted=False), gen(3, 30))
    case("kthvalue_" + nm, lambda L, x: L.kthvalue(x, 3, 1), gen(4, 9))
    case("kthvalue_keepdim_" + nm, lambda L, x: x.kthvalue(2, dim=0, keepdim=True), gen(5, 3))
    case("median_" + nm, lambda L, x: (L.median(x), x.median(1)), gen(4, 6))
    case("median_keepdim_" + nm, lambda L, x: x.median(dim=0, keepdim=True), gen(5, 3))
    case("mode_" + nm, lambda L, x: L.mode(x, 1), gen(3, 9))
    case("mode_long_" + nm, lambda L, x: x.mode(), gen(3, 40))
case("sort_nan", lambda L, x: (x.sort(), x.sort(descending=True)), np.array([1.0, np.nan, 2.0, np.nan, 0.0]))
case("median_nan", lambda L, x: (x.median(), x.median(0), L.nanmedian(x), x.nanmedian(0)),
     np.array([1.0, np.nan, 2.0, 0.5]))
case("topk_kth_nan", lambda L, x: (x.topk(2), x.kthvalue(4)), np.array([1.0, np.nan, 2.0, 0.5]))
case("sort_int_bool", lambda L, x: (x.sort(descending=True), (x > 0).sort(), x.topk(2), x.kthvalue(2), x.mode(),
                                    x.median()), ints(7))
case("msort", lambda L, x: L.msort(x), rn(4, 3))
case("unique", lambda L, x: L.unique(x, return_inverse=True, return_counts=True), ints(10, lo=0, hi=4))
case("unique_dim", lambda L, x: L.unique(x, dim=0, return_inverse=True), np.array([[1, 2], [1, 2], [0, 5]]))
# (PyTorch marca la salida de unique con grad_fn pero no tiene derivada: se compara sin grafo)
case("unique_float_nan", lambda L, x: L.unique(x.detach()), np.array([2.0, np.nan, 1.0, np.nan, 2.0]))
case("unique_consecutive", lambda L, x: L.unique_consecutive(x, return_counts=True, return_inverse=True),
     np.array([1, 1, 2, 2, 1, 3]))

# ---- barridos ------------------------------------------------------------------------------------------
case("cumsum", lambda L, x: L.cumsum(x, dim=1), rn(3, 4))
case("cumsum_int", lambda L, x: (x.cumsum(0), x.int().cumsum(0), (x > 0).cumsum(0), x.cumsum(0, dtype=L.float64)),
     ints(5))
case("cumprod", lambda L, x: L.cumprod(x, 0), rn(4, 3))
case("cumprod_zeros", lambda L, x: x.cumprod(-1), np.array([[2.0, 0.0, 3.0, 0.0, 4.0], [1.5, 0.0, 2.0, -1.0, 3.0]]))
case("cummax", lambda L, x: L.cummax(x, 1), ties(3, 6))
case("cummin", lambda L, x: x.cummin(dim=0), ties(6, 3))
case("cummax_nan", lambda L, x: (x.cummax(0), x.cummin(0)), np.array([1.0, np.nan, 2.0, np.nan, 0.0]))
case("logcumsumexp", lambda L, x: L.logcumsumexp(x, 1), rn(3, 5) * 5)
case("logcumsumexp_inf", lambda L, x: x.logcumsumexp(0), np.array([-INF, 1.0, -INF, 2.0]))
case("diff", lambda L, x: L.diff(x), rn(3, 5))
case("diff_n_dim", lambda L, x: x.diff(n=2, dim=0), rn(5, 3))
case("diff_prepend_append", lambda L, x, p, a: L.diff(x, dim=1, prepend=p, append=a), rn(3, 4), rn(3, 1), rn(3, 2))
case("diff_bool_int", lambda L, x: (L.diff(x), L.diff(x > 0)), ints(6))

# ---- reducciones ---------------------------------------------------------------------------------------
case("prod", lambda L, x: (L.prod(x), x.prod(1), x.prod(dim=0, keepdim=True)), rn(3, 4))
case("prod_zeros", lambda L, x: (x.prod(), x.prod(1)), np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]]))
case("prod_int", lambda L, x: (x.prod(), x.int().prod(0), x.prod(dtype=L.float64)), ints(4, lo=1, hi=4))
case("amax_amin", lambda L, x: (L.amax(x, 1), x.amin((0, 1)), x.amax(-1, keepdim=True)), ties(3, 4))
case("aminmax", lambda L, x: (L.aminmax(x), x.aminmax(dim=1, keepdim=True)), ties(3, 4))
for p in (2, 1, 3, 0.5, INF, -INF, 0, "fro"):
    case(f"norm_{p}", lambda L, x, p=p: (L.norm(x, p), x.norm(p, dim=1, keepdim=True)), rn(3, 4))
case("norm_nuc", lambda L, x: L.norm(x, "nuc"), rn(3, 4))
case("norm_at_zero", lambda L, x: (x.norm(), x.norm(1), x.norm(3)), np.zeros(3))
for o in (2, 1, INF, -INF, 0, 3, -1):
    case(f"vector_norm_{o}", lambda L, x, o=o: L.linalg.vector_norm(x, ord=o, dim=(0, 2)), rn(2, 3, 4))
for o in ("fro", "nuc", 1, -1, 2, -2, INF, -INF):
    case(f"matrix_norm_{o}", lambda L, x, o=o: L.linalg.matrix_norm(x, ord=o), rn(2, 3, 4))
    case(f"linalg_norm_{o}", lambda L, x, o=o: L.linalg.norm(x, ord=o), rn(4, 3))
case("linalg_norm_default", lambda L, x: (L.linalg.norm(x), L.linalg.norm(x, dim=1), L.linalg.norm(x, 3, dim=(0,))),
     rn(2, 3, 4))
case("std_mean", lambda L, x: (L.std_mean(x), L.std_mean(x, dim=1), L.std_mean(x, 0, keepdim=True)), rn(3, 4))
case("var_mean", lambda L, x: (L.var_mean(x, dim=(0, 1), correction=0), L.var_mean(x, 1, unbiased=False)), rn(3, 4))
case("count_nonzero_float", lambda L, x: L.count_nonzero(x.detach().round(), dim=(0, 1)), rn(3, 4))
case("sum_mean_dtype", lambda L, x: (x.sum(dtype=L.float64), x.float().mean(dtype=L.float64), L.sum(x, 0, dtype=L.int32)),
     ints(3, 4))

# ---- forma ---------------------------------------------------------------------------------------------
case("repeat", lambda L, x: x.repeat(2, 1, 3), rn(3, 4))
case("tile", lambda L, x: (L.tile(x, (2,)), x.tile((2, 1, 2))), rn(3, 4))
case("repeat_interleave", lambda L, x: (x.repeat_interleave(2, dim=1), L.repeat_interleave(x, 3)), rn(3, 2))
case("repeat_interleave_tensor", lambda L, x, r: x.repeat_interleave(r, dim=0), rn(3, 2), np.array([1, 0, 2]))
case("repeat_interleave_counts", lambda L, r: L.repeat_interleave(r), np.array([2, 0, 3]))
case("split", lambda L, x: (L.split(x, 2, dim=1), x.split([1, 3], 1), x.split(2)), rn(3, 4))
case("chunk", lambda L, x: (L.chunk(x, 3, 1), x.chunk(2), x.chunk(4, dim=-1)), rn(3, 5))
case("unbind", lambda L, x: (L.unbind(x, 1), x.unbind()), rn(3, 4))
case("tensor_split", lambda L, x: (x.tensor_split(3, 1), L.tensor_split(x, [1, 3], dim=1)), rn(3, 5))
case("narrow", lambda L, x: (L.narrow(x, 1, 1, 2), x.narrow(-1, -3, 2)), rn(3, 4))
case("flip", lambda L, x: (L.flip(x, (0, 2)), x.flip(1), x.flip([-1])), rn(2, 3, 4))
case("fliplr_flipud", lambda L, x: (L.fliplr(x), x.flipud()), rn(3, 4))
case("roll", lambda L, x: (L.roll(x, 1), x.roll(-2, 1), x.roll((1, -1), (0, 2))), rn(2, 3, 4))
for k in (-1, 0, 1, 2, 3, 5):
    case(f"rot90_{k}", lambda L, x, k=k: L.rot90(x, k, (1, 2)), rn(2, 3, 4))
for d in (-1, 0, 2):
    case(f"tril_triu_{d}", lambda L, x, d=d: (L.tril(x, d), x.triu(d), x.tril(diagonal=d)), rn(2, 3, 4))
    case(f"diag_{d}", lambda L, x, v, d=d: (L.diag(x, d), v.diag(d)), rn(3, 4), rn(3))
case("diag_embed", lambda L, x: (L.diag_embed(x), x.diag_embed(1, 0, 2), x.diag_embed(-1)), rn(2, 3))
case("diagonal", lambda L, x: (L.diagonal(x), x.diagonal(1, 0, 2), x.diagonal(-1, -1, 1)), rn(2, 3, 4))
case("trace", lambda L, x, i: (L.trace(x), i.trace()), rn(3, 4), ints(3, 3))
case("unflatten", lambda L, x: (x.unflatten(1, (2, 2)), L.unflatten(x, -1, (-1, 1))), rn(3, 4))
case("unfold", lambda L, x: (x.unfold(1, 2, 1), x.unfold(2, 2, 2), x.unfold(-1, 3, 1)), rn(2, 3, 4))
case("meshgrid", lambda L, a, b: (L.meshgrid(a, b, indexing="ij"), L.meshgrid(a, b, indexing="xy")), rn(3), rn(4))
case("movedim", lambda L, x: (L.movedim(x, 0, -1), x.movedim((0, 1), (2, 0)), L.moveaxis(x, 1, 0)), rn(2, 3, 4))
case("swapaxes", lambda L, x: (L.swapaxes(x, 0, 2), x.swapdims(1, 2), x.transpose(0, 1)), rn(2, 3, 4))
case("t_contiguous", lambda L, x: (x.t(), L.t(x).contiguous(), x.t().contiguous().view(-1)), rn(3, 4))
case("view_expand_reshape_as", lambda L, x, y, z: (x.view_as(y), z.expand_as(x), x.reshape_as(y.t())), rn(3, 4),
     rn(2, 6), rn(1, 4))
case("clone", lambda L, x: (L.clone(x), x.clone() * 2), rn(3, 4))
case("broadcast_to", lambda L, x: (L.broadcast_to(x, (2, 3, 4)), x.broadcast_to((5, 3, 4))), rn(3, 1))
case("outer", lambda L, a, b: (L.outer(a, b), a.outer(b), L.ger(a, b)), rn(3), rn(4))
case("cross", lambda L, a, b: (L.cross(a, b, dim=1), L.linalg.cross(a, b)), rn(4, 3), rn(4, 3))
case("cross_bcast", lambda L, a, b: L.linalg.cross(a, b), rn(4, 3), rn(1, 3))
for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("i,j->ij", [(2,), (3,)]),
                   ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("...ij,...jk", [(2, 3), (4, 3, 2)]),
                   ("ijk->", [(2, 3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("ba", [(2, 3)]),
                   ("iij->j", [(2, 2, 3)]), ("b i, b i -> b", [(3, 4), (3, 4)]), ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)])]:
    case("einsum_" + eq.replace(" ", ""), lambda L, *xs, eq=eq: L.einsum(eq, *xs), *[rn(*s) for s in shapes])
case("einsum_list", lambda L, a, b: L.einsum("ij,ij->i", [a, b]), rn(3, 4), rn(3, 4))
case("tensordot", lambda L, a, b: (L.tensordot(a, b, dims=1), L.tensordot(a, b.permute(1, 0, 2), dims=([1, 2], [0, 2]))),
     rn(2, 3, 4), rn(4, 3, 4))
for mode in ("constant", "reflect", "replicate", "circular"):
    for p in ((2, 1), (-1, 2), (1, 1, 2, 0), (0, -1, 1, 2), (2, -2), (1, 2, 1, 2, 1, 0)):
        if mode != "constant" and len(p) == 6:
            continue
        case(f"pad_{mode}_{p}", lambda L, x, m=mode, p=p: F(L).pad(x, p, mode=m), rn(2, 3, 5))
case("pad_value", lambda L, x: F(L).pad(x, (1, 1, 2, 0), value=-2.5), rn(3, 4))
case("pad_int", lambda L, x: F(L).pad(x, (1, 2), value=3), ints(2, 4))

# ---- álgebra lineal ------------------------------------------------------------------------------------
case("inv", lambda L, a: L.linalg.inv(a), spd(3))
case("inv_batch", lambda L, a: L.linalg.inv(a), rn(2, 3, 3) + 3 * np.eye(3))
case("det", lambda L, a: (L.linalg.det(a), L.det(a)), rn(3, 3))
case("det_batch", lambda L, a: L.linalg.det(a), rn(2, 4, 4))
case("det_singular", lambda L, a: L.linalg.det(a), np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]))
case("solve", lambda L, a, b: L.linalg.solve(a, b), spd(3), rn(3, 2))
case("solve_vector", lambda L, a, b: L.linalg.solve(a, b), spd(3), rn(3))
case("solve_batch_vector", lambda L, a, b: L.linalg.solve(a, b), spd(3, (2,)), rn(2, 3))
case("solve_broadcast", lambda L, a, b: L.linalg.solve(a, b), spd(3, (2,)), rn(3, 4))
case("solve_left_false", lambda L, a, b: L.linalg.solve(a, b, left=False), spd(3), rn(2, 3))
case("inverse_method", lambda L, a: (a.inverse(), L.inverse(a), a.det()), spd(3))


# ---- los nombres de los argumentos de PyTorch, como palabras clave ------------------------------------------
case("kw_index", lambda L, x, i: (L.gather(x, dim=1, index=i), x.scatter(dim=1, index=i, src=x[:, :2] * 2),
                                  x.index_select(dim=0, index=i[0]), L.take(x, index=i),
                                  x.masked_fill(mask=x > 0, value=1.0)), rn(3, 4), np.array([[0, 1], [1, 0], [2, 2]]))
case("kw_sort", lambda L, x: (L.sort(x, dim=0, descending=True), L.topk(x, k=2, dim=0, largest=False, sorted=True),
                              L.kthvalue(x, k=2, dim=1, keepdim=True), L.median(x, dim=1, keepdim=True),
                              L.argsort(x, dim=1, descending=False, stable=True), L.cumsum(x, dim=1),
                              L.cummax(x, dim=0), L.diff(x, n=1, dim=0), L.prod(x, dim=1, keepdim=True)), distinct(3, 4))
case("kw_shape", lambda L, x: (L.flip(x, dims=[0]), L.roll(x, shifts=1, dims=0), L.rot90(x, k=1, dims=[0, 1]),
                               L.tril(x, diagonal=-1), L.diagonal(x, offset=1, dim1=0, dim2=1), L.narrow(x, dim=1, start=1, length=2),
                               L.movedim(x, source=0, destination=1), L.split(x, split_size_or_sections=2, dim=1),
                               x.split(split_size=3, dim=1), L.chunk(x, chunks=2, dim=1), L.broadcast_to(x, size=(2, 3, 4)),
                               x.unflatten(dim=1, sizes=(2, 2)), x.unfold(dimension=1, size=2, step=1), x.tile(dims=(2,)),
                               L.repeat_interleave(x, repeats=2, dim=0)), rn(3, 4))
case("kw_math", lambda L, x, y: (L.lerp(x, end=y, weight=0.3), L.isclose(x, other=y, rtol=0.5, atol=0.1, equal_nan=False),
                                 L.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0), L.div(x, y, rounding_mode="floor"),
                                 L.round(x, decimals=1), L.norm(x, p=1, dim=1, keepdim=True),
                                 L.linalg.vector_norm(x, ord=3, dim=0, keepdim=True),
                                 L.linalg.matrix_norm(x, ord="fro", dim=(0, 1), keepdim=True),
                                 L.std_mean(x, dim=1, correction=0, keepdim=True), L.aminmax(x, dim=0, keepdim=False),
                                 L.count_nonzero(x, dim=1)), rn(3, 4), rn(3, 4))
case("kw_activation", lambda L, x, w: (F(L).gelu(x, approximate="tanh"), F(L).elu(x, alpha=0.5), F(L).celu(x, alpha=2.0),
                                       F(L).softplus(x, beta=2.0, threshold=3.0), F(L).hardtanh(x, min_val=-0.5, max_val=0.5),
                                       F(L).softmin(x, dim=1), F(L).glu(x, dim=0), F(L).prelu(x, weight=w),
                                       F(L).pad(x, pad=(1, 1), mode="reflect")), rn(2, 4), pos(4) * 0.1)


# ---- comparación -----------------------------------------------------------------------------------------
def _flat(out):
    if isinstance(out, (tuple, list)):
        return [y for o in out for y in _flat(o)]
    return [out]


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def _run(L, fn, inputs):
    ts = []
    for a in inputs:
        a = np.asarray(a)
        ts.append(L.tensor(a, requires_grad=a.dtype.kind == "f"))
    outs = _flat(fn(L, *ts))
    g = [np.random.default_rng(7 + k).standard_normal(tuple(o.shape)) for k, o in enumerate(outs)]
    diff = [(o, gk) for o, gk in zip(outs, g) if o.requires_grad]
    if diff:
        total = sum((o * L.tensor(gk, dtype=o.dtype)).sum() for o, gk in diff)
        total.backward()
    grads = [None if t.grad is None else np.array(t.grad.detach().numpy(**({"force": True} if L is torch else {})))
             for t in ts if t.requires_grad]
    return outs, grads


@pytest.mark.parametrize("fn, inputs", CASES)
def test_forward_and_backward_match_torch(fn, inputs):
    t_outs, t_grads = _run(torch, fn, inputs)
    o_outs, o_grads = _run(tg, fn, inputs)
    assert len(t_outs) == len(o_outs)
    for t, o in zip(t_outs, o_outs):
        assert tuple(t.shape) == tuple(o.shape), f"forma: torch {tuple(t.shape)}, tinygrad_es {tuple(o.shape)}"
        assert _dtype_name(t) == _dtype_name(o), f"dtype: torch {t.dtype}, tinygrad_es {o.dtype}"
        assert bool(t.requires_grad) == bool(o.requires_grad), "requires_grad distinto"
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-9, equal_nan=True)
    for tg_, og in zip(t_grads, o_grads):
        assert (tg_ is None) == (og is None), f"gradiente: torch {tg_}, tinygrad_es {og}"
        if tg_ is not None:
            np.testing.assert_allclose(og, tg_, rtol=1e-6, atol=1e-9, equal_nan=True)
