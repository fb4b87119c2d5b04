"""Dos hilos que entrenan cada uno una CNN a la vez: ni abortan el proceso (la capa workqueue de
numba no admite dos regiones paralelas a la vez) ni cambian el resultado."""
import subprocess
import sys
import textwrap

CODE = textwrap.dedent("""
    import threading
    import numpy as np
    import tinygrad_es as torch
    from tinygrad_es import nn

    def make(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3), nn.ReLU(),
                             nn.Flatten(), nn.Linear(8 * 11 * 11, 10))

    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((16, 1, 28, 28)).astype(np.float32))
    Y = torch.tensor(rng.integers(0, 10, 16))

    def train(model, out, key):
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for _ in range(12):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X), Y).backward()
            opt.step()
        out[key] = [p.detach().numpy().copy() for p in model.parameters()]

    seq, par = {}, {}
    for s in (1, 2):
        train(make(s), seq, s)
    models = {s: make(s) for s in (1, 2)}
    threads = [threading.Thread(target=train, args=(models[s], par, s)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in (1, 2):
        for a, b in zip(seq[s], par[s]):
            np.testing.assert_array_equal(a, b)
    print("iguales")
""")


def test_two_threads_training_cnns_match_sequential_runs():
    res = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == "iguales"
