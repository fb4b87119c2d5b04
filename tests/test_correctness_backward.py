"""Derivadas como las de PyTorch en los casos límite.

* Las derivadas con zonas de 0 (``clamp``, ``hardtanh``, ``threshold``, ``ignore_index``...) **eligen**
  el 0 (``where``), no multiplican por una máscara: un gradiente inf o nan que llega de arriba da 0
  donde PyTorch da 0.
* ``clamp`` con límites tensor da los empates a la entrada; ``std`` con un elemento y
  ``unbiased=False`` tiene gradiente 0; ``var``/``std`` con ``correction ≥ N``, inf.
* El contador de versiones vigila lo que lee cada derivada (como lo que guarda PyTorch): el objetivo
  de una pérdida cambiado in situ tras el forward hace fallar el backward; cambiar algo que la
  derivada no lee, no.
* Convertir a un tipo entero o bool corta el grafo; ``//`` no tiene derivada.
"""
import numpy as np
import pytest

from parity import Raises, parity_tests

INF, NAN = float("inf"), float("nan")
X = [-2.0, -0.5, 0.0, 0.5, 2.0, 3.0]
G = [INF, NAN, INF, -INF, NAN, 1.0]


def _grad(f, xs=X, gs=G):
    def case(L):
        x = L.tensor(xs, requires_grad=True)
        y = f(L, x)
        y.backward(L.tensor(gs[:y.numel()]).reshape(y.shape))
        return x.grad
    return case


def _F(L):
    return L.nn.functional


def _t(L, v):
    return L.tensor(v)


def _clamp_ties(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    lo = L.tensor([1.0, 1.0, 1.0], requires_grad=True)
    x.clamp(min=lo).sum().backward()
    return x.grad, lo.grad


def _clamp_tensor_both(L):
    x = L.tensor([0.0, 1.0, 2.0, 3.0, NAN, 1.0, 5.0], requires_grad=True)
    lo = L.tensor([1.0, 1.0, 1.0, 1.0, 1.0, NAN, 4.0], requires_grad=True)
    hi = L.tensor([2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0], requires_grad=True)
    y = x.clamp(lo, hi)
    y.sum().backward()
    return y, x.grad, lo.grad, hi.grad


def _maximum_ties(L):
    a = L.tensor([1.0, 2.0, NAN], requires_grad=True)
    b = L.tensor([1.0, 1.0, 0.0], requires_grad=True)
    L.maximum(a, b).sum().backward()
    return a.grad, b.grad


def _std_one(L, **kw):
    x = L.tensor([1.754], requires_grad=True)
    x.std(**kw).backward()
    return x.grad


def _var_corr(f, corr, dim=None):
    def case(L):
        x = L.tensor([[1.0, 2.0, 4.0]], requires_grad=True)
        v = getattr(x, f)(correction=corr) if dim is None else getattr(x, f)(dim, correction=corr)
        v.sum().backward()
        return v, x.grad
    return case


def _intcast_ends_graph(L):
    x = L.tensor([1.5, 2.5], requires_grad=True)
    (x.long().float() * x).sum().backward()
    return x.grad, x.long().requires_grad, x.bool().requires_grad, x.to(L.int32).requires_grad


def _floordiv_no_grad(L):
    x = L.tensor([3.0, 4.0], requires_grad=True)
    (x // 2).sum().backward()


def _rsub_remainder_no_grad(L):
    x = L.tensor([3.0, 4.0], requires_grad=True)
    (7.0 % x).sum().backward()


def _remainder_grad(L):
    x = L.tensor([3.0, 4.0], requires_grad=True)
    z = L.tensor([2.0, 3.0], requires_grad=True)
    (x % z).sum().backward()
    return x.grad, z.grad


def _target_modified(loss):
    def case(L):
        i = L.tensor([1.0, 2.0, 0.5], requires_grad=True)
        t = L.tensor([0.0, 1.0, 0.25])
        out = loss(L, i, t)
        t.add_(1)
        out.backward()
        return i.grad
    return case


def _modified_after(op, which):
    """Cambia in situ ``x`` (la entrada con gradiente), ``y`` (la otra) o la salida tras el forward."""
    def case(L):
        a = L.tensor([0.5, -1.0, 2.0, 0.25], requires_grad=True)
        x = a * 1.0
        y = L.tensor([0.2, 0.4, -0.3, 1.5])
        out = op(L, x, y)
        {"x": x, "y": y, "out": out}[which].add_(1.0)
        out.sum().backward()
        return a.grad
    return case


def _ce_weight_prob(L):
    w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = L.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    t = L.tensor([[0.2, 0.3, 0.5]])
    _F(L).cross_entropy(i, t, weight=w).backward()
    return w.grad


def _weight_requires_grad(fn):
    def case(L):
        w = L.ones(3, requires_grad=True)
        x = L.tensor([[0.2, 0.7, 0.1]], requires_grad=True)
        return fn(L, x, w)
    return case


CASES = {
    # -- derivadas con zonas de 0: where, no ·máscara --------------------------------------------------
    "clamp": (_grad(lambda L, x: x.clamp(-1, 1)), ("float32", (6,), [0, NAN, INF, -INF, 0, 0])),
    "clamp_min": (_grad(lambda L, x: x.clamp(min=0.0)), ("float32", (6,), [0, 0, INF, -INF, NAN, 1])),
    "clamp_tensor": (_grad(lambda L, x: x.clamp(_t(L, [-1.0] * 6), _t(L, [1.0] * 6))),
                     ("float32", (6,), [0, NAN, INF, -INF, 0, 0])),
    "maximum": (_grad(lambda L, x: L.maximum(x, _t(L, [0.0] * 6))), ("float32", (6,), [0, 0, INF, -INF, NAN, 1])),
    "minimum": (_grad(lambda L, x: L.minimum(x, _t(L, [0.0] * 6))), ("float32", (6,), [INF, NAN, INF, 0, 0, 0])),
    "hardtanh": (_grad(lambda L, x: _F(L).hardtanh(x)), ("float32", (6,), [0, NAN, INF, -INF, 0, 0])),
    "relu6": (_grad(lambda L, x: _F(L).relu6(x)), ("float32", (6,), [0, 0, 0, -INF, NAN, 1])),
    "threshold": (_grad(lambda L, x: _F(L).threshold(x, 0.1, 20.0)), ("float32", (6,), [0, 0, 0, -INF, NAN, 1])),
    "softshrink": (_grad(lambda L, x: _F(L).softshrink(x)), ("float32", (6,), [INF, 0, 0, 0, NAN, 1])),
    "hardshrink": (_grad(lambda L, x: _F(L).hardshrink(x)), ("float32", (6,), [INF, 0, 0, 0, NAN, 1])),
    "cumprod_tras_el_cero": (_grad(lambda L, x: x.cumprod(0)), ("float32", (6,), [NAN, NAN, NAN, 0, 0, 0])),
    "cross_entropy_ignore_index": (_grad(lambda L, x: _F(L).cross_entropy(x.reshape(2, 3), _t(L, [0, -100]),
                                                                            reduction="none")),
                                   ("float32", (6,), [NAN, INF, INF, 0, 0, 0])),
    "nll_ignore_index": (_grad(lambda L, x: _F(L).nll_loss(x.reshape(2, 3), _t(L, [0, -100]), reduction="none")),
                         ("float32", (6,), [-INF, 0, 0, 0, 0, 0])),
    "cross_entropy_ignore_smoothing": (_grad(lambda L, x: _F(L).cross_entropy(
        x.reshape(2, 3), _t(L, [0, -100]), reduction="none", label_smoothing=0.1)),
        ("float32", (6,), [NAN, NAN, NAN, 0, 0, 0])),
    "hardswish_bordes": (_grad(lambda L, x: _F(L).hardswish(x), [-4.0, -3.0, -1.0, 0.0, 3.0, NAN], [1.0] * 6),
                         ("float32", (6,), [0, 0, 1 / 6, 0.5, 1, 1])),
    "hardsigmoid_bordes": (_grad(lambda L, x: _F(L).hardsigmoid(x), [-4.0, -3.0, -1.0, 0.0, 3.0, NAN], [1.0] * 6),
                           ("float32", (6,), [0, 0, 1 / 6, 1 / 6, 0, 0])),
    # -- empates, std, var -------------------------------------------------------------------------------
    "clamp_empates_a_la_entrada": (_clamp_ties, (("float32", (3,), [1, 1, 1]), ("float32", (3,), [0, 0, 0]))),
    "clamp_tensor_min_mayor_que_max": (_clamp_tensor_both, (("float32", (7,), [1, 1, 2, 2, NAN, NAN, 3]),
                                                            ("float32", (7,), [0, 1, 1, 0, 0, 0, 0]),
                                                            ("float32", (7,), [1, 0, 0, 0, 0, 0, 0]),
                                                            ("float32", (7,), [0, 0, 0, 1, 0, 0, 1]))),
    "maximum_empates_y_nan": (_maximum_ties, (("float32", (3,), [0.5, 1, 1]), ("float32", (3,), [0.5, 0, 1]))),
    "std_un_elemento_sesgada": (lambda L: _std_one(L, unbiased=False), ("float32", (1,), [0.0])),
    "std_un_elemento": (lambda L: _std_one(L), ("float32", (1,), [NAN])),
    "var_correccion_N": (_var_corr("var", 3), (("float32", (), [INF]), ("float32", (1, 3), [INF, INF, INF]))),
    "var_correccion_N_eje": (_var_corr("var", 3, 1), (("float32", (1,), [INF]), ("float32", (1, 3), [-INF, -INF, INF]))),
    "var_correccion_mayor_eje": (_var_corr("var", 5, 1),
                                 (("float32", (1,), [INF]), ("float32", (1, 3), [4 / 3, 1 / 3, -5 / 3]))),
    "std_correccion_N": (_var_corr("std", 3), (("float32", (), [INF]), ("float32", (1, 3), [NAN, NAN, NAN]))),
    # -- conversiones y divisiones sin derivada ------------------------------------------------------------
    "conversion_a_entero_corta_el_grafo": (_intcast_ends_graph, (("float32", (2,), [1, 2]), False, False, False)),
    "division_entera_sin_derivada": (_floordiv_no_grad, Raises("RuntimeError")),
    "resto_numero_entre_tensor_sin_derivada": (_rsub_remainder_no_grad, Raises("RuntimeError")),
    "resto_con_derivada": (_remainder_grad, (("float32", (2,), [1, 1]), ("float32", (2,), [-1, -1]))),
    # -- el contador de versiones vigila lo que lee cada derivada -------------------------------------------
    "mse_objetivo_cambiado": (_target_modified(lambda L, i, t: _F(L).mse_loss(i, t)), Raises("RuntimeError")),
    "huber_objetivo_cambiado": (_target_modified(lambda L, i, t: _F(L).huber_loss(i, t)), Raises("RuntimeError")),
    "smooth_l1_objetivo_cambiado": (_target_modified(lambda L, i, t: _F(L).smooth_l1_loss(i, t)),
                                    Raises("RuntimeError")),
    "bce_objetivo_cambiado": (_target_modified(lambda L, i, t: _F(L).binary_cross_entropy(i.sigmoid(), t)),
                              Raises("RuntimeError")),
    "l1_objetivo_cambiado_no_importa": (_target_modified(lambda L, i, t: _F(L).l1_loss(i, t)),
                                        ("float32", (3,), [1 / 3, 1 / 3, 1 / 3])),
    "mul_sin_grad_en_el_otro": (_modified_after(lambda L, x, y: x * y, "x"), ("float32", (4,), [0.2, 0.4, -0.3, 1.5])),
    "mul_otro_cambiado": (_modified_after(lambda L, x, y: x * y, "y"), Raises("RuntimeError")),
    "sin_salida_cambiada_no_importa": (_modified_after(lambda L, x, y: x.sin(), "out"),
                                       ("float32", (4,), np.cos(np.float32([0.5, -1.0, 2.0, 0.25])).tolist())),
    "exp_salida_cambiada": (_modified_after(lambda L, x, y: x.exp(), "out"), Raises("RuntimeError")),
    "var_entrada_cambiada": (_modified_after(lambda L, x, y: x.var(), "x"), Raises("RuntimeError")),
    "lerp_sin_lecturas": (_modified_after(lambda L, x, y: L.lerp(x, y, 0.3), "x"), ("float32", (4,), [0.7] * 4)),
    "sort_entrada_cambiada_no_importa": (_modified_after(lambda L, x, y: x.sort()[0], "x"), ("float32", (4,), [1] * 4)),
    "matmul_sin_grad_en_el_otro": (_modified_after(lambda L, x, y: x.reshape(2, 2) @ y.reshape(2, 2), "x"),
                                   ("float32", (4,), [0.6, 1.2, 0.6, 1.2])),
    "layer_norm_entrada_cambiada": (_modified_after(lambda L, x, y: _F(L).layer_norm(x, (4,)), "x"),
                                    Raises("RuntimeError")),
    # -- weight en las pérdidas -----------------------------------------------------------------------------
    "cross_entropy_probabilidades_grad_a_weight": (_ce_weight_prob, ("float32", (3,), [0.481521, 0.422282, 0.203803])),
    "nll_weight_con_grad": (_weight_requires_grad(lambda L, x, w: _F(L).nll_loss(x, _t(L, [1]), weight=w)),
                            Raises("RuntimeError")),
    "cross_entropy_weight_con_grad": (_weight_requires_grad(
        lambda L, x, w: _F(L).cross_entropy(x, _t(L, [1]), weight=w)), Raises("RuntimeError")),
    "bce_weight_con_grad": (_weight_requires_grad(
        lambda L, x, w: _F(L).binary_cross_entropy(x, _t(L, [[0.0, 1.0, 0.0]]), weight=w)), Raises("RuntimeError")),
    "bce_logits_pos_weight_con_grad": (_weight_requires_grad(
        lambda L, x, w: _F(L).binary_cross_entropy_with_logits(x, _t(L, [[0.0, 1.0, 0.0]]), pos_weight=w)),
        Raises("RuntimeError")),
    "mse_weight_otra_forma": (_weight_requires_grad(
        lambda L, x, w: _F(L).mse_loss(x, _t(L, [[0.0, 1.0, 0.0]]), weight=w)), Raises("ValueError")),
}

test_backward_as_pytorch, test_expectations_are_torchs = parity_tests(CASES)


def test_cross_entropy_fused_matches_composed_for_finite_gradients():
    import tinygrad_es as tg
    rng = np.random.default_rng(1)
    z = rng.standard_normal((5, 4))
    t = np.array([0, 3, -100, 1, 2])
    grads = []
    for fused in (True, False):
        x = tg.tensor(z, requires_grad=True)
        w = None if fused else tg.ones(4, dtype=tg.float64)  # con weight no se usa el camino fusionado
        tg.nn.functional.cross_entropy(x, tg.tensor(t), weight=w).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_ignored_rows_get_exact_zero(reduction):
    import tinygrad_es as tg
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = tg.nn.functional.cross_entropy(x, tg.tensor([1, -100]), reduction=reduction)
    loss.backward(tg.full(loss.shape, float("nan")) if reduction == "none" else None)
    assert x.grad[1].tolist() == [0.0, 0.0]
