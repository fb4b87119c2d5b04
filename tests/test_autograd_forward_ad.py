"""El modo hacia delante: ``autograd.forward_ad`` (números duales) y ``func.jvp``/``linearize``/
``jacfwd`` (la VJP traspuesta).

* Cada operación de las tablas de ``test_tensor_gradcheck.py`` (las que se comprueban contra
  diferencias finitas en modo inverso): su J·v, en float64, contra diferencias centrales
  ``(f(x + h·v) − f(x − h·v)) / 2h``, por los dos caminos;
* la semántica de PyTorch: niveles, errores, vistas, in situ, ``requires_grad``, ``Function`` del
  usuario, pytrees y ``has_aux``;
* contra PyTorch (``torch``): un MLP y una convolución, con ``forward_ad``, ``func.jvp``,
  ``func.linearize``, ``func.jacfwd`` y ``autograd.functional.jvp``/``hvp``.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
import tinygrad_es.autograd.forward_ad as fwAD
from tinygrad_es import cat, nn, stack, where
from tinygrad_es.func import grad, hessian, jacfwd, jacrev, jvp, linearize
from strategies import arrays, away_from_kinks, broadcastable_pair, distinct_values, floats, positive, small_shapes
from test_tensor_gradcheck import BINARY, MAXMIN, MOVEMENT, REDUCE, SOFTMAX, UNARY, shape_and_axis


# --------------------------------------------------------------------------
# la tabla: operación → (función, estrategia de sus entradas)
# --------------------------------------------------------------------------
def _binary(ea, eb):
    return broadcastable_pair().flatmap(lambda s: st.tuples(arrays(s[0], ea), arrays(s[1], eb)))


def _unary(name, elems, kink):
    if name == "clip":
        return small_shapes.flatmap(lambda s: away_from_kinks(s, kink=-1.0)).map(
            lambda a: (np.where(np.abs(a - 1.5) < 0.05, a + 0.1, a),))
    if kink is None:
        return small_shapes.flatmap(lambda s: arrays(s, elems)).map(lambda a: (a,))
    return small_shapes.flatmap(lambda s: away_from_kinks(s, kink=kink)).map(lambda a: (a,))


def _maxmin(name):
    fn = tg.maximum if name == "maximum" else tg.minimum
    strat = small_shapes.flatmap(distinct_values).map(lambda a: (a, np.flip(a[::-1].copy() + 0.013).copy()))
    return fn, strat


def _reduce(name):
    def draw(sak):
        shape, axis, kd = sak
        elems = distinct_values(shape) if name.startswith(("amax", "amin", "max", "min")) else arrays(shape)
        return elems.map(lambda a: (a, axis, kd))
    return None, shape_and_axis().flatmap(draw)


def _softmax(name):
    return small_shapes.flatmap(lambda s: st.tuples(arrays(s), st.integers(-len(s), len(s) - 1)))


_MOVE = away_from_kinks((2, 3, 4), kink=0.1).map(lambda a: (a,))  # getitem_bool mira x > 0.1

TABLE = {}
TABLE.update({f"binary.{n}": (f, _binary(ea, eb)) for n, (f, ea, eb) in BINARY.items()})
TABLE.update({f"unary.{n}": (f, _unary(n, e, k)) for n, (f, e, k) in UNARY.items()})
TABLE.update({n: _maxmin(n) for n in MAXMIN})
TABLE.update({f"reduce.{n}": (lambda x, ax, kd, n=n: REDUCE[n](x, ax, kd), _reduce(n)[1]) for n in REDUCE})
TABLE.update({n: (lambda x, ax, n=n: getattr(x, n)(axis=ax), _softmax(n)) for n in SOFTMAX})
TABLE.update({f"movement.{n}": (f, _MOVE) for n, f in MOVEMENT.items()})
TABLE["where"] = (lambda c, x, y: where(c, x, y), broadcastable_pair().flatmap(
    lambda s: st.tuples(st.just(np.arange(np.prod(np.broadcast_shapes(*s), dtype=int)).reshape(
        np.broadcast_shapes(*s)) % 3 == 0), arrays(s[0]), arrays(s[1]))))
TABLE["matmul"] = (lambda a, b: a @ b, st.sampled_from([((3, 4), (4, 2)), ((4,), (4, 2)), ((2, 3, 4), (4,)),
                                                        ((2, 1, 3, 4), (3, 4, 2))]).flatmap(
    lambda s: st.tuples(arrays(s[0]), arrays(s[1]))))
TABLE["cat"] = (lambda x, y: cat([x, y], axis=1), st.tuples(arrays((2, 3, 4)), arrays((2, 1, 4))))
TABLE["stack"] = (lambda x, y: stack([x, y * 2], axis=1), st.tuples(arrays((2, 3)), arrays((2, 3))))


def _split(args):
    """(arrays reales a derivar, función de ellos con el resto fijo)."""
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype == np.float64]


def _fd(f, args, pos, vs, h=1e-6):
    def at(s):
        xs = list(args)
        for i, v in zip(pos, vs):
            xs[i] = tg.tensor(args[i] + s * h * v)
        return f(*xs).detach().numpy()
    return (at(1) - at(-1)) / (2 * h)


@pytest.mark.parametrize("name", sorted(TABLE))
@given(data=st.data())
def test_jvp_of_every_op_matches_finite_differences(name, data):
    f, strat = TABLE[name]
    args = data.draw(strat)
    pos = _split(args)
    vs = [data.draw(arrays(np.shape(args[i]))) for i in pos]
    want = _fd(f, args, pos, vs)
    with fwAD.dual_level():
        xs = list(args)
        for i, v in zip(pos, vs):
            xs[i] = fwAD.make_dual(tg.tensor(args[i]), tg.tensor(v))
        y = f(*xs)
        tangent = fwAD.unpack_dual(y).tangent
    got = np.zeros_like(want) if tangent is None else tangent.numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"forward_ad de {name}")

    def g(*ts):
        xs = list(args)
        for i, t in zip(pos, ts):
            xs[i] = t
        return f(*xs)
    _, out = jvp(g, tuple(tg.tensor(args[i]) for i in pos), tuple(tg.tensor(v) for v in vs))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=f"func.jvp de {name}")


def test_table_covers_the_gradient_tables():
    assert len(TABLE) >= 45, sorted(TABLE)


# --------------------------------------------------------------------------
# semántica de forward_ad (la de PyTorch)
# --------------------------------------------------------------------------
def test_levels_and_errors():
    x, t = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([1.0, 0.5, -1.0])
    with pytest.raises(RuntimeError, match="no hay ningún nivel dual"):
        fwAD.make_dual(x, t)
    with fwAD.dual_level() as level:
        assert level == 0
        with pytest.raises(RuntimeError, match=r"forma \[3\] y la tangente \[2\]"):
            fwAD.make_dual(x, tg.tensor([1.0, 2.0]))
        with pytest.raises(ValueError, match="coma flotante"):
            fwAD.make_dual(tg.arange(3), tg.arange(3))
        with pytest.raises(RuntimeError, match="anidado"):
            fwAD.enter_dual_level()
        d = fwAD.make_dual(x, t)
        with pytest.raises(RuntimeError, match="ya tiene tangente"):
            fwAD.make_dual(d, t)
        p, tan = fwAD.unpack_dual(d)
        assert tan is t and not d.requires_grad and fwAD.unpack_dual(p).tangent is None
        assert fwAD.unpack_dual(x) == (x, None) and type(fwAD.unpack_dual(x)).__name__ == "UnpackedDualTensor"
        assert fwAD.unpack_dual(d.detach()).tangent is None
        y = d * 2
    assert fwAD.unpack_dual(y).tangent is None and fwAD.unpack_dual(d).tangent is None  # fuera del nivel
    with pytest.raises(RuntimeError):
        fwAD.exit_dual_level()
    assert fwAD.enter_dual_level() == 0
    assert fwAD.unpack_dual(d).tangent is None  # un nivel nuevo no ve las tangentes del anterior
    fwAD.exit_dual_level(level=0)


def test_repr_shows_the_tangent_like_pytorch():
    with fwAD.dual_level():
        d = fwAD.make_dual(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 0.0]))
        assert repr(d * 2) == "tensor([2., 4.], tangent=tensor([2., 0.]))"
        r = fwAD.make_dual(tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([1.0, 0.0]))
        assert repr(r.sin()) == ("tensor([0.8415, 0.9093], grad_fn=<SinBackward0>,\n"
                                 "       tangent=tensor([0.5403, -0.0000], grad_fn=<MulBackward0>))")
    assert repr(d) == "tensor([1., 2.])"


def test_views_and_inplace_update_tangents_like_pytorch():
    x, t = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([1.0, 0.5, -1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        v = d[1:]
        np.testing.assert_array_equal(fwAD.unpack_dual(v).tangent.numpy(), [0.5, -1.0])
        y = d * 2
        y.add_(d)                                    # in situ con un dual: tangente 3t
        np.testing.assert_allclose(fwAD.unpack_dual(y).tangent.numpy(), 3 * t.numpy())
        z = x.clone()
        z.mul_(d)                                    # un tensor normal pasa a ser dual: x·t
        np.testing.assert_allclose(fwAD.unpack_dual(z).tangent.numpy(), x.numpy() * t.numpy())
        b = tg.zeros(2, 3)
        b[1] = d                                     # la base recibe una tangente de ceros y la fila
        np.testing.assert_allclose(fwAD.unpack_dual(b).tangent.numpy(), [[0, 0, 0], t.numpy()])
        e = fwAD.make_dual(x.clone(), t.clone())
        e[1:].mul_(2)                                # in situ en una vista: la tangente de la base cambia
        np.testing.assert_allclose(fwAD.unpack_dual(e).tangent.numpy(), [1.0, 1.0, -2.0])
        with tg.no_grad():                           # no_grad no detiene el modo hacia delante
            s = d.sin()
        np.testing.assert_allclose(fwAD.unpack_dual(s).tangent.numpy(), np.cos(x.numpy()) * t.numpy())


def test_tangent_is_differentiable_wrt_a_primal_that_requires_grad():
    rng = np.random.default_rng(0)
    x0, v = rng.standard_normal(4), rng.standard_normal(4)
    x = tg.tensor(x0, requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, tg.tensor(v))
        assert d.requires_grad and d.grad_fn.name() == "ViewBackward0"
        tan = fwAD.unpack_dual((d.tanh() * d).sum()).tangent
    assert tan.requires_grad
    tan.backward()                                   # ∇(∇f·v) = H·v
    _, hv = tg.autograd.functional.hvp(lambda y: (y.tanh() * y).sum(), tg.tensor(x0), tg.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), hv.numpy(), rtol=1e-10)


def test_user_function_jvp_and_missing_rules():
    class Scale(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            assert fwAD.unpack_dual(x).tangent is None   # el forward ve los primales
            ctx.save_for_backward(y)
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            return None, None, None

        @staticmethod
        def jvp(ctx, tx, ty, tk):
            assert tk is None and np.all(ty.numpy() == 0)  # ceros si el tensor no es dual
            (y,) = ctx.saved_tensors
            return tx * y * 2

    class NoRule(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with fwAD.dual_level():
        d = fwAD.make_dual(tg.ones(2), tg.tensor([1.0, 2.0]))
        out = Scale.apply(d, tg.full((2,), 3.0), 2.0)
        np.testing.assert_allclose(fwAD.unpack_dual(out).tangent.numpy(), [6.0, 12.0])
        with pytest.raises(NotImplementedError, match="jvp"):
            NoRule.apply(d)
        with pytest.raises(NotImplementedError, match="'Cholesky'"):
            tg.linalg.cholesky(fwAD.make_dual(tg.eye(2) * 2, tg.ones(2, 2)))


@pytest.mark.parametrize("training", [True, False], ids=["entrenamiento", "evaluacion"])
@pytest.mark.parametrize("affine", [True, False], ids=["afin", "sin_gamma_beta"])
def test_batchnorm_forward_rule_against_torch(training, affine):
    torch = pytest.importorskip("torch")
    import torch.autograd.forward_ad as tfwAD
    rng = np.random.default_rng(4)
    x0, v0 = rng.standard_normal((4, 3, 5)), rng.standard_normal((4, 3, 5))
    w0, b0, dw, db = (rng.standard_normal(3) for _ in range(4))
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5

    def run(L, fw):
        with fw.dual_level():
            x = fw.make_dual(L.tensor(x0), L.tensor(v0))
            w = fw.make_dual(L.tensor(w0), L.tensor(dw)) if affine else None
            b = fw.make_dual(L.tensor(b0), L.tensor(db)) if affine else None
            y = L.nn.functional.batch_norm(x, L.tensor(rm.copy()), L.tensor(rv.copy()), w, b, training=training)
            return fw.unpack_dual(y).tangent.numpy()
    np.testing.assert_allclose(run(tg, fwAD), run(torch, tfwAD), rtol=1e-9, atol=1e-12)
    # su regla no lleva grafo: derivar la tangente es un error que la nombra, no un gradiente malo
    xg = tg.tensor(x0, requires_grad=True)
    with fwAD.dual_level():
        tan = fwAD.unpack_dual(nn.functional.batch_norm(fwAD.make_dual(xg, tg.tensor(v0)), None, None,
                                                        training=True)).tangent
    with pytest.raises(RuntimeError, match="BatchNorm"):
        tan.sum().backward()


# --------------------------------------------------------------------------
# func.jvp, linearize, jacfwd
# --------------------------------------------------------------------------
def test_func_jvp_pytrees_aux_and_errors():
    x, v = tg.tensor([0.0, 1.0]), tg.tensor([1.0, 1.0])
    out, tan, aux = jvp(lambda p: (p["a"].sin() * p["b"], {"k": p["a"] * 2}), ({"a": x, "b": x + 1},),
                        ({"a": v, "b": v},), has_aux=True)
    xs = x.numpy()
    np.testing.assert_allclose(tan.numpy(), np.cos(xs) * (xs + 1) + np.sin(xs))
    assert not aux["k"].requires_grad and aux["k"].tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match="tupla"):
        jvp(lambda a: a.sin(), x, (v,))
    with pytest.raises(RuntimeError, match="misma estructura"):
        jvp(lambda a: a.sin(), (x,), (v, v))
    with pytest.raises(RuntimeError, match=r"forma \[2\] y la tangente \[3\]"):
        jvp(lambda a: a.sin(), (x,), (tg.ones(3),))


def test_linearize_reuses_the_graph_and_nests():
    rng = np.random.default_rng(1)
    W = tg.tensor(rng.standard_normal((3, 4)))
    f = lambda x: (W @ x).tanh()  # noqa: E731
    x = tg.tensor(rng.standard_normal(4))
    out, jvp_fn = linearize(f, x)
    np.testing.assert_allclose(out.numpy(), f(x).numpy())
    J = jacrev(f)(x).numpy()
    for _ in range(2):
        v = rng.standard_normal(4)
        np.testing.assert_allclose(jvp_fn(tg.tensor(v)).numpy(), J @ v, rtol=1e-10)
    np.testing.assert_allclose(jacfwd(f)(x).numpy(), J, rtol=1e-10)
    # anidados: jvp de jvp (derivada segunda direccional) y jvp de grad (H·v)
    s = lambda y: (y.sin() * y).sum()  # noqa: E731
    v = tg.tensor(rng.standard_normal(4))
    _, hv = jvp(grad(s), (x,), (v,))
    np.testing.assert_allclose(hv.numpy(), hessian(s)(x).numpy() @ v.numpy(), rtol=1e-10)
    _, d2 = jvp(lambda y: jvp(s, (y,), (v,))[1], (x,), (v,))
    np.testing.assert_allclose(d2.item(), v.numpy() @ hessian(s)(x).numpy() @ v.numpy(), rtol=1e-10)


def test_func_jvp_is_differentiable_wrt_primals_that_require_grad():
    x0, v = np.array([0.5, 1.0]), tg.tensor([1.0, 2.0])
    x = tg.tensor(x0, requires_grad=True)
    s = lambda a: (a.sin() * a).sum()  # noqa: E731
    out, tan = jvp(s, (x,), (v,))
    assert out.requires_grad and tan.requires_grad
    tan.backward()                                   # ∇(∇s·v) = H·v
    np.testing.assert_allclose(x.grad.numpy(), hessian(s)(tg.tensor(x0)).numpy() @ v.numpy(), rtol=1e-10)
    per_row = tg.func.vmap(lambda a, b: jvp(lambda y: y.sin(), (a,), (b,))[1])(tg.ones(3, 2), tg.ones(3, 2))
    np.testing.assert_allclose(per_row.numpy(), np.full((3, 2), np.cos(1.0)))


def test_jacfwd_pytrees_and_argnums():
    x, y = tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0, 5.0])
    f = lambda a, b: {"o": a.sum() * b, "p": a * 2}  # noqa: E731
    jf, jr = jacfwd(f, argnums=(0, 1))(x, y), jacrev(f, argnums=(0, 1))(x, y)
    for k in ("o", "p"):
        for i in range(2):
            np.testing.assert_allclose(jf[k][i].numpy(), jr[k][i].numpy())
    (j, aux) = jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(x)
    np.testing.assert_allclose(j.numpy(), np.diag(np.exp([1.0, 2.0])))
    assert aux.item() == 3.0


# --------------------------------------------------------------------------
# contra PyTorch: un MLP y una convolución
# --------------------------------------------------------------------------
def _models(torch):
    rng = np.random.default_rng(2)
    mlp = [rng.standard_normal(s) * 0.5 for s in ((8, 5), (8,), (3, 8), (3,))]
    conv = [rng.standard_normal(s) * 0.3 for s in ((4, 2, 3, 3), (4,))]

    def mlp_f(L, ps):
        F = L.nn.functional
        return lambda x: F.linear(F.linear(x, ps[0], ps[1]).tanh(), ps[2], ps[3]).log_softmax(-1)

    def conv_f(L, ps):
        F = L.nn.functional
        return lambda x: F.max_pool2d(F.conv2d(x, ps[0], ps[1], padding=1).relu(), 2).sigmoid()

    return [(mlp_f, mlp, (4, 5)), (conv_f, conv, (2, 2, 6, 6))]


@pytest.mark.parametrize("case", [0, 1], ids=["mlp", "conv"])
def test_against_torch(case):
    torch = pytest.importorskip("torch")
    import torch.autograd.forward_ad as tfwAD
    make, params, shape = _models(torch)[case]
    rng = np.random.default_rng(3)
    x0, v0 = rng.standard_normal(shape), rng.standard_normal(shape)
    tf = make(torch, [torch.tensor(p) for p in params])
    gf = make(tg, [tg.tensor(p) for p in params])
    with tfwAD.dual_level():
        want = tfwAD.unpack_dual(tf(tfwAD.make_dual(torch.tensor(x0), torch.tensor(v0)))).tangent.numpy()
    with fwAD.dual_level():
        got = fwAD.unpack_dual(gf(fwAD.make_dual(tg.tensor(x0), tg.tensor(v0)))).tangent.numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # tangentes también en los pesos y sesgos (las dos ramas de las reglas bilineales)
    dps = [rng.standard_normal(p.shape) for p in params]
    with tfwAD.dual_level():
        tf2 = make(torch, [tfwAD.make_dual(torch.tensor(p), torch.tensor(d)) for p, d in zip(params, dps)])
        want2 = tfwAD.unpack_dual(tf2(tfwAD.make_dual(torch.tensor(x0), torch.tensor(v0)))).tangent.numpy()
    with fwAD.dual_level():
        gf2 = make(tg, [fwAD.make_dual(tg.tensor(p), tg.tensor(d)) for p, d in zip(params, dps)])
        got2 = fwAD.unpack_dual(gf2(fwAD.make_dual(tg.tensor(x0), tg.tensor(v0)))).tangent.numpy()
    np.testing.assert_allclose(got2, want2, rtol=1e-9, atol=1e-12)
    out, tan = jvp(gf, (tg.tensor(x0),), (tg.tensor(v0),))
    np.testing.assert_allclose(tan.numpy(), torch.func.jvp(tf, (torch.tensor(x0),), (torch.tensor(v0),))[1].numpy(),
                               rtol=1e-9, atol=1e-12)
    _, fn = linearize(gf, tg.tensor(x0))
    _, tfn = torch.func.linearize(tf, torch.tensor(x0))
    np.testing.assert_allclose(fn(tg.tensor(v0)).numpy(), tfn(torch.tensor(v0)).detach().numpy(), rtol=1e-9,
                               atol=1e-12)
    _, a = tg.autograd.functional.jvp(gf, tg.tensor(x0), tg.tensor(v0))
    np.testing.assert_allclose(a.numpy(), want, rtol=1e-9, atol=1e-12)
    if case == 0:  # jacfwd y hvp (forward-over-reverse) de la pérdida del MLP
        np.testing.assert_allclose(jacfwd(gf)(tg.tensor(x0[0])).numpy(),
                                   torch.func.jacfwd(tf)(torch.tensor(x0[0])).numpy(), rtol=1e-9, atol=1e-12)
        loss_t = lambda x: tf(x).sum()  # noqa: E731
        loss_g = lambda x: gf(x).sum()  # noqa: E731
        _, hv = tg.autograd.functional.hvp(loss_g, tg.tensor(x0), tg.tensor(v0))
        _, thv = torch.autograd.functional.hvp(loss_t, torch.tensor(x0), torch.tensor(v0))
        np.testing.assert_allclose(hv.numpy(), thv.numpy(), rtol=1e-8, atol=1e-12)
