"""explain_backward: lo que cuenta es el backward real (escalar y matricial) y el protocolo de
grafo común a Value y Tensor."""
import re
import shutil

import numpy as np
import pytest

import tinygrad_es as torch
import tinygrad_es.nn.functional as F
from tinygrad_es import Value, nn
from tinygrad_es.autograd.protocol import GraphNode, graph, topo_sort
from tinygrad_es.viz import draw_graph, explain_backward

HAVE_DOT = shutil.which("dot") is not None


def notes_mlp(seed=0, loss="ce"):
    """La red de los apuntes en su convención (Z = X·W + b): 4 ejemplos, 3-5-2."""
    rng = np.random.default_rng(seed)
    X = torch.tensor(rng.normal(size=(4, 3)), dtype=torch.float64)
    W1 = torch.tensor(rng.normal(size=(3, 5)), dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(rng.normal(size=5), dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(rng.normal(size=(5, 2)), dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(rng.normal(size=2), dtype=torch.float64, requires_grad=True)
    for t, n in ((X, "X"), (W1, "W₁"), (b1, "b₁"), (W2, "W₂"), (b2, "b₂")):
        t.name = n
    z1 = X @ W1 + b1
    h1 = z1.sigmoid()
    z2 = h1 @ W2 + b2
    z1.name, h1.name, z2.name = "z₁", "h₁", "z₂"
    y = torch.tensor([0, 1, 1, 0])
    L = F.cross_entropy(z2, y) if loss == "ce" else ((z2 - 1.0) ** 2).mean()
    return L, (X, W1, b1, W2, b2), (z1, h1, z2), y


def test_tensor_explanation_gradients_are_backwards():
    L, params, _, _ = notes_mlp()
    exp = explain_backward(L)
    L2, params2, _, _ = notes_mlp()
    L2.backward()
    for p, q in zip(params[1:], params2[1:]):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=0, atol=0)  # el mismo backward
        np.testing.assert_allclose(exp.grads[p.graph_key()], q.grad.numpy(), rtol=1e-12)
    # una hoja por paso y un paso por operación, en orden topológico inverso
    assert len(exp.steps) == len(graph(L)[0]) - 1  # X no requiere gradiente: no es un nodo
    assert exp.steps[0].startswith("∂L/∂L = 1 (punto de partida)")


def test_tensor_explanation_intermediate_grads_match_formulas():
    L, (X, W1, b1, W2, b2), (z1, h1, z2), y = notes_mlp()
    exp = explain_backward(L)
    # las fórmulas de los apuntes, a mano con numpy
    p = np.exp(z2.detach().numpy()); p /= p.sum(1, keepdims=True)
    d2 = (p - np.eye(2)[y.numpy()]) / 4
    hh = h1.detach().numpy()
    d1 = (d2 @ W2.detach().numpy().T) * hh * (1 - hh)
    np.testing.assert_allclose(exp.grads[z2.graph_key()], d2, rtol=1e-10)
    np.testing.assert_allclose(exp.grads[z1.graph_key()], d1, rtol=1e-10)
    np.testing.assert_allclose(W2.grad.numpy(), hh.T @ d2, rtol=1e-10)
    np.testing.assert_allclose(b1.grad.numpy(), d1.sum(0), rtol=1e-10)


def test_tensor_explanation_text_has_shapes_transposes_sums_and_products():
    L, *_ = notes_mlp()
    text = explain_backward(L).text
    assert "∂L/∂W₂ = h₁ᵀ · ∂L/∂u₂   (5×4)·(4×2) → 5×2" in text
    assert "∂L/∂h₁ = ∂L/∂u₂ · W₂ᵀ   (4×2)·(2×5) → 4×5" in text
    assert "∂L/∂W₁ = Xᵀ · ∂L/∂u₁   (3×4)·(4×5) → 3×5" in text
    assert "∂L/∂b₂ = ∂L/∂z₂" in text and "Σ sobre el lote (eje 0): 4×2 → 2" in text
    assert "Σ sobre el lote (eje 0): 4×5 → 5" in text
    assert "∂L/∂z₁ = ∂L/∂h₁ ⊙ σ′(z₁)" in text
    assert "(softmax(z₂) − one_hot(y)) / 4" in text
    assert "W₁ es una hoja" in text and "b₂ es una hoja" in text
    # vistazos numéricos: el gradiente de b₂ con sus dos números
    step_b2 = next(s for s in text.split("Paso ") if s.split(". ", 1)[-1].startswith("∂L/∂b₂ (2)"))
    assert re.search(r"\[-?\d\.\d+, -?\d\.\d+\]", step_b2)


def test_explanation_with_module_names_and_pytorch_layout():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    exp = explain_backward(F.mse_loss(model(x), torch.zeros(5, 2)), names=model)
    text = exp.text
    # Linear de PyTorch: z = x·Wᵀ + b en un nodo, con W de forma (salidas, entradas)
    assert "u₁ = X · 0.weightᵀ + 0.bias" in text
    assert "∂L/∂2.weight = (∂L/∂u₃)ᵀ · u₂   (2×5)·(5×4) → 2×4" in text
    assert "∂L/∂0.weight = (∂L/∂u₁)ᵀ · X   (4×5)·(5×3) → 4×3" in text
    assert "∂L/∂u₂ = ∂L/∂u₃ · 2.weight   (5×2)·(2×4) → 5×4" in text
    assert "∂L/∂0.bias = Σ de ∂L/∂u₁ sobre el lote (eje 0)   5×4 → 4" in text
    assert "2.weightᵀᵀ" not in text
    for name, p in model.named_parameters():
        np.testing.assert_allclose(exp.grads[p.graph_key()], p.grad.numpy(), rtol=1e-6)
        assert f"{name} es una hoja" in text


def test_explanation_of_a_cnn_and_errors():
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(18, 3))
    exp = explain_backward(F.cross_entropy(cnn(torch.randn(2, 1, 8, 8)), torch.tensor([0, 2])), names=cnn)
    assert "sólo a la posición del máximo" in exp.text and "2×2×3×3 → 2×2×6×6" in exp.text
    assert "∂L/∂0.bias = Σ de ∂L/∂u₁ sobre el lote y las posiciones" in exp.text
    np.testing.assert_allclose(exp.grads[cnn[0].weight.graph_key()], cnn[0].weight.grad.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="un solo elemento"):
        explain_backward((torch.ones(3, requires_grad=True) * 2))
    with pytest.raises(RuntimeError, match="requires_grad"):
        explain_backward(torch.ones(1))
    with pytest.raises(TypeError, match="Value o un Tensor"):
        explain_backward(3.0)


@pytest.mark.skipif(not HAVE_DOT, reason="sin Graphviz")
def test_tensor_frames(tmp_path):
    L, (X, W1, b1, W2, b2), _, _ = notes_mlp()
    exp = explain_backward(L)
    frames = exp.frames()
    assert len(frames) == len(exp.steps)
    assert "sin calcular" in frames[0].source and "W₂" in frames[0].source
    last = frames[-1].source
    assert "#ffe066" in last  # el nodo del paso, resaltado
    paths = exp.save_frames(str(tmp_path / "pasos"), fmt="png", dpi=60)
    assert len(paths) == len(exp.steps)


def test_scalar_steps_are_symbolic_then_numeric():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.88, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    a = n.tanh()
    a.label = "a"
    exp = explain_backward(a)
    text = exp.text
    local = 1 - np.tanh(n.data) ** 2
    assert f"∂a/∂n = 1 − tanh²(n) = 1 − a² = {local:.4g}" in text
    assert "∂v0/∂w1 = x1 = 2   →   ∂a/∂w1 = ∂a/∂v0 · ∂v0/∂w1" in text
    assert a.grad == 1.0 and w1.grad == pytest.approx(2 * local) and x2.grad == pytest.approx(local)
    y = Value(3.0, "y")
    s = y.sigmoid()
    s.label = "s"
    assert "σ(y)·(1 − σ(y)) = s·(1 − s)" in explain_backward(s).text


def test_scalar_explanation_observes_the_real_backward():
    # una hoja que ya tenía gradiente: backward acumula, y la explicación enseña lo acumulado
    x = Value(2.0, "x")
    x.grad = 10.0
    f = x * 3.0
    f.label = "f"
    exp = explain_backward(f)
    assert x.grad == 13.0 and "∂f/∂x = 13" in exp.text


def test_protocol_is_shared_and_sort_is_iterative():
    x = Value(1.0, "x")
    t = torch.ones(2, requires_grad=True)
    assert isinstance(x, GraphNode) and isinstance(t, GraphNode) and isinstance((t * 2).sum(), GraphNode)
    assert x.is_leaf and x.graph_shape() == () and x.graph_grad() is None and x.graph_op() == ""
    y = x
    for _ in range(100_000):  # sin recursión
        y = y + 1.0
    order = y.topo_order()
    assert len(order) == 200_001 and order[0] is x and order[-1] is y
    s = (t * t).sum()
    order, edges = graph(s)
    assert [n.graph_op() for n in order] == ["", "Mul", "Sum"] and len(edges) == 3
    assert topo_sort([3], lambda n: (n - 1, n - 2) if n > 1 else ()) == [1, 0, 2, 3]
    s.backward()
    np.testing.assert_array_equal(t.graph_grad(), [2.0, 2.0])
    assert "grad sin calcular" in draw_graph(x * 2).source


def test_topo_sort_fast_path_gives_the_general_order():
    """El camino rápido de ``topo_sort`` (``key=id``, el de backward) da el mismo orden que el general
    (con ``key``) en grafos al azar con nodos compartidos y varias raíces: padres antes que hijos,
    cada nodo una vez; el orden decide en qué orden se suman los gradientes."""
    import random
    rng = random.Random(0)
    for _ in range(200):
        n = rng.randint(1, 40)
        parents = {i: tuple(rng.sample(range(i), rng.randint(0, min(i, 3)))) + ((None,) if rng.random() < 0.2 else ())
                   for i in range(n)}
        nodes = [[i] for i in range(n)]  # objetos distintos (id) con la misma clave
        par = lambda node: tuple(None if p is None else nodes[p] for p in parents[node[0]])  # noqa: E731
        roots = [nodes[n - 1]] + [nodes[rng.randrange(n)] for _ in range(rng.randint(0, 2))]
        fast = topo_sort(roots, par)
        general = topo_sort(roots, par, key=lambda node: node[0])
        assert [x[0] for x in fast] == [x[0] for x in general]
        pos = {x[0]: i for i, x in enumerate(fast)}
        assert len(pos) == len(fast) and all(pos[p] < pos[i] for i in pos for p in parents[i] if p is not None)


def _readme_block(title):
    import os
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    return re.search(rf"## {title}\n.*?```python\n(.*?)```", readme, re.S).group(1)


def test_readme_explain_backward_snippet_runs_as_printed(tmp_path, monkeypatch, capsys):
    """El fragmento del README se ejecuta tal cual: imprime las líneas que muestra en sus comentarios y
    (con Graphviz) guarda fotogramas que caben en una diapositiva, no tiras de 6 766 × 527 píxeles."""
    code = _readme_block("Retropropagación explicada")
    if not HAVE_DOT:  # sin Graphviz no se pueden escribir los PNG; el resto sí se comprueba
        code = code.replace('e.save_frames("pasos/", fmt="png")', "pass")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    shown = [line[2:] for line in code.splitlines() if line.startswith("# ∂L/")]
    assert len(shown) == 3
    for line in shown:
        assert line.rstrip("…").rstrip() in out, line
    if HAVE_DOT:
        from PIL import Image
        frames = sorted((tmp_path / "pasos").glob("paso_*.png"))
        assert len(frames) == out.count("Paso ")
        for f in frames:
            w, h = Image.open(f).size
            assert max(w, h) <= 3000 and 1 / 3 <= w / h <= 3, (f.name, w, h)


def test_frames_orientation_is_automatic_but_can_be_forced():
    from tinygrad_es.viz.explain import auto_rankdir
    x = torch.randn(2, 3, requires_grad=True)
    assert auto_rankdir((x * 2).sum()) == "LR"            # cadena corta: en horizontal
    deep = F.cross_entropy(torch.sigmoid(x @ torch.randn(3, 4) + 1) @ torch.randn(4, 2), torch.tensor([0, 1]))
    assert auto_rankdir(deep) == "TB"
    assert auto_rankdir(Value(2.0) * Value(3.0) + Value(1.0)) == "LR"
    e = explain_backward(deep)
    assert all('rankdir=TB' in g.source for g in e.frames())
    assert all('rankdir=LR' in g.source for g in e.frames(rankdir="LR"))
