"""Lo que mide ``benchmarks/zoo.py`` fuera del tiempo: los modelos del zoo (``zoo_models.py``) son los
mismos en las dos bibliotecas y la cuenta de FLOPs por paso (``benchmarks/zoo_limits.py``) sigue las
fórmulas documentadas."""
import os
import sys

import numpy as np
import pytest

import tinygrad_es as tg
import zoo_models as Z

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
import zoo_limits as ZL  # noqa: E402


def test_sample_gives_characters_for_sequence_models_and_images_otherwise():
    rng = np.random.default_rng(0)
    x, y = Z.sample("char_lstm", rng, 3)
    assert x.shape == (3, 64) and x.dtype.kind == "i" and y.shape == (3 * 64,)
    assert x.min() >= 0 and x.max() < Z.VOCAB and y.max() < Z.VOCAB
    x, y = Z.sample("lenet5", rng, 2)
    assert x.shape == (2, 3, 32, 32) and x.dtype == np.float32 and y.shape == (2,)


@pytest.mark.parametrize("name", ["char_lstm", "minigpt"])
def test_sequence_models_give_one_row_of_logits_per_position(name):
    tg.manual_seed(0)
    model = Z.ZOO[name][0](tg)
    x, y = Z.sample(name, np.random.default_rng(0), 2)
    logits = model(tg.tensor(x))
    assert logits.shape == (y.size, Z.VOCAB)


def test_flops_follow_the_documented_formulas():
    nn = tg.nn
    n, t, d = 2, 8, 16
    conv = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))
    x = tg.zeros(n, 3, 6, 6)
    assert ZL.forward_flops(tg, conv, x) == 2 * n * 4 * 6 * 6 * 3 * 9 + 2 * n * 144 * 5
    lstm = nn.LSTM(3, 7, batch_first=True)
    assert ZL.forward_flops(tg, lstm, tg.zeros(n, t, 3)) == 2 * t * n * (3 + 7) * 4 * 7
    layer = nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, batch_first=True)
    attn = 2 * n * t * d * 3 * d + 2 * n * t * d * d + 2 * 2 * n * t * t * d  # out_proj no se cuenta dos veces
    ffn = 2 * n * t * d * 32 * 2
    assert ZL.forward_flops(tg, layer, tg.zeros(n, t, d)) == attn + ffn
    assert ZL.step_flops(tg, layer, tg.zeros(n, t, d)) == 3 * (attn + ffn)


@pytest.mark.parametrize("name", ["char_lstm", "minigpt", "resnet20"])
def test_zoo_models_have_the_same_parameters_and_flops_in_both_libraries(name):
    torch = pytest.importorskip("torch")
    build, shape, batch = Z.ZOO[name]
    ours, theirs = build(tg), build(torch)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    x, _ = Z.sample(name, np.random.default_rng(0), 1)
    assert ZL.forward_flops(tg, ours, tg.from_numpy(x)) == ZL.forward_flops(torch, theirs, torch.from_numpy(x))
