"""Tipos y valores como los de PyTorch: números de Python en el dtype pedido (sin pasar por float32),
uint8 con números negativos (dan la vuelta), reducciones de enteros en int64, ``arange``/``linspace``
con dtype entero, ``all``/``any``, pooling e ``interpolate`` con enteros, ``view(dtype)``,
``nanmedian``, ``unique``/``cat`` con gradiente y las reglas de nan/inf del forward."""
import numpy as np

from parity import Raises, parity_tests

INF, NAN = float("inf"), float("nan")


def _F(L):
    return L.nn.functional


def _u8(L):
    return L.tensor([0, 5, 255], dtype=L.uint8)


def _dtype_of(f):
    def case(L):
        return str(f(L).dtype).split(".")[-1]
    return case


def _req(f):
    def case(L):
        return f(L).requires_grad
    return case


def _empty(f):
    def case(L):
        return f(L, L.zeros(0, 3))
    return case


CASES = {
    # -- números de Python en el dtype pedido ---------------------------------------------------------
    "float_de_python_en_float64": (lambda L: L.tensor([0.1], dtype=L.float64).item(), 0.1),
    "float_de_python_escalar_float64": (lambda L: L.tensor(0.1, dtype=L.float64).item(), 0.1),
    "full_float64": (lambda L: L.full((1,), 0.1, dtype=L.float64).item(), 0.1),
    "asignar_float64": (lambda L: (lambda x: (x.__setitem__(0, 0.1), x[0].item())[1])(L.zeros(2, dtype=L.float64)),
                        0.1),
    "fill_float64": (lambda L: L.zeros(2, dtype=L.float64).fill_(0.1)[1].item(), 0.1),
    "float32_desborda_a_inf": (lambda L: L.tensor([1e40]), ("float32", (1,), [INF])),
    "entero_que_no_cabe": (lambda L: L.tensor([300], dtype=L.uint8), Raises("RuntimeError")),
    "negativo_en_uint8_da_la_vuelta": (lambda L: L.tensor([-1], dtype=L.uint8), ("uint8", (1,), [255])),
    "nan_a_entero": (lambda L: L.tensor([NAN], dtype=L.int64), Raises("RuntimeError")),
    "full_uint8_negativo": (lambda L: L.full((2,), -1, dtype=L.uint8), ("uint8", (2,), [255, 255])),
    "fill_no_cabe": (lambda L: L.zeros(1, dtype=L.uint8).fill_(300), Raises("RuntimeError")),
    # -- uint8 con números negativos ------------------------------------------------------------------
    "uint8_mayor_que_menos_uno": (lambda L: _u8(L) > -1, ("bool", (3,), [False, False, False])),
    "uint8_igual_menos_uno": (lambda L: _u8(L) == -1, ("bool", (3,), [False, False, True])),
    "uint8_clamp_min_negativo": (lambda L: _u8(L).clamp(min=-1), ("uint8", (3,), [255, 255, 255])),
    "uint8_where_negativo": (lambda L: L.where(_u8(L) > 3, _u8(L), -1), ("uint8", (3,), [255, 5, 255])),
    "uint8_mas_menos_uno": (lambda L: _u8(L) + (-1), ("uint8", (3,), [255, 4, 254])),
    "uint8_menor_que_float": (lambda L: _u8(L) < 4.5, ("bool", (3,), [True, False, False])),
    "int_mayor_que_float": (lambda L: L.tensor([1, 2]) > 1.5, ("bool", (2,), [False, True])),
    # -- reducciones de enteros ------------------------------------------------------------------------
    "einsum_uint8_suma_en_int64": (lambda L: L.einsum("ij->i", L.tensor([[200, 200]], dtype=L.uint8)),
                                   ("int64", (1,), [400])),
    "einsum_uint8_traza_en_int64": (lambda L: L.einsum("ii", L.tensor([[200, 1], [2, 200]], dtype=L.uint8)),
                                    ("int64", (), [400])),
    "einsum_uint8_traspuesta_sigue_uint8": (_dtype_of(lambda L: L.einsum("ij->ji", L.ones(2, 2, dtype=L.uint8))),
                                            "uint8"),
    "sum_uint8_en_int64": (lambda L: L.tensor([200, 200], dtype=L.uint8).sum(), ("int64", (), [400])),
    "sum_bool_en_int64": (_dtype_of(lambda L: L.tensor([True, True]).sum()), "int64"),
    "cumsum_uint8_en_int64": (_dtype_of(lambda L: L.tensor([200, 200], dtype=L.uint8).cumsum(0)), "int64"),
    "prod_int32_en_int64": (_dtype_of(lambda L: L.tensor([2, 3], dtype=L.int32).prod()), "int64"),
    "all_uint8_da_uint8": (lambda L: L.tensor([1, 2], dtype=L.uint8).all(), ("uint8", (), [1])),
    "any_uint8_da_uint8": (lambda L: L.tensor([0, 2], dtype=L.uint8).any(0), ("uint8", (), [1])),
    "all_int64_da_bool": (_dtype_of(lambda L: L.tensor([1, 2]).all()), "bool"),
    # -- arange y linspace ---------------------------------------------------------------------------
    "arange_int64_con_floats": (lambda L: L.arange(0.5, 4.7, 1.3, dtype=L.int64), ("int64", (4,), [0, 1, 2, 3])),
    "arange_int64_trunca_end": (lambda L: L.arange(-2.5, 3.7, 1.7, dtype=L.int64),
                                ("int64", (5,), [-2, -1, 0, 1, 2])),
    "arange_uint8_cuenta_en_float": (lambda L: L.arange(0, 5, 1.5, dtype=L.uint8), ("uint8", (4,), [0, 1, 2, 3])),
    "arange_int32_paso_truncado_a_0": (lambda L: L.arange(0, 3, 0.5, dtype=L.int32), ("int32", (6,), [0] * 6)),
    "arange_bool": (lambda L: L.arange(3, dtype=L.bool), Raises("NotImplementedError")),
    "linspace_int64": (lambda L: L.linspace(-3.5, 2.5, 7, dtype=L.int64), ("int64", (7,), [-3, -2, -1, 0, 0, 1, 2])),
    "linspace_bool": (lambda L: L.linspace(0, 1, 3, dtype=L.bool), Raises("NotImplementedError")),
    # -- pooling e interpolate con enteros -----------------------------------------------------------
    "max_pool2d_int64": (lambda L: _F(L).max_pool2d(L.tensor([[[[1, 2], [3, 6]]]]), 2), ("int64", (1, 1, 1, 1), [6])),
    "max_pool2d_uint8": (_dtype_of(lambda L: _F(L).max_pool2d(L.ones(1, 1, 2, 2, dtype=L.uint8), 2)), "uint8"),
    "max_pool2d_bool": (lambda L: _F(L).max_pool2d(L.ones(1, 1, 2, 2, dtype=L.bool), 2), Raises("NotImplementedError")),
    "max_pool1d_int64": (lambda L: _F(L).max_pool1d(L.tensor([[[1, 2, 3, 4]]]), 2), Raises("NotImplementedError")),
    "avg_pool2d_int64_trunca": (lambda L: _F(L).avg_pool2d(L.tensor([[[[1, 2], [3, 5]], [[-1, -2], [-3, -5]]]]), 2),
                                ("int64", (1, 2, 1, 1), [2, -2])),
    "avg_pool1d_int64": (lambda L: _F(L).avg_pool1d(L.tensor([[[1, 2, 3, 6]]]), 2), ("int64", (1, 1, 2), [1, 4])),
    "avg_pool2d_uint8": (lambda L: _F(L).avg_pool2d(L.ones(1, 1, 2, 2, dtype=L.uint8), 2),
                         Raises("NotImplementedError")),
    "adaptive_avg_pool2d_int64": (lambda L: _F(L).adaptive_avg_pool2d(L.ones(1, 1, 2, 2, dtype=L.int64), 1),
                                  Raises("RuntimeError")),
    "interpolate_uint8_nearest": (lambda L: _F(L).interpolate(L.tensor([[[1, 2]]], dtype=L.uint8), scale_factor=2),
                                  ("uint8", (1, 1, 4), [1, 1, 2, 2])),
    "interpolate_uint8_bilinear": (lambda L: _F(L).interpolate(L.tensor([[[[0, 255], [10, 21]]]], dtype=L.uint8),
                                                               scale_factor=2, mode="bilinear"),
                                   ("uint8", (1, 1, 4, 4), [0, 64, 191, 255, 3, 51, 148, 197, 8, 26, 61, 80,
                                                            10, 13, 18, 21])),
    "interpolate_int64": (lambda L: _F(L).interpolate(L.tensor([[[1, 2]]]), scale_factor=2),
                          Raises("NotImplementedError")),
    # -- view(dtype), nanmedian, unique, cat ----------------------------------------------------------
    "view_dtype_reinterpreta_bits": (lambda L: L.tensor([1.0, 2.0]).view(L.int32),
                                     ("int32", (2,), [1065353216, 1073741824])),
    "view_dtype_cambia_el_ultimo_eje": (lambda L: tuple(L.tensor([[1.0, 2.0]]).view(L.uint8).shape), (1, 8)),
    "view_dtype_no_divisible": (lambda L: L.tensor([1.0, 2.0, 3.0]).view(L.float64), Raises("RuntimeError")),
    "view_dtype_comparte_memoria": (lambda L: (lambda b: (b.view(L.int32).__setitem__(0, 0), b)[1])(
        L.tensor([1.0, 2.0])), ("float32", (2,), [0.0, 2.0])),
    "view_no_contiguo": (lambda L: L.arange(6.0).reshape(2, 3).t().view(6), Raises("RuntimeError")),
    "nanmedian_tupla_con_nombre": (lambda L: type(L.tensor([[1.0, NAN, 2.0]]).nanmedian(1)).__name__, "nanmedian"),
    "unique_conserva_requires_grad": (_req(lambda L: L.tensor([1.0, 1.0], requires_grad=True).unique()), True),
    "unique_sin_derivada": (lambda L: L.tensor([1.0, 1.0], requires_grad=True).unique().sum().backward(),
                            Raises("NotImplementedError")),
    "cat_con_vacio_con_grad": (_req(lambda L: L.cat([L.tensor([], requires_grad=True), L.tensor([1.0])])), True),
    "cat_vacio_1d_con_2d": (lambda L: L.cat([L.zeros(0), L.ones(2, 2)]), ("float32", (2, 2), [1.0] * 4)),
    # -- errores donde PyTorch funciona ---------------------------------------------------------------
    "mT_de_0d": (lambda L: L.tensor(4).mT, ("int64", (), [4])),
    "mT_de_1d": (lambda L: L.tensor([1, 2]).mT, Raises("RuntimeError")),
    "where_0d": (lambda L: L.where(L.tensor(True)), (("int64", (1,), [0]),)),
    "suma_vacia": (_empty(lambda L, x: x.sum(0)), ("float32", (3,), [0.0, 0.0, 0.0])),
    "prod_vacio": (_empty(lambda L, x: x.prod()), ("float32", (), [1.0])),
    "amax_vacio_eje_lleno": (_empty(lambda L, x: x.amax(1)), ("float32", (0,), [])),
    "amax_vacio": (_empty(lambda L, x: x.amax(0)), Raises("IndexError")),
    "logsumexp_vacio": (_empty(lambda L, x: x.logsumexp(0)), ("float32", (3,), [-INF] * 3)),
    "std_vacio": (_empty(lambda L, x: x.std(0)), ("float32", (3,), [NAN] * 3)),
    "norm_vacio": (_empty(lambda L, x: x.norm()), ("float32", (), [0.0])),
    "softmax_vacio": (_empty(lambda L, x: x.softmax(0)), ("float32", (0, 3), [])),
    "argmax_vacio": (_empty(lambda L, x: x.argmax(1)), ("int64", (0,), [])),
    "potencia_negativa_numero": (lambda L: L.tensor([2]) ** -1, Raises("RuntimeError")),
    "potencia_negativa_tensor": (lambda L: L.tensor([2, 1, -1, 0, -2, 3]).pow(L.tensor([-1, -2, -3, -1, -2, 2])),
                                 ("int64", (6,), [0, 1, -1, 0, 0, 9])),
    "threshold_enteros": (lambda L: _F(L).threshold(L.tensor([1, 2, 3]), 1.5, 0.5), ("int64", (3,), [0, 2, 3])),
    "normalize_p0": (lambda L: _F(L).normalize(L.tensor([[1.0, 0.0, 2.0]]), p=0),
                     ("float32", (1, 3), [0.5, 0.0, 1.0])),
    "normalize_pinf": (lambda L: _F(L).normalize(L.tensor([[1.0, -3.0]]), p=INF),
                       ("float32", (1, 2), [1 / 3, -1.0])),
    # -- nan e inf en el forward ------------------------------------------------------------------------
    "sign_nan": (lambda L: L.tensor([NAN, -0.0, -2.0]).sign(), ("float32", (3,), [0.0, 0.0, -1.0])),
    "softmax_con_inf": (lambda L: L.tensor([INF, 1.0]).softmax(0), ("float32", (2,), [NAN, NAN])),
    "log_softmax_con_inf": (lambda L: L.tensor([INF, 1.0]).log_softmax(0), ("float32", (2,), [NAN, NAN])),
    "softmax_fila_menos_inf": (lambda L: L.tensor([-INF, -INF]).softmax(0), ("float32", (2,), [NAN, NAN])),
    "logsumexp_con_inf": (lambda L: L.tensor([INF, 1.0]).logsumexp(0), ("float32", (), [INF])),
    "softshrink_nan": (lambda L: _F(L).softshrink(L.tensor([NAN, 0.2, -1.0])), ("float32", (3,), [NAN, 0.0, -0.5])),
    "hardshrink_nan": (lambda L: _F(L).hardshrink(L.tensor([NAN, 0.2])), ("float32", (2,), [NAN, 0.0])),
    "threshold_nan": (lambda L: _F(L).threshold(L.tensor([NAN, 1.0]), 0.5, 0.0), ("float32", (2,), [NAN, 1.0])),
    "interpolate_con_inf": (lambda L: _F(L).interpolate(L.tensor([[[1.0, INF, 2.0]]]), scale_factor=2, mode="linear"),
                            ("float32", (1, 1, 6), [NAN, INF, INF, INF, INF, 2.0])),
    "conv_con_menos_inf": (lambda L: _F(L).conv1d(L.tensor([[[1.0, -INF, 2.0]]]), L.ones(1, 1, 2)),
                           ("float32", (1, 1, 2), [-INF, -INF])),
    "var_correccion_N": (lambda L: L.tensor([1.0, 2.0]).var(correction=2), ("float32", (), [INF])),
    # -- primeros argumentos que no son tensores ----------------------------------------------------------
    "atan2_numero": (lambda L: L.atan2(1.0, L.tensor([1.0])), Raises("TypeError")),
    "maximum_numero": (lambda L: L.maximum(1.0, L.tensor([1.0])), Raises("TypeError")),
    "exp_numero": (lambda L: L.exp(1.0), Raises("TypeError")),
    "add_numero_delante": (lambda L: L.add(2.0, L.tensor([1.0]), alpha=3), ("float32", (1,), [5.0])),
    "sub_numero_delante": (lambda L: L.sub(2, L.tensor([1, 5])), ("int64", (2,), [1, -3])),
    "pow_numero_delante": (lambda L: L.pow(2, L.tensor([1.0, 3.0])), ("float32", (2,), [2.0, 8.0])),
    # clamp_min/clamp_max con dos tensores bool son max/min (clamp y los límites numéricos no se admiten)
    "clamp_max_bool": (lambda L: L.clamp_max(L.tensor([True, False, True]), L.tensor([False, True, True])),
                       ("bool", (3,), [False, False, True])),
    "clamp_min_bool": (lambda L: L.tensor([True, False, False]).clamp_min(L.tensor([False, True, False])),
                       ("bool", (3,), [True, True, False])),
    "clamp_max_bool_numero": (lambda L: L.clamp_max(L.tensor([True]), True), Raises("NotImplementedError")),
    # -- nombres de tipo: x.type(), torch.typename, y el repr de las listas de parámetros -------------------
    "type_sin_argumento": (lambda L: [L.zeros(1, dtype=d).type() for d in (L.float32, L.float64, L.int64, L.int32,
                                                                          L.uint8, L.bool)],
                           ("torch.FloatTensor", "torch.DoubleTensor", "torch.LongTensor", "torch.IntTensor",
                            "torch.ByteTensor", "torch.BoolTensor")),
    "type_con_nombre": (lambda L: L.tensor([1.5]).type("torch.DoubleTensor"), ("float64", (1,), [1.5])),
    "typename": (lambda L: (L.typename(L.zeros(1, dtype=L.int16)), L.typename(3), L.typename("a")),
                 ("torch.ShortTensor", "int", "str")),
    "repr_parameterlist": (lambda L: repr(L.nn.ParameterList([L.nn.Parameter(L.zeros(2, 3)), L.zeros(4, dtype=L.float64)])),
                           "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n"
                           "    (1): Parameter containing: [torch.float64 of size 4]\n)"),
    "repr_parameterdict": (lambda L: repr(L.nn.ParameterDict({"w": L.nn.Parameter(L.zeros(2)), "b": L.tensor(1.0)})),
                           # un dict normal entra ordenado por clave (un OrderedDict, en su orden)
                           "ParameterDict(\n    (b): Parameter containing: [torch.FloatTensor of size ]\n"
                           "    (w): Parameter containing: [torch.FloatTensor of size 2]\n)"),
}

test_values_as_pytorch, test_expectations_are_torchs = parity_tests(CASES)


def test_no_float32_round_trip_for_float64_lists():
    import tinygrad_es as tg
    x = tg.tensor([0.1, 1 / 3, 1e-300], dtype=tg.float64)
    assert x.tolist() == [0.1, 1 / 3, 1e-300]
    assert tg.Tensor([0.1], dtype=np.float64).item() == 0.1
