"""La retropropagación a través del tiempo a la vista (``viz.bptt``) y el mapa de atención
(``viz.plots.attention_map``): lo que se mide coincide con la cuenta hecha a mano."""
import re

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.viz import explain_backward
from tinygrad_es.viz.bptt import backprop_through_time, unroll


def test_grad_norms_per_step_match_the_chain_rule_by_hand():
    tg.manual_seed(0)
    cell = nn.RNNCell(3, 5, dtype=tg.float64)
    x = tg.tensor(np.random.default_rng(0).standard_normal((6, 2, 3)))
    rep = backprop_through_time(cell, x, loss="last", seed=4)
    # a mano: ∂L/∂h_T = v; ∂L/∂h_{t−1} = (∂L/∂h_t ⊙ (1 − h_t²)) · W_hh
    W = cell.weight_hh.detach().numpy()
    hs = [h.detach().numpy() for h in rep.hidden]
    g = np.random.default_rng(4).standard_normal(hs[-1].shape)
    expect = [np.linalg.norm(g)]
    for t in range(len(hs) - 1, 0, -1):
        g = (g * (1 - hs[t] ** 2)) @ W
        expect.append(np.linalg.norm(g))
    np.testing.assert_allclose(rep.grad_norms, expect[::-1], rtol=1e-12)
    assert rep.steps == 6


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.GRUCell, nn.LSTMCell])
def test_shared_weight_gradient_is_the_sum_of_every_step(cls):
    tg.manual_seed(1)
    cell = cls(2, 4, dtype=tg.float64)
    rep = backprop_through_time(cell, tg.tensor(np.random.default_rng(1).standard_normal((5, 3, 2))), loss="all")
    for name, p in cell.named_parameters():
        steps = rep.weight_grads[name]
        assert len(steps) == 5
        np.testing.assert_allclose(sum(steps), p.grad.numpy(), rtol=1e-12, atol=1e-14)
        first = 1 if name == "weight_hh" else 0  # con h_0 = 0 el primer paso no aporta a W_hh (h_0ᵀ·g = 0)
        assert np.all(steps[0] == 0) or first == 0
        assert all(np.abs(s).sum() > 0 for s in steps[first:])  # cada paso aporta algo
    assert rep.weight_norms["weight_hh"].shape == (5,)


def test_vanishing_gradient_with_small_recurrent_weights():
    tg.manual_seed(2)
    cell = nn.RNNCell(1, 16, dtype=tg.float64)
    with tg.no_grad():
        cell.weight_hh.mul_(0.5)
    rep = backprop_through_time(cell, tg.tensor(np.random.default_rng(2).standard_normal((30, 1, 1))))
    n = rep.grad_norms
    assert np.all(np.diff(n) > 0)  # hacia el principio, cada vez menor
    assert n[0] < 1e-4 * n[-1]


def test_unrolled_graph_draws_the_shared_weight_once_with_one_edge_per_step():
    graphviz = pytest.importorskip("graphviz")  # noqa: F841
    from tinygrad_es.viz import draw_graph
    tg.manual_seed(3)
    cell = nn.RNNCell(2, 3)
    states = unroll(cell, tg.randn(4, 1, 2))
    src = draw_graph(states[-1], names=cell).source
    node = re.search(r"(n\d+) \[label=\"\{ weight_hh ", src)
    assert node, src[:500]
    assert src.count("{ weight_hh ") == 1
    assert len(re.findall(rf"\b{node.group(1)} -> ", src)) == 4  # la misma W_hh entra en los 4 pasos


def test_explain_backward_on_a_tiny_unrolled_rnn():
    tg.manual_seed(4)
    cell = nn.RNNCell(2, 2, bias=False)
    states = unroll(cell, tg.randn(3, 1, 2))
    loss = states[-1].sum()
    ex = explain_backward(loss, names=cell)
    assert len(ex.steps) >= 6 and "weight_hh" in ex.text
    assert cell.weight_hh.grad is not None


def test_attention_map_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from tinygrad_es.viz import plots
    w = tg.softmax(tg.randn(3, 5, 5), -1)
    fig = plots.attention_map(w, rows=list("hola\n"), cols=list("hola\n"), path=str(tmp_path / "a.png"))
    assert len([a for a in fig.axes if a.images]) == 3 and (tmp_path / "a.png").stat().st_size > 5000
    fig2 = plots.attention_map(np.eye(4))
    assert len([a for a in fig2.axes if a.images]) == 1
    with pytest.raises(ValueError, match="cabezas"):
        plots.attention_map(np.ones((1, 2, 3, 4)))
    import matplotlib.pyplot as plt
    plt.close("all")
