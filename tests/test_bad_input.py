"""Entradas malas como las de un alumno: la clase de excepción de PyTorch y un mensaje en español que
nombra el argumento, nunca un resultado silencioso ni un mensaje de numpy/Python.

Cada caso es una función ``f(t)`` que recibe el espacio de nombres (``tinygrad_es`` o ``torch``: el
mismo código vale para los dos) y la clase esperada. Con torch instalado se comprueba además que
PyTorch lanza una clase compatible (la nuestra es la suya o una subclase); sin torch esa parte se
salta. ``torch=False`` marca los casos en los que somos más estrictos a propósito (NaN en un
hiperparámetro, que PyTorch acepta en silencio).
"""
import math
import re
import warnings

import numpy as np
import pytest

import tinygrad_es as tg

try:
    import torch
except ImportError:  # la suite también corre sin torch
    torch = None

# mensajes que delatan un error de numpy/Python que se escapó sin traducir
ENGLISH = re.compile(r"not supported between|not subscriptable|could not convert|cannot reshape|Unable to allocate|"
                     r"integer modulo|unsupported operand|object has no attribute|index out of range|"
                     r"negative dimensions|can't multiply|must be real number|invalid literal")

R = lambda t: t.randn(4, 3, requires_grad=True)  # noqa: E731
Y = lambda t: t.tensor([0, 1, 2, 0])  # noqa: E731
P = lambda t: [t.nn.Parameter(t.randn(2))]  # noqa: E731
O = lambda t: t.optim.SGD(P(t), lr=0.1)  # noqa: E731
LOSSES = {
    "cross_entropy": lambda t, r: t.nn.functional.cross_entropy(R(t), Y(t), reduction=r),
    "nll_loss": lambda t, r: t.nn.functional.nll_loss(R(t), Y(t), reduction=r),
    "mse_loss": lambda t, r: t.nn.functional.mse_loss(R(t), t.randn(4, 3), reduction=r),
    "l1_loss": lambda t, r: t.nn.functional.l1_loss(R(t), t.randn(4, 3), reduction=r),
    "smooth_l1_loss": lambda t, r: t.nn.functional.smooth_l1_loss(R(t), t.randn(4, 3), reduction=r),
    "huber_loss": lambda t, r: t.nn.functional.huber_loss(R(t), t.randn(4, 3), reduction=r),
    "kl_div": lambda t, r: t.nn.functional.kl_div(R(t), t.rand(4, 3), reduction=r),
    "binary_cross_entropy": lambda t, r: t.nn.functional.binary_cross_entropy(t.rand(4), t.rand(4), reduction=r),
    "bce_with_logits": lambda t, r: t.nn.functional.binary_cross_entropy_with_logits(t.randn(4), t.rand(4),
                                                                                     reduction=r),
    "CrossEntropyLoss": lambda t, r: t.nn.CrossEntropyLoss(reduction=r)(R(t), Y(t)),
    "MSELoss": lambda t, r: t.nn.MSELoss(reduction=r)(R(t), t.randn(4, 3)),
    "NLLLoss": lambda t, r: t.nn.NLLLoss(reduction=r)(R(t), Y(t)),
    "BCEWithLogitsLoss": lambda t, r: t.nn.BCEWithLogitsLoss(reduction=r)(t.randn(4), t.rand(4)),
    "soft_margin_loss": lambda t, r: t.nn.functional.soft_margin_loss(R(t), t.ones(4, 3), reduction=r),
    "margin_ranking_loss": lambda t, r: t.nn.functional.margin_ranking_loss(t.randn(4), t.randn(4), t.ones(4),
                                                                            reduction=r),
    "hinge_embedding_loss": lambda t, r: t.nn.functional.hinge_embedding_loss(R(t), t.ones(4, 3), reduction=r),
    "cosine_embedding_loss": lambda t, r: t.nn.functional.cosine_embedding_loss(R(t), R(t), t.ones(4), reduction=r),
    "triplet_margin_loss": lambda t, r: t.nn.functional.triplet_margin_loss(R(t), R(t), R(t), reduction=r),
    "multilabel_soft_margin_loss": lambda t, r: t.nn.functional.multilabel_soft_margin_loss(R(t), t.ones(4, 3),
                                                                                            reduction=r),
}


def _cases():
    c = []
    for name, fn in LOSSES.items():
        for red in ["avg", "MEAN", "", None, 1] + ([] if name in ("kl_div",) else ["batchmean"]):
            c.append((f"{name}-reduction={red!r}", lambda t, fn=fn, r=red: fn(t, r), ValueError, True))
    F = "nn.functional"
    c += [
        ("Conv2d-padding_mode='zero'", lambda t: t.nn.Conv2d(1, 1, 3, padding=1, padding_mode="zero"),
         ValueError, True),
        ("Conv2d-padding_mode=None", lambda t: t.nn.Conv2d(1, 1, 3, padding=1, padding_mode=None), ValueError, True),
        ("interpolate-mode='bilinar'",
         lambda t: t.nn.functional.interpolate(t.randn(1, 1, 4, 4), scale_factor=2, mode="bilinar"),
         NotImplementedError, True),
        ("pad-mode='zeros'", lambda t: t.nn.functional.pad(t.randn(1, 1, 3, 3), (1, 1), mode="zeros"),
         NotImplementedError, True),
        ("pad-mode=None", lambda t: t.nn.functional.pad(t.randn(1, 1, 3, 3), (1, 1), mode=None), TypeError, True),
        ("gelu-approximate='Tanh'", lambda t: t.nn.functional.gelu(t.randn(3), approximate="Tanh"),
         RuntimeError, True),
        ("gelu-approximate=None", lambda t: t.nn.functional.gelu(t.randn(3), approximate=None), TypeError, True),
        ("GELU-approximate='exact'", lambda t: t.nn.GELU(approximate="exact")(t.randn(3)), RuntimeError, True),
        ("RNN-nonlinearity='sigmoid'", lambda t: t.nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, True),
        ("kaiming-mode='fan'", lambda t: t.nn.init.kaiming_normal_(t.empty(3, 4), mode="fan"), ValueError, True),
        ("calculate_gain-'foo'", lambda t: t.nn.init.calculate_gain("foo"), ValueError, True),
        ("ReduceLROnPlateau-mode='x'", lambda t: t.optim.lr_scheduler.ReduceLROnPlateau(O(t), mode="x"),
         ValueError, True),
        # hiperparámetros de los optimizadores
        *[(f"{opt}-lr={lr!r}", lambda t, o=opt, lr=lr: getattr(t.optim, o)(P(t), lr=lr), exc, cmp)
          for opt in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop",
                      "ASGD", "Adafactor", "LBFGS", "SparseAdam"]
          for lr, exc, cmp in [("0.1", TypeError, True), (None, TypeError, True), (-1.0, ValueError, True),
                               ([0.1], TypeError, True), (math.nan, ValueError, False)]],
        ("SGD-momentum='0.9'", lambda t: t.optim.SGD(P(t), lr=0.1, momentum="0.9"), TypeError, True),
        ("SGD-weight_decay=-1", lambda t: t.optim.SGD(P(t), lr=0.1, weight_decay=-1), ValueError, True),
        ("SGD-nesterov sin momentum", lambda t: t.optim.SGD(P(t), lr=0.1, nesterov=True), ValueError, True),
        ("Adam-betas=(1.0, 0.999)", lambda t: t.optim.Adam(P(t), betas=(1.0, 0.999)), ValueError, True),
        ("Adam-betas=('0.9', 0.9)", lambda t: t.optim.Adam(P(t), betas=("0.9", 0.9)), TypeError, True),
        ("Adam-betas=0.9", lambda t: t.optim.Adam(P(t), betas=0.9), TypeError, True),
        ("Adam-eps=None", lambda t: t.optim.Adam(P(t), eps=None), TypeError, True),
        ("Adadelta-rho=1.5", lambda t: t.optim.Adadelta(P(t), rho=1.5), ValueError, True),
        # planificadores
        ("StepLR-step_size=0", lambda t: [t.optim.lr_scheduler.StepLR(O(t), 0).step() for _ in range(2)],
         ZeroDivisionError, True),
        ("StepLR-step_size='2'", lambda t: [t.optim.lr_scheduler.StepLR(O(t), "2").step() for _ in range(2)],
         TypeError, True),
        ("StepLR-gamma=None", lambda t: [t.optim.lr_scheduler.StepLR(O(t), 1, gamma=None).step() for _ in range(2)],
         TypeError, True),
        ("ExponentialLR-gamma='0.1'",
         lambda t: [t.optim.lr_scheduler.ExponentialLR(O(t), gamma="0.1").step() for _ in range(2)], TypeError, True),
        ("CosineAnnealingLR-T_max=0",
         lambda t: [t.optim.lr_scheduler.CosineAnnealingLR(O(t), 0).step() for _ in range(2)],
         ZeroDivisionError, True),
        ("ReduceLROnPlateau-factor=1.5", lambda t: t.optim.lr_scheduler.ReduceLROnPlateau(O(t), factor=1.5),
         ValueError, True),
        ("ReduceLROnPlateau-factor='0.1'", lambda t: t.optim.lr_scheduler.ReduceLROnPlateau(O(t), factor="0.1"),
         TypeError, True),
        # capas
        ("Dropout-p='0.5'", lambda t: t.nn.Dropout("0.5"), TypeError, True),
        ("Dropout-p=1.5", lambda t: t.nn.Dropout(1.5), ValueError, True),
        ("F.dropout-p=-0.1", lambda t: t.nn.functional.dropout(t.randn(3), p=-0.1), ValueError, True),
        ("Linear-in_features=-1", lambda t: t.nn.Linear(-1, 3), RuntimeError, True),
        ("Linear-in_features='3'", lambda t: t.nn.Linear("3", 3), TypeError, True),
        ("Conv2d-kernel_size=0", lambda t: t.nn.Conv2d(1, 1, 0)(t.randn(1, 1, 4, 4)), RuntimeError, True),
        ("Conv2d-stride=0", lambda t: t.nn.Conv2d(1, 1, 3, stride=0)(t.randn(1, 1, 5, 5)), RuntimeError, True),
        ("BatchNorm2d-num_features=-1", lambda t: t.nn.BatchNorm2d(-1), RuntimeError, True),
        ("BatchNorm2d-num_features='3'", lambda t: t.nn.BatchNorm2d("3"), TypeError, True),
        ("BatchNorm1d-eps=-1e-5", lambda t: t.nn.BatchNorm1d(3, eps=-1e-5)(t.randn(4, 3)), ValueError, True),
        ("BatchNorm1d-momentum='0.1'", lambda t: t.nn.BatchNorm1d(3, momentum="0.1")(t.randn(4, 3)),
         TypeError, True),
        ("LeakyReLU-negative_slope='0.1'", lambda t: t.nn.LeakyReLU("0.1")(t.randn(3)), TypeError, True),
        ("LSTM-dropout='0.1'", lambda t: t.nn.LSTM(3, 4, num_layers=2, dropout="0.1"), ValueError, True),
        ("LSTM-hidden_size=0", lambda t: t.nn.LSTM(3, 0), ValueError, True),
        # formas y datos
        ("reshape(-2, 3)", lambda t: t.randn(2, 3).reshape(-2, 3), RuntimeError, True),
        ("reshape(2, '3')", lambda t: t.randn(2, 3).reshape(2, "3"), TypeError, True),
        ("zeros(2.5)", lambda t: t.zeros(2.5), TypeError, True),
        ("zeros(-1)", lambda t: t.zeros(-1), RuntimeError, True),
        ("cat([])", lambda t: t.cat([]), ValueError, True),
        ("tensor irregular", lambda t: t.tensor([[1, 2], [3]]), ValueError, True),
        ("tensor de texto", lambda t: t.tensor(["a"]), ValueError, True),
        ("load_state_dict de texto",
         lambda t: t.nn.Linear(2, 2).load_state_dict({"weight": np.array([["a", "b"], ["c", "d"]]),
                                                     "bias": t.zeros(2)}), RuntimeError, False),
    ]
    del F
    return c


CASES = _cases()


@pytest.mark.parametrize("fn, exc, cmp", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument(fn, exc, cmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as info:
            fn(tg)
    msg = str(info.value)
    assert not ENGLISH.search(msg), f"mensaje sin traducir: {msg}"
    if cmp and torch is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(torch)
            except Exception as e:  # noqa: BLE001 - se compara la clase
                assert isinstance(info.value, type(e)), f"PyTorch da {type(e).__name__}, nosotros {type(info.value)}"
            else:
                pytest.fail("PyTorch no da error en este caso: ¿somos más estrictos? márcalo con cmp=False")


@pytest.mark.parametrize("value, name", [("0.1", "lr"), (None, "lr"), (-1.0, "lr")])
def test_message_names_argument_and_value(value, name):
    with pytest.raises((TypeError, ValueError), match=rf"SGD: {name} .*{re.escape(repr(value))}"):
        tg.optim.SGD(P(tg), lr=value)


def test_string_option_suggests_the_close_one():
    with pytest.raises(ValueError, match=r"reduction='avg' no es válido; usa 'mean', 'sum' o 'none'"):
        tg.nn.functional.cross_entropy(R(tg), Y(tg), reduction="avg")
    with pytest.raises(ValueError, match=r"¿querías decir 'mean'\?"):
        tg.nn.functional.mse_loss(R(tg), tg.randn(4, 3), reduction="MEAN")
    with pytest.raises(TypeError, match=r"quita las comillas: lr=0\.1"):
        tg.optim.SGD(P(tg), lr="0.1")


def test_zero_step_error_is_both_value_and_zero_division():
    with pytest.raises(ValueError, match=r"StepLR: step_size debe ser un entero ≥ 1, no 0"):
        tg.optim.lr_scheduler.StepLR(O(tg), 0)


# ---- lote vacío (N = 0): forward y backward como PyTorch ---------------------------------------
LAYERS = {
    "Linear": (lambda t: t.nn.Linear(3, 2), (0, 3), (0, 2)),
    "Conv2d": (lambda t: t.nn.Conv2d(1, 2, 3), (0, 1, 5, 5), (0, 2, 3, 3)),
    "Conv2d-reflect": (lambda t: t.nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"), (0, 1, 5, 5),
                       (0, 2, 5, 5)),
    "Conv2d-groups": (lambda t: t.nn.Conv2d(2, 2, 3, groups=2), (0, 2, 5, 5), (0, 2, 3, 3)),
    "Conv1d": (lambda t: t.nn.Conv1d(1, 2, 3), (0, 1, 5), (0, 2, 3)),
    "ConvTranspose2d": (lambda t: t.nn.ConvTranspose2d(1, 2, 3, stride=2), (0, 1, 5, 5), (0, 2, 11, 11)),
    "MaxPool2d": (lambda t: t.nn.MaxPool2d(2), (0, 1, 4, 4), (0, 1, 2, 2)),
    "AdaptiveAvgPool2d": (lambda t: t.nn.AdaptiveAvgPool2d(1), (0, 1, 4, 4), (0, 1, 1, 1)),
    "BatchNorm2d": (lambda t: t.nn.BatchNorm2d(1), (0, 1, 4, 4), (0, 1, 4, 4)),
    "BatchNorm1d-eval": (lambda t: t.nn.BatchNorm1d(3).eval(), (0, 3), (0, 3)),
    "LayerNorm": (lambda t: t.nn.LayerNorm(4), (0, 4), (0, 4)),
    "GroupNorm": (lambda t: t.nn.GroupNorm(1, 2), (0, 2, 3), (0, 2, 3)),
    "Dropout": (lambda t: t.nn.Dropout(0.5), (0, 3), (0, 3)),
    "Upsample-bilinear": (lambda t: t.nn.Upsample(scale_factor=2, mode="bilinear"), (0, 1, 2, 2), (0, 1, 4, 4)),
    "CNN": (lambda t: t.nn.Sequential(t.nn.Conv2d(1, 2, 3, padding=1), t.nn.ReLU(), t.nn.MaxPool2d(2),
                                      t.nn.Flatten(), t.nn.Linear(8, 3)), (0, 1, 4, 4), (0, 3)),
    "RNN": (lambda t: t.nn.RNN(3, 4, batch_first=True), (0, 5, 3), (0, 5, 4)),
    "LSTM": (lambda t: t.nn.LSTM(3, 4, batch_first=True), (0, 5, 3), (0, 5, 4)),
    "GRU": (lambda t: t.nn.GRU(3, 4, batch_first=True), (0, 5, 3), (0, 5, 4)),
    "TransformerEncoderLayer": (lambda t: t.nn.TransformerEncoderLayer(8, 2, batch_first=True, dropout=0.0),
                                (0, 3, 8), (0, 3, 8)),
}


def _run_empty(t, make, shape):
    layer = make(t)
    x = t.randn(*shape, requires_grad=True)
    y = layer(x)
    y = y[0] if isinstance(y, tuple) else y
    y.sum().backward()
    grads = [tuple(p.grad.shape) if p.grad is not None else None for p in layer.parameters()]
    return tuple(y.shape), tuple(x.grad.shape), grads


@pytest.mark.parametrize("name", list(LAYERS))
def test_empty_batch_through_layer(name):
    make, shape, out = LAYERS[name]
    ours = _run_empty(tg, make, shape)
    assert ours[0] == out and ours[1] == shape
    if torch is not None:
        assert ours == _run_empty(torch, make, shape)


def test_empty_batch_conv_gives_zero_weight_grad_and_bias_only_output():
    conv = tg.nn.Conv2d(1, 2, 3)
    y = conv(tg.randn(0, 1, 5, 5))
    y.sum().backward()
    assert np.all(conv.weight.grad.numpy() == 0) and np.all(conv.bias.grad.numpy() == 0)


def test_empty_batch_batchnorm_keeps_running_stats():
    bn = tg.nn.BatchNorm2d(2)
    bn(tg.randn(0, 2, 3, 3))
    assert np.all(bn.running_mean.numpy() == 0) and np.all(bn.running_var.numpy() == 1)
    assert int(bn.num_batches_tracked.item()) == 1  # como PyTorch


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy_with_logits"])
def test_empty_batch_losses(loss, reduction):
    def run(t):
        x = t.randn(0, 3, requires_grad=True)
        target = t.zeros(0, dtype=t.long) if loss in ("cross_entropy", "nll_loss") else t.zeros(0, 3)
        v = getattr(t.nn.functional, loss)(x, target, reduction=reduction)
        (v.sum() if reduction == "none" else v).backward()
        val = v.detach().numpy()
        return tuple(v.shape), val.tolist() if val.size else [], tuple(x.grad.shape)
    ours = run(tg)
    if torch is not None:
        theirs = run(torch)
        assert ours[0] == theirs[0] and ours[2] == theirs[2]
        np.testing.assert_equal(np.asarray(ours[1], float), np.asarray(theirs[1], float))  # nan con 'mean'


@pytest.mark.parametrize("opt", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                                 "Adafactor"])
def test_empty_batch_optimizer_step(opt):
    m = tg.nn.Linear(3, 2)
    before = [p.detach().numpy().copy() for p in m.parameters()]
    o = getattr(tg.optim, opt)(m.parameters(), lr=0.1, weight_decay=0.0)
    tg.nn.functional.mse_loss(m(tg.randn(0, 3)), tg.zeros(0, 2), reduction="sum").backward()
    o.step()
    for b, p in zip(before, m.parameters()):
        np.testing.assert_array_equal(b, p.detach().numpy())  # gradiente cero, sin decaimiento: nada cambia


# ---- vision y audio: las mismas reglas (sin torchvision/torchaudio en el entorno: clase y mensaje) -----
def _vt():
    import tinygrad_es.vision.transforms as VT
    return VT


def _at():
    import tinygrad_es.audio.transforms as AT
    return AT


IMG = lambda: tg.rand(3, 8, 8)  # noqa: E731
WAVE = lambda: tg.randn(1, 4000)  # noqa: E731
VISION_AUDIO = [
    ("Resize(-1)", lambda: _vt().Resize(-1), ValueError),
    ("Resize('8')", lambda: _vt().Resize("8"), TypeError),
    ("Normalize('0.5', '0.5')", lambda: _vt().Normalize("0.5", "0.5")(IMG()), TypeError),
    ("RandomHorizontalFlip(p='x')", lambda: _vt().RandomHorizontalFlip(p="x"), TypeError),
    ("RandomRotation('10')", lambda: _vt().RandomRotation("10"), TypeError),
    ("RandomRotation((10, -10))", lambda: _vt().RandomRotation((10, -10)), ValueError),
    ("RandomCrop(padding_mode='zeros')", lambda: _vt().RandomCrop(8, padding=1, padding_mode="zeros")(IMG()),
     ValueError),
    ("MelSpectrogram(n_fft='400')", lambda: _at().MelSpectrogram(n_fft="400"), TypeError),
    ("MelSpectrogram(sample_rate=0)", lambda: _at().MelSpectrogram(sample_rate=0), ValueError),
    ("MelSpectrogram(mel_scale='HTK')", lambda: _at().MelSpectrogram(mel_scale="HTK"), ValueError),
    ("Spectrogram(power='2')", lambda: _at().Spectrogram(power="2"), TypeError),
    ("Spectrogram(hop_length=0)", lambda: _at().Spectrogram(hop_length=0), ValueError),
    ("Resample('8000', 16000)", lambda: _at().Resample("8000", 16000), TypeError),
    ("FrequencyMasking(-1)", lambda: _at().FrequencyMasking(-1)(tg.rand(1, 10, 10)), ValueError),
]


@pytest.mark.parametrize("fn, exc", [c[1:] for c in VISION_AUDIO], ids=[c[0] for c in VISION_AUDIO])
def test_bad_argument_vision_audio(fn, exc):
    with pytest.raises(exc) as info:
        fn()
    assert not ENGLISH.search(str(info.value)), str(info.value)


# ---- autograd mal usado y tamaños imposibles ------------------------------------------------------
MISUSE = [
    ("backward(gradient='a')", lambda t: (t.randn(3, requires_grad=True) * 2).backward("a"), TypeError),
    ("hook que devuelve texto",
     lambda t: (lambda x: (x.register_hook(lambda g: "a"), (x * 2).sum().backward()))(t.randn(3, requires_grad=True)),
     TypeError),
    ("randn(dtype=long)", lambda t: t.randn(3, dtype=t.long), NotImplementedError),
    ("rand(dtype=long)", lambda t: t.rand(3, dtype=t.long), NotImplementedError),
    ("backward dos veces",
     lambda t: (lambda y: (y.backward(), y.backward()))(t.randn(3, requires_grad=True).exp().sum()), RuntimeError),
    ("backward no escalar", lambda t: (t.randn(3, requires_grad=True) * 2).backward(), RuntimeError),
]


def _same_error_as_torch(fn, exc):
    """``fn(tg)`` lanza ``exc`` con un mensaje en español y, con PyTorch, de la clase que lanza ``fn(torch)``."""
    with pytest.raises(exc) as info:
        fn(tg)
    assert not ENGLISH.search(str(info.value)), str(info.value)
    if torch is not None:
        with pytest.raises(Exception) as theirs:
            fn(torch)
        assert isinstance(info.value, type(theirs.value))


@pytest.mark.parametrize("fn, exc", [c[1:] for c in MISUSE], ids=[c[0] for c in MISUSE])
def test_autograd_misuse(fn, exc):
    _same_error_as_torch(fn, exc)


@pytest.mark.parametrize("make", [lambda: tg.randn(10 ** 6, 10 ** 6), lambda: tg.zeros(10 ** 12)])
def test_impossible_size_is_a_spanish_runtime_error_not_a_numpy_memory_error(make):
    with pytest.raises(RuntimeError, match=r"no hay memoria: un tensor de forma .* GiB"):
        make()


def test_group_hyperparameter_is_validated_too():
    with pytest.raises(TypeError, match=r"SGD: lr \(del grupo 0\) debe ser un número, no str"):
        tg.optim.SGD([{"params": P(tg), "lr": "0.1"}], lr=0.1)


def test_dtype_name_given_as_device_gets_a_hint():
    with pytest.raises(RuntimeError, match=r"dispositivo desconocido 'float32'.*\.float\(\)"):
        tg.randn(3).to("float32")


@pytest.mark.parametrize("fn, exc", [
    (lambda: tg.manual_seed("a"), ValueError),
    (lambda: tg.optim.lr_scheduler.ReduceLROnPlateau(O(tg)).step("abc"), ValueError),
    (lambda: tg.optim.lr_scheduler.ReduceLROnPlateau(O(tg)).step(None), TypeError),
    (lambda: tg.optim.Adam(P(tg), lr=0.1).step("x"), TypeError),
    (lambda: tg.nn.utils.clip_grad_value_(P(tg), "1"), TypeError),
], ids=["manual_seed('a')", "plateau.step('abc')", "plateau.step(None)", "step('x')", "clip_grad_value_('1')"])
def test_misc_calls(fn, exc):
    with pytest.raises(exc) as info:
        fn()
    assert not ENGLISH.search(str(info.value)), str(info.value)


@pytest.mark.parametrize("fn, exc", [
    (lambda: O(tg).load_state_dict("x"), TypeError),
    (lambda: O(tg).load_state_dict({}), KeyError),
    (lambda: O(tg).load_state_dict({"state": {}, "param_groups": "x"}), TypeError),
    (lambda: tg.optim.lr_scheduler.StepLR(O(tg), 2).load_state_dict("x"), ValueError),
], ids=["optim('x')", "optim({})", "optim(param_groups='x')", "scheduler('x')"])
def test_bad_state_dicts(fn, exc):
    with pytest.raises(exc) as info:
        fn()
    assert not ENGLISH.search(str(info.value)) and "load_state_dict" in str(info.value)


@pytest.mark.parametrize("fn, exc", [
    (lambda: tg.nn.MLP("3", [4, 1]), TypeError),
    (lambda: tg.nn.MLP(3, "4"), TypeError),
    (lambda: tg.nn.Neuron(-1), ValueError),
    (lambda: tg.nn.Neuron(2, "Tanh"), ValueError),
    (lambda: tg.nn.MLP(3, [4, 1])([1.0, 2.0]), RuntimeError),   # antes zip lo acortaba en silencio
], ids=["MLP('3')", "MLP(nouts='4')", "Neuron(-1)", "Neuron('Tanh')", "MLP con 2 entradas de 3"])
def test_scalar_mlp(fn, exc):
    with pytest.raises(exc) as info:
        fn()
    assert not ENGLISH.search(str(info.value))


def test_scalar_mlp_with_one_neuron_hidden_layer_works():
    out = tg.nn.MLP(2, [1, 1], seed=0)([1.0, 2.0])
    assert isinstance(out.data, float)


@pytest.mark.parametrize("fn, exc", [
    (lambda t: t.nn.PixelShuffle("2")(t.randn(1, 4, 2, 2)), TypeError),
    (lambda t: t.nn.PixelShuffle(0)(t.randn(1, 4, 2, 2)), RuntimeError),
    (lambda t: t.nn.Unfold(0)(t.randn(1, 1, 3, 3)), RuntimeError),
    (lambda t: t.nn.LazyLinear(-1)(t.randn(2, 4)), RuntimeError),
], ids=["PixelShuffle('2')", "PixelShuffle(0)", "Unfold(0)", "LazyLinear(-1)"])
def test_new_layers(fn, exc):
    _same_error_as_torch(fn, exc)


def test_metrics_options_are_checked_not_ignored():
    from tinygrad_es import metrics as M
    with pytest.raises(ValueError, match=r"roc_auc_ovr: average='foo' no es válido"):
        M.roc_auc_ovr([0, 1], [[0.2, 0.8], [0.6, 0.4]], average="foo")
    with pytest.raises(ValueError, match=r"top_k_confusions: k debe ser un entero ≥ 1, no -1"):
        M.top_k_confusions([0, 1], [1, 0], k=-1)


@pytest.mark.parametrize("fn, exc", [
    (lambda t: t.nn.functional.interpolate(t.randn(1, 1, 4, 4), scale_factor="2"), TypeError),
    (lambda t: t.nn.functional.linear(t.randn(2, 3), "w"), TypeError),
    (lambda t: t.nn.functional.one_hot(t.tensor([0, 1]), "3"), TypeError),
    (lambda t: t.nn.Embedding(5, 2, max_norm="1")(t.tensor([1])), TypeError),
    (lambda t: t.nn.LayerNorm("4"), TypeError),   # antes: normalized_shape=('4',) en silencio
], ids=["interpolate(scale_factor='2')", "linear(weight='w')", "one_hot(num_classes='3')", "Embedding(max_norm='1')",
        "LayerNorm('4')"])
def test_functional_arguments(fn, exc):
    _same_error_as_torch(fn, exc)
