"""``tinygrad-es preparar`` y ``warm_up``: compilar de antemano sin tocar el modelo del usuario."""
import numpy as np
import pytest

import tinygrad_es as torch
from tinygrad_es import kernels, nn, optim
from tinygrad_es.cli import main
from tinygrad_es.nn import functional as F
from tinygrad_es.prepare import CONV_SHAPES, COURSE, TASKS, prepare, warm_up


def test_conv_shapes_cover_every_algorithm():
    from tinygrad_es.kernels.conv.dispatch import choose_backward
    chosen = {}
    for name, (xs, ws, s, p, d, g) in CONV_SHAPES.items():
        args = (xs, ws, (s, s), (p, p), (d, d), g)
        chosen[name] = {kernels.choose_algo(*args), *choose_backward(*args)}
    # todos los algoritmos salvo Winograd F(4×4), que sólo se usa pidiéndolo (algo="winograd4")
    assert set().union(*chosen.values()) == set(kernels.ALGOS) - {"winograd4"}, chosen
    for name, algos in chosen.items():
        assert any(name.startswith(a) for a in algos), (name, algos)  # "direct_dilated" pasa por "direct"...
    assert set(COURSE) <= set(TASKS)


def test_prepare_runs_tasks_and_rejects_unknown(capsys):
    res = prepare(["erf", "sort"], dtypes=("float32",), progress=False)
    assert res["tareas"] == 2 and res["segundos"] >= 0 and res["nucleos"] >= 0
    with pytest.raises(ValueError, match="tarea desconocida 'conv'"):
        prepare(["conv"])
    with pytest.raises(SystemExit):
        main(["preparar", "--help"])
    assert "--todo" in capsys.readouterr().out


def test_warm_up_does_not_touch_model_or_optimizer():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 3))
    opt = optim.Adam(model.parameters(), lr=0.1)
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    x, y = torch.randn(5, 1, 8, 8), torch.tensor([0, 1, 2, 0, 1])
    res = warm_up(model, F.cross_entropy, opt, x, y, progress=False)
    assert res["nucleos"] >= 0
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    assert all(p.grad is None for p in model.parameters()) and not opt.state
    assert model.training


def _kernel_signatures():
    """Firmas que tiene cada núcleo de tinygrad_es en este proceso (compiladas o cargadas de la caché)."""
    import sys
    from numba.core.registry import CPUDispatcher
    from tinygrad_es.kernels._parallel import parallel_kernel
    out = {}
    for name, mod in list(sys.modules.items()):
        if not name.startswith("tinygrad_es.kernels"):
            continue
        for attr, obj in vars(mod).items():
            if isinstance(obj, parallel_kernel):
                ch = obj._chunked
                disp = [obj.kernel] + ([ch.trozo] if ch else [])
            elif isinstance(obj, CPUDispatcher):
                disp = [obj]
            else:
                continue
            out[(name, attr)] = sum(len(d.signatures) for d in disp)
    return out


def test_prepare_course_covers_the_course_cnn_step():
    """Tras ``tinygrad-es preparar`` (las tareas del curso en float32), un paso de entrenamiento y una
    evaluación de la CNN de la demo en tamaño MNIST no necesitan ninguna firma nueva de ningún núcleo
    (antes, el forward directo con lotes grandes, ``flat_corr_pad``, quedaba fuera: se compilaba en la
    primera época)."""
    import numba
    from tinygrad_es.models import SimpleCNN
    prepare(COURSE, dtypes=("float32",), progress=False)
    before = _kernel_signatures()
    torch.manual_seed(0)
    model = SimpleCNN()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2 * numba.get_num_threads(), 1, 28, 28)
    y = torch.tensor([i % 10 for i in range(x.shape[0])])
    F.cross_entropy(model(x), y).backward()
    opt.step()
    with torch.no_grad():
        model.eval()(x)
    after = _kernel_signatures()
    assert {k: v for k, v in after.items() if v != before.get(k, 0)} == {}
