"""Hooks de ``state_dict``/``load_state_dict``, ``get_extra_state``/``set_extra_state``, ``set_submodule``,
``to_empty`` y ``Module.compile``: el mismo programa con tinygrad_es y con PyTorch da lo mismo."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn


def _lib(name):
    if name == "torch":
        return pytest.importorskip("torch")
    return tg


LIBS = ["tg", pytest.param("torch", marks=pytest.mark.torch)]


def _model(torch):
    class Contador(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 3)
            self.pasos = 0

        def get_extra_state(self):
            return {"pasos": self.pasos}

        def set_extra_state(self, state):
            self.pasos = state["pasos"]

    return torch.nn.Sequential(torch.nn.Linear(3, 2), Contador())


def _run_hooks(torch):
    """Registro de las llamadas a los hooks (orden, prefijos, metadatos) y las claves finales."""
    log = []
    m = _model(torch)
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", type(mod).__name__, prefix, keep)))
    m[1].register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", type(mod).__name__, prefix)))

    def post(mod, sd, prefix, meta):
        log.append(("post", type(mod).__name__, prefix, list(sd), dict(meta)))
        sd["extra." + prefix] = 1

    m.register_state_dict_post_hook(post)
    m[1].register_state_dict_post_hook(post)
    m[1].pasos = 7
    sd = m.state_dict(keep_vars=True)
    log.append(list(sd))
    log.append(sd["1._extra_state"])
    return log


@pytest.mark.torch
def test_state_dict_hooks_order_and_extra_state_like_torch():
    torch = pytest.importorskip("torch")
    assert _run_hooks(tg) == _run_hooks(torch)


@pytest.mark.parametrize("lib", LIBS)
def test_post_hook_must_return_none_and_private_hook_replaces_at_root(lib):
    torch = _lib(lib)
    m = _model(torch)
    h = m.register_state_dict_post_hook(lambda *a: {"x": 1})
    with pytest.raises(RuntimeError):
        m.state_dict()
    h.remove()
    assert "0.weight" in m.state_dict()

    def priv(mod, sd, prefix, meta):
        return {"solo": prefix}

    m._register_state_dict_hook(priv)
    m[1]._register_state_dict_hook(priv)  # en un hijo, su valor se ignora
    assert m.state_dict() == {"solo": ""}

    def pub(*a):
        return None

    m.register_state_dict_post_hook(pub)
    with pytest.raises(RuntimeError):
        m._register_state_dict_hook(pub)


def _load(torch, drop=(), extra=(), clear=False, strict=True):
    src = _model(torch)
    src[1].pasos = 5
    sd = dict(src.state_dict())
    for k in drop:
        del sd[k]
    for k in extra:
        sd[k] = torch.zeros(1)
    dst = _model(torch)
    seen = []

    def post(mod, keys):
        seen.append((type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys)))
        if clear:
            keys.missing_keys.clear()
            keys.unexpected_keys.clear()

    dst.register_load_state_dict_post_hook(post)
    dst[1].register_load_state_dict_post_hook(post)
    try:
        res = dst.load_state_dict(sd, strict=strict)
    except RuntimeError:
        return seen, "error", dst[1].pasos
    return seen, (list(res.missing_keys), list(res.unexpected_keys)), dst[1].pasos


@pytest.mark.torch
@pytest.mark.parametrize("case", [{}, {"drop": ["1._extra_state"]}, {"drop": ["1._extra_state"], "strict": False},
                                  {"extra": ["zz"], "clear": True}, {"extra": ["zz"], "strict": False},
                                  {"drop": ["0.bias"], "clear": True}])
def test_load_state_dict_post_hooks_and_extra_state_like_torch(case):
    torch = pytest.importorskip("torch")
    ours, theirs = _load(tg, **case), _load(torch, **case)
    assert ours[1:] == theirs[1:]
    # orden de los hooks (hijo antes que raíz) y las claves finales que ve la raíz
    assert [s[0] for s in ours[0]] == [s[0] for s in theirs[0]]
    assert ours[0][-1] == theirs[0][-1]


@pytest.mark.parametrize("lib", LIBS)
def test_load_post_hook_returning_a_value_fails(lib):
    torch = _lib(lib)
    m = torch.nn.Linear(2, 2)
    m.register_load_state_dict_post_hook(lambda mod, keys: keys)
    with pytest.raises(AssertionError):
        m.load_state_dict(m.state_dict())


@pytest.mark.parametrize("lib", LIBS)
def test_extra_state_without_set_is_unexpected(lib):
    torch = _lib(lib)
    m = torch.nn.Linear(2, 2)
    sd = dict(m.state_dict())
    sd["_extra_state"] = 3
    with pytest.raises(RuntimeError, match="_extra_state"):
        m.load_state_dict(sd)
    assert list(m.load_state_dict(sd, strict=False).unexpected_keys) == ["_extra_state"]
    with pytest.raises(RuntimeError):
        m.get_extra_state()
    with pytest.raises(RuntimeError):
        m.set_extra_state(1)


def _tree(torch):
    return torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), torch.nn.Linear(2, 1))


@pytest.mark.parametrize("lib", LIBS)
def test_set_submodule_like_torch(lib):
    torch = _lib(lib)
    m = _tree(torch)
    m.set_submodule("0.1", torch.nn.Tanh())
    assert type(m[0][1]).__name__ == "Tanh"
    m.set_submodule("0.nuevo", torch.nn.Sigmoid())
    assert type(m[0].nuevo).__name__ == "Sigmoid"
    assert [n for n, _ in m.named_modules()] == ["", "0", "0.0", "0.1", "0.nuevo", "1"]
    with pytest.raises(AttributeError):
        m.set_submodule("0.otro", torch.nn.ReLU(), strict=True)
    m.set_submodule("0.0", torch.nn.Identity(), strict=True)
    with pytest.raises(ValueError):
        m.set_submodule("", torch.nn.ReLU())
    with pytest.raises(ValueError):
        m.set_submodule("0.0", "no es un módulo")
    with pytest.raises(AttributeError):
        m.set_submodule("9.0", torch.nn.ReLU())
    with pytest.raises(AttributeError):
        m.set_submodule("1.weight", torch.nn.ReLU())  # un parámetro no es un submódulo


@pytest.mark.parametrize("lib", LIBS)
def test_to_empty_and_compile(lib):
    torch = _lib(lib)
    m = _tree(torch)
    w = m[1].weight
    assert m.to_empty(device="cpu") is m
    assert m[1].weight is w and tuple(w.shape) == (1, 2) and w.dtype == torch.float32
    assert m.to_empty(device=None, recurse=False) is m
    with pytest.raises(TypeError):
        m.to_empty()  # device es obligatorio (sólo por nombre), como en PyTorch


def test_module_compile_is_a_no_op():
    """``model.compile(...)`` no cambia nada (PyTorch compilaría; aquí no hay compilador de grafos)."""
    torch = tg
    m = _tree(torch)
    x = torch.ones(3, 2)
    before = m(x)
    assert m.compile() is None
    assert m.compile(mode="reduce-overhead", fullgraph=True) is None
    assert np.allclose(np.asarray(m(x).detach()), np.asarray(before.detach()), equal_nan=True)


def test_to_empty_gives_new_memory_and_rejects_cuda():
    m = nn.Linear(2, 2)
    old = m.weight._data
    m.to_empty(device="cpu")
    assert m.weight._data is not old and m.weight._data.shape == (2, 2)
    with pytest.raises(RuntimeError):
        m.to_empty(device="cuda")


@pytest.mark.torch
def test_load_pre_hook_gets_strict_true_like_torch():
    torch = pytest.importorskip("torch")
    seen = []
    for lib in (tg, torch):
        m = lib.nn.Linear(2, 2)
        m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, meta, strict, *rest: seen.append((lib.__name__,
                                                                                                      strict)))
        m.load_state_dict(m.state_dict(), strict=False)
    assert [s for _, s in seen] == [True, True]
