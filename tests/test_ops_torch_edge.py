"""Entradas límite (tensores vacíos, 0-D, de un elemento) en cada operación de la tabla (elemento a
elemento, reducciones, forma, activaciones, ``F.pad``): tinygrad_es debe dar lo mismo que PyTorch
(forma, dtype y valores) o fallar con la misma clase de error; y argumentos no válidos, que deben dar
la misma clase de error que PyTorch (con el mensaje en castellano). Se salta si PyTorch no está
instalado."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_es as tg  # noqa: E402
from helpers import F  # noqa: E402

INPUTS = {"empty": np.zeros((0,)), "empty2": np.zeros((2, 0)), "empty02": np.zeros((0, 3)),
          "scalar": np.array(1.5), "one": np.array([2.5])}
OPS = {
    "sin": lambda L, x: x.sin(),
    "floor": lambda L, x: x.floor(),
    "erf": lambda L, x: x.erf(),
    "frac": lambda L, x: x.frac(),
    "atan2": lambda L, x: L.atan2(x, x),
    "fmod": lambda L, x: L.fmod(x, 2.0),
    "rem": lambda L, x: x % 2.0,
    "fdiv": lambda L, x: x // 2.0,
    "lerp": lambda L, x: L.lerp(x, x, 0.5),
    "isnan": lambda L, x: x.isnan(),
    "isclose": lambda L, x: L.isclose(x, x),
    "logical_and": lambda L, x: L.logical_and(x, x),
    "gelu": lambda L, x: F(L).gelu(x),
    "softmin0": lambda L, x: F(L).softmin(x, 0),
    "glu": lambda L, x: F(L).glu(x),
    "prelu": lambda L, x: F(L).prelu(x, L.tensor([0.25], dtype=L.float64)),
    "gather": lambda L, x: x.gather(0, L.zeros(x.shape, dtype=L.long)),
    "scatter": lambda L, x: x.scatter(0, L.zeros(x.shape, dtype=L.long), x),
    "index_select": lambda L, x: x.index_select(0, L.tensor([0])),
    "masked_fill": lambda L, x: x.masked_fill(x > 0, 1.0),
    "masked_select": lambda L, x: x.masked_select(x > 0),
    "nonzero": lambda L, x: x.nonzero(),
    "take": lambda L, x: x.take(L.tensor([0])),
    "sort": lambda L, x: x.sort(),
    "argsort": lambda L, x: x.argsort(),
    "topk0": lambda L, x: x.topk(0),
    "topk1": lambda L, x: x.topk(1),
    "kth1": lambda L, x: x.kthvalue(1),
    "median": lambda L, x: x.median(),
    "median0": lambda L, x: x.median(0),
    "median_1": lambda L, x: x.median(-1),
    "mode": lambda L, x: x.mode(),
    "mode0": lambda L, x: x.mode(0),
    "unique": lambda L, x: L.unique(x),
    "cumsum": lambda L, x: x.cumsum(0),
    "cumprod_1": lambda L, x: x.cumprod(-1),
    "cummax": lambda L, x: x.cummax(0),
    "logcumsumexp": lambda L, x: x.logcumsumexp(0),
    "diff": lambda L, x: x.diff(),
    "prod": lambda L, x: x.prod(),
    "prod0": lambda L, x: x.prod(0),
    "aminmax": lambda L, x: L.aminmax(x),
    "amax0": lambda L, x: x.amax(0),
    "norm": lambda L, x: x.norm(),
    "norm1": lambda L, x: x.norm(1),
    "norminf": lambda L, x: x.norm(float('inf')),
    "vnorm0": lambda L, x: L.linalg.vector_norm(x, 0),
    "std_mean": lambda L, x: L.std_mean(x),
    "var_mean0": lambda L, x: L.var_mean(x, 0),
    "count_nonzero": lambda L, x: L.count_nonzero(x),
    "repeat": lambda L, x: x.repeat(*([2] * max(x.ndim, 1))),
    "tile": lambda L, x: x.tile((2,)),
    "repeat_interleave": lambda L, x: x.repeat_interleave(2),
    "split": lambda L, x: x.split(1),
    "chunk": lambda L, x: x.chunk(2),
    "unbind": lambda L, x: x.unbind(),
    "flip": lambda L, x: x.flip(0),
    "roll": lambda L, x: x.roll(1),
    "roll0": lambda L, x: x.roll(1, 0),
    "tril": lambda L, x: x.tril(),
    "diag": lambda L, x: x.diag(),
    "diag_embed": lambda L, x: x.diag_embed(),
    "diagonal": lambda L, x: x.diagonal(),
    "trace": lambda L, x: x.trace(),
    "unfold": lambda L, x: x.unfold(0, 1, 1),
    "movedim": lambda L, x: x.movedim(0, -1),
    "narrow": lambda L, x: x.narrow(0, 0, 0),
    "outer": lambda L, x: L.outer(x, x),
    "einsum": lambda L, x: L.einsum("...->", x),
    "meshgrid": lambda L, x: L.meshgrid(x, x, indexing="ij"),
    "pad": lambda L, x: F(L).pad(x, (1, 1)),
    "flatten_t": lambda L, x: x.t(),
    "rot90": lambda L, x: x.rot90(),
    "sign": lambda L, x: x.sign(),
    "round": lambda L, x: x.round(),
    "square": lambda L, x: x.square(),
    "nan_to_num": lambda L, x: x.nan_to_num(),
    "hardtanh": lambda L, x: F(L).hardtanh(x),
    "unflatten": lambda L, x: x.unflatten(0, (1, -1)),
    "cross": lambda L, x: L.cross(x, x),
    "tensordot": lambda L, x: L.tensordot(x, x, dims=x.ndim),
    "bitand": lambda L, x: x.long() & x.long(),
    "invert": lambda L, x: ~x.bool(),
}


def _outcome(L, fn, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(L, L.tensor(a))
        except Exception as e:  # noqa: BLE001 - se compara la clase de error con la de PyTorch
            return "err", e
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return "ok", [(tuple(o.shape), str(o.dtype).split(".")[-1], np.asarray(o.detach().numpy())) for o in outs]


@pytest.mark.parametrize("inp", sorted(INPUTS))
@pytest.mark.parametrize("op", sorted(OPS))
def test_edge_inputs_like_torch(op, inp):
    t_kind, t = _outcome(torch, OPS[op], INPUTS[inp])
    o_kind, o = _outcome(tg, OPS[op], INPUTS[inp])
    if t_kind == "err":
        assert o_kind == "err", f"PyTorch lanza {type(t).__name__} ({t}); tinygrad_es no"
        base = next(b for b in (NotImplementedError, IndexError, TypeError, ValueError, RuntimeError)
                    if isinstance(t, b))
        assert isinstance(o, base), f"PyTorch lanza {type(t).__name__}, tinygrad_es {type(o).__name__}: {o}"
        return
    assert o_kind == "ok", f"tinygrad_es lanza {type(o).__name__}: {o}"
    assert len(t) == len(o)
    for (ts, td, tv), (os_, od, ov) in zip(t, o):
        assert (ts, td) == (os_, od)
        np.testing.assert_allclose(ov, tv, equal_nan=True)


# ---- mismos errores (tipo de excepción) ----------------------------------------------------------------
ERRORS = [
    ("float_bitwise", lambda L: L.tensor([1.5]) & L.tensor([2.5])),
    ("float_shift", lambda L: L.tensor([1.5]) << 1),
    ("float_invert", lambda L: ~L.tensor([1.5])),
    ("frac_int", lambda L: L.tensor([1]).frac()),
    ("floor_bool", lambda L: L.tensor([True]).floor()),
    ("hypot_int", lambda L: L.hypot(L.tensor([1]), L.tensor([2]))),
    ("int_div_zero", lambda L: L.tensor([1]) // 0),
    ("int_mod_zero", lambda L: L.tensor([1]) % 0),
    ("bad_rounding_mode", lambda L: L.div(L.tensor([1.0]), 2, rounding_mode="x")),
    ("gelu_int", lambda L: F(L).gelu(L.tensor([1]))),
    ("gelu_bad_approx", lambda L: F(L).gelu(L.tensor([1.0]), approximate="x")),
    ("glu_odd", lambda L: F(L).glu(L.ones(3))),
    ("prelu_channels", lambda L: F(L).prelu(L.ones(2, 3), L.ones(2))),
    ("hardtanh_bad", lambda L: F(L).hardtanh(L.ones(2), 2.0, 1.0)),
    ("gather_oob", lambda L: L.ones(2, 2).gather(1, L.tensor([[2]]))),
    ("gather_neg", lambda L: L.ones(2, 2).gather(1, L.tensor([[-1]]))),
    ("gather_ndim", lambda L: L.ones(2, 2).gather(1, L.tensor([0]))),
    ("gather_float_index", lambda L: L.ones(2, 2).gather(1, L.tensor([[0.0]]))),
    ("gather_bad_dim", lambda L: L.ones(2, 2).gather(2, L.tensor([[0]]))),
    ("scatter_dtype", lambda L: L.ones(2, 2).scatter(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float64))),
    ("index_select_2d", lambda L: L.ones(2, 2).index_select(0, L.tensor([[0]]))),
    ("index_select_float", lambda L: L.ones(2, 2).index_select(0, L.tensor([0.0]))),
    ("masked_fill_int_mask", lambda L: L.ones(2).masked_fill(L.tensor([1, 0]), 0.0)),
    ("masked_fill_1d_value", lambda L: L.ones(2).masked_fill(L.tensor([True, False]), L.tensor([1.0]))),
    ("take_oob", lambda L: L.ones(2, 2).take(L.tensor([4]))),
    ("topk_k", lambda L: L.ones(3).topk(4)),
    ("kthvalue_k", lambda L: L.ones(3).kthvalue(4)),
    ("mode_empty", lambda L: L.ones(0).mode()),
    ("sort_bad_dim", lambda L: L.ones(2, 2).sort(2)),
    ("cumsum_bad_dim", lambda L: L.ones(2).cumsum(1)),
    ("vector_norm_int", lambda L: L.linalg.vector_norm(L.tensor([1, 2]))),
    ("matrix_norm_1d", lambda L: L.linalg.matrix_norm(L.ones(3))),
    ("norm_3d_ord", lambda L: L.linalg.norm(L.ones(2, 2, 2), ord=2)),
    ("inv_singular", lambda L: L.linalg.inv(L.zeros(2, 2))),
    ("det_not_square", lambda L: L.linalg.det(L.ones(2, 3))),
    ("solve_shapes", lambda L: L.linalg.solve(L.eye(3), L.ones(2))),
    ("repeat_too_few", lambda L: L.ones(2, 2).repeat(2)),
    ("split_sizes", lambda L: L.ones(4).split([1, 2])),
    ("tril_1d", lambda L: L.ones(3).tril()),
    ("diag_3d", lambda L: L.ones(2, 2, 2).diag()),
    ("cross_size", lambda L: L.linalg.cross(L.ones(2, 4), L.ones(2, 4))),
    ("einsum_dtype", lambda L: L.einsum("i,i", L.ones(2), L.ones(2, dtype=L.float64))),
    ("einsum_subscripts", lambda L: L.einsum("ij", L.ones(2))),
    ("unfold_size", lambda L: L.ones(3).unfold(0, 4, 1)),
    ("narrow_oob", lambda L: L.ones(3).narrow(0, 2, 2)),
    ("flip_bad_dim", lambda L: L.ones(3).flip(1)),
    ("pad_odd", lambda L: F(L).pad(L.ones(2, 3), (1, 1, 1))),
    ("pad_reflect_big", lambda L: F(L).pad(L.ones(1, 2, 3), (3, 0), mode="reflect")),
    ("pad_reflect_1d", lambda L: F(L).pad(L.ones(3), (1, 1), mode="reflect")),
]


@pytest.mark.parametrize("name, fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_same_error_type_as_torch(name, fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as o_err:
        fn(tg)
    expected = type(t_err.value)
    for base in (NotImplementedError, IndexError, TypeError, ValueError, RuntimeError):
        if issubclass(expected, base):
            expected = base
            break
    assert isinstance(o_err.value, expected), (f"torch lanza {type(t_err.value).__name__}, tinygrad_es "
                                               f"{type(o_err.value).__name__}: {o_err.value}")
