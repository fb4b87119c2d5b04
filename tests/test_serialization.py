"""save/load con el formato zip de torch.save: ficheros de PyTorch aquí, los nuestros en PyTorch,
y pickles maliciosos rechazados sin ejecutar nada."""
import collections
import errno
import io
import math
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn, serialization as S

try:
    import torch
except ImportError:  # pragma: no cover - sin PyTorch sólo se saltan los casos que lo usan
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")


def arr(t):
    if isinstance(t, np.ndarray):
        return t
    return np.asarray(t._data if hasattr(t, "_data") else t.numpy())


def shared(a):
    """Tensor que comparte memoria con ``a`` (una vista sigue siendo una vista, con sus pasos)."""
    return tg.from_numpy(np.asarray(a))


# --------------------------------------------------------------------------------------
# ficheros escritos por PyTorch de verdad
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_files(tmp_path_factory):
    if torch is None:
        pytest.skip("PyTorch no está instalado")
    d = tmp_path_factory.mktemp("pt")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(8, 3))
    net(torch.randn(4, 1, 4, 4)).sum().backward()
    torch.save(net.state_dict(), d / "net.pt")
    opt = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.9))
    for _ in range(2):
        net(torch.randn(4, 1, 4, 4)).sum().backward()
        opt.step()
    torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "epoch": 7, "loss": 0.25}, d / "ckpt.pt")
    x = torch.arange(10.0)
    misc = {"view": x[2:7:2], "base": x, "param": torch.nn.Parameter(torch.ones(2)), "t": torch.ones(2, 3).t(),
            "dtype": torch.float16, "set": {1, 2}, "bytes": b"ab\x00\xff", "bf16": torch.full((3,), 1.5, dtype=torch.bfloat16),
            "long": torch.tensor([1, -2]), "bool": torch.tensor([True, False]), "half": torch.tensor([0.5], dtype=torch.half),
            "size": torch.Size([2, 3]), "complex": 3 + 4j, "counter": collections.Counter("aab"),
            "grad": torch.ones(2, requires_grad=True), "big": 2 ** 70, "nan": float("nan"), "scalar": torch.tensor(2.5),
            "nested": (1, [2.0, "tres"], {"a": None}), "empty": torch.zeros(0, 3)}
    torch.save(misc, d / "misc.pt")
    torch.save(net, d / "whole_model.pt")  # el modelo entero: clases de Python
    torch.save({"x": torch.ones(2)}, d / "legacy.pt", _use_new_zipfile_serialization=False)
    return d


@needs_torch
def test_torch_state_dict_loads_here(torch_files):
    sd = tg.load(torch_files / "net.pt")
    ref = torch.load(torch_files / "net.pt", weights_only=True)
    assert isinstance(sd, collections.OrderedDict) and list(sd) == list(ref)
    for k in ref:
        assert isinstance(sd[k], tg.Tensor)
        np.testing.assert_array_equal(arr(sd[k]), ref[k].numpy())
        assert arr(sd[k]).dtype == ref[k].numpy().dtype
    assert arr(sd["1.num_batches_tracked"]).dtype == np.int64 and arr(sd["1.num_batches_tracked"]).shape == ()
    assert sd._metadata["1"]["version"] == 2  # el '_metadata' de PyTorch se conserva


@needs_torch
def test_torch_optimizer_checkpoint_loads_here(torch_files):
    ck = tg.load(torch_files / "ckpt.pt")
    ref = torch.load(torch_files / "ckpt.pt", weights_only=True)
    assert ck["epoch"] == 7 and ck["loss"] == 0.25
    g, rg = ck["optimizer"]["param_groups"][0], ref["optimizer"]["param_groups"][0]
    assert g == {k: v for k, v in rg.items()} and g["betas"] == (0.8, 0.9) and g["params"] == list(range(6))
    for i, s in ref["optimizer"]["state"].items():
        mine = ck["optimizer"]["state"][i]
        assert set(mine) == set(s)
        for k in s:
            np.testing.assert_array_equal(arr(mine[k]), s[k].numpy())


@needs_torch
def test_torch_misc_objects_load_here(torch_files):
    m = tg.load(torch_files / "misc.pt")
    np.testing.assert_array_equal(arr(m["view"]), [2.0, 4.0, 6.0])
    assert np.shares_memory(arr(m["view"]), arr(m["base"]))  # un almacenamiento compartido, como en PyTorch
    assert isinstance(m["param"], nn.Parameter) and m["param"].requires_grad
    np.testing.assert_array_equal(arr(m["t"]), np.ones((3, 2)))
    assert str(m["dtype"]).endswith("float16")
    assert m["set"] == {1, 2} and m["bytes"] == b"ab\x00\xff" and m["size"] == (2, 3) and m["complex"] == 3 + 4j
    np.testing.assert_array_equal(arr(m["bf16"]), [1.5, 1.5, 1.5])  # bfloat16 -> float32 exacto
    assert arr(m["long"]).dtype == np.int64 and arr(m["bool"]).dtype == np.bool_ and arr(m["half"]).dtype == np.float16
    assert m["counter"] == collections.Counter("aab") and m["big"] == 2 ** 70 and math.isnan(m["nan"])
    assert m["grad"].requires_grad and not m["long"].requires_grad
    assert arr(m["scalar"]).shape == () and float(arr(m["scalar"])) == 2.5
    assert m["nested"] == (1, [2.0, "tres"], {"a": None}) and arr(m["empty"]).shape == (0, 3)


@needs_torch
def test_whole_model_pickle_is_refused(torch_files):
    with pytest.raises(S.UnpicklingError, match="torch.nn.modules.*no es un tensor ni un dato básico.*state_dict"):
        tg.load(torch_files / "whole_model.pt")
    with pytest.raises(S.SerializationError, match="formato antiguo"):
        tg.load(torch_files / "legacy.pt")


# --------------------------------------------------------------------------------------
# ficheros nuestros en PyTorch
# --------------------------------------------------------------------------------------
def _ours(tmp_path):
    base = np.arange(10.0)
    x = shared(np.arange(12, dtype=np.float32).reshape(3, 4))
    obj = {"x": x, "xt": shared(arr(x).T), "view": shared(base[2:7:2]), "base": base, "p": nn.Parameter(np.ones(3)),
           "i": shared(np.array([1, 2, 3])), "b": shared(np.array([True, False])), "h": shared(np.ones(2, np.float16)),
           "list": [1, 2.5, "ñ", None, True, (1, 2), {3}], "od": collections.OrderedDict(a=1),
           "np_scalar": np.float32(1.5), "bytes": b"xyz", "big": 2 ** 80, "neg": -70000, "empty": shared(np.zeros((0, 3))),
           "zero_d": shared(np.float64(3.0)), "complex": 1 + 2j}
    obj["same"] = obj["x"]
    path = tmp_path / "ours.pt"
    tg.save(obj, path)
    return obj, path


@needs_torch
def test_our_file_loads_in_torch_weights_only(tmp_path):
    obj, path = _ours(tmp_path)
    for mmap in (False, True):
        r = torch.load(path, weights_only=True, mmap=mmap)
        np.testing.assert_array_equal(r["x"].numpy(), arr(obj["x"]))
        assert r["xt"].stride() == (1, 4)  # la vista traspuesta comparte el almacenamiento de x
        assert r["view"].untyped_storage().data_ptr() == r["base"].untyped_storage().data_ptr()
        assert r["view"].tolist() == [2.0, 4.0, 6.0] and r["base"].dtype == torch.float64
        assert isinstance(r["p"], torch.nn.Parameter) and r["p"].requires_grad and r["p"].dtype == torch.float64
        assert r["i"].dtype == torch.int64 and r["b"].dtype == torch.bool and r["h"].dtype == torch.float16
        assert r["list"] == obj["list"] and r["od"] == obj["od"] and r["np_scalar"] == 1.5
        assert r["bytes"] == b"xyz" and r["big"] == 2 ** 80 and r["neg"] == -70000 and r["complex"] == 1 + 2j
        assert r["empty"].shape == (0, 3) and r["zero_d"].shape == () and r["zero_d"].item() == 3.0
        assert r["same"] is r["x"]


@needs_torch
def test_our_state_dict_into_torch_model_and_back(tmp_path):
    tg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    tg.save(ours.state_dict(), tmp_path / "a.pt")
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ref.load_state_dict(torch.load(tmp_path / "a.pt", weights_only=True))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ref(torch.tensor(x)).detach().numpy(), arr(ours(tg.Tensor(x))), rtol=1e-6)
    with torch.no_grad():
        for p in ref.parameters():
            p.mul_(2)
    torch.save(ref.state_dict(), tmp_path / "b.pt")
    ours.load_state_dict(tg.load(tmp_path / "b.pt"))
    np.testing.assert_allclose(ref(torch.tensor(x)).detach().numpy(), arr(ours(tg.Tensor(x))), rtol=1e-6)


def test_roundtrip_here_and_alignment(tmp_path):
    obj, path = _ours(tmp_path)
    back = tg.load(path)
    assert back["same"] is back["x"] and np.shares_memory(arr(back["view"]), arr(back["base"]))
    for k in ("x", "xt", "view", "base", "i", "b", "h", "empty", "zero_d"):
        a = obj[k] if isinstance(obj[k], np.ndarray) else arr(obj[k])
        np.testing.assert_array_equal(arr(back[k]), a)
        assert arr(back[k]).dtype == a.dtype and arr(back[k]).shape == a.shape
    assert back["list"] == obj["list"] and back["np_scalar"] == 1.5 and isinstance(back["p"], nn.Parameter)
    arr(back["x"])[0, 0] = 42  # los tensores cargados son escribibles
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if "/data/" in info.filename:
                n, m = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
                assert (info.header_offset + 30 + n + m) % 64 == 0  # datos alineados como en PyTorch
        assert zf.read("archive/byteorder") == b"little" and zf.read("archive/version") == b"3\n"


def test_bytesio_both_ways():
    buf = io.BytesIO()
    tg.save({"w": shared(np.eye(2, dtype=np.float32)), "step": 3}, buf)
    buf.seek(0)
    out = tg.load(buf)
    np.testing.assert_array_equal(arr(out["w"]), np.eye(2))
    assert out["step"] == 3
    if torch is not None:
        buf.seek(0)
        assert torch.load(buf, weights_only=True)["w"].tolist() == [[1.0, 0.0], [0.0, 1.0]]


_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.text(max_size=5),
                  st.floats(allow_nan=False), st.binary(max_size=4))
_key = st.one_of(st.text(max_size=4), st.integers(-5, 300))
_arrays = st.builds(lambda shape, dt, seed: np.random.default_rng(seed).standard_normal(shape).astype(dt),
                    st.lists(st.integers(0, 3), max_size=3).map(tuple),
                    st.sampled_from(["float32", "float64", "int64", "int32", "uint8", "bool", "float16"]),
                    st.integers(0, 10))
_tree = st.recursive(st.one_of(_leaf, _arrays.map(shared)),
                     lambda ch: st.one_of(st.lists(ch, max_size=3), st.tuples(ch, ch),
                                          st.dictionaries(_key, ch, max_size=3)), max_leaves=8)


def _same(a, b):
    if isinstance(a, tg.Tensor):
        assert isinstance(b, tg.Tensor) and arr(a).dtype == arr(b).dtype
        np.testing.assert_array_equal(arr(a), arr(b))
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    else:
        assert type(a) is type(b) and a == b


@given(_tree)
def test_roundtrip_nested_structures(tree):
    buf = io.BytesIO()
    tg.save(tree, buf)
    buf.seek(0)
    _same(tree, tg.load(buf))
    if torch is not None:
        buf.seek(0)
        torch.load(buf, weights_only=True)  # PyTorch también lo abre


def test_optimizer_style_state_dict_roundtrip(tmp_path):
    sd = {"state": {0: {"step": shared(np.float32(3.0)), "exp_avg": shared(np.ones((2, 2))), "exp_avg_sq": shared(np.zeros(2))},
                    1: {"momentum_buffer": None}},
          "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False,
                            "maximize": False, "foreach": None, "params": [0, 1]}]}
    tg.save(sd, tmp_path / "opt.pt")
    _same(sd, tg.load(tmp_path / "opt.pt"))


def test_unsupported_objects_refused_before_writing(tmp_path):
    class Foo:
        pass
    # como torch.save: una clase local no tiene nombre importable (AttributeError), y no queda fichero
    with pytest.raises(AttributeError, match=r"objeto local .*Foo.*state_dict"):
        tg.save({"modelo": [1, Foo()]}, tmp_path / "x.pt")
    with pytest.raises(AttributeError, match="lambda"):
        tg.save(lambda x: x, tmp_path / "x.pt")
    with pytest.raises(TypeError, match="complex128"):
        tg.save(np.zeros(2, np.complex128), tmp_path / "x.pt")
    assert os.listdir(tmp_path) == []  # ni el fichero ni temporales


# --------------------------------------------------------------------------------------
# pickles maliciosos: se rechazan sin ejecutar nada
# --------------------------------------------------------------------------------------
def _zip_with_pickle(path, pkl: bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/version", b"3\n")


class _System:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class _Eval:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (eval, (f"open({self.marker!r}, 'w')",))


def _s(text):
    return b"X" + struct.pack("<I", len(text.encode())) + text.encode()


def _malicious(marker):
    cmd = f"touch {marker}"
    glob = b"cposix\nsystem\n(X" + struct.pack("<I", len(cmd)) + cmd.encode() + b"tR."
    inst = b"(S'" + cmd.encode() + b"'\nios\nsystem\n."
    stack_global = pickle.dumps(_System(cmd), protocol=4)
    getattr_chain = (b"\x80\x02cbuiltins\ngetattr\n(cbuiltins\n__import__\n(X\x02\x00\x00\x00ostRX\x06\x00\x00\x00"
                     b"systemtR(X" + struct.pack("<I", len(cmd)) + cmd.encode() + b"tR.")
    obj_op = b"\x80\x02(cos\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd.encode() + b"o."
    popen = b"\x80\x02csubprocess\nPopen\n](" + _s("touch") + _s(str(marker)) + b"e\x85R."
    # BUILD con estado (None, {atributo: valor}) haría setattr sobre el objeto
    build_setattr = (b"\x80\x02ccollections\nOrderedDict\n)RN}X\x08\x00\x00\x00__init__ccollections\nOrderedDict\n"
                     b"s\x86b.")
    return {"os.system": pickle.dumps({"w": _System(cmd)}, protocol=2), "posix.system": glob, "INST": inst,
            "STACK_GLOBAL": stack_global, "getattr": getattr_chain, "OBJ": obj_op, "Popen": popen,
            "eval": pickle.dumps([_Eval(marker)], protocol=2), "BUILD": build_setattr,
            "numpy object array": pickle.dumps({"a": np.array([1, "x"], dtype=object)}, protocol=2)}


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("kind", list(_malicious("x")))
def test_malicious_pickles_refused_without_running(tmp_path, kind):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    _zip_with_pickle(path, _malicious(marker)[kind])
    with pytest.raises(S.UnpicklingError) as ei:
        tg.load(path)
    msg = str(ei.value)
    assert "evil.pt" in msg and any(w in msg for w in ("no es un tensor", "no se admite", "no está permitido",
                                                        "no se puede completar"))
    assert not marker.exists()
    if torch is not None and kind not in ("BUILD",):
        with pytest.raises(pickle.UnpicklingError):  # PyTorch (weights_only) también lo rechaza
            torch.load(path, weights_only=True)
        assert not marker.exists()


def test_tensor_outside_its_storage_is_refused(tmp_path):
    buf = io.BytesIO()
    tg.save(shared(np.arange(4.0)), buf)
    raw = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        pkl = zf.read("archive/data.pkl")
        data = zf.read("archive/data/0")
    # forma (4,) -> (40,): leería fuera del almacenamiento
    bad = pkl.replace(b"K\x04\x85", b"K\x28\x85", 1)
    assert bad != pkl
    path = tmp_path / "oob.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", bad)
        zf.writestr("archive/data/0", data)
    with pytest.raises(S.UnpicklingError, match="se sale de su almacenamiento"):
        tg.load(path)


# --------------------------------------------------------------------------------------
# ficheros que no son checkpoints: errores claros
# --------------------------------------------------------------------------------------
def test_bad_files_give_spanish_errors(tmp_path):
    _, good = _ours(tmp_path)
    raw = good.read_bytes()
    cases = {"vacio.pt": (b"", "está vacío"), "ruido.pt": (os.urandom(300).replace(b"PK", b"pk"), "no es un fichero de PyTorch"),
             "medio.pt": (raw[:len(raw) // 2], "truncado o dañado"), "sin_final.pt": (raw[:-10], "truncado o dañado"),
             "pickle.pt": (pickle.dumps(np.array([1, "a"], dtype=object)), "pickle de Python suelto")}
    npy = io.BytesIO()
    np.save(npy, np.ones(3))
    cases["datos.npy"] = (npy.getvalue(), r"\.npy de numpy")
    npz = io.BytesIO()
    np.savez(npz, a=np.ones(3))
    cases["datos.npz"] = (npz.getvalue(), r"\.npz de numpy")
    for name, (content, msg) in cases.items():
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(S.SerializationError, match=msg) as ei:
            tg.load(p)
        assert name in str(ei.value)
    with pytest.raises(FileNotFoundError, match="no existe el fichero"):
        tg.load(tmp_path / "no_esta.pt")
    with pytest.raises(IsADirectoryError, match="es una carpeta"):
        tg.load(tmp_path)


def test_corrupted_storage_bytes(tmp_path):
    _, good = _ours(tmp_path)
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("archive/data/0")
    n, m = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    raw[info.header_offset + 30 + n + m] ^= 0xFF  # un byte de los pesos cambia: el CRC no cuadra
    bad = tmp_path / "crc.pt"
    bad.write_bytes(bytes(raw))
    with pytest.raises(S.SerializationError, match="dañado"):
        tg.load(bad)


def test_cuda_location_needs_map_location(tmp_path):
    buf = io.BytesIO()
    tg.save({"w": shared(np.ones(2, np.float32))}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["archive/data.pkl"] = files["archive/data.pkl"].replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    path = tmp_path / "gpu.pt"
    with zipfile.ZipFile(path, "w") as zf:
        for n, c in files.items():
            zf.writestr(n, c)
    with pytest.raises(RuntimeError, match="cuda:0.*map_location='cpu'"):
        tg.load(path)
    for ml in ("cpu", {"cuda:0": "cpu"}, lambda storage, loc: storage):
        np.testing.assert_array_equal(arr(tg.load(path, map_location=ml)["w"]), [1, 1])
    with pytest.raises(RuntimeError, match="GPU"):
        tg.load(path, map_location="cuda")


def test_disk_full_keeps_previous_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "modelo.pt"
    tg.save({"v": 1}, path)
    before = path.read_bytes()
    import tinygrad_es._io as C

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(C.os, "fsync", full)  # el disco se llena al volcar el temporal
    with pytest.raises(OSError, match="modelo.pt.*no queda espacio en el disco.*anterior sigue intacto") as ei:
        tg.save({"v": shared(np.ones(1000))}, path)
    assert ei.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["modelo.pt"]
    with pytest.raises(FileNotFoundError, match="la carpeta .* no existe"):
        tg.save({"v": 1}, tmp_path / "no" / "x.pt")
    tg.save({"v": 2}, path)
    assert tg.load(path) == {"v": 2} and oct(os.stat(path).st_mode & 0o777) != "0o600"


# --------------------------------------------------------------------------------------
# torch.save(model) de un modelo entero, y torch.load como PyTorch ≥ 2.6 (weights_only=True por defecto)
class WholeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.body = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))
        self.head = self.body[1]          # un submódulo compartido sigue compartido al cargar
        self.nota = {"épocas": 3}

    def forward(self, x):
        return self.body(self.fc(x))


_RAN = []


def _record_run(what):
    _RAN.append(what)


class Trap:
    """Un objeto cuyo pickle llama a una función al deshacerse: weights_only nunca debe llamarla."""

    def __reduce__(self):
        return (_record_run, ("ejecutado",))


def test_whole_model_save_and_load_like_pytorch(tmp_path):
    tg.manual_seed(0)
    m = WholeNet()
    x = tg.randn(5, 3)
    tg.save(m, tmp_path / "m.pt")
    # por defecto (weights_only=True) se rechaza con la clase de error de PyTorch y dice cómo hacerlo
    with pytest.raises(pickle.UnpicklingError, match=r"WholeNet.*weights_only=False.*add_safe_globals"):
        tg.load(tmp_path / "m.pt")
    m2 = tg.load(tmp_path / "m.pt", weights_only=False)   # sólo si lo pide el usuario
    assert type(m2) is WholeNet and m2.nota == {"épocas": 3} and m2.head is m2.body[1]
    assert isinstance(m2.fc.weight, nn.Parameter) and m2.fc.weight.requires_grad
    np.testing.assert_array_equal(m2(x).detach().numpy(), m(x).detach().numpy())
    m2(x).sum().backward()                     # el modelo cargado entrena
    assert m2.fc.weight.grad is not None and m.fc.weight.grad is None
    assert [k for k, _ in m2.named_parameters()] == [k for k, _ in m.named_parameters()]


def test_safe_globals_allow_listed_classes_only(tmp_path):
    m = WholeNet()
    tg.save(m, tmp_path / "m.pt")
    classes = [WholeNet, nn.Linear, nn.Sequential, nn.ReLU]
    with tg.serialization.safe_globals(classes):
        m2 = tg.load(tmp_path / "m.pt")
    assert type(m2) is WholeNet and m2.head is m2.body[1]
    np.testing.assert_array_equal(m2.fc.weight.detach().numpy(), m.fc.weight.detach().numpy())
    with pytest.raises(pickle.UnpicklingError):  # fuera del with, otra vez sólo pesos
        tg.load(tmp_path / "m.pt")
    with tg.serialization.safe_globals(classes[:-1]):  # falta nn.ReLU: se nombra
        with pytest.raises(pickle.UnpicklingError, match=r"ReLU"):
            tg.load(tmp_path / "m.pt")
    tg.serialization.add_safe_globals(classes)
    try:
        assert set(classes) <= set(tg.serialization.get_safe_globals())
        assert type(tg.load(tmp_path / "m.pt")) is WholeNet
    finally:
        tg.serialization.clear_safe_globals()
    assert tg.serialization.get_safe_globals() == []


def test_weights_only_never_runs_code_from_the_file(tmp_path):
    tg.save({"w": tg.ones(2), "trampa": Trap()}, tmp_path / "t.pt")
    assert _RAN == []
    with pytest.raises(pickle.UnpicklingError, match="_record_run"):
        tg.load(tmp_path / "t.pt")
    with pytest.raises(pickle.UnpicklingError):
        tg.load(tmp_path / "t.pt", weights_only=True)
    assert _RAN == []
    d = tg.load(tmp_path / "t.pt", weights_only=False)   # el usuario lo pidió: el pickle se ejecuta
    assert _RAN == ["ejecutado"] and d["trampa"] is None
    _RAN.clear()


@needs_torch
def test_whole_model_files_and_torch_refuse_each_other_by_default(tmp_path):
    tg.save(WholeNet(), tmp_path / "ours.pt")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(tmp_path / "ours.pt")
    torch.save(torch.nn.Linear(3, 2), tmp_path / "theirs.pt")
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.linear\.Linear.*weights_only=False"):
        tg.load(tmp_path / "theirs.pt")


def test_whole_model_and_optimizer_keep_sharing_parameters(tmp_path):
    """{"model": model, "opt": opt} guardados juntos: al cargar, el optimizador sigue moviendo los
    parámetros del modelo cargado (el mismo objeto), con su estado de Adam."""
    tg.manual_seed(0)
    m = WholeNet()
    opt = tg.optim.Adam(m.parameters(), lr=0.1)
    x = tg.randn(5, 3)
    m(x).sum().backward()
    opt.step()
    tg.save({"model": m, "opt": opt}, tmp_path / "ckpt.pt")
    d = tg.load(tmp_path / "ckpt.pt", weights_only=False)
    m2, opt2 = d["model"], d["opt"]
    assert opt2.param_groups[0]["params"][0] is m2.fc.weight
    before = m2.fc.weight.detach().numpy().copy()
    opt2.zero_grad()
    m2(x).sum().backward()
    opt2.step()
    opt.zero_grad()
    m(x).sum().backward()
    opt.step()   # el original y el cargado dan el mismo segundo paso de Adam
    assert not np.array_equal(before, m2.fc.weight.detach().numpy())
    np.testing.assert_allclose(m2.fc.weight.detach().numpy(), m.fc.weight.detach().numpy(), rtol=1e-6)
