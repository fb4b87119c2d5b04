"""∂L/∂b de una lineal sobre muchas filas (``kernels/linear.py``): los mismos bits que la suma de numpy
en float64, con y sin JIT, y en el backward de ``nn.Linear`` sobre una secuencia."""
import numpy as np

import tinygrad_es as tg
from tinygrad_es.kernels import linear as KLin
from tinygrad_es.ops import matmul as M


def test_row_sum_has_the_bits_of_numpys_float64_sum():
    rng = np.random.default_rng(0)
    for n, d, scale in ((2048, 384, 1.0), (513, 7, 1e6), (600, 90, 1e-30)):
        g = (rng.standard_normal((n, d)) * scale).astype(np.float32)
        g[3, 1], g[5, 2], g[9, 3] = np.inf, np.nan, 3e38
        want = g.sum(axis=0, dtype=np.float64).astype(np.float32)
        assert KLin.sum_rows_f64(g).tobytes() == want.tobytes()
        acc = np.zeros(d)
        KLin._sum_rows.py_func(g, acc)  # sin JIT (lo que vería pdb): lo mismo
        assert acc.astype(np.float32).tobytes() == want.tobytes()


def test_linear_bias_grad_over_a_sequence_uses_the_kernel_with_numpys_bits(monkeypatch):
    rng = np.random.default_rng(1)
    x = tg.from_numpy(rng.standard_normal((4, M.SUM_KERNEL_ROWS // 4 + 3, 128)).astype(np.float32))
    lin = tg.nn.Linear(128, 96)  # no pequeña (M.EXACT_MACS): el camino de la SGEMM
    g = rng.standard_normal((4, x.shape[1], 96)).astype(np.float32)
    calls = []
    real = KLin.sum_rows_f64
    monkeypatch.setattr(KLin, "sum_rows_f64", lambda a: calls.append(a.shape) or real(a))
    lin(x).backward(tg.from_numpy(g))
    assert calls == [(4 * x.shape[1], 96)]
    want = g.reshape(-1, 96).sum(axis=0, dtype=np.float64).astype(np.float32)
    assert lin.bias.grad.numpy().tobytes() == want.tobytes()
